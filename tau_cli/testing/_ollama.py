"""Ollama's native ``/api/chat`` dialect, written from Ollama's API documentation.

Answers are one JSON object (``stream: false``) or NDJSON lines, one per piece,
the last with ``done: true``, ``done_reason`` and the token counts. Tool calls
arrive whole, arguments as objects. Ollama streams by default: a request without
``stream`` gets NDJSON, as the real server does.
Reference: https://github.com/ollama/ollama/blob/main/docs/api.md
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from tau_cli.agent.script import SeenMessage, Turn, Violation
from tau_cli.core import TokenUsage
from tau_cli.testing._dialect import Dialect

_CREATED = "2025-01-01T00:00:00.000000Z"


def decode(body: dict[str, Any]) -> tuple[list[SeenMessage], list[str]]:
    """The conversation and offered tool names; calls pair with results by id or name."""
    messages = []
    for message in body.get("messages", []):
        calls = message.get("tool_calls") or []
        messages.append(
            SeenMessage(
                role=message["role"],
                text=message.get("content") or "",
                tool_call_ids=tuple(c.get("id") or c["function"]["name"] for c in calls),
                answers=message.get("tool_call_id") or message.get("tool_name"),
            )
        )
    tools = [t["function"]["name"] for t in body.get("tools", [])]
    return messages, tools


def error_body(status: int, message: str, violation: Violation | None = None) -> dict[str, Any]:
    return {"error": message}


def _line(model: str, message: dict[str, Any]) -> dict[str, Any]:
    return {"model": model, "created_at": _CREATED, "message": message, "done": False}


def _final(turn: Turn, model: str, usage: TokenUsage, message: dict[str, Any]) -> dict[str, Any]:
    return {
        "model": model,
        "created_at": _CREATED,
        "message": message,
        "done": True,
        "done_reason": "length" if turn.finish.value == "length" else "stop",
        "total_duration": 1_000_000,
        "load_duration": 1_000,
        "prompt_eval_count": usage.prompt_tokens,
        "prompt_eval_duration": 1_000,
        "eval_count": usage.completion_tokens,
        "eval_duration": 1_000,
    }


def _calls(turn: Turn, index: int) -> list[dict[str, Any]]:
    out = []
    for position, call in enumerate(turn.tool_calls):
        arguments: Any = call.arguments
        if isinstance(arguments, str):
            # A real Ollama always sends objects; a scripted broken string is kept.
            with contextlib.suppress(ValueError):
                arguments = json.loads(arguments)
        out.append(
            {
                "id": turn.call_id(index, position),
                "function": {"index": position, "name": call.name, "arguments": arguments},
            }
        )
    return out


def answer(turn: Turn, index: int, model: str, usage: TokenUsage) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": turn.text}
    if turn.reasoning:
        message["thinking"] = turn.reasoning
    if turn.tool_calls:
        message["tool_calls"] = _calls(turn, index)
    return _final(turn, model, usage, message)


def lines(turn: Turn, index: int, model: str, usage: TokenUsage) -> list[bytes]:
    out: list[dict[str, Any]] = []
    if turn.reasoning:
        out.append(_line(model, {"role": "assistant", "content": "", "thinking": turn.reasoning}))
    out += [_line(model, {"role": "assistant", "content": c}) for c in turn.text_chunks()]
    if turn.tool_calls:
        out.append(
            _line(model, {"role": "assistant", "content": "", "tool_calls": _calls(turn, index)})
        )
    out.append(_final(turn, model, usage, {"role": "assistant", "content": ""}))
    return [json.dumps(o).encode() + b"\n" for o in out]


DIALECT = Dialect(
    decode=decode,
    error=error_body,
    answer=answer,
    stream=lambda turn, index, model, usage, body, path: lines(turn, index, model, usage),
    # Ollama streams unless told not to.
    wants_stream=lambda body: body.get("stream") is not False,
    content_type="application/x-ndjson",
)
