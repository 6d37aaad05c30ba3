"""Choosing from a list inline in the conversation: the earlier sessions to resume.

Like the approval prompts, the picker sits where the user is reading, takes the
keyboard, and folds to one line once answered: Enter resumes the highlighted
session, Esc keeps the current one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tau_cli.runtime.client import SessionInfo


class SessionPicker(OptionList):
    """The project's saved sessions, newest first."""

    DEFAULT_CSS = """
    SessionPicker {
        height: auto;
        max-height: 12;
        margin: 1 0 0 0;
        border: tall $accent;
    }
    """

    @dataclass
    class Chosen(Message):
        """The user chose ``session_id``, or None: they kept the current session."""

        picker: SessionPicker
        session_id: str | None

    def __init__(self, sessions: Sequence[SessionInfo], *, current: str | None = None) -> None:
        self.sessions = [s for s in sessions if s.id != current]
        super().__init__(*(_option(s) for s in self.sessions))
        self.border_title = "Resume which conversation? Enter resumes · Esc keeps this one"
        self.answered = False

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter or a click on a session."""
        event.stop()
        self._answer(event.option.id)

    def cancel(self) -> None:
        self._answer(None)

    def _answer(self, session_id: str | None) -> None:
        if self.answered:
            return
        self.answered = True
        self.post_message(self.Chosen(self, session_id))


def _option(session: SessionInfo) -> Option:
    label = Text(session.title or "(untitled)", style="bold")
    label.append(
        f"  {session.updated_at:%Y-%m-%d %H:%M} · {session.message_count} messages", style="dim"
    )
    return Option(label, id=session.id)
