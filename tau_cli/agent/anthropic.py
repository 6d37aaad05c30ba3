"""Anthropic's Messages API: content blocks, tool use, thinking, prompt caching.

The history is translated into Anthropic's shape: system messages become the
top-level ``system``, tool results become ``tool_result`` blocks in a user turn
(consecutive results share one), and assistant reasoning is sent back as
``thinking`` blocks with their signatures, which the API requires on tool-use
turns when thinking is on. The stable prefix (system prompt, tools, the history
up to the latest message) carries ``cache_control`` breakpoints so repeated turns
read it from the cache. The stream is SSE: ``message_start`` (input usage),
``content_block_start``/``_delta``/``_stop`` per block (``text_delta``,
``thinking_delta``, ``signature_delta``, ``input_json_delta``), ``message_delta``
(stop reason, output usage) and ``message_stop``.
Reference: https://docs.anthropic.com/en/api/messages-streaming
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx

from tau_cli.agent._http_provider import HttpProvider
from tau_cli.agent._sse import sse_events
from tau_cli.agent._streaming import collect, wire_shape
from tau_cli.agent._transport import Sleep, Transport
from tau_cli.agent.addresses import ANTHROPIC_DEFAULT_BASE_URL
from tau_cli.agent.assembler import StreamAssembler
from tau_cli.agent.errors import ProviderUnavailable
from tau_cli.agent.request import ChatRequest
from tau_cli.core import (
    ChatResponse,
    ClientConfig,
    FinishReason,
    ImagePart,
    MalformedResponseError,
    Message,
    ProviderError,
    ReasoningDelta,
    ReasoningPart,
    StreamEvent,
    TextDelta,
    TextPart,
    TokenUsage,
    ToolCallDelta,
    UsageReport,
)

ANTHROPIC_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 8192
"""Anthropic requires ``max_tokens``; this is used when the request sets none."""
THINKING_BUDGET = {"low": 2048, "medium": 8192, "high": 24576}
"""Thinking tokens per reasoning effort."""
_CACHE = {"type": "ephemeral"}
_FINISH = {
    "end_turn": FinishReason.STOP,
    "stop_sequence": FinishReason.STOP,
    "pause_turn": FinishReason.STOP,
    "max_tokens": FinishReason.LENGTH,
    "tool_use": FinishReason.TOOL_CALLS,
    "refusal": FinishReason.CONTENT_FILTER,
}


class AnthropicProvider(HttpProvider):
    """A Claude model behind the Messages API.

    Args:
        model: e.g. ``claude-sonnet-4-5``.
        base_url: ``https://api.anthropic.com`` unless a gateway is configured.
        api_key: sent as ``x-api-key``.
        prompt_caching: mark the stable prefix with ``cache_control`` breakpoints.
        headers, client, name, sleep, jitter, http_transport: as for every provider.
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str = ANTHROPIC_DEFAULT_BASE_URL,
        api_key: str | None = None,
        prompt_caching: bool = True,
        headers: dict[str, str] | None = None,
        client: ClientConfig | None = None,
        name: str | None = None,
        sleep: Sleep | None = None,
        jitter: Callable[[], float] | None = None,
        http_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._model = model
        self._name = name or f"anthropic:{model}"
        self._caching = prompt_caching
        all_headers = {"anthropic-version": ANTHROPIC_VERSION, **(headers or {})}
        if api_key:
            all_headers["x-api-key"] = api_key
        self._transport = Transport(
            provider=self._name,
            base_url=base_url,
            headers=all_headers,
            secrets=[api_key] if api_key else [],
            client=client,
            hint_auth="set ANTHROPIC_API_KEY or the provider's api_key to a valid key",
            sleep=sleep,
            jitter=jitter,
            http_transport=http_transport,
        )

    async def complete(self, request: ChatRequest) -> ChatResponse:
        data = await self._transport.post_json("/v1/messages", self._body(request, stream=False))
        assembler = StreamAssembler(model=self._model)

        async def events() -> AsyncIterator[StreamEvent]:
            with wire_shape(self._name, data, self._transport.excerpt):
                events = self._message_events(data, assembler)
            for event in events:
                yield event

        return await collect(events(), assembler)

    def _body(self, request: ChatRequest, *, stream: bool) -> dict[str, Any]:
        system = [{"type": "text", "text": m.text} for m in request.messages if m.role == "system"]
        messages = _messages([m for m in request.messages if m.role != "system"])
        max_tokens = request.max_output_tokens or DEFAULT_MAX_TOKENS
        body: dict[str, Any] = {"model": self._model, "messages": messages}
        if system:
            body["system"] = system
        if stream:
            body["stream"] = True
        if request.tools:
            body["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": t.parameters}
                for t in request.tools
            ]
        choice = _tool_choice(request)
        if choice is not None:
            body["tool_choice"] = choice
        effort = request.reasoning_effort
        if effort is not None and effort != "off":
            budget = THINKING_BUDGET[effort]
            body["thinking"] = {"type": "enabled", "budget_tokens": budget}
            # The budget is part of max_tokens and must leave room for the answer.
            max_tokens = max(max_tokens, budget + DEFAULT_MAX_TOKENS // 2)
        elif request.temperature is not None:
            # Thinking requires the default temperature, so it is only sent without.
            body["temperature"] = request.temperature
        body["max_tokens"] = max_tokens
        if request.stop:
            body["stop_sequences"] = request.stop
        if self._caching:
            _mark_cache_breakpoints(body)
        return body

    async def _stream_deltas(
        self, request: ChatRequest, assembler: StreamAssembler
    ) -> AsyncIterator[StreamEvent]:
        state = _BlockState()
        stopped = False
        async with self._transport.open(
            "/v1/messages", self._body(request, stream=True)
        ) as response:
            async for sse in sse_events(self._transport.lines(response)):
                event = self._transport.parse_object(sse.data)
                with wire_shape(self._name, event, self._transport.excerpt):
                    outs = self._stream_event(event, assembler, state)
                for out in outs:
                    yield out
                if event.get("type") == "message_stop":
                    stopped = True
                    break
        if not stopped:
            raise self._transport.interrupted(ConnectionError("no message_stop arrived"))

    def _stream_event(
        self, event: dict[str, Any], assembler: StreamAssembler, state: _BlockState
    ) -> list[StreamEvent]:
        kind = event.get("type")
        if kind == "message_start":
            message = event.get("message") or {}
            assembler.response_id = message.get("id")
            assembler.model = message.get("model") or assembler.model
            state.usage = message.get("usage") or {}
            return [UsageReport(usage=_usage(state.usage))]
        if kind == "content_block_start":
            block = event.get("content_block") or {}
            index = event.get("index", 0)
            if block.get("type") == "tool_use":
                position = state.tool_position(index)
                return [ToolCallDelta(index=position, id=block.get("id"), name=block.get("name"))]
            if block.get("type") == "text" and block.get("text"):
                return [TextDelta(text=block["text"])]
            if block.get("type") == "thinking" and block.get("thinking"):
                return [ReasoningDelta(text=block["thinking"])]
            if block.get("type") == "redacted_thinking":
                assembler.close_reasoning(block.get("data"), redacted=True)
            return []
        if kind == "content_block_delta":
            return self._delta(event, state)
        if kind == "message_delta":
            reason = (event.get("delta") or {}).get("stop_reason")
            if reason:
                assembler.finish_reason = _FINISH.get(reason, FinishReason.STOP)
            state.usage = {**state.usage, **(event.get("usage") or {})}
            return [UsageReport(usage=_usage(state.usage))]
        if kind == "error":
            raise _stream_error(self._name, event.get("error") or {})
        return []  # ping, content_block_stop, message_stop, and future event types

    def _delta(self, event: dict[str, Any], state: _BlockState) -> list[StreamEvent]:
        delta = event.get("delta") or {}
        kind = delta.get("type")
        if kind == "text_delta":
            return [TextDelta(text=delta.get("text", ""))]
        if kind == "thinking_delta":
            return [ReasoningDelta(text=delta.get("thinking", ""))]
        if kind == "signature_delta":
            return [ReasoningDelta(signature=delta.get("signature", ""))]
        if kind == "input_json_delta":
            position = state.tool_position(event.get("index", 0))
            return [ToolCallDelta(index=position, arguments_delta=delta.get("partial_json", ""))]
        return []

    def _message_events(self, data: Any, assembler: StreamAssembler) -> list[StreamEvent]:
        if not isinstance(data, dict) or not isinstance(data.get("content"), list):
            raise MalformedResponseError(
                f"{self._name} answered without content",
                provider=self._name,
                body_excerpt=self._transport.excerpt(json.dumps(data)),
            )
        assembler.response_id = data.get("id")
        assembler.model = data.get("model") or assembler.model
        events: list[StreamEvent] = []
        tools = 0
        for block in data["content"]:
            kind = block.get("type")
            if kind == "text":
                events.append(TextDelta(text=block.get("text", "")))
            elif kind == "thinking":
                events.append(
                    ReasoningDelta(text=block.get("thinking", ""), signature=block.get("signature"))
                )
            elif kind == "redacted_thinking":
                for event in events:  # the blocks before it keep their order
                    assembler.add(event)
                events = []
                assembler.close_reasoning(block.get("data"), redacted=True)
            elif kind == "tool_use":
                events.append(
                    ToolCallDelta(
                        index=tools,
                        id=block.get("id"),
                        name=block.get("name"),
                        arguments_delta=json.dumps(block.get("input") or {}),
                    )
                )
                tools += 1
        reason = data.get("stop_reason")
        if reason:
            assembler.finish_reason = _FINISH.get(reason, FinishReason.STOP)
        events.append(UsageReport(usage=_usage(data.get("usage") or {})))
        return events


class _BlockState:
    """Per-stream bookkeeping: block index to tool position, running usage."""

    def __init__(self) -> None:
        self._tools: dict[int, int] = {}
        self.usage: dict[str, Any] = {}

    def tool_position(self, block_index: int) -> int:
        return self._tools.setdefault(block_index, len(self._tools))


def _usage(data: dict[str, Any]) -> TokenUsage:
    """Anthropic counts cached input apart; tau's prompt tokens include it."""
    read = data.get("cache_read_input_tokens") or 0
    written = data.get("cache_creation_input_tokens") or 0
    return TokenUsage(
        prompt_tokens=(data.get("input_tokens") or 0) + read + written,
        completion_tokens=data.get("output_tokens") or 0,
        cached_tokens=read,
    )


def _stream_error(name: str, error: dict[str, Any]) -> ProviderError:
    message = f"{name} reported an error mid-stream: {error.get('message', 'unknown error')}"
    if error.get("type") in ("overloaded_error", "api_error"):
        return ProviderUnavailable(message, provider=name)
    return ProviderError(message, provider=name)


def _tool_choice(request: ChatRequest) -> dict[str, Any] | None:
    choice: dict[str, Any] | None = None
    if request.tool_choice == "required":
        choice = {"type": "any"}
    elif isinstance(request.tool_choice, str):
        choice = {"type": request.tool_choice}
    elif request.tool_choice is not None:
        choice = {"type": "tool", "name": request.tool_choice.name}
    if request.parallel_tool_calls is False and request.tools:
        choice = {**(choice or {"type": "auto"}), "disable_parallel_tool_use": True}
    return choice


def _mark_cache_breakpoints(body: dict[str, Any]) -> None:
    """``cache_control`` on the system prompt, the tools and the latest message."""
    if body.get("system"):
        body["system"][-1]["cache_control"] = _CACHE
    if body.get("tools"):
        body["tools"][-1]["cache_control"] = _CACHE
    if body["messages"]:
        blocks = body["messages"][-1]["content"]
        if blocks and blocks[-1].get("type") not in ("thinking", "redacted_thinking"):
            blocks[-1]["cache_control"] = _CACHE


def _messages(messages: list[Message]) -> list[dict[str, Any]]:
    """Anthropic turns: consecutive messages of one role merge, tool results are user turns."""
    out: list[dict[str, Any]] = []
    for message in messages:
        role = "assistant" if message.role == "assistant" else "user"
        blocks = _blocks(message)
        if not blocks:
            continue
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": blocks})
    return out


def _blocks(message: Message) -> list[dict[str, Any]]:
    if message.role == "tool":
        content: list[dict[str, Any]] = [
            block for part in message.parts if (block := _part(part)) is not None
        ]
        result: dict[str, Any] = {
            "type": "tool_result",
            "tool_use_id": message.tool_call_id,
            "content": content or message.text,
        }
        if message.is_error:
            result["is_error"] = True
        return [result]
    blocks = [block for part in message.parts if (block := _part(part)) is not None]
    for call in message.tool_calls:
        blocks.append(
            {"type": "tool_use", "id": call.id, "name": call.name, "input": call.arguments}
        )
    return blocks


def _part(part: TextPart | ImagePart | ReasoningPart) -> dict[str, Any] | None:
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text} if part.text else None
    if isinstance(part, ImagePart):
        if part.url is not None:
            return {"type": "image", "source": {"type": "url", "url": part.url}}
        return {
            "type": "image",
            "source": {"type": "base64", "media_type": part.media_type, "data": part.data},
        }
    if part.redacted and part.encrypted_content:
        return {"type": "redacted_thinking", "data": part.encrypted_content}
    if part.signature is None:
        return None  # reasoning from another provider: Anthropic would reject it unsigned
    return {"type": "thinking", "thinking": part.text, "signature": part.signature}
