"""The form an MCP server's request for input (elicitation) describes, UI-free.

MCP limits ``requestedSchema`` to a flat object of primitive fields: string,
number, integer, boolean, and strings from an enum. ``fields_of`` reads them;
``answers`` turns what a person typed into the content to send, or says what is
wrong. The TUI draws the fields as a form, the terminal asks one line each.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import JsonValue

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
