"""The one canonical tool definition (the concept document's §5.2 fix).

Built-in tools, MCP tools and user functions all describe themselves with this
type; each provider turns it into its own wire shape. It can be written by hand,
derived from a pydantic model, or derived from a typed function whose docstring
documents its arguments, so a schema never drifts from the code it describes.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, JsonValue, create_model, field_validator

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_ARGS_HEADER = re.compile(r"^\s*(Args|Arguments|Parameters):\s*$")
_ARG_LINE = re.compile(r"^\s+(\*{0,2}\w+)(?:\s*\([^)]*\))?:\s*(.*)$")


def _empty_object_schema() -> dict[str, JsonValue]:
    return {"type": "object", "properties": {}}


class ToolDefinition(BaseModel):
    """Name, description and JSON schema of one tool, as offered to a model.

    The name follows the strictest provider rule in use (OpenAI's
    ``^[A-Za-z0-9_-]{1,64}$``) so one definition is valid everywhere.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str
    parameters: dict[str, JsonValue] = Field(default_factory=_empty_object_schema)

    @field_validator("name")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        if not _NAME.match(name):
            raise ValueError(
                f"tool name {name!r} must be 1-64 characters of letters, digits, '_' or '-'"
            )
        return name

    @classmethod
    def from_model(cls, name: str, description: str, model: type[BaseModel]) -> ToolDefinition:
        """Describe a tool whose arguments are the fields of ``model``."""
        return cls(name=name, description=description, parameters=_clean_schema(model))

    @classmethod
    def from_function(
        cls,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
    ) -> ToolDefinition:
        """Describe ``fn``: its type hints make the schema, its docstring the text.

        The docstring's first paragraph is the description; an ``Args:`` section gives
        each parameter's description. Parameters without a type hint are refused,
        because a schema that accepts anything invites the model to guess.
        """
        doc = inspect.getdoc(fn) or ""
        summary, arg_docs = _split_docstring(doc)
        hints = get_type_hints(fn)
        fields: dict[str, Any] = {}
        for param in inspect.signature(fn).parameters.values():
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            if param.name not in hints:
                raise TypeError(f"parameter {param.name!r} of {fn.__name__} has no type hint")
            default = ... if param.default is param.empty else param.default
            fields[param.name] = (
                hints[param.name],
                Field(default, description=arg_docs.get(param.name)),
            )
        model = create_model(f"{fn.__name__}_arguments", **fields)
        return cls(
            name=name or fn.__name__,
            description=description or summary or fn.__name__,
            parameters=_clean_schema(model),
        )


def _clean_schema(model: type[BaseModel]) -> dict[str, JsonValue]:
    """The model's JSON schema without the pydantic-only ``title`` noise."""
    schema: dict[str, JsonValue] = model.model_json_schema()
    schema.pop("title", None)
    props = schema.get("properties")
    if isinstance(props, dict):
        for prop in props.values():
            if isinstance(prop, dict):
                prop.pop("title", None)
    schema.setdefault("properties", {})
    return schema


def _split_docstring(doc: str) -> tuple[str, dict[str, str]]:
    """First paragraph, and ``name -> description`` from a Google-style Args section."""
    lines = doc.splitlines()
    summary_lines: list[str] = []
    for line in lines:
        if not line.strip() or _ARGS_HEADER.match(line):
            break
        summary_lines.append(line.strip())
    args: dict[str, str] = {}
    in_args = False
    current: str | None = None
    for line in lines:
        if _ARGS_HEADER.match(line):
            in_args = True
            continue
        if not in_args:
            continue
        if line.strip() and not line.startswith((" ", "\t")):
            break  # the next section (Returns:, Raises:, ...)
        match = _ARG_LINE.match(line)
        if match and (current is None or _indent(line) <= _indent_of(lines, current)):
            current = match.group(1).lstrip("*")
            args[current] = match.group(2).strip()
        elif current and line.strip():
            args[current] = f"{args[current]} {line.strip()}".strip()
    return " ".join(summary_lines), args


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _indent_of(lines: list[str], arg: str) -> int:
    for line in lines:
        match = _ARG_LINE.match(line)
        if match and match.group(1).lstrip("*") == arg:
            return _indent(line)
    return 0
