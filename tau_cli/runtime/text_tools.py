"""Tool calling for models without native tool support: a text protocol.

Weaker local models often cannot use a provider's tool-calling API but can follow
an instruction to write calls as tagged JSON. This module is that protocol's two
halves: ``render_instructions`` (the system-prompt section that teaches the format)
and ``parse_tool_calls`` (which finds the calls in an answer), plus ``to_text_history``,
which rewrites native tool messages into text such a model can read.

The parser is deliberately forgiving, because real models are: Hermes/Qwen
``<tool_call>`` tags, fenced JSON, Mistral's ``[TOOL_CALLS]``, Llama's
``<|python_tag|>`` and ``<function=...>`` forms, calls left unclosed, trailing
commas, single-quoted dicts, arguments encoded twice. What cannot be understood
becomes an error the model can correct, never a silent drop.
"""

from __future__ import annotations

import ast
import itertools
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tau_cli.core import ContentPart, Message, TextPart, ToolCall, ToolDefinition

OPEN, CLOSE = "<tool_call>", "</tool_call>"

_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL)
_TAGGED = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|(?=<tool_call>)|$)", re.DOTALL)
_FENCED = re.compile(r"```[ \t]*(json|tool_call|tool_code|)[ \t]*\n(.*?)(?:```|$)", re.DOTALL)
_MISTRAL = re.compile(r"\[TOOL_CALLS\]\s*(.*)", re.DOTALL)
_PYTHON_TAG = re.compile(r"<\|python_tag\|>\s*(.*?)(?:<\|eom_id\|>|<\|eot_id\|>|$)", re.DOTALL)
_FUNCTION_TAG = re.compile(r"<function=([\w.-]+)>\s*(.*?)\s*(?:</function>|$)", re.DOTALL)
_PARAMETER_TAG = re.compile(r"<parameter=([\w.-]+)>\s*(.*?)\s*</parameter>", re.DOTALL)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_NAME_HINT = re.compile(r"""["']name["']\s*:\s*["']([\w.-]+)["']""")


@dataclass
class TextToolParse:
    """What an answer held: its prose, the calls found, and what could not be read."""

    content: str
    calls: list[ToolCall] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def render_instructions(tools: Sequence[ToolDefinition]) -> str:
    """The system-prompt section that teaches a model the protocol.

    Byte-stable for a given tool list (sorted keys, fixed order), so it does not
    break provider prompt caches.
    """
    specs = "\n".join(
        json.dumps(
            {"name": t.name, "description": t.description, "parameters": t.parameters},
            sort_keys=True,
            ensure_ascii=False,
        )
        for t in tools
    )
    return (
        "<tools>\n"
        f"{specs}\n"
        "</tools>\n\n"
        "To use a tool, write exactly one JSON object per call between tags, like this:\n"
        f'{OPEN}\n{{"name": "TOOL_NAME", "arguments": {{"ARG": "VALUE"}}}}\n{CLOSE}\n'
        "You may write several calls in one answer. After your calls, stop and wait: each "
        "result comes back in a <tool_response> block. Answer without any tool call when "
        "you are done."
    )


def parse_tool_calls(
    text: str,
    tools: Sequence[ToolDefinition],
    *,
    new_id: Callable[[], str] | None = None,
) -> TextToolParse:
    """Find the tool calls in a model's answer.

    Calls inside ``<think>`` count only when there are none outside it (some models
    put their only call there). Unknown tool names and unreadable JSON become
    ``errors`` (or calls with ``parse_error`` when the tool is known) so the model is
    told what to fix.
    """
    counter = itertools.count(1)
    make_id = new_id or (lambda: f"text_call_{next(counter)}")
    known = {t.name for t in tools}
    visible = _THINK.sub("", text)
    result = _parse(visible, known, make_id)
    if not result.calls and not result.errors and visible != text:
        inner = "\n".join(m.group(0) for m in _THINK.finditer(text))
        from_think = _parse(inner, known, make_id)
        result.calls, result.errors = from_think.calls, from_think.errors
    return result


def _parse(text: str, known: set[str], make_id: Callable[[], str]) -> TextToolParse:
    for finder in (_tagged, _function_tags, _mistral, _python_tag, _fenced, _bare):
        found = finder(text)
        if found is None:
            continue
        blocks, content = found
        calls: list[ToolCall] = []
        errors: list[str] = []
        for block in blocks:
            _read_block(block, known, make_id, calls, errors)
        if calls or errors:
            return TextToolParse(content=content.strip(), calls=calls, errors=errors)
    return TextToolParse(content=text.strip())


# Each finder returns (blocks, prose without them) or None when its form is absent.
# A block is raw text holding one JSON object or a list of them, or an already split
# (name, arguments) pair for the XML-ish forms.
_Block = str | tuple[str, dict[str, Any] | str]


def _tagged(text: str) -> tuple[list[_Block], str] | None:
    if OPEN not in text:
        return None
    blocks: list[_Block] = [m.group(1) for m in _TAGGED.finditer(text)]
    return blocks, _TAGGED.sub("", text)


def _function_tags(text: str) -> tuple[list[_Block], str] | None:
    matches = list(_FUNCTION_TAG.finditer(text))
    if not matches:
        return None
    blocks: list[_Block] = []
    for m in matches:
        body = m.group(2)
        params = _PARAMETER_TAG.findall(body)
        if params:
            blocks.append((m.group(1), {k: _scalar(v) for k, v in params}))
        else:
            blocks.append((m.group(1), body))
    return blocks, _FUNCTION_TAG.sub("", text)


def _mistral(text: str) -> tuple[list[_Block], str] | None:
    m = _MISTRAL.search(text)
    if m is None:
        return None
    return [m.group(1)], text[: m.start()]


def _python_tag(text: str) -> tuple[list[_Block], str] | None:
    m = _PYTHON_TAG.search(text)
    if m is None:
        return None
    return [m.group(1)], text[: m.start()] + text[m.end() :]


def _fenced(text: str) -> tuple[list[_Block], str] | None:
    blocks: list[_Block] = []
    spans = []
    for m in _FENCED.finditer(text):
        body = m.group(2).strip()
        if m.group(1) in ("tool_call", "tool_code") or _looks_like_call(body):
            blocks.append(body)
            spans.append(m.span())
    if not blocks:
        return None
    return blocks, _cut(text, spans)


def _bare(text: str) -> tuple[list[_Block], str] | None:
    """A JSON call written straight into prose, with no tags or fences."""
    decoder = json.JSONDecoder()
    blocks: list[_Block] = []
    spans = []
    i = 0
    while (start := text.find("{", i)) != -1:
        try:
            value, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            i = start + 1
            continue
        if isinstance(value, dict) and _call_name(value):
            blocks.append(text[start:end])
            spans.append((start, end))
        i = end
    if not blocks:
        return None
    return blocks, _cut(text, spans)


def _read_block(
    block: _Block,
    known: set[str],
    make_id: Callable[[], str],
    calls: list[ToolCall],
    errors: list[str],
) -> None:
    if isinstance(block, tuple):
        name, arguments = block
        raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
        _add_call(
            name,
            arguments if isinstance(arguments, dict) else _loads(arguments),
            raw,
            known,
            make_id,
            calls,
            errors,
        )
        return
    value = _loads(block)
    if value is None:
        hint = _NAME_HINT.search(block)
        if hint and hint.group(1) in known:
            calls.append(
                ToolCall(
                    id=make_id(),
                    name=hint.group(1),
                    raw_arguments=block,
                    parse_error="the tool call is not valid JSON; write one JSON object "
                    'like {"name": ..., "arguments": {...}} between the tags',
                )
            )
        else:
            errors.append(f"could not read this tool call as JSON: {_excerpt(block)}")
        return
    for item in value if isinstance(value, list) else [value]:
        if not isinstance(item, dict) or not _call_name(item):
            errors.append(
                f"a tool call needs a 'name' and 'arguments': {_excerpt(json.dumps(item))}"
            )
            continue
        name = _call_name(item) or ""
        arguments = _call_arguments(item)
        raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
        parsed = _loads(arguments) if isinstance(arguments, str) else arguments
        _add_call(name, parsed, raw, known, make_id, calls, errors)


def _add_call(
    name: str,
    arguments: Any,
    raw: str,
    known: set[str],
    make_id: Callable[[], str],
    calls: list[ToolCall],
    errors: list[str],
) -> None:
    if name not in known:
        available = ", ".join(sorted(known)) or "none"
        errors.append(f"there is no tool named {name!r}; available tools: {available}")
        return
    if arguments is None:
        arguments = {}
        error: str | None = "the arguments are not valid JSON"
    elif not isinstance(arguments, dict):
        error = f"arguments must be a JSON object, got {type(arguments).__name__}"
        arguments = {}
    else:
        error = None
    calls.append(
        ToolCall(id=make_id(), name=name, arguments=arguments, raw_arguments=raw, parse_error=error)
    )


def _call_name(item: dict[str, Any]) -> str | None:
    function = item.get("function")
    if isinstance(function, dict):
        item = function
    name = item.get("name") or item.get("tool") or item.get("tool_name")
    return name if isinstance(name, str) and name else None


def _call_arguments(item: dict[str, Any]) -> Any:
    function = item.get("function")
    if isinstance(function, dict):
        item = function
    for key in ("arguments", "parameters", "args", "input"):
        if key in item:
            return item[key]
    return {}


def _looks_like_call(body: str) -> bool:
    value = _loads(body)
    items = value if isinstance(value, list) else [value]
    return bool(items) and all(isinstance(i, dict) and _call_name(i) for i in items)


def _loads(text: str) -> Any:
    """JSON, repaired where models commonly break it; None when beyond repair."""
    text = text.strip()
    if not text:
        return None
    attempts = [text, _TRAILING_COMMA.sub(r"\1", text)]
    for attempt in attempts:
        try:
            return json.loads(attempt)
        except json.JSONDecodeError:
            pass
        try:
            value, _ = json.JSONDecoder().raw_decode(attempt)
            return value
        except json.JSONDecodeError:
            pass
    try:  # a Python literal: single quotes, True/False/None
        return ast.literal_eval(attempts[1])
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        pass
    return _close_unbalanced(attempts[1])


def _close_unbalanced(text: str) -> Any:
    """An answer cut off before its closing braces: close them and try once more."""
    stack = []
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]" and stack:
            stack.pop()
    if not stack or in_string:
        return None
    try:
        return json.loads(text + "".join(reversed(stack)))
    except json.JSONDecodeError:
        return None


def _scalar(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start])
        last = end
    out.append(text[last:])
    return "".join(out)


def _excerpt(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def to_text_history(messages: Sequence[Message]) -> list[Message]:
    """Rewrite native tool messages as text for a model that only reads text.

    Assistant tool calls become ``<tool_call>`` blocks in the assistant's text; the
    results of one step become a single user message of ``<tool_response>`` blocks,
    so user and assistant turns still alternate.
    """
    out: list[Message] = []
    responses: list[ContentPart] = []

    def flush() -> None:
        if responses:
            out.append(Message.user(list(responses)))
            responses.clear()

    for message in messages:
        if message.role == "tool":
            status = ' status="error"' if message.is_error else ""
            name = message.name or ""
            responses.append(
                TextPart(
                    text=f'<tool_response name="{name}"{status}>\n{message.text}\n</tool_response>'
                )
            )
            responses.extend(p for p in message.parts if not isinstance(p, TextPart))
            continue
        flush()
        if message.role == "assistant" and message.tool_calls:
            calls = "\n".join(_render_call(c) for c in message.tool_calls)
            out.append(Message.assistant(f"{message.text}\n{calls}" if message.text else calls))
        else:
            out.append(message)
    flush()
    return out


def _render_call(call: ToolCall) -> str:
    body = json.dumps({"name": call.name, "arguments": call.arguments}, ensure_ascii=False)
    return f"{OPEN}\n{body}\n{CLOSE}"
