"""Transport behaviour every provider shares: cancellation, proxies, malformed streams."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import pytest

from tau_cli.agent import ChatRequest, OpenAIProvider, Turn
from tau_cli.core import ClientConfig, MalformedResponseError, Message, StreamError, TextDelta
from tau_cli.testing import ScriptedModelServer

ServeBytes = Callable[[bytes, str], AbstractAsyncContextManager[str]]

HELLO = ChatRequest(messages=[Message.user("hi")])


async def test_closing_a_stream_stops_it_at_once() -> None:
    # 200 chunks at 40 chunks a second would take five seconds to play out.
    slow = Turn(text="x" * 800, chunk_chars=4, tokens_per_second=40)
    async with ScriptedModelServer([slow, Turn(text="next")]) as server:
        provider = OpenAIProvider("m", base_url=f"{server.url}/v1")
        stream = provider.stream(HELLO)
        first = await anext(stream)
        started = time.monotonic()
        await stream.aclose()  # type: ignore[attr-defined]
        closed_after = time.monotonic() - started
        following = await provider.complete(HELLO)
        await provider.aclose()

    assert isinstance(first, TextDelta)
    assert closed_after < 1.0
    assert following.message.text == "next"


async def test_the_http_proxy_variable_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    async with ScriptedModelServer([Turn(text="via proxy")]) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        # The name does not resolve and the guard refuses lookups: only the proxy is reached.
        provider = OpenAIProvider("m", base_url="http://models.internal.invalid/v1")
        response = await provider.complete(HELLO)
        await provider.aclose()
        (request,) = proxy.requests

    assert response.message.text == "via proxy"
    assert request.headers["host"] == "models.internal.invalid"
    assert request.path == "/v1/chat/completions"


async def test_no_proxy_bypasses_the_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    async with (
        ScriptedModelServer([Turn(text="never")]) as proxy,
        ScriptedModelServer([Turn(text="direct")]) as server,
    ):
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        provider = OpenAIProvider("m", base_url=f"{server.url}/v1")
        response = await provider.complete(HELLO)
        await provider.aclose()
        proxied = len(proxy.requests)

    assert response.message.text == "direct"
    assert proxied == 0


PARTIAL = (
    b'data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,'
    b'"delta":{"role":"assistant","content":"partial"},"finish_reason":null}]}\n\n'
)


@pytest.mark.parametrize(
    ("tail", "problem"),
    [
        (b"data: {this is not json\n\n", "not JSON"),
        (b'data: {"choices": "nope"}\n\n', "shape tau does not understand"),
        (b'data: {"choices": [{"delta": {"tool_calls": [{"index": -1}]}}]}\n\n', "shape"),
    ],
)
async def test_a_malformed_event_ends_the_stream_with_an_error_after_the_text(
    serve_bytes: ServeBytes, tail: bytes, problem: str
) -> None:
    async with serve_bytes(PARTIAL + tail, "text/event-stream") as url:
        provider = OpenAIProvider("m", base_url=url, client=ClientConfig(max_retries=0))
        events = [e async for e in provider.stream(HELLO)]
        await provider.aclose()

    assert [e.text for e in events if isinstance(e, TextDelta)] == ["partial"]
    error = events[-1]
    assert isinstance(error, StreamError)
    assert error.error.kind == "MalformedResponseError"
    assert problem in error.error.message


async def test_a_complete_answer_of_the_wrong_shape_is_a_malformed_response(
    serve_bytes: ServeBytes,
) -> None:
    body = b'{"choices": [{"message": "just a string"}]}'
    async with serve_bytes(body, "application/json") as url:
        provider = OpenAIProvider("m", base_url=url, client=ClientConfig(max_retries=0))
        with pytest.raises(MalformedResponseError, match="shape tau does not understand"):
            await provider.complete(HELLO)
        await provider.aclose()
