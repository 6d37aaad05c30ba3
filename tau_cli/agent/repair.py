"""Repairing tool-call arguments, but only where there is one possible reading.

Small local models often emit almost-JSON: the object wrapped in a Markdown
fence, the same object twice, or the closing brackets missing at the very end.
Each of these has exactly one intended meaning, so the call goes through; any
other damage is left alone and reaches the model as a parse error it can fix,
because guessing at arguments could run a command nobody asked for.
"""

from __future__ import annotations

import json
import re

from pydantic import JsonValue

from tau_cli.core import ToolCall

_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)
_CLOSERS = {"{": "}", "[": "]"}


def parse_tool_call(id: str, name: str, raw_arguments: str) -> ToolCall:
    """``ToolCall.from_raw``, with the unambiguous repairs applied when it fails."""
    call = ToolCall.from_raw(id, name, raw_arguments)
    if call.parse_error is None:
        return call
    repaired = repair_arguments(raw_arguments)
    if repaired is None:
        return call
    return ToolCall(id=id, name=name, arguments=repaired, raw_arguments=raw_arguments)


def repair_arguments(raw: str) -> dict[str, JsonValue] | None:
    """The one object ``raw`` can only have meant, or None when it is ambiguous."""
    text = raw.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    decoder = json.JSONDecoder()
    try:
        value, end = decoder.raw_decode(text)
    except json.JSONDecodeError:
        return _closed(text)
    rest = text[end:].strip()
    if isinstance(value, dict) and (not rest or _is_repeat(decoder, rest, value)):
        return value
    return None


def _is_repeat(decoder: json.JSONDecoder, rest: str, value: object) -> bool:
    """True when ``rest`` is only more copies of ``value``."""
    while rest:
        try:
            again, end = decoder.raw_decode(rest)
        except json.JSONDecodeError:
            return False
        if again != value:
            return False
        rest = rest[end:].strip()
    return True


def _closed(text: str) -> dict[str, JsonValue] | None:
    """``text`` with the brackets it left open closed, if that alone makes it an object."""
    stack: list[str] = []
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in _CLOSERS:
            stack.append(_CLOSERS[char])
        elif char in "}]" and (not stack or stack.pop() != char):
            return None
    if in_string or not stack or text.rstrip()[-1:].isdigit():
        return None  # a cut-off string or number could have gone on: not ours to finish
    try:
        value = json.loads(text + "".join(reversed(stack)))
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None
