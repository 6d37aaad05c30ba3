"""The input box: several lines when needed, history, and completion of what is typed.

Enter sends; Shift+Enter or Ctrl+J starts a new line (terminals that cannot tell
Shift+Enter from Enter still send Ctrl+J). Up on the first line and Down on the
last (or anywhere in an entry just brought back) walk through what was sent
before, in this project and earlier runs. While a
completion list is open (``/`` commands, ``@`` mentions), Up and Down choose in it,
and Tab or Enter takes the choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import TextArea

from tau_cli.runtime.input_history import InputHistory

PLACEHOLDER = "Ask tau · Enter sends · Ctrl+J new line · Esc stops · Shift+Tab mode · /help"
_NEWLINE_KEYS = frozenset({"shift+enter", "ctrl+j"})


class PromptInput(TextArea):
    """What the user writes to tau."""

    DEFAULT_CSS = """
    PromptInput {
        height: auto;
        min-height: 3;
        max-height: 12;
        padding: 0 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "up", "Earlier", show=False),
        Binding("down", "down", "Later", show=False),
    ]

    @dataclass
    class Submitted(Message):
        """Enter was pressed: ``value`` is the text to send (the box is not cleared)."""

        input: PromptInput
        value: str

        @property
        def control(self) -> PromptInput:
            return self.input

    @dataclass
    class Browse(Message):
        """Up or Down while a completion list is open: move its highlight by ``step``."""

        step: int

    @dataclass
    class Accept(Message):
        """Tab or Enter while a completion list is open: take its highlighted choice."""

    def __init__(self, *, history: InputHistory | None = None, id: str | None = None) -> None:
        super().__init__(placeholder=PLACEHOLDER, id=id, soft_wrap=True, compact=True)
        self.show_line_numbers = False
        self.highlight_cursor_line = False
        self.sent = history if history is not None else InputHistory()
        self._at = len(self.sent.entries)
        self._draft = ""
        self.recalled: str | None = None
        """The entry Up or Down last brought back (completion leaves it alone)."""
        self.completing = False
        """Whether a completion list is open for this box (the app sets it)."""

    @property
    def value(self) -> str:
        return self.text

    @value.setter
    def value(self, text: str) -> None:
        self.load_text(text)
        self.move_cursor(self.document.end)

    def clear(self) -> None:  # type: ignore[override]  # TextArea.clear returns an edit result
        self.load_text("")

    def remember(self, text: str) -> None:
        """Add a sent prompt to the history and start browsing from the newest again."""
        self.sent.add(text)
        self._at = len(self.sent.entries)
        self._draft = ""
        self.recalled = None

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            if self.completing:
                self.post_message(self.Accept())
            else:
                self.post_message(self.Submitted(self, self.text))
            return
        if event.key == "tab" and self.completing:
            event.stop()
            event.prevent_default()
            self.post_message(self.Accept())
            return
        if event.key in _NEWLINE_KEYS:
            event.stop()
            event.prevent_default()
            self.insert("\n")
            return
        await super()._on_key(event)

    def action_up(self) -> None:
        if self.completing:
            self.post_message(self.Browse(-1))
        elif self.cursor_location[0] == 0 or self._unchanged_recall():
            self._walk(-1)
        else:
            self.action_cursor_up()

    def action_down(self) -> None:
        if self.completing:
            self.post_message(self.Browse(1))
        elif self.cursor_location[0] == self.document.line_count - 1 or self._unchanged_recall():
            self._walk(1)
        else:
            self.action_cursor_down()

    def _unchanged_recall(self) -> bool:
        """An entry brought back and not edited: Up and Down go on walking the history."""
        return self.recalled is not None and self.text == self.recalled

    def _walk(self, step: int) -> None:
        entries = self.sent.entries
        if not entries:
            return
        if self._at == len(entries):
            self._draft = self.text
        at = max(0, min(len(entries), self._at + step))
        if at == self._at:
            return
        self._at = at
        self.recalled = entries[at] if at < len(entries) else self._draft
        self.value = self.recalled
