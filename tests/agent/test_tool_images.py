"""Images a tool returns reach the model in each API's own way."""

from __future__ import annotations

import pytest

from tau_cli.agent import ChatRequest, OllamaProvider, OpenAIProvider, ResponsesProvider, Turn
from tau_cli.core import (
    ImagePart,
    Message,
    ProviderError,
    StreamError,
    ToolCall,
    ToolResult,
)
from tau_cli.testing import ScriptedModelServer

SHOT = ToolCall(id="c1", name="screenshot")
PNG = ImagePart(data="iVBORw0KGgo=")
HISTORY = [
    Message.user("what is on screen?"),
    Message.assistant("", [SHOT]),
    Message.tool(SHOT, ToolResult(text="captured", images=[PNG])),
]


async def test_chat_completions_sends_tool_images_after_the_results() -> None:
    async with ScriptedModelServer([Turn(text="a login form")]) as server:
        provider = OpenAIProvider("m", base_url=f"{server.url}/v1")
        await provider.complete(ChatRequest(messages=HISTORY))
        await provider.aclose()
        sent = server.requests[0].json()["messages"]

    assert sent[2] == {"role": "tool", "tool_call_id": "c1", "content": "captured"}
    assert sent[3]["role"] == "user"
    assert sent[3]["content"][1] == {
        "type": "image_url",
        "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="},
    }


async def test_the_responses_api_sends_tool_images_after_the_outputs() -> None:
    async with ScriptedModelServer([Turn(text="a login form")]) as server:
        provider = ResponsesProvider("m", base_url=f"{server.url}/v1")
        await provider.complete(ChatRequest(messages=HISTORY))
        await provider.aclose()
        sent = server.requests[0].json()["input"]

    assert sent[2] == {"type": "function_call_output", "call_id": "c1", "output": "captured"}
    assert sent[3]["content"][1] == {
        "type": "input_image",
        "image_url": "data:image/png;base64,iVBORw0KGgo=",
    }


async def test_ollama_attaches_tool_images_inline() -> None:
    async with ScriptedModelServer([Turn(text="a login form")]) as server:
        provider = OllamaProvider("llava", base_url=server.url)
        await provider.complete(ChatRequest(messages=HISTORY))
        await provider.aclose()
        sent = server.requests[0].json()["messages"]

    assert sent[2]["images"] == ["iVBORw0KGgo="]


async def test_ollama_refuses_image_urls_with_a_clear_error() -> None:
    request = ChatRequest(messages=[Message.user([ImagePart(url="https://example.com/a.png")])])
    async with ScriptedModelServer([]) as server:
        provider = OllamaProvider("llava", base_url=server.url)
        with pytest.raises(ProviderError, match="inline only"):
            await provider.complete(request)
        events = [e async for e in provider.stream(request)]
        await provider.aclose()
        sent = len(server.requests)

    (error,) = events
    assert isinstance(error, StreamError)
    assert "inline only" in error.error.message
    assert sent == 0
