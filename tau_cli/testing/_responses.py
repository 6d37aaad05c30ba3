"""The OpenAI Responses dialect (``/responses``), written from the API reference.

Input is a list of items: messages (``input_text``/``output_text`` parts or plain
strings), ``function_call``, ``function_call_output`` and ``reasoning`` items. As
the real API does with ``store: false``, an input item that carries an item id
is refused, because nothing was stored to look it up in. Answers are a
``response`` object, or typed SSE events from ``response.created`` to
``response.completed`` (``response.incomplete`` when the answer hit its limit).
A turn's ``reasoning_signature`` is sent as the reasoning item's
``encrypted_content``.
Reference: https://platform.openai.com/docs/api-reference/responses
"""

from __future__ import annotations

import json
from typing import Any

from tau_cli.agent.script import SeenMessage, Turn
from tau_cli.core import TokenUsage
from tau_cli.testing import _openai
from tau_cli.testing._dialect import Dialect


def decode(body: dict[str, Any]) -> tuple[list[SeenMessage], list[str]]:
    raw = body.get("input", [])
    items = [{"role": "user", "content": raw}] if isinstance(raw, str) else raw
    store = body.get("store", True)
    seen: list[SeenMessage] = []
    if body.get("instructions"):
        seen.append(SeenMessage("system", body["instructions"]))
    for item in items:
        kind = item.get("type", "message")
        if not store and "id" in item:
            raise ValueError(
                f"Item with id '{item['id']}' not found. Items are not persisted when "
                "`store` is set to false. Try again with `store` set to true, or remove "
                "this item from your input."
            )
        if kind == "message":
            content = item.get("content", "")
            if isinstance(content, list):
                content = "".join(p.get("text", "") for p in content)
            role = "system" if item["role"] == "developer" else item["role"]
            seen.append(SeenMessage(role, content))
        elif kind == "function_call":
            # Consecutive calls (after the assistant's text, if any) form one turn.
            if seen and seen[-1].role == "assistant":
                last = seen.pop()
                seen.append(
                    SeenMessage("assistant", last.text, (*last.tool_call_ids, item["call_id"]))
                )
            else:
                seen.append(SeenMessage("assistant", tool_call_ids=(item["call_id"],)))
        elif kind == "function_call_output":
            seen.append(SeenMessage("tool", str(item.get("output", "")), answers=item["call_id"]))
        elif kind == "reasoning" and not item.get("encrypted_content") and not store:
            raise ValueError("a reasoning item needs its encrypted_content when store is false")
    tools = [t["name"] for t in body.get("tools", []) if t.get("type") == "function"]
    return seen, tools


def _usage(usage: TokenUsage) -> dict[str, Any]:
    return {
        "input_tokens": usage.prompt_tokens,
        "input_tokens_details": {"cached_tokens": usage.cached_tokens},
        "output_tokens": usage.completion_tokens,
        "output_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
        "total_tokens": usage.total_tokens,
    }


def _items(turn: Turn, index: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    if turn.reasoning:
        items.append(
            {
                "type": "reasoning",
                "id": f"rs_{index}",
                "summary": [{"type": "summary_text", "text": turn.reasoning}],
                "encrypted_content": turn.reasoning_signature or f"enc_{index}",
            }
        )
    if turn.text:
        items.append(
            {
                "type": "message",
                "id": f"msg_{index}",
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": turn.text, "annotations": []}],
            }
        )
    for position, call in enumerate(turn.tool_calls):
        items.append(
            {
                "type": "function_call",
                "id": f"fc_{index}_{position}",
                "call_id": turn.call_id(index, position),
                "name": call.name,
                "arguments": call.raw_arguments,
                "status": "completed",
            }
        )
    return items


def answer(turn: Turn, index: int, model: str, usage: TokenUsage) -> dict[str, Any]:
    response: dict[str, Any] = {
        "id": f"resp_scripted_{index}",
        "object": "response",
        "created_at": 1_700_000_000 + index,
        "model": model,
        "status": "completed",
        "output": _items(turn, index),
        "usage": _usage(usage),
    }
    if turn.finish.value in ("length", "content_filter"):
        reason = "max_output_tokens" if turn.finish.value == "length" else "content_filter"
        response["status"] = "incomplete"
        response["incomplete_details"] = {"reason": reason}
    return response


def events(turn: Turn, index: int, model: str, usage: TokenUsage) -> list[bytes]:
    final = answer(turn, index, model, usage)
    started = {**final, "status": "in_progress", "output": [], "usage": None}
    out: list[dict[str, Any]] = [{"type": "response.created", "response": started}]
    for output_index, item in enumerate(final["output"]):
        added = {**item}
        if item["type"] == "reasoning":
            added = {"type": "reasoning", "id": item["id"], "summary": []}
        elif item["type"] == "message":
            added = {**item, "status": "in_progress", "content": []}
        elif item["type"] == "function_call":
            added = {**item, "status": "in_progress", "arguments": ""}
        out.append(
            {"type": "response.output_item.added", "output_index": output_index, "item": added}
        )
        where = {"item_id": item["id"], "output_index": output_index}
        if item["type"] == "reasoning":
            out.append(
                {
                    "type": "response.reasoning_summary_text.delta",
                    **where,
                    "summary_index": 0,
                    "delta": turn.reasoning,
                }
            )
        elif item["type"] == "message":
            out += [
                {"type": "response.output_text.delta", **where, "content_index": 0, "delta": chunk}
                for chunk in turn.text_chunks()
            ]
            out.append(
                {
                    "type": "response.output_text.done",
                    **where,
                    "content_index": 0,
                    "text": turn.text,
                }
            )
        else:
            raw = item["arguments"]
            size = turn.chunk_chars
            out += [
                {
                    "type": "response.function_call_arguments.delta",
                    **where,
                    "delta": raw[i : i + size],
                }
                for i in range(0, len(raw), size)
            ]
            out.append({"type": "response.function_call_arguments.done", **where, "arguments": raw})
        out.append(
            {"type": "response.output_item.done", "output_index": output_index, "item": item}
        )
    closing = "response.incomplete" if final["status"] == "incomplete" else "response.completed"
    out.append({"type": closing, "response": final})
    numbered = [{**event, "sequence_number": n} for n, event in enumerate(out)]
    return [f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in numbered]


DIALECT = Dialect(
    decode=decode,
    error=_openai.error_body,
    answer=answer,
    stream=lambda turn, index, model, usage, body, path: events(turn, index, model, usage),
    wants_stream=lambda body: bool(body.get("stream")),
    content_type="text/event-stream",
)
