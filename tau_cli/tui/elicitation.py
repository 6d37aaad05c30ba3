"""An MCP server asks the user for input (elicitation): a small form, inline.

The server sends a message and a flat schema of primitive fields (string, number,
integer, boolean, enum). Each field is a line to type into; Enter moves to the
next and, on the last, sends the answers, checked against the schema first (a
wrong value says why and keeps what was typed). Ctrl+D declines; Esc stops the
turn, which cancels the request.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Static

from tau_cli.core import ElicitationRequest, ElicitationResponse
from tau_cli.runtime.forms import answers, fields_of
from tau_cli.tui.prompts import Prompt


class ElicitationPrompt(Prompt[ElicitationResponse]):
    """A server's question, as a form in the conversation."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+d", "decline", "Decline", priority=True),
        Binding("enter", "send_empty", "Accept", show=False),
    ]

    def __init__(self, request: ElicitationRequest) -> None:
        super().__init__()
        self.request = request
        self.fields = fields_of(request.requested_schema)

    def compose(self) -> ComposeResult:
        title = Text.assemble(("MCP server ", ""), (self.request.server, "bold"), " asks:")
        yield Static(Text.assemble(title, "\n", self.request.message), classes="body")
        for field in self.fields:
            label = field.title + ("" if field.required else " (optional)")
            if field.description:
                label += f" — {field.description}"
            yield Static(Text(label), classes="label")
            default = "" if field.default is None else f" (empty: {field.default})"
            yield Input(placeholder=(field.hint + default).strip(), classes="field")
        yield Static(Text(""), classes="problem")
        yield Static(
            Text("Enter: next field, then send · Ctrl+D declines · Esc stops the turn"),
            classes="keys",
        )

    def focus(self, scroll_visible: bool = True) -> ElicitationPrompt:
        """The keys go to the first field (to the form itself while it has none yet)."""
        first = next(iter(self.query(Input)), None)
        if first is not None and not self.answered:
            first.focus(scroll_visible)
            return self
        super().focus(scroll_visible)
        return self

    def action_send_empty(self) -> None:
        """Enter on a form that asks for nothing: the user agrees to go on."""
        if not self.fields:
            self._resolve(ElicitationResponse(action="accept", content={}), "✓ accepted")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input))
        at = inputs.index(event.input)
        if at + 1 < len(inputs):
            inputs[at + 1].focus()
            return
        try:
            content = answers(self.fields, [i.value for i in inputs])
        except ValueError as exc:
            self.query_one(".problem", Static).update(Text(str(exc), style="bold"))
            return
        shown = ", ".join(f"{k}={v}" for k, v in content.items()) or "nothing"
        self._resolve(
            ElicitationResponse(action="accept", content=content),
            f"✓ sent to {self.request.server}: {shown}",
        )

    def action_decline(self) -> None:
        if self.answered:
            return
        self._resolve(ElicitationResponse(action="decline"), f"✗ declined {self.request.server}")
