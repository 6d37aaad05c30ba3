"""Ollama's native chat API against the scripted server, over real loopback HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from tau_cli.agent import ChatRequest, Turn, create_provider
from tau_cli.agent.addresses import ollama_base_url
from tau_cli.agent.ollama import OllamaProvider
from tau_cli.core import (
    ClientConfig,
    FinishReason,
    ImagePart,
    Message,
    ModelCapabilities,
    ModelRef,
    ProviderConnectionError,
    ProviderError,
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

HELLO = ChatRequest(messages=[Message.user("hi")])
LS = ToolDefinition(name="ls", description="List files")


async def _no_sleep(seconds: float) -> None:
    del seconds


def _provider(server: ScriptedModelServer, **kwargs: Any) -> OllamaProvider:
    return OllamaProvider("qwen3:8b", base_url=server.url, sleep=_no_sleep, **kwargs)


def _turns(*turns: dict[str, Any]) -> list[Turn]:
    return [Turn.model_validate(t) for t in turns]


async def _events(provider: OllamaProvider, request: ChatRequest) -> list[StreamEvent]:
    return [e async for e in provider.stream(request)]


async def test_streaming_thinking_text_and_usage() -> None:
    turns = _turns(
        {
            "reasoning": "A greeting.",
            "text": "Hello there",
            "chunk_chars": 4,
            "usage": {"prompt_tokens": 26, "completion_tokens": 8},
        }
    )
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server, context_window=32_768, keep_alive="30m")
        events = await _events(provider, HELLO.model_copy(update={"reasoning_effort": "high"}))
        await provider.aclose()
        (request,) = server.requests

    assert [e.text for e in events if isinstance(e, ReasoningDelta)] == ["A greeting."]
    assert [e.text for e in events if isinstance(e, TextDelta)] == ["Hell", "o th", "ere"]
    done = events[-1]
    assert isinstance(done, StreamDone)
    assert done.response.message.reasoning == "A greeting."
    assert done.response.usage.prompt_tokens == 26
    assert done.response.usage.completion_tokens == 8
    body = request.json()
    assert request.path == "/api/chat"
    assert body["stream"] is True
    assert body["think"] is True
    assert body["keep_alive"] == "30m"
    assert body["options"] == {"num_ctx": 32_768}


async def test_tool_calls_arrive_with_object_arguments_and_round_trip() -> None:
    turns = _turns(
        {
            "tool_calls": [
                {"name": "ls", "arguments": {"dir": "."}},
                {"name": "ls", "arguments": {}},
            ]
        },
        {"expect": {"last_tool_result_contains": "b.py"}, "text": "Two files."},
    )
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server)
        events = await _events(provider, ChatRequest(messages=HELLO.messages, tools=[LS]))
        calls = [e.call for e in events if isinstance(e, ToolCallComplete)]
        history = [
            *HELLO.messages,
            Message.assistant("", calls),
            Message.tool(calls[0], ToolResult(text="a.py b.py")),
            Message.tool(calls[1], ToolResult(text="a.py b.py")),
        ]
        answer = await provider.complete(ChatRequest(messages=history, tools=[LS]))
        await provider.aclose()
        sent = server.requests[1].json()

    assert [(c.name, c.arguments) for c in calls] == [("ls", {"dir": "."}), ("ls", {})]
    assert isinstance(events[-1], StreamDone)
    assert events[-1].response.finish_reason is FinishReason.TOOL_CALLS
    assert answer.message.text == "Two files."
    assert sent["messages"][1]["tool_calls"][0]["function"] == {
        "name": "ls",
        "arguments": {"dir": "."},
    }
    assert sent["messages"][2]["role"] == "tool"
    assert sent["messages"][2]["tool_name"] == "ls"
    assert sent["stream"] is False


async def test_images_and_options_use_ollamas_fields() -> None:
    request = ChatRequest(
        messages=[Message.user([TextPart(text="what is it?"), ImagePart(data="iVBORw0KGgo=")])],
        temperature=0.1,
        max_output_tokens=64,
        stop=["\n\n"],
        reasoning_effort="off",
    )
    async with ScriptedModelServer(_turns({"text": "a dot"})) as server:
        provider = _provider(server)
        await provider.complete(request)
        await provider.aclose()
        body = server.requests[0].json()

    assert body["messages"] == [
        {"role": "user", "content": "what is it?", "images": ["iVBORw0KGgo="]}
    ]
    assert body["think"] is False
    assert body["options"] == {"temperature": 0.1, "num_predict": 64, "stop": ["\n\n"]}


async def test_a_missing_model_is_reported_with_ollamas_message() -> None:
    turns = _turns({"error": {"status": 404, "message": "model 'qwen9' not found"}})
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server)
        with pytest.raises(ProviderError, match="model 'qwen9' not found") as caught:
            await provider.complete(HELLO)
        await provider.aclose()

    assert caught.value.status == 404


async def test_a_cut_stream_keeps_its_text_and_reports_the_interruption() -> None:
    turns = _turns({"text": "abcdefgh", "chunk_chars": 2, "cut_after": 3})
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server)
        events = await _events(provider, HELLO)
        await provider.aclose()

    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "abcdef"
    assert isinstance(events[-1], StreamError)
    assert events[-1].error.kind == "StreamInterrupted"


async def test_a_stopped_server_says_how_to_start_ollama() -> None:
    provider = OllamaProvider(
        "qwen3:8b", base_url="http://127.0.0.1:9", client=ClientConfig(max_retries=0)
    )
    with pytest.raises(ProviderConnectionError, match="is `ollama serve` running at"):
        await provider.complete(HELLO)
    await provider.aclose()


async def test_the_factory_uses_ollama_host_and_sizes_the_context() -> None:
    async with ScriptedModelServer(_turns({"text": "hi"})) as server:
        host = server.url.removeprefix("http://")
        provider = create_provider(
            ModelRef.parse("ollama:qwen3:8b"),
            capabilities=ModelCapabilities(context_window=40_960),
            environ={"OLLAMA_HOST": host},
        )
        await provider.complete(HELLO)
        await provider.aclose()
        body = server.requests[0].json()

    assert body["model"] == "qwen3:8b"
    assert body["options"]["num_ctx"] == 40_960


@pytest.mark.parametrize(
    ("host", "url"),
    [
        (None, "http://127.0.0.1:11434"),
        ("0.0.0.0:11434", "http://127.0.0.1:11434"),
        ("gpu-box", "http://gpu-box:11434"),
        ("https://ollama.internal:8443", "https://ollama.internal:8443"),
    ],
)
def test_ollama_host_values_become_urls(host: str | None, url: str) -> None:
    assert ollama_base_url(host) == url
