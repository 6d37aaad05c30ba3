"""Anthropic's Messages dialect, written from the API reference.

Requests need ``max_tokens``; tool results are ``tool_result`` blocks in user
turns. Answers are a ``message`` object or named SSE events: ``message_start``,
per block ``content_block_start``/``content_block_delta``/``content_block_stop``
(text, thinking with a closing ``signature_delta``, tool_use with
``input_json_delta`` pieces), ``message_delta`` with the stop reason and output
usage, and ``message_stop``, with a ``ping`` early on as the real API sends.
Reference: https://docs.anthropic.com/en/api/messages-streaming
"""

from __future__ import annotations

import json
from typing import Any

from tau_cli.agent.script import SeenMessage, Turn, Violation
from tau_cli.core import TokenUsage
from tau_cli.testing._dialect import Dialect

_STOP = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}


def decode(body: dict[str, Any]) -> tuple[list[SeenMessage], list[str]]:
    if "max_tokens" not in body:
        raise ValueError("max_tokens: Field required")
    seen: list[SeenMessage] = []
    system = body.get("system")
    if system:
        text = system if isinstance(system, str) else "".join(b.get("text", "") for b in system)
        seen.append(SeenMessage("system", text))
    for message in body.get("messages", []):
        content = message["content"]
        if isinstance(content, str):
            seen.append(SeenMessage(message["role"], content))
            continue
        texts = [b.get("text", "") for b in content if b["type"] == "text"]
        texts += [b.get("thinking", "") for b in content if b["type"] == "thinking"]
        for block in content:
            if block["type"] == "tool_result":
                result = block.get("content", "")
                if isinstance(result, list):
                    result = "".join(b.get("text", "") for b in result)
                seen.append(SeenMessage("tool", result, answers=block["tool_use_id"]))
        calls = tuple(b["id"] for b in content if b["type"] == "tool_use")
        if texts or calls or message["role"] == "assistant":
            seen.append(SeenMessage(message["role"], "".join(texts), tool_call_ids=calls))
    return seen, [t["name"] for t in body.get("tools", [])]


def error_body(status: int, message: str, violation: Violation | None = None) -> dict[str, Any]:
    if violation is not None and violation.kind == "context_length":
        message = f"prompt is too long: {message}"
    kind = {
        401: "authentication_error",
        403: "permission_error",
        404: "not_found_error",
        429: "rate_limit_error",
        500: "api_error",
        529: "overloaded_error",
    }.get(status, "invalid_request_error")
    return {"type": "error", "error": {"type": kind, "message": message}}


def _usage(usage: TokenUsage) -> dict[str, Any]:
    return {
        "input_tokens": usage.prompt_tokens - usage.cached_tokens,
        "cache_read_input_tokens": usage.cached_tokens,
        "cache_creation_input_tokens": 0,
        "output_tokens": usage.completion_tokens,
    }


def _input(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw  # a scripted broken argument string is passed on as is


def answer(turn: Turn, index: int, model: str, usage: TokenUsage) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if turn.reasoning:
        content.append(
            {"type": "thinking", "thinking": turn.reasoning, "signature": turn.reasoning_signature}
        )
    if turn.text:
        content.append({"type": "text", "text": turn.text})
    for position, call in enumerate(turn.tool_calls):
        content.append(
            {
                "type": "tool_use",
                "id": turn.call_id(index, position),
                "name": call.name,
                "input": _input(call.raw_arguments),
            }
        )
    return {
        "id": f"msg_scripted_{index}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": _STOP.get(turn.finish.value, "end_turn"),
        "stop_sequence": None,
        "usage": _usage(usage),
    }


def events(turn: Turn, index: int, model: str, usage: TokenUsage) -> list[tuple[str, Any]]:
    start_usage = {**_usage(usage), "output_tokens": 1}
    out: list[tuple[str, Any]] = [
        (
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "id": f"msg_scripted_{index}",
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": start_usage,
                },
            },
        ),
        ("ping", {"type": "ping"}),
    ]
    block = 0

    def block_events(start: dict[str, Any], deltas: list[dict[str, Any]]) -> None:
        nonlocal block
        out.append(
            (
                "content_block_start",
                {"type": "content_block_start", "index": block, "content_block": start},
            )
        )
        out.extend(
            ("content_block_delta", {"type": "content_block_delta", "index": block, "delta": d})
            for d in deltas
        )
        out.append(("content_block_stop", {"type": "content_block_stop", "index": block}))
        block += 1

    if turn.reasoning:
        deltas = [{"type": "thinking_delta", "thinking": turn.reasoning}]
        if turn.reasoning_signature:
            deltas.append({"type": "signature_delta", "signature": turn.reasoning_signature})
        block_events({"type": "thinking", "thinking": ""}, deltas)
    if turn.text:
        block_events(
            {"type": "text", "text": ""},
            [{"type": "text_delta", "text": c} for c in turn.text_chunks()],
        )
    for position, call in enumerate(turn.tool_calls):
        raw = call.raw_arguments
        pieces = [raw[i : i + turn.chunk_chars] for i in range(0, len(raw), turn.chunk_chars)]
        block_events(
            {
                "type": "tool_use",
                "id": turn.call_id(index, position),
                "name": call.name,
                "input": {},
            },
            [{"type": "input_json_delta", "partial_json": p} for p in pieces],
        )
    out.append(
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {
                    "stop_reason": _STOP.get(turn.finish.value, "end_turn"),
                    "stop_sequence": None,
                },
                "usage": {"output_tokens": usage.completion_tokens},
            },
        )
    )
    out.append(("message_stop", {"type": "message_stop"}))
    return out


def sse_bytes(items: list[tuple[str, Any]]) -> list[bytes]:
    return [f"event: {name}\ndata: {json.dumps(data)}\n\n".encode() for name, data in items]


DIALECT = Dialect(
    decode=decode,
    error=error_body,
    answer=answer,
    stream=lambda turn, index, model, usage, body, path: sse_bytes(
        events(turn, index, model, usage)
    ),
    wants_stream=lambda body: bool(body.get("stream")),
    content_type="text/event-stream",
)
