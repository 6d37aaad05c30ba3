"""The OpenAI Responses API against the scripted server, over real loopback HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tau_cli.agent import ChatRequest, ResponsesProvider, Turn, create_provider
from tau_cli.core import (
    FinishReason,
    ImagePart,
    Message,
    ModelRef,
    ProviderError,
    ReasoningDelta,
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

HELLO = ChatRequest(messages=[Message.system("Be brief."), Message.user("hi")])
SHELL = ToolDefinition(name="shell", description="Run a command")


def _provider(server: ScriptedModelServer) -> ResponsesProvider:
    return ResponsesProvider("gpt-5", base_url=f"{server.url}/v1", api_key="sk-secret")


def _turns(*turns: dict[str, Any]) -> list[Turn]:
    return [Turn.model_validate(t) for t in turns]


async def _events(provider: ResponsesProvider, request: ChatRequest) -> list[StreamEvent]:
    return [e async for e in provider.stream(request)]


async def test_streamed_text_and_usage_from_a_stateless_request() -> None:
    turns = _turns(
        {
            "text": "Hello there",
            "chunk_chars": 5,
            "usage": {"prompt_tokens": 9, "completion_tokens": 2},
        }
    )
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server)
        events = await _events(provider, HELLO)
        await provider.aclose()
        (request,) = server.requests

    assert [e.text for e in events if isinstance(e, TextDelta)] == ["Hello", " ther", "e"]
    done = events[-1]
    assert isinstance(done, StreamDone)
    assert done.response.response_id == "resp_scripted_0"
    assert done.response.usage.total_tokens == 11
    assert done.response.finish_reason is FinishReason.STOP
    body = request.json()
    assert request.path == "/v1/responses"
    assert body["store"] is False
    assert body["input"] == [
        {"role": "system", "content": [{"type": "input_text", "text": "Be brief."}]},
        {"role": "user", "content": [{"type": "input_text", "text": "hi"}]},
    ]


async def test_reasoning_is_carried_across_a_tool_call_as_encrypted_content() -> None:
    turns = _turns(
        {
            "reasoning": "Need to list files.",
            "reasoning_signature": "gAAAA-opaque",
            "tool_calls": [{"name": "shell", "arguments": {"cmd": "ls"}}],
            "chunk_chars": 4,
        },
        {"expect": {"last_tool_result_contains": "README"}, "text": "There is a README."},
    )
    request = ChatRequest(
        messages=[Message.user("what is here?")], tools=[SHELL], reasoning_effort="medium"
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
            Message.tool(call, ToolResult(text="README.md")),
        ]
        answer = await provider.complete(request.model_copy(update={"messages": history}))
        await provider.aclose()
        first, second = (r.json() for r in server.requests)

    assert "".join(e.text for e in events if isinstance(e, ReasoningDelta)) == "Need to list files."
    assert [e.call.arguments for e in events if isinstance(e, ToolCallComplete)] == [{"cmd": "ls"}]
    assert done.response.finish_reason is FinishReason.TOOL_CALLS
    assert done.response.message.content[0] == ReasoningPart(
        text="Need to list files.", encrypted_content="gAAAA-opaque"
    )
    assert first["reasoning"] == {"effort": "medium", "summary": "auto"}
    assert first["include"] == ["reasoning.encrypted_content"]
    assert first["tools"] == [
        {
            "type": "function",
            "name": "shell",
            "description": "Run a command",
            "parameters": SHELL.parameters,
        }
    ]
    assert second["input"][1:] == [
        {
            "type": "reasoning",
            "summary": [{"type": "summary_text", "text": "Need to list files."}],
            "encrypted_content": "gAAAA-opaque",
        },
        {
            "type": "function_call",
            "call_id": call.id,
            "name": "shell",
            "arguments": '{"cmd": "ls"}',
        },
        {"type": "function_call_output", "call_id": call.id, "output": "README.md"},
    ]
    assert answer.message.text == "There is a README."


async def test_a_non_streaming_answer_is_read_from_its_output_items() -> None:
    turns = _turns(
        {"reasoning": "r", "text": "t", "tool_calls": [{"name": "shell", "arguments": "{bad"}]}
    )
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server)
        response = await provider.complete(ChatRequest(messages=[Message.user("x")], tools=[SHELL]))
        await provider.aclose()

    assert response.message.reasoning == "r"
    assert response.message.text == "t"
    (call,) = response.message.tool_calls
    assert call.parse_error is not None
    assert response.message.content[0] == ReasoningPart(text="r", encrypted_content="enc_0")


async def test_a_length_limit_is_an_incomplete_response() -> None:
    turns = _turns({"text": "cut sh", "finish_reason": "length"})
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server)
        events = await _events(provider, HELLO)
        await provider.aclose()

    done = events[-1]
    assert isinstance(done, StreamDone)
    assert done.response.finish_reason is FinishReason.LENGTH


async def test_images_go_as_input_image_parts() -> None:
    request = ChatRequest(
        messages=[Message.user([TextPart(text="see"), ImagePart(url="https://example.com/a.png")])]
    )
    async with ScriptedModelServer(_turns({"text": "ok"})) as server:
        provider = _provider(server)
        await provider.complete(request)
        await provider.aclose()
        body = server.requests[0].json()

    assert body["input"][0]["content"][1] == {
        "type": "input_image",
        "image_url": "https://example.com/a.png",
    }


async def test_the_server_refuses_item_ids_it_never_stored() -> None:
    body = {
        "model": "m",
        "store": False,
        "input": [{"type": "reasoning", "id": "rs_1", "encrypted_content": "x", "summary": []}],
    }
    async with ScriptedModelServer(_turns({"text": "x"})) as server, httpx.AsyncClient() as http:
        response = await http.post(f"{server.url}/v1/responses", json=body)

    assert response.status_code == 400
    assert "Items are not persisted" in response.json()["error"]["message"]


async def test_a_cut_stream_ends_with_an_interruption() -> None:
    turns = _turns({"text": "abcdefgh", "chunk_chars": 2, "cut_after": 4})
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server)
        events = await _events(provider, HELLO)
        await provider.aclose()

    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "abcd"
    assert isinstance(events[-1], StreamError)
    assert events[-1].error.kind == "StreamInterrupted"


async def test_the_factory_chooses_the_responses_api_when_asked() -> None:
    async with ScriptedModelServer(_turns({"text": "via responses"})) as server:
        provider = create_provider(
            ModelRef.parse("openai:gpt-5"),
            environ={"OPENAI_BASE_URL": f"{server.url}/v1"},
            wire_api="responses",
        )
        response = await provider.complete(HELLO)
        await provider.aclose()
        path = server.requests[0].path

    assert isinstance(provider, ResponsesProvider)
    assert response.message.text == "via responses"
    assert path == "/v1/responses"


async def test_errors_map_like_every_provider() -> None:
    turns = _turns({"error": {"status": 400, "message": "Unsupported parameter: 'temperature'"}})
    async with ScriptedModelServer(turns) as server:
        provider = _provider(server)
        with pytest.raises(ProviderError, match="Unsupported parameter"):
            await provider.complete(HELLO)
        await provider.aclose()
