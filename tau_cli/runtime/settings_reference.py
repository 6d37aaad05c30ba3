"""The settings reference, written from the settings models so it cannot drift.

``python -m tau_cli.runtime.settings_reference > docs/reference/settings.md``
regenerates it; a test fails when the committed file is out of date.

The meaning column comes from the docstring under each field. The models do not ask
pydantic for ``use_attribute_docstrings``: that reads and parses their source files
on every launch (some 15 ms of ``tau run``'s start-up) for text only this page shows,
so the reference reads the docstrings itself.
"""

from __future__ import annotations

import ast
import functools
import inspect
import itertools
import textwrap
import types
import typing
from datetime import timedelta
from enum import Enum
from typing import Any

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from tau_cli.core import format_duration
from tau_cli.runtime.settings import Settings

_HEADER = """\
# Settings reference

Generated from the settings models (`tau_cli/runtime/settings.py` and
`tau_cli/core/config.py`); do not edit by hand. See [configuration](../configuration.md) for
where settings files live, precedence and workspace trust.

| key | type | default | meaning |
|---|---|---|---|
"""


def render() -> str:
    rows: list[str] = []
    _rows(Settings, "", rows)
    return _HEADER + "\n".join(rows) + "\n"


def _rows(model: type[BaseModel], prefix: str, out: list[str]) -> None:
    for name, info in model.model_fields.items():
        key = f"{prefix}{name}"
        annotation = info.annotation
        described = _one_line(info.description or _attribute_docs(model).get(name, ""))
        if typing.get_origin(annotation) is dict:
            _, value_type = typing.get_args(annotation)
            inner = _model_in(value_type)
            if inner is not None:
                placeholder = "EVENT" if name == "hooks" else "NAME"
                out.append(
                    f"| `{key}` | map of `{placeholder}` to {_type_name(value_type)} | `{{}}` |"
                    f" {described} |"
                )
                suffix = "[]" if _is_list(value_type) else ""
                _rows(inner, f"{key}.{placeholder}{suffix}.", out)
                continue
        nested = _model_in(annotation)
        if nested is not None:
            suffix = "[]" if _is_list(annotation) else ""
            meaning = described or _one_line((nested.__doc__ or "").split("\n\n")[0])
            kind = "list of sections" if suffix else "section"
            out.append(f"| `{key}` | {kind}{_optional(annotation)} | | {meaning} |")
            _rows(nested, f"{key}{suffix}.", out)
            continue
        out.append(f"| `{key}` | {_type_name(annotation)} | {_default(info)} | {described} |")


@functools.cache
def _attribute_docs(model: type[BaseModel]) -> dict[str, str]:
    """Each field's docstring (the string right under it), the base classes' included."""
    docs: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or cls is BaseModel:
            continue
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        body = tree.body[0].body if isinstance(tree.body[0], ast.ClassDef) else []
        for field, after in itertools.pairwise(body):
            if (
                isinstance(field, ast.AnnAssign)
                and isinstance(field.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                docs[field.target.id] = inspect.cleandoc(after.value.value)
    return docs


def _optional(annotation: Any) -> str:
    return " (optional)" if type(None) in typing.get_args(annotation) else ""


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(annotation) is list


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, types.UnionType):
        names = [_type_name(a) for a in args if a is not type(None)]
        optional = " (optional)" if type(None) in args else ""
        return " or ".join(names) + optional
    if origin is typing.Annotated:
        return "duration" if args[0] is timedelta else _type_name(args[0])
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin in (set, frozenset):
        return f"set of {_type_name(args[0])}"
    if origin is dict:
        return f"map of {_type_name(args[0])} to {_type_name(args[1])}"
    if annotation is timedelta:
        return "duration"
    if annotation is SecretStr:
        return "secret"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return " \\| ".join(f"`{m.value}`" for m in annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation.__name__
    if isinstance(annotation, type):
        return {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}.get(
            annotation.__name__, annotation.__name__
        )
    return "JSON value"


def _default(info: FieldInfo) -> str:
    value = info.get_default(call_default_factory=True, validated_data={})
    if value is None or value is PydanticUndefined:
        return ""
    if isinstance(value, timedelta):
        return f"`{format_duration(value)}`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, frozenset | set):
        return ", ".join(f"`{v.value if isinstance(v, Enum) else v}`" for v in sorted(value))
    if isinstance(value, list | dict) and not value:
        return "`[]`" if isinstance(value, list) else "`{}`"
    if isinstance(value, BaseModel):
        return ""
    return f"`{value}`"


def _one_line(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


if __name__ == "__main__":
    print(render(), end="")
