"""Questions the runtime asks, shown inline in the conversation.

A prompt never hides what is being approved: the command, the reason, the diff or
the plan stay in the conversation above the keys. Each prompt resolves a future
with core's decision type; once answered it folds to one line that records the
answer.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import subprocess
from pathlib import Path
from typing import ClassVar, Generic, TypeVar

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.syntax import Syntax
from rich.text import Text
from textual import events
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from tau_cli.core import (
    PermissionChoice,
    PermissionDecision,
    PermissionRequest,
    PlanApprovalRequest,
    PlanDecision,
    QuestionAnswer,
    QuestionRequest,
)

T = TypeVar("T")


class Prompt(Vertical, Generic[T], can_focus=True):
    """A question in the conversation; ``answer`` resolves when the user decides."""

    DEFAULT_CSS = """
    Prompt {
        height: auto;
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: thick $warning;
        background: $boost;
    }
    Prompt:focus-within, Prompt:focus {
        border-left: thick $accent;
    }
    Prompt.-answered {
        border-left: thick $success;
        background: transparent;
    }
    Prompt .keys {
        color: $text-muted;
        margin: 1 0 0 0;
    }
    Prompt Input {
        margin: 1 0 0 0;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.answer: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._folded = False
        self.record: str | None = None
        """The one line an answered (or abandoned) prompt folds to."""
        self.root: str | None = None
        """The working folder (ending in ``/``); paths under it are shown relative to it."""

    @property
    def answered(self) -> bool:
        return self.answer.done()

    def _resolve(self, value: T, record: str) -> None:
        if self.answer.done():
            return
        self.answer.set_result(value)
        self._fold(record)

    def abandon(self) -> None:
        """The turn stopped before an answer: keep a record, take the keys away."""
        # A stopped turn cancels the future it was waiting on, so look at our own flag.
        if not self._folded:
            self.answer.cancel()
            self._fold("not answered: the turn was stopped")

    def _fold(self, record: str) -> None:
        self._folded = True
        self.record = record
        self.add_class("-answered")
        self.remove_children()
        self.mount(Static(Text(record)))
        self.can_focus = False

    def _ask_feedback(self, placeholder: str) -> None:
        for keys in self.query(".keys").results(Static):
            keys.update(Text("Enter sends (empty to skip) · Esc stops the turn"))
        field = Input(placeholder=placeholder, classes="feedback")
        self.mount(field)
        field.focus()


_PERMISSION_KEYS = {
    "y": PermissionChoice.ALLOW_ONCE,
    "s": PermissionChoice.ALLOW_SESSION,
    "a": PermissionChoice.ALLOW_ALWAYS,
}
_RECORDS = {
    PermissionChoice.ALLOW_ONCE: "allowed once",
    PermissionChoice.ALLOW_SESSION: "allowed for this session",
    PermissionChoice.ALLOW_ALWAYS: "allowed always",
    PermissionChoice.DENY: "denied",
}


class PermissionPrompt(Prompt[PermissionDecision]):
    """May this tool call run? y once · s this session · a always (saves the rule) · n deny."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "choose('y')", "Allow once"),
        Binding("s", "choose('s')", "Allow for session"),
        Binding("a", "choose('a')", "Always allow"),
        Binding("n", "deny", "Deny"),
    ]

    def __init__(self, request: PermissionRequest) -> None:
        super().__init__()
        self.request = request
        self._denying = False

    def compose(self) -> ComposeResult:
        request = self.request
        parts: list[RenderableType] = [
            Text.assemble(("tau wants to use ", ""), (request.tool_name, "bold")),
            Text(request.summary, style="bold"),
        ]
        if request.reason:
            parts.append(Text(request.reason, style="italic"))
        if request.diff:
            parts.append(Syntax(request.diff, "diff", theme="ansi_dark", word_wrap=True))
        yield Static(Group(*parts), classes="body")
        always = f" · [a] always allow {request.suggested_rule}" if request.suggested_rule else ""
        keys = f"[y] allow once · [s] allow for this session{always} · [n] deny"
        yield Static(Text(keys), classes="keys")

    def action_choose(self, key: str) -> None:
        if self.answered or self._denying:
            return
        choice = _PERMISSION_KEYS[key]
        rule = self.request.suggested_rule
        if choice is PermissionChoice.ALLOW_ALWAYS and not rule:
            return
        record = _RECORDS[choice] + (f": {rule}" if choice is PermissionChoice.ALLOW_ALWAYS else "")
        self._resolve(
            PermissionDecision(choice=choice, rule=rule), f"✓ {record} · {self.request.summary}"
        )

    def action_deny(self) -> None:
        if self.answered or self._denying:
            return
        self._denying = True
        self._ask_feedback("What should tau do instead?")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        feedback = event.value.strip() or None
        record = f"✗ denied · {self.request.summary}" + (f" — {feedback}" if feedback else "")
        self._resolve(PermissionDecision(choice=PermissionChoice.DENY, feedback=feedback), record)


class PlanPrompt(Prompt[PlanDecision]):
    """Approve the plan? y approve · e approve and accept edits · n reject with feedback ·
    o open the plan file in ``$VISUAL``/``$EDITOR`` to change it before approving (the
    runtime reads the file again when it is approved, so the edit is what the model gets)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "approve('default')", "Approve"),
        Binding("e", "approve('accept_edits')", "Approve, accept edits"),
        Binding("n", "reject", "Reject"),
        Binding("o", "edit", "Open in editor"),
    ]

    def __init__(self, request: PlanApprovalRequest) -> None:
        super().__init__()
        self.request = request
        self._rejecting = False
        self.shown_plan = request.plan
        """The plan as the body shows it: the request's, or the file after an edit."""

    def compose(self) -> ComposeResult:
        yield Static(self._body(self.request.plan), classes="body")
        keys = "[y] approve · [e] approve and accept edits · [n] reject with feedback"
        if self.request.path:
            keys += " · [o] open in editor"
        yield Static(Text(keys), classes="keys")

    def _body(self, plan: str) -> RenderableType:
        path = self.request.path
        if path and self.root and path.startswith(self.root):
            path = path[len(self.root) :]
        where = f" ({path})" if path else ""
        return Group(Text(f"tau proposes a plan{where}", style="bold"), Markdown(plan))

    def action_edit(self) -> None:
        """Hand the terminal to the user's editor, then show the plan as they left it."""
        path = self.request.path
        if self.answered or self._rejecting or not path:
            return
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        argv = [*shlex.split(editor), path]
        try:
            try:
                with self.app.suspend():
                    subprocess.run(argv, check=False)
            except SuspendNotSupported:  # headless: only an editor that needs no terminal
                subprocess.run(argv, check=False, stdin=subprocess.DEVNULL)
        except OSError as exc:
            self.app.notify(f"could not start {editor!r}: {exc}", severity="error")
            return
        self.shown_plan = Path(path).read_text(encoding="utf-8")
        self.query_one(".body", Static).update(self._body(self.shown_plan))

    def action_approve(self, mode: str) -> None:
        if self.answered or self._rejecting:
            return
        after = "accept_edits" if mode == "accept_edits" else "default"
        record = "✓ plan approved" + (", edits accepted" if after == "accept_edits" else "")
        self._resolve(PlanDecision(approved=True, mode_after=after), record)

    def action_reject(self) -> None:
        if self.answered or self._rejecting:
            return
        self._rejecting = True
        self._ask_feedback("What should change?")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        feedback = event.value.strip() or None
        record = "✗ plan rejected" + (f" — {feedback}" if feedback else "")
        self._resolve(PlanDecision(approved=False, feedback=feedback), record)


class QuestionPrompt(Prompt[QuestionAnswer]):
    """The model asks: a number picks an option (toggles it, for several); or type an answer."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(n), f"pick({n})", show=False) for n in range(1, 10)),
        Binding("enter", "confirm", "Confirm", show=False),
    ]

    def __init__(self, request: QuestionRequest) -> None:
        super().__init__()
        self.request = request
        self._picked: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(Text(self.request.question, style="bold"), classes="body")
        yield Static(self._options(), classes="options")
        hint = "a number picks" if not self.request.multi_select else "numbers toggle, Enter sends"
        if self.request.allow_free_text:
            hint += " · or just type an answer"
        yield Static(Text(hint), classes="keys")
        if self.request.allow_free_text:
            yield Input(placeholder="Your answer", classes="free-text", select_on_focus=False)

    def _options(self) -> Text:
        text = Text()
        for n, option in enumerate(self.request.options, 1):
            mark = "■" if option.label in self._picked else " "
            prefix = f"{mark} {n}. " if self.request.multi_select else f"{n}. "
            text.append(prefix + option.label, style="bold")
            if option.description:
                text.append(f" — {option.description}", style="dim")
            text.append("\n")
        text.rstrip()
        return text

    def on_key(self, event: events.Key) -> None:
        """A letter starts a typed answer: the text field takes it, and the focus."""
        if self.answered or not self.request.allow_free_text or self.app.focused is not self:
            return
        char = event.character
        if char and char.isprintable() and not char.isdigit():
            field = self.query_one(Input)
            field.focus()
            field.insert_text_at_cursor(char)
            event.stop()
            event.prevent_default()

    def action_pick(self, n: int) -> None:
        if self.answered or not 1 <= n <= len(self.request.options):
            return
        label = self.request.options[n - 1].label
        if not self.request.multi_select:
            self._resolve(QuestionAnswer(selected=[label]), f"✓ {label}")
            return
        if label in self._picked:
            self._picked.remove(label)
        else:
            self._picked.append(label)
        self.query_one(".options", Static).update(self._options())

    def action_confirm(self) -> None:
        if not self.answered and self._picked:
            self._resolve(
                QuestionAnswer(selected=list(self._picked)), "✓ " + ", ".join(self._picked)
            )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if text:
            self._resolve(QuestionAnswer(selected=list(self._picked), text=text), f"✓ {text}")
        elif self._picked:
            self.action_confirm()
