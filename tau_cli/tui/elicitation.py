"""An MCP server asks the user for input (elicitation): a small form, inline.

The server sends a message and a flat schema of primitive fields (string, number,
integer, boolean, enum). Each field is a line to type into; Enter moves to the
next and, on the last, sends the answers, checked against the schema first (a
wrong value says why and keeps what was typed). Ctrl+D declines; Esc stops the
turn, which cancels the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pydantic import JsonValue
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Static

from tau_cli.core import ElicitationRequest, ElicitationResponse
from tau_cli.tui.prompts import Prompt

_YES = {"y", "yes", "true", "1", "on"}
_NO = {"n", "no", "false", "0", "off"}


@dataclass(frozen=True)
class Field:
    """One thing the server asks for."""

    name: str
    kind: str
    title: str
    description: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()
    default: JsonValue = None

    @property
    def hint(self) -> str:
        if self.choices:
            return "one of: " + ", ".join(self.choices)
        return {"boolean": "yes or no", "integer": "a whole number", "number": "a number"}.get(
            self.kind, ""
        )

    def parse(self, typed: str) -> JsonValue:
        """The typed text as the schema's type; ``ValueError`` says what is wrong."""
        text = typed.strip()
        if self.kind == "boolean":
            if text.lower() in _YES:
                return True
            if text.lower() in _NO:
                return False
            raise ValueError(f"{self.title}: answer yes or no")
        if self.kind == "integer":
            try:
                return int(text)
            except ValueError:
                raise ValueError(f"{self.title}: {text!r} is not a whole number") from None
        if self.kind == "number":
            try:
                return float(text)
            except ValueError:
                raise ValueError(f"{self.title}: {text!r} is not a number") from None
        if self.choices and text not in self.choices:
            raise ValueError(f"{self.title}: choose {self.hint.removeprefix('one of: ')}")
        return text


def fields_of(schema: dict[str, JsonValue]) -> list[Field]:
    """The fields of an elicitation's ``requestedSchema``, in its order."""
    properties = schema.get("properties")
    required = schema.get("required")
    needed = set(required) if isinstance(required, list) else set()
    found = []
    for name, spec in (properties or {}).items() if isinstance(properties, dict) else []:
        if not isinstance(spec, dict):
            continue
        enum = spec.get("enum")
        found.append(
            Field(
                name=name,
                kind=str(spec.get("type", "string")),
                title=str(spec.get("title") or name),
                description=str(spec.get("description") or ""),
                required=name in needed,
                choices=tuple(str(c) for c in enum) if isinstance(enum, list) else (),
                default=spec.get("default"),
            )
        )
    return found


def answers(fields: list[Field], typed: list[str]) -> dict[str, JsonValue]:
    """The content to send; ``ValueError`` for a missing required field or a wrong value."""
    content: dict[str, JsonValue] = {}
    for field, text in zip(fields, typed, strict=True):
        if not text.strip():
            if field.default is not None:
                content[field.name] = field.default
            elif field.required:
                raise ValueError(f"{field.title} is required")
            continue
        content[field.name] = field.parse(text)
    return content


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
