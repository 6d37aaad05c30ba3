"""The conversation pane: the history as data above, the live turn as widgets below.

What is still changing (the answer streaming in, a running tool, an open question) needs
widgets; what is finished does not. After each turn ``Conversation.archive`` folds the
oldest finished widgets into ``HistoryView`` entries, keeping only the latest few
mounted, so the number of widgets, and with it the cost of every layout, stays bounded
however long the session runs. A resumed session goes straight into the history.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Sequence

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget

from tau_cli.core import Message, ToolCall
from tau_cli.tui.history import Entry, HistoryView
from tau_cli.tui.prompts import Prompt
from tau_cli.tui.widgets import (
    Answer,
    NoticeLine,
    PendingInjection,
    Reasoning,
    ToolCard,
    UserMessage,
    diff_of,
)

LIVE_WIDGETS = 40
"""Finished widgets left mounted after a turn: the latest exchanges stay live cards."""


class Conversation(VerticalScroll):
    """Scrolls the history and the live turn as one page."""

    DEFAULT_CSS = """
    Conversation {
        scrollbar-gutter: stable;
    }
    """
    # The gutter is kept even before the page overflows: a scrollbar appearing would
    # narrow the page and make every answer and entry render again for the new width.
    FOCUS_ON_CLICK = False
    """Selecting text with the mouse leaves the keys with the input box."""

    def compose(self) -> ComposeResult:
        yield HistoryView(id="history")

    def on_mount(self) -> None:
        # Everything loaded so far (modules, schemas, a resumed session) lives as long as
        # the app: frozen, the collector's full passes stop walking it, and their pauses
        # (tens of milliseconds mid-stream) shrink to what the turn itself allocates.
        self.call_after_refresh(_freeze_what_lives)

    @property
    def history(self) -> HistoryView:
        return self.query_one(HistoryView)

    def archive(self, keep: int = LIVE_WIDGETS) -> int:
        """Fold finished widgets, oldest first, into the history; ``keep`` stay mounted.

        Stops at the first widget still in use (a running tool, an open question).
        Returns how many widgets were folded.
        """
        live = [child for child in self.children if not isinstance(child, HistoryView)]
        entries: list[Entry] = []
        folded: list[Widget] = []
        for widget in live[: max(0, len(live) - keep)]:
            entry = entry_of(widget)
            if entry is None:
                break
            folded.append(widget)
            if entry.text or entry.kind == "tool":
                entries.append(entry)
        if folded:
            self.history.extend(entries)
            self.remove_children(folded)
        return len(folded)

    def clear(self) -> None:
        """Empty the page, history and live widgets alike (another session is current)."""
        self.history.clear()
        self.remove_children([c for c in self.children if not isinstance(c, HistoryView)])

    def scroll_to_entry(self, index: int) -> None:
        """Bring the history's entry ``index`` to the top of the pane."""
        history = self.history
        self.scroll_to(y=history.virtual_region.y + history.top_of(index), animate=False)


def _freeze_what_lives() -> None:
    gc.collect()  # garbage frozen now would never be freed
    gc.freeze()


def entry_of(widget: Widget) -> Entry | None:
    """The finished widget as a history entry; ``None`` while it may still change."""
    if isinstance(widget, UserMessage):
        return Entry("user", widget.text)
    if isinstance(widget, Answer):
        return Entry("answer", widget.text) if widget.finished else None
    if isinstance(widget, Reasoning):
        return Entry("reasoning", widget.stream.text) if widget.stream.finished else None
    if isinstance(widget, ToolCard):
        if widget.status == "running":
            return None
        return Entry(
            "tool",
            widget.summary or widget.call.name,
            output=widget.output,
            diff=widget.diff,
            status=widget.status,
            duration_ms=widget.duration_ms,
            error=widget.error,
            expanded=widget.expanded,
        )
    if isinstance(widget, NoticeLine):
        return Entry("notice", widget.text, level=widget.level)
    if isinstance(widget, PendingInjection):
        return Entry("notice", f"↳ {widget.text}") if widget.delivered else None
    if isinstance(widget, Prompt):
        return Entry("notice", widget.record) if widget.record is not None else None
    return None


def history_entries(
    messages: Sequence[Message], describe: Callable[[ToolCall], str]
) -> Iterable[Entry]:
    """A saved session's messages as the entries the pane shows for them.

    Args:
        messages: the session, in order.
        describe: a call's one-line summary, as its card's header shows it.
    """
    cards: dict[str, Entry] = {}
    for message in messages:
        if message.role == "user" and message.text:
            yield Entry("user", message.text)
        elif message.role == "assistant":
            if message.text:
                yield Entry("answer", message.text)
            for call in message.tool_calls:
                card = Entry("tool", describe(call), status="running")
                cards[call.id] = card
                yield card
        elif message.role == "tool":
            card_or_none = cards.pop(message.tool_call_id or "", None)
            if card_or_none is not None:
                _finish(card_or_none, message.text, message.is_error)


def _finish(card: Entry, output: str, is_error: bool) -> None:
    card.output = output
    card.status = "error" if is_error else "done"
    if is_error:
        lines = output.strip().splitlines()
        card.error = (lines[0] if lines else "")[:100] or "failed"
    else:
        card.diff = diff_of(output)
        card.expanded = card.diff is not None
