"""Failures reported inside a stream end it with a typed error after the output so far."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from tau_cli.agent import AnthropicProvider, ChatRequest, OllamaProvider, ResponsesProvider
from tau_cli.core import ClientConfig, Message, StreamError, TextDelta

ServeBytes = Callable[[bytes, str], AbstractAsyncContextManager[str]]
HELLO = ChatRequest(messages=[Message.user("hi")])
NO_RETRY = ClientConfig(max_retries=0)


def _sse(*events: dict[str, object]) -> bytes:
    return b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)


async def test_an_ollama_error_line_mid_stream(serve_bytes: ServeBytes) -> None:
    body = (
        b'{"model":"m","message":{"role":"assistant","content":"Hel"},"done":false}\n'
        b'{"error":"an error was encountered while running the model: out of memory"}\n'
    )
    async with serve_bytes(body, "application/x-ndjson") as url:
        provider = OllamaProvider("m", base_url=url, client=NO_RETRY)
        events = [e async for e in provider.stream(HELLO)]
        await provider.aclose()

    assert [e.text for e in events if isinstance(e, TextDelta)] == ["Hel"]
    error = events[-1]
    assert isinstance(error, StreamError)
    assert "out of memory" in error.error.message


async def test_an_anthropic_overloaded_event_mid_stream(serve_bytes: ServeBytes) -> None:
    body = _sse(
        {"type": "message_start", "message": {"id": "m1", "model": "c", "usage": {}}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "So"}},
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
    )
    async with serve_bytes(body, "text/event-stream") as url:
        provider = AnthropicProvider("c", base_url=url, client=NO_RETRY)
        events = [e async for e in provider.stream(HELLO)]
        await provider.aclose()

    assert [e.text for e in events if isinstance(e, TextDelta)] == ["So"]
    error = events[-1]
    assert isinstance(error, StreamError)
    assert error.error.kind == "ProviderUnavailable"
    assert "Overloaded" in error.error.message


async def test_a_failed_response_event(serve_bytes: ServeBytes) -> None:
    body = _sse(
        {"type": "response.created", "response": {"id": "resp_1", "model": "g"}},
        {"type": "response.output_text.delta", "output_index": 0, "delta": "Partial"},
        {
            "type": "response.failed",
            "response": {"error": {"code": "server_error", "message": "The server had an error"}},
        },
    )
    async with serve_bytes(body, "text/event-stream") as url:
        provider = ResponsesProvider("g", base_url=url, client=NO_RETRY)
        events = [e async for e in provider.stream(HELLO)]
        await provider.aclose()

    assert [e.text for e in events if isinstance(e, TextDelta)] == ["Partial"]
    error = events[-1]
    assert isinstance(error, StreamError)
    assert error.error.kind == "ProviderUnavailable"
    assert "The server had an error" in error.error.message
