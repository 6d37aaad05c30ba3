"""The OpenAI-compatible provider against the scripted server, over real loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from tau_cli.agent import ChatRequest, NamedToolChoice, Script, Turn
from tau_cli.agent.openai import OpenAIProvider
from tau_cli.core import (
    AuthenticationError,
    ClientConfig,
    ContextLengthError,
    FinishReason,
    ImagePart,
    Message,
    ProviderConnectionError,
    ProviderError,
    RateLimitError,
    ReasoningDelta,
    StreamDone,
    StreamError,
    StreamEvent,
    TextDelta,
    TextPart,
    ToolCallComplete,
    ToolDefinition,
    ToolResult,
)
from tau_cli.testing import ScriptedModelServer

HELLO = ChatRequest(messages=[Message.system("Be brief."), Message.user("hi")])
READ = ToolDefinition(
    name="read",
    description="Read a file",
    parameters={"type": "object", "properties": {"path": {"type": "string"}}},
)


class Sleeps:
    """Records the waits the provider asks for instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def _provider(server: ScriptedModelServer, **kwargs: Any) -> OpenAIProvider:
    kwargs.setdefault("sleep", Sleeps())
    kwargs.setdefault("jitter", lambda: 1.0)
    return OpenAIProvider("gpt-test", base_url=f"{server.url}/v1", api_key="sk-secret", **kwargs)


async def _events(stream: AsyncIterator[StreamEvent]) -> list[StreamEvent]:
    return [event async for event in stream]


def _turns(*turns: dict[str, Any]) -> list[Turn]:
    return [Turn.model_validate(t) for t in turns]


async def test_complete_sends_the_history_and_returns_text_and_usage() -> None:
    turns = _turns({"text": "Hello!", "usage": {"prompt_tokens": 12, "completion_tokens": 3}})
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server)
        response = await provider.complete(HELLO)
        await provider.aclose()
        (request,) = server.requests

    assert response.message.text == "Hello!"
    assert response.finish_reason is FinishReason.STOP
    assert response.usage.total_tokens == 15
    assert response.response_id == "chatcmpl-scripted-0"
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-secret"
    assert request.json() == {
        "model": "gpt-test",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "hi"},
        ],
    }


async def test_streaming_text_arrives_in_pieces_and_ends_with_the_whole_answer() -> None:
    turns = _turns({"text": "The quick brown fox", "chunk_chars": 5})
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server)
        events = await _events(provider.stream(HELLO))
        await provider.aclose()
        body = server.requests[0].json()

    assert [e.text for e in events if isinstance(e, TextDelta)] == [
        "The q",
        "uick ",
        "brown",
        " fox",
    ]
    done = events[-1]
    assert isinstance(done, StreamDone)
    assert done.response.message.text == "The quick brown fox"
    assert done.response.usage.prompt_tokens > 0
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}


async def test_parallel_tool_calls_are_assembled_from_fragments() -> None:
    turns = _turns(
        {
            "chunk_chars": 3,
            "tool_calls": [
                {"name": "read", "arguments": {"path": "a.py"}, "id": "c1"},
                {"name": "read", "arguments": {"path": "b.py"}, "id": "c2"},
            ],
        }
    )
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server)
        events = await _events(provider.stream(ChatRequest(messages=HELLO.messages, tools=[READ])))
        await provider.aclose()
        body = server.requests[0].json()

    calls = [e.call for e in events if isinstance(e, ToolCallComplete)]
    assert [(c.id, c.arguments) for c in calls] == [
        ("c1", {"path": "a.py"}),
        ("c2", {"path": "b.py"}),
    ]
    assert isinstance(events[-1], StreamDone)
    assert events[-1].response.finish_reason is FinishReason.TOOL_CALLS
    assert body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "read",
                "description": "Read a file",
                "parameters": READ.parameters,
            },
        }
    ]


async def test_a_tool_round_trip_sends_calls_and_results_the_server_accepts() -> None:
    turns = _turns(
        {"tool_calls": [{"name": "read", "arguments": {"path": "a.py"}}]},
        {"expect": {"last_tool_result_contains": "print(1)"}, "text": "It prints 1."},
    )
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server)
        history = [Message.user("what does a.py do?")]
        first = await provider.complete(ChatRequest(messages=history, tools=[READ]))
        (call,) = first.message.tool_calls
        history += [first.message, Message.tool(call, ToolResult(text="print(1)"))]
        second = await provider.complete(ChatRequest(messages=history, tools=[READ]))
        await provider.aclose()
        sent = server.requests[1].json()["messages"]

    assert second.message.text == "It prints 1."
    assert sent[1]["tool_calls"][0]["function"] == {"name": "read", "arguments": '{"path": "a.py"}'}
    assert sent[2] == {"role": "tool", "tool_call_id": call.id, "content": "print(1)"}


async def test_broken_argument_json_reaches_the_loop_as_a_parse_error() -> None:
    turns = _turns({"tool_calls": [{"name": "read", "arguments": '{"path": "a.p'}]})
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server)
        events = await _events(provider.stream(HELLO))
        await provider.aclose()

    (complete,) = [e for e in events if isinstance(e, ToolCallComplete)]
    assert complete.call.raw_arguments == '{"path": "a.p'
    assert complete.call.parse_error is not None
    assert isinstance(events[-1], StreamDone)


async def test_reasoning_fields_and_think_tags_become_reasoning() -> None:
    turns = _turns(
        {"reasoning": "User greets.", "text": "Hi!"},
        {"text": "<think>\nShort answer.</think>\n\nHello.", "chunk_chars": 4},
    )
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server)
        first = await provider.complete(HELLO)
        events = await _events(provider.stream(HELLO))
        await provider.aclose()

    assert first.message.reasoning == "User greets."
    assert first.message.text == "Hi!"
    assert "".join(e.text for e in events if isinstance(e, ReasoningDelta)) == "Short answer."
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "Hello."


async def test_options_and_images_are_sent_in_the_chat_completions_shape() -> None:
    request = ChatRequest(
        messages=[
            Message.user([TextPart(text="what is this?"), ImagePart(data="iVBORw0KGgo=")]),
        ],
        tools=[READ],
        temperature=0.2,
        max_output_tokens=256,
        tool_choice=NamedToolChoice(name="read"),
        parallel_tool_calls=False,
        reasoning_effort="high",
        stop=["END"],
    )
    async with ScriptedModelServer(_turns({"text": "a cat"})) as server:
        provider = _provider(server)
        await provider.complete(request)
        await provider.aclose()
        body = server.requests[0].json()

    assert body["messages"][0]["content"] == [
        {"type": "text", "text": "what is this?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
    ]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "read"}}
    assert body["parallel_tool_calls"] is False
    assert body["temperature"] == 0.2
    assert body["reasoning_effort"] == "high"
    assert body["max_completion_tokens"] == 256
    assert "max_tokens" not in body
    assert body["stop"] == ["END"]


async def test_a_429_is_retried_after_the_wait_the_server_asked_for() -> None:
    turns = _turns(
        {"error": {"status": 429, "headers": {"Retry-After": "3"}, "message": "slow down"}},
        {"text": "finally"},
    )
    sleeps = Sleeps()
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server, sleep=sleeps)
        response = await provider.complete(HELLO)
        await provider.aclose()
        attempts = len(server.requests)

    assert response.message.text == "finally"
    assert sleeps.waits == [3.0]
    assert attempts == 2


async def test_server_errors_back_off_exponentially_then_succeed() -> None:
    turns = _turns({"error": {"status": 500}}, {"error": {"status": 503}}, {"text": "up again"})
    sleeps = Sleeps()
    client = ClientConfig(backoff_initial=timedelta(seconds=1), backoff_max=timedelta(seconds=30))
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server, sleep=sleeps, client=client, jitter=lambda: 0.5)
        events = await _events(provider.stream(HELLO))
        await provider.aclose()

    assert isinstance(events[-1], StreamDone)
    assert events[-1].response.message.text == "up again"
    assert sleeps.waits == [0.75, 1.5]


async def test_retries_give_up_after_max_retries_with_the_last_error() -> None:
    turns = _turns(*[{"error": {"status": 503, "message": "overloaded"}}] * 3)
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server, client=ClientConfig(max_retries=2))
        with pytest.raises(ProviderError, match="answered 503: overloaded") as caught:
            await provider.complete(HELLO)
        await provider.aclose()

    assert caught.value.status == 503
    assert caught.value.retryable


async def test_a_retry_after_longer_than_the_backoff_ceiling_is_left_to_the_user() -> None:
    turns = _turns({"error": {"status": 429, "headers": {"Retry-After": "3600"}}})
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server)
        with pytest.raises(RateLimitError) as caught:
            await provider.complete(HELLO)
        await provider.aclose()

    assert caught.value.retry_after == 3600


async def test_a_401_says_what_to_set_and_never_echoes_the_key() -> None:
    turns = _turns(*[{"error": {"status": 401, "message": "Incorrect API key: sk-secret"}}] * 2)
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server)
        events = await _events(provider.stream(HELLO))
        with pytest.raises(AuthenticationError) as caught:
            await provider.complete(HELLO)
        await provider.aclose()

    (error,) = events
    assert isinstance(error, StreamError)
    assert error.error.kind == "AuthenticationError"
    assert error.error.status == 401
    assert "set OPENAI_API_KEY" in error.error.message
    assert "sk-secret" not in error.error.message
    assert "sk-secret" not in str(caught.value)
    assert "sk-secret" not in (caught.value.body_excerpt or "")


async def test_a_non_json_error_body_is_shown_as_an_excerpt() -> None:
    turns = _turns({"error": {"status": 502, "body": "<html><h1>502 Bad Gateway</h1></html>"}})
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server, client=ClientConfig(max_retries=0))
        with pytest.raises(ProviderError) as caught:
            await provider.complete(HELLO)
        await provider.aclose()

    assert caught.value.status == 502
    assert caught.value.body_excerpt == "<html><h1>502 Bad Gateway</h1></html>"
    assert "Bad Gateway" in str(caught.value)


async def test_a_cut_stream_keeps_the_text_it_delivered() -> None:
    turns = _turns({"text": "abcdefghijkl", "chunk_chars": 4, "cut_after": 2})
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server)
        events = await _events(provider.stream(HELLO))
        await provider.aclose()
        attempts = len(server.requests)

    assert [e.text for e in events if isinstance(e, TextDelta)] == ["abcd", "efgh"]
    error = events[-1]
    assert isinstance(error, StreamError)
    assert error.error.kind == "StreamInterrupted"
    assert "the part received so far was kept" in error.error.message
    assert attempts == 1  # output had reached the caller: no second answer


async def test_a_read_timeout_is_a_connection_error_naming_the_cause() -> None:
    turns = _turns({"text": "late", "delay": "2s"})
    client = ClientConfig(read_timeout=timedelta(milliseconds=200), max_retries=0)
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server, client=client)
        with pytest.raises(ProviderConnectionError, match="ReadTimeout"):
            await provider.complete(HELLO)
        await provider.aclose()


async def test_an_unreachable_server_is_retried_then_reported() -> None:
    sleeps = Sleeps()
    provider = OpenAIProvider(
        "m",
        base_url="http://127.0.0.1:9/v1",
        sleep=sleeps,
        client=ClientConfig(max_retries=2),
    )
    with pytest.raises(ProviderConnectionError, match="is the server running"):
        await provider.complete(HELLO)
    await provider.aclose()

    assert len(sleeps.waits) == 2


async def test_an_oversized_request_is_a_context_length_error() -> None:
    script = Script(turns=_turns({"text": "x"}), context_window=20)
    async with ScriptedModelServer(script) as server:
        provider = _provider(server)
        with pytest.raises(ContextLengthError, match="maximum context length"):
            await provider.complete(ChatRequest(messages=[Message.user("long " * 100)]))
        await provider.aclose()
