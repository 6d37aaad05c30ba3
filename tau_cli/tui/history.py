"""The conversation's past, as data: thousands of messages without thousands of widgets.

One widget per message makes every layout of the screen walk every message (a long
session burns CPU just streaming an answer below it) and holds far more memory than the
text. ``HistoryView`` instead keeps each finished item (a user message, an answer, a
tool call, a notice) as a small ``Entry`` and draws them all through Textual's line
API, so only the rows on screen are painted:

- an entry is rendered to lines only when it comes near the viewport; until then its
  height is estimated from its text;
- when an entry above the viewport turns out taller or shorter than estimated, the
  scroll position moves by the difference, so what is on screen stays put;
- rendered lines live in a bounded cache (least recently drawn entries drop theirs and
  render again if scrolled back to), so memory follows the screen, not the session;
- a click on a tool call or on folded reasoning expands it, as on the live cards, and
  so do the keys (Up and Down choose one, Enter opens or folds it);
- lines carry their positions, so the mouse selects text here too.
"""

from __future__ import annotations

import bisect
import itertools
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.selection import Selection
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

from tau_cli.tui.lines import selectable, selected_text
from tau_cli.tui.markdown_render import BlockMarkdown
from tau_cli.tui.widgets import card_body, card_header

Kind = Literal["user", "answer", "tool", "notice", "reasoning"]


@dataclass(eq=False, slots=True)
class Entry:
    """One finished item of the conversation, as plain data."""

    kind: Kind
    text: str
    """The user's words, the answer's markdown, the notice, the reasoning, or a tool's summary."""
    level: str = "info"
    """A notice's level: info, warning or error."""
    output: str = ""
    """A tool's output (shown when the entry is expanded)."""
    diff: str | None = None
    """The diff an edit or write made; such a card is made expanded, to show it unasked."""
    status: str = "done"
    """A tool's end: done or error."""
    duration_ms: float | None = None
    error: str | None = None
    expanded: bool = False

    @property
    def expandable(self) -> bool:
        return self.kind in ("tool", "reasoning")


_MARGIN: dict[Kind, int] = {"user": 1, "answer": 1, "tool": 0, "notice": 0, "reasoning": 1}
"""Blank rows above each kind of entry, as the live widgets' margins have."""
_AHEAD_DELAY = 0.05
"""Seconds after a scroll before the neighbouring screens are rendered."""
_CACHED_LINES = 4000
"""Rendered rows kept at most (a few screens' worth many times over)."""


class HistoryView(Widget, can_focus=True):
    """Finished conversation items, drawn a screen at a time."""

    DEFAULT_CSS = """
    HistoryView {
        height: auto;
    }
    HistoryView > .history--user {
        background: $boost;
        color: $text;
        text-style: bold;
    }
    HistoryView > .history--muted {
        color: $text-muted;
    }
    HistoryView > .history--warning {
        color: $warning;
    }
    HistoryView > .history--error {
        color: $error;
    }
    HistoryView > .history--reasoning {
        color: $text-muted;
        text-style: italic;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "step(-1)", "Earlier card", show=False),
        Binding("down", "step(1)", "Later card", show=False),
        Binding("enter", "toggle_chosen", "Show output", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "history--user",
        "history--muted",
        "history--warning",
        "history--error",
        "history--reasoning",
    }

    def __init__(self, *, id: str | None = None, code_theme: str = "ansi_dark") -> None:
        super().__init__(id=id)
        self.entries: list[Entry] = []
        self._code_theme = code_theme
        self._heights: list[int] = []
        self._exact: list[bool] = []
        self._tops: list[int] = [0]
        """``_tops[i]`` is the first row of entry ``i``; the last item is the total height."""
        self._tops_stale = False
        self._cache: OrderedDict[int, list[Strip]] = OrderedDict()
        self._cached_lines = 0
        self._width = 0
        self._ahead_timer: Timer | None = None
        self.chosen: int | None = None
        """The tool call or reasoning entry the keys act on (Up and Down move it)."""
        self.renders = 0
        """How many entries were rendered to lines; for tests and benchmarks."""

    # The data ---------------------------------------------------------------

    def extend(self, entries: Iterable[Entry]) -> None:
        """Add finished items at the end (their lines are rendered when first needed)."""
        new = list(entries)
        if not new:
            return
        self.entries.extend(new)
        width = self._width  # not laid out yet: the first layout estimates them all
        self._heights.extend(self._estimate(entry, width) if width else 0 for entry in new)
        self._exact.extend(False for _ in new)
        self._tops_stale = True
        self.refresh(layout=True)
        if self.is_mounted:
            self.call_after_refresh(self.prepare)

    def clear(self) -> None:
        """Forget every entry: another conversation is about to be shown."""
        self.entries.clear()
        self._heights.clear()
        self._exact.clear()
        self._tops = [0]
        self._tops_stale = False
        self._cache.clear()
        self._cached_lines = 0
        self.chosen = None
        self.refresh(layout=True)

    def entry_at(self, y: int) -> int | None:
        """The index of the entry drawn on row ``y`` of this view."""
        tops = self._row_tops()
        if not self.entries or y < 0 or y >= tops[-1]:
            return None
        return bisect.bisect_right(tops, y) - 1

    def top_of(self, index: int) -> int:
        """The first row of entry ``index`` (its margin included)."""
        return self._row_tops()[index]

    def toggle(self, index: int) -> None:
        """Expand a tool call or reasoning entry, or fold it again."""
        entry = self.entries[index]
        if not entry.expandable:
            return
        entry.expanded = not entry.expanded
        self._forget(index)
        self._materialize(index)
        self.refresh(layout=True)

    def is_drawn(self, index: int) -> bool:
        """Whether entry ``index`` has its lines rendered (it is on or near the screen)."""
        return index in self._cache

    def action_step(self, step: int) -> None:
        """Choose the next tool call or reasoning above (-1) or below (1)."""
        start = len(self.entries) if step < 0 else -1  # nothing chosen: from the end
        at = (start if self.chosen is None else self.chosen) + step
        while 0 <= at < len(self.entries) and not self.entries[at].expandable:
            at += step
        if not 0 <= at < len(self.entries):
            return
        self.chosen = at
        container = self.parent
        if isinstance(container, Widget):
            top = self.virtual_region.y + self.top_of(at)
            if not container.scroll_y <= top < container.scroll_y + container.size.height - 1:
                container.scroll_to(y=top - container.size.height // 2, animate=False)
        self.refresh()

    def action_toggle_chosen(self) -> None:
        if self.chosen is not None:
            self.toggle(self.chosen)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    @property
    def mounted_lines(self) -> int:
        """Rendered rows held in memory right now."""
        return self._cached_lines

    # Keeping what is on screen exact -----------------------------------------

    def prepare(self, *, ahead: bool = False) -> None:
        """Render the entries on screen, correcting their estimated heights.

        Called when the conversation scrolls or is resized. An entry above the viewport
        that changes height moves the scroll position by as much, so the screen holds
        still while estimates become exact. A moment later (``ahead``) the screens
        above and below are rendered too, so scrolling on finds them ready.
        """
        container = self.parent
        if not isinstance(container, Widget) or not self.entries or self._width <= 0:
            return
        if not ahead and self._ahead_timer is None:
            self._ahead_timer = self.set_timer(_AHEAD_DELAY, self._prepare_ahead)
        view_top = round(container.scroll_y) - self.virtual_region.y
        screen = max(container.size.height, 1)
        start, stop = (
            (view_top - screen, view_top + 2 * screen) if ahead else (view_top, view_top + screen)
        )
        first = self.entry_at(max(0, start))
        if first is None:
            first = 0 if start < 0 else len(self.entries) - 1
        moved, changed = 0, False
        tops = self._row_tops()
        index = first
        while index < len(self.entries) and tops[index] + moved < stop:
            before = self._heights[index]
            self._materialize(index)
            delta = self._heights[index] - before
            if delta:
                changed = True
                if tops[index] < view_top:
                    moved += delta
            index += 1
        if changed:
            self._tops_stale = True
            self.refresh(layout=True)
            at_bottom = container.scroll_y >= container.max_scroll_y
            if moved and not (container.is_anchored and at_bottom):
                target = container.scroll_y + moved
                self.call_after_refresh(container.scroll_to, y=target, animate=False)

    def _prepare_ahead(self) -> None:
        self._ahead_timer = None
        self.prepare(ahead=True)

    def on_mount(self) -> None:
        if isinstance(self.parent, Widget):
            self.watch(self.parent, "scroll_y", self._scrolled, init=False)

    def _scrolled(self) -> None:
        self.prepare()

    # Drawing ------------------------------------------------------------------

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if width != self._width:
            self._width = width
            self._reset()
            self.call_after_refresh(self.prepare)
        return self._row_tops()[-1]

    def render_line(self, y: int) -> Strip:
        index = self.entry_at(y)
        if index is None:
            return Strip.blank(self.size.width, self.rich_style)
        row = y - self.top_of(index)
        height = self._heights[index]
        lines = self._materialize(index)
        if len(lines) != height:  # drawn before ``prepare`` reached it: lay out again
            self.call_later(self.refresh, layout=True)
        line = lines[row] if row < len(lines) else Strip.blank(self._width)
        if index == self.chosen and row == _MARGIN[self.entries[index].kind] and self.has_focus:
            line = line.apply_style(Style(reverse=True))
        selection = self.text_selection
        style = self.screen.get_component_rich_style("screen--selection") if selection else None
        return selectable(line.apply_style(self.rich_style), y, selection, style)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The selected rows as they read on screen (only those rows are rendered)."""
        start, end = selection
        first = 0 if start is None else start.y
        last = self._row_tops()[-1] - 1 if end is None else end.y
        rows = [self.render_line(y).text for y in range(first, last + 1)]
        return selected_text(rows, selection, first), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        if self.text_selection is not None:
            return  # the end of a drag that selected text, not a request to expand
        offset = event.get_content_offset(self)
        index = None if offset is None else self.entry_at(offset.y)
        if index is not None and self.entries[index].expandable:
            self.toggle(index)

    # Rendering entries ---------------------------------------------------------

    @property
    def _content_width(self) -> int:
        return self._width or max(self.size.width, 1)

    def _row_tops(self) -> list[int]:
        if self._tops_stale:
            self._tops = [0, *itertools.accumulate(self._heights)]
            self._tops_stale = False
        return self._tops

    def _reset(self) -> None:
        """A new width: every height is an estimate again, every cached line stale."""
        self._cache.clear()
        self._cached_lines = 0
        self._heights = [self._estimate(entry, self._width) for entry in self.entries]
        self._exact = [False] * len(self.entries)
        self._tops_stale = True

    def _estimate(self, entry: Entry, width: int) -> int:
        """Rows the entry will take, from its text alone (exact for plain text)."""
        inner = max(width - 2, 1)
        if entry.kind == "tool":
            rows = 2 if entry.error else 1
            if entry.expanded:
                rows += _wrapped_rows(entry.diff or entry.output, inner - 2)
            return rows
        if entry.kind == "reasoning":
            body = _wrapped_rows(entry.text, inner) if entry.expanded else 0
            return _MARGIN["reasoning"] + 1 + body
        text = f"> {entry.text}" if entry.kind == "user" else entry.text
        return _MARGIN[entry.kind] + _wrapped_rows(text, inner)

    def _materialize(self, index: int) -> list[Strip]:
        """The entry's lines, rendered now unless cached; its height becomes exact."""
        cached = self._cache.get(index)
        if cached is not None:
            self._cache.move_to_end(index)
            return cached
        lines = self._render_entry(self.entries[index])
        if len(lines) != self._heights[index]:
            self._heights[index] = len(lines)
            self._tops_stale = True
        self._exact[index] = True
        self._cache[index] = lines
        self._cached_lines += len(lines)
        while self._cached_lines > _CACHED_LINES and len(self._cache) > 1:
            _, dropped = self._cache.popitem(last=False)
            self._cached_lines -= len(dropped)
        return lines

    def _forget(self, index: int) -> None:
        dropped = self._cache.pop(index, None)
        if dropped is not None:
            self._cached_lines -= len(dropped)

    def _render_entry(self, entry: Entry) -> list[Strip]:
        width = self._content_width
        self.renders += 1
        console = self.app.console
        options = console.options.update_width(width)
        rendered = console.render_lines(self._renderable(entry), options, pad=True)
        blank = [Strip.blank(width)] * _MARGIN[entry.kind]
        return blank + [Strip(line, width).simplify() for line in rendered]

    def _renderable(self, entry: Entry) -> RenderableType:
        style = self.get_component_rich_style
        if entry.kind == "user":
            return Padding(Text(f"> {entry.text}"), (0, 1), style=style("history--user"))
        if entry.kind == "answer":
            return Padding(BlockMarkdown(entry.text, code_theme=self._code_theme), (0, 1))
        if entry.kind == "notice":
            level = {"warning": "history--warning", "error": "history--error"}
            text = Text(entry.text, style=style(level.get(entry.level, "history--muted")))
            return Padding(text, (0, 1))
        if entry.kind == "reasoning":
            mark = "▼" if entry.expanded else "▶"
            title = Text(f"{mark} Thinking", style=style("history--muted"))
            if not entry.expanded:
                return Padding(title, (0, 1))
            body = Text(entry.text, style=style("history--reasoning"))
            return Padding(_stack(title, Padding(body, (0, 0, 0, 2))), (0, 1))
        header = card_header(entry.status, entry.text, entry.duration_ms, entry.error)
        if entry.status == "error":
            header.stylize(style("history--error"))
        if not entry.expanded:
            return Padding(header, (0, 1))
        output = Padding(card_body(entry.output, entry.diff), (0, 0, 0, 2), style=Style(dim=True))
        return Padding(_stack(header, output), (0, 1))


def _stack(*parts: RenderableType) -> RenderableType:
    return Group(*parts)


def _wrapped_rows(text: str, width: int) -> int:
    width = max(width, 1)
    return sum(max(1, -(-len(line) // width)) for line in (text.splitlines() or [""]))
