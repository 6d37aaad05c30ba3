"""The input box: Enter sends, Up and Down walk back through what was sent, and slash
commands complete inline (Right arrow accepts the suggestion)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.suggester import SuggestFromList
from textual.widgets import Input

COMMANDS: dict[str, str] = {
    "/help": "keys and commands",
    "/mode": "default, accept_edits or plan (Shift+Tab steps through them)",
    "/plan": "plan mode: read-only exploration, then a plan to approve",
    "/quit": "leave (Ctrl+Q works too)",
}


class PromptInput(Input):
    """One line to the model, with history and command completion."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history(-1)", "Earlier", show=False),
        Binding("down", "history(1)", "Later", show=False),
    ]

    def __init__(self, *, history: Sequence[str] = (), id: str | None = None) -> None:
        suggestions = [*COMMANDS, *(f"/mode {m}" for m in ("default", "accept_edits", "plan"))]
        super().__init__(
            placeholder="Ask tau · Enter sends · Esc stops · Shift+Tab mode · /help",
            suggester=SuggestFromList(suggestions, case_sensitive=False),
            id=id,
        )
        self.history: list[str] = list(history)
        self._at = len(self.history)
        self._draft = ""

    def remember(self, text: str) -> None:
        """Add a sent line to the history (a repeat of the last one is kept once)."""
        if not self.history or self.history[-1] != text:
            self.history.append(text)
        self._at = len(self.history)
        self._draft = ""

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        if self._at == len(self.history):
            self._draft = self.value
        self._at = max(0, min(len(self.history), self._at + step))
        self.value = self.history[self._at] if self._at < len(self.history) else self._draft
        self.cursor_position = len(self.value)
