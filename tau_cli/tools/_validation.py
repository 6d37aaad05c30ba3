"""Checking a call's arguments against its tool's JSON schema, in words a model can act on."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING

from pydantic import JsonValue

if TYPE_CHECKING:
    import jsonschema

_MAX_ERRORS = 8


@lru_cache(maxsize=256)
def _validator(schema_json: str) -> jsonschema.Draft202012Validator:
    import jsonschema  # on the first call to check, not at start-up (~25 ms)

    return jsonschema.Draft202012Validator(json.loads(schema_json))


def validation_errors(schema: dict[str, JsonValue], arguments: dict[str, JsonValue]) -> list[str]:
    """One sentence per problem, naming the argument and what it must be instead."""
    validator = _validator(json.dumps(schema, sort_keys=True))
    errors = sorted(validator.iter_errors(arguments), key=lambda e: list(map(str, e.path)))
    return [_describe(error) for error in errors[:_MAX_ERRORS]]


def _describe(error: jsonschema.ValidationError) -> str:
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    name = f"argument '{where.lstrip('.')}'" if where else "arguments"
    if error.validator == "required":
        return f"{error.message}; add it"
    if error.validator == "additionalProperties":
        return f"{error.message}; remove it or check the spelling"
    if error.validator == "type":
        got = type(error.instance).__name__
        return f"{name} must be of type {error.validator_value}, got {got} {_short(error.instance)}"
    if error.validator == "enum" and isinstance(error.validator_value, list):
        options = ", ".join(json.dumps(v) for v in error.validator_value)
        return f"{name} must be one of {options}, got {_short(error.instance)}"
    return f"{name}: {error.message}"


def _short(value: object) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."
