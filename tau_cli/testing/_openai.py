"""The OpenAI chat-completions dialect, written from the API reference, not from our client.

Requests are read the way the API defines them (``messages`` with string or
part-list content, assistant ``tool_calls``, ``tool`` messages with
``tool_call_id``); answers are ``chat.completion`` objects or
``chat.completion.chunk`` SSE events ending in ``data: [DONE]``, with usage only
when ``stream_options.include_usage`` asked for it, as the real API does.
Reference: https://platform.openai.com/docs/api-reference/chat
"""

from __future__ import annotations

from typing import Any

from tau_cli.agent.script import SeenMessage, Turn, Violation
from tau_cli.core import TokenUsage
from tau_cli.testing._dialect import Body, Dialect
from tau_cli.testing._http import sse

_FILTER_RESULTS = {
    category: {"filtered": False, "severity": "safe"}
    for category in ("hate", "self_harm", "sexual", "violence")
}


def decode(body: dict[str, Any]) -> tuple[list[SeenMessage], list[str]]:
    """The conversation and the offered tool names of a request body."""
    messages = []
    for message in body.get("messages", []):
        content = message.get("content") or ""
        if isinstance(content, list):
            content = "".join(p.get("text", "") for p in content if p.get("type") == "text")
        messages.append(
            SeenMessage(
                role=message["role"] if message["role"] != "developer" else "system",
                text=content,
                tool_call_ids=tuple(c["id"] for c in message.get("tool_calls") or []),
                answers=message.get("tool_call_id"),
            )
        )
    tools = [t["function"]["name"] for t in body.get("tools", []) if t.get("type") == "function"]
    return messages, tools


def error_body(status: int, message: str, violation: Violation | None = None) -> dict[str, Any]:
    code = None
    if violation is not None and violation.kind == "context_length":
        code = "context_length_exceeded"
    kind = {401: "invalid_api_key", 429: "rate_limit_exceeded"}.get(status, "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _usage(usage: TokenUsage) -> dict[str, Any]:
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "prompt_tokens_details": {"cached_tokens": usage.cached_tokens},
        "completion_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
    }


def _tool_calls(turn: Turn, index: int) -> list[dict[str, Any]]:
    return [
        {
            "id": turn.call_id(index, position),
            "type": "function",
            "function": {"name": call.name, "arguments": call.raw_arguments},
        }
        for position, call in enumerate(turn.tool_calls)
    ]


def answer(turn: Turn, index: int, model: str, usage: TokenUsage) -> dict[str, Any]:
    """A non-streaming ``chat.completion``."""
    message: dict[str, Any] = {"role": "assistant", "content": turn.text or None}
    if turn.reasoning:
        message["reasoning_content"] = turn.reasoning
    if turn.tool_calls:
        message["tool_calls"] = _tool_calls(turn, index)
    return {
        "id": f"chatcmpl-scripted-{index}",
        "object": "chat.completion",
        "created": 1_700_000_000 + index,
        "model": model,
        "choices": [
            {"index": 0, "message": message, "finish_reason": turn.finish.value, "logprobs": None}
        ],
        "usage": _usage(usage),
    }


def chunks(
    turn: Turn, index: int, model: str, usage: TokenUsage, include_usage: bool, azure: bool
) -> list[dict[str, Any] | str]:
    """The SSE payloads of a streamed answer, ``[DONE]`` last.

    Azure OpenAI opens with a chunk that has no choices, only the prompt's
    content-filter results; clients must skip it.
    """
    frame = {
        "id": f"chatcmpl-scripted-{index}",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000 + index,
        "model": model,
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**frame, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    deltas: list[dict[str, Any]] = []
    if turn.reasoning:
        deltas.append({"reasoning_content": turn.reasoning})
    deltas += [{"content": piece} for piece in turn.text_chunks()]
    for position, call in enumerate(turn.tool_calls):
        deltas.append(
            {
                "tool_calls": [
                    {
                        "index": position,
                        "id": turn.call_id(index, position),
                        "type": "function",
                        "function": {"name": call.name, "arguments": ""},
                    }
                ]
            }
        )
        raw = call.raw_arguments
        for start in range(0, len(raw), turn.chunk_chars):
            piece = raw[start : start + turn.chunk_chars]
            deltas.append({"tool_calls": [{"index": position, "function": {"arguments": piece}}]})
    if deltas:
        deltas[0] = {"role": "assistant", **deltas[0]}
    else:
        deltas.append({"role": "assistant", "content": ""})
    out: list[dict[str, Any] | str] = []
    if azure:
        out.append(
            {
                "choices": [],
                "created": 0,
                "id": "",
                "model": "",
                "object": "",
                "prompt_filter_results": [
                    {"prompt_index": 0, "content_filter_results": _FILTER_RESULTS}
                ],
            }
        )
    out += [chunk(d) for d in deltas]
    out.append(chunk({}, turn.finish.value))
    if include_usage:
        out.append({**frame, "choices": [], "usage": _usage(usage)})
    out.append("[DONE]")
    return out


def wants_usage(body: dict[str, Any]) -> bool:
    options = body.get("stream_options") or {}
    return bool(options.get("include_usage"))


def _stream(
    turn: Turn, index: int, model: str, usage: TokenUsage, body: Body, path: str
) -> list[bytes]:
    azure = path.startswith("/openai/deployments/")
    return sse(chunks(turn, index, model, usage, wants_usage(body), azure))


DIALECT = Dialect(
    decode=decode,
    error=error_body,
    answer=answer,
    stream=_stream,
    wants_stream=lambda body: bool(body.get("stream")),
    content_type="text/event-stream",
)
