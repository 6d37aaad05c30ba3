"""Anthropic's Messages API against the scripted server, over real loopback HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tau_cli.agent import AnthropicProvider, ChatRequest, Script, Turn, create_provider
from tau_cli.core import (
    AuthenticationError,
    ClientConfig,
    ContextLengthError,
    FinishReason,
    ImagePart,
    Message,
    ModelRef,
    ReasoningPart,
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

HELLO = ChatRequest(messages=[Message.system("You are terse."), Message.user("hi")])
GREP = ToolDefinition(name="grep", description="Search files")


async def _no_sleep(seconds: float) -> None:
    del seconds


def _provider(server: ScriptedModelServer, **kwargs: Any) -> AnthropicProvider:
    return AnthropicProvider(
        "claude-test", base_url=server.url, api_key="sk-ant-secret", sleep=_no_sleep, **kwargs
    )


def _turns(*turns: dict[str, Any]) -> list[Turn]:
    return [Turn.model_validate(t) for t in turns]


async def _events(provider: AnthropicProvider, request: ChatRequest) -> list[StreamEvent]:
    return [e async for e in provider.stream(request)]


async def test_streamed_text_with_the_system_prompt_on_top_and_cached() -> None:
    turns = _turns({"text": "Hello.", "chunk_chars": 3})
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server)
        events = await _events(provider, HELLO)
        await provider.aclose()
        (request,) = server.requests

    assert [e.text for e in events if isinstance(e, TextDelta)] == ["Hel", "lo."]
    assert isinstance(events[-1], StreamDone)
    assert events[-1].response.message.text == "Hello."
    assert events[-1].response.response_id == "msg_scripted_0"
    assert request.headers["x-api-key"] == "sk-ant-secret"
    assert request.headers["anthropic-version"] == "2023-06-01"
    body = request.json()
    assert body["system"] == [
        {"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral"}}
    ]
    assert body["messages"] == [
        {
            "role": "user",
            "content": [{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}],
        }
    ]
    assert body["max_tokens"] == 8192


async def test_thinking_with_its_signature_is_sent_back_on_the_tool_turn() -> None:
    turns = _turns(
        {
            "reasoning": "I should search.",
            "reasoning_signature": "sig-abc",
            "tool_calls": [{"name": "grep", "arguments": {"pattern": "TODO"}}],
            "chunk_chars": 5,
        },
        {"expect": {"last_tool_result_contains": "3 matches"}, "text": "Three TODOs."},
    )
    request = ChatRequest(
        messages=[Message.user("find TODOs")], tools=[GREP], reasoning_effort="low"
    )
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server)
        events = await _events(provider, request)
        done = events[-1]
        assert isinstance(done, StreamDone)
        (call,) = done.response.message.tool_calls
        history = [
            *request.messages,
            done.response.message,
            Message.tool(call, ToolResult(text="3 matches")),
        ]
        answer = await provider.complete(request.model_copy(update={"messages": history}))
        await provider.aclose()
        first, second = (r.json() for r in server.requests)

    assert done.response.finish_reason is FinishReason.TOOL_CALLS
    assert done.response.message.content[0] == ReasoningPart(
        text="I should search.", signature="sig-abc"
    )
    assert call.arguments == {"pattern": "TODO"}
    assert [e.call.name for e in events if isinstance(e, ToolCallComplete)] == ["grep"]
    assert first["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert first["tools"][0]["input_schema"] == GREP.parameters
    assert second["messages"][1]["content"] == [
        {"type": "thinking", "thinking": "I should search.", "signature": "sig-abc"},
        {"type": "tool_use", "id": call.id, "name": "grep", "input": {"pattern": "TODO"}},
    ]
    assert second["messages"][2]["content"][0]["type"] == "tool_result"
    assert second["messages"][2]["content"][0]["tool_use_id"] == call.id
    assert answer.message.text == "Three TODOs."


async def test_parallel_tool_results_share_one_user_turn() -> None:
    turns = _turns(
        {"tool_calls": [{"name": "grep", "arguments": {"pattern": "a"}}, {"name": "grep"}]},
        {"text": "done"},
    )
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server)
        first = await provider.complete(ChatRequest(messages=[Message.user("go")], tools=[GREP]))
        a, b = first.message.tool_calls
        history = [
            Message.user("go"),
            first.message,
            Message.tool(a, ToolResult(text="x")),
            Message.tool(b, ToolResult.error("no pattern")),
        ]
        await provider.complete(ChatRequest(messages=history, tools=[GREP]))
        await provider.aclose()
        sent = server.requests[1].json()["messages"]

    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    results = sent[2]["content"]
    assert [r["tool_use_id"] for r in results] == [a.id, b.id]
    assert results[1]["is_error"] is True


async def test_usage_counts_cache_reads_into_the_prompt() -> None:
    turns = _turns(
        {
            "text": "ok",
            "usage": {"prompt_tokens": 1000, "cached_tokens": 800, "completion_tokens": 5},
        }
    )
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server)
        events = await _events(provider, HELLO)
        await provider.aclose()

    done = events[-1]
    assert isinstance(done, StreamDone)
    assert done.response.usage.prompt_tokens == 1000
    assert done.response.usage.cached_tokens == 800
    assert done.response.usage.completion_tokens == 5


async def test_images_and_options_in_the_messages_shape() -> None:
    request = ChatRequest(
        messages=[Message.user([TextPart(text="what?"), ImagePart(data="iVBORw0KGgo=")])],
        tools=[GREP],
        temperature=0.3,
        max_output_tokens=100,
        tool_choice="required",
        parallel_tool_calls=False,
        stop=["DONE"],
    )
    async with ScriptedModelServer(_turns({"text": "a pixel"})) as server:
        provider = _provider(server, prompt_caching=False)
        await provider.complete(request)
        await provider.aclose()
        body = server.requests[0].json()

    assert body["messages"][0]["content"][1] == {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="},
    }
    assert body["tool_choice"] == {"type": "any", "disable_parallel_tool_use": True}
    assert body["temperature"] == 0.3
    assert body["max_tokens"] == 100
    assert body["stop_sequences"] == ["DONE"]
    assert "cache_control" not in str(body)


async def test_errors_keep_the_key_secret_and_say_what_to_do() -> None:
    turns = _turns({"error": {"status": 401, "message": "invalid x-api-key sk-ant-secret"}})
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server)
        with pytest.raises(AuthenticationError) as caught:
            await provider.complete(HELLO)
        await provider.aclose()

    assert "set ANTHROPIC_API_KEY" in str(caught.value)
    assert "sk-ant-secret" not in str(caught.value)
    assert "sk-ant-secret" not in (caught.value.body_excerpt or "")


async def test_overloaded_529_is_retried() -> None:
    turns = _turns({"error": {"status": 529, "message": "Overloaded"}}, {"text": "back"})
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server)
        response = await provider.complete(HELLO)
        await provider.aclose()

    assert response.message.text == "back"


async def test_a_too_long_prompt_is_a_context_length_error() -> None:
    script = Script(turns=_turns({"text": "x"}), context_window=30)
    async with ScriptedModelServer(script) as server:
        provider = _provider(server)
        with pytest.raises(ContextLengthError, match="prompt is too long"):
            await provider.complete(ChatRequest(messages=[Message.user("words " * 100)]))
        await provider.aclose()


async def test_a_cut_stream_keeps_what_arrived() -> None:
    turns = _turns({"text": "abcdefgh", "chunk_chars": 2, "cut_after": 5})
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server, client=ClientConfig(max_retries=0))
        events = await _events(provider, HELLO)
        await provider.aclose()

    # message_start, ping, block start, then two text deltas arrive before the cut
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "abcd"
    assert isinstance(events[-1], StreamError)
    assert events[-1].error.kind == "StreamInterrupted"


async def test_the_factory_reads_the_anthropic_variables() -> None:
    async with ScriptedModelServer(_turns({"text": "hi"})) as server:
        provider = create_provider(
            ModelRef.parse("anthropic:claude-sonnet-4-5"),
            environ={"ANTHROPIC_BASE_URL": server.url, "ANTHROPIC_API_KEY": "env-key"},
        )
        await provider.complete(HELLO)
        await provider.aclose()
        request = server.requests[0]

    assert request.headers["x-api-key"] == "env-key"
    assert request.json()["model"] == "claude-sonnet-4-5"


async def test_a_request_without_max_tokens_is_refused_by_the_server() -> None:
    async with ScriptedModelServer(_turns({"text": "x"})) as server, httpx.AsyncClient() as http:
        response = await http.post(f"{server.url}/v1/messages", json={"messages": []})

    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"


REDACTED_STREAM = b"".join(
    f"event: {json.loads(data)['type']}\ndata: {data}\n\n".encode()
    for data in [
        '{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant",'
        '"model":"claude-test","content":[],"stop_reason":null,"usage":{"input_tokens":10,'
        '"output_tokens":1}}}',
        '{"type":"content_block_start","index":0,"content_block":{"type":"redacted_thinking",'
        '"data":"EmwKAhgBEgy3va"}}',
        '{"type":"content_block_stop","index":0}',
        '{"type":"content_block_start","index":1,"content_block":{"type":"tool_use",'
        '"id":"toolu_1","name":"grep","input":{}}}',
        '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta",'
        '"partial_json":"{\\"pattern\\": \\"x\\"}"}}',
        '{"type":"content_block_stop","index":1}',
        '{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":9}}',
        '{"type":"message_stop"}',
    ]
)


async def test_redacted_thinking_is_kept_and_sent_back_verbatim(serve_bytes: Any) -> None:
    async with serve_bytes(REDACTED_STREAM, "text/event-stream") as url:
        provider = AnthropicProvider("claude-test", base_url=url, api_key="k")
        events = await _events(provider, ChatRequest(messages=[Message.user("go")], tools=[GREP]))
        await provider.aclose()
    done = events[-1]
    assert isinstance(done, StreamDone)
    (call,) = done.response.message.tool_calls
    history = [Message.user("go"), done.response.message, Message.tool(call, ToolResult(text="1"))]
    async with ScriptedModelServer(_turns({"text": "ok"})) as server:
        provider = _provider(server)
        await provider.complete(ChatRequest(messages=history, tools=[GREP]))
        await provider.aclose()
        sent = server.requests[0].json()["messages"][1]["content"]

    assert done.response.message.content[0] == ReasoningPart(
        encrypted_content="EmwKAhgBEgy3va", redacted=True
    )
    assert sent == [
        {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va"},
        {"type": "tool_use", "id": "toolu_1", "name": "grep", "input": {"pattern": "x"}},
    ]
