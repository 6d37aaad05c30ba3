"""The OpenAI Responses API (``/responses``), for models served only that way.

tau keeps the conversation itself, so requests are stateless (``store: false``)
and carry the whole history as input items: messages, ``function_call`` and
``function_call_output`` items, and ``reasoning`` items. Reasoning models keep
their chain of thought between tool calls only if the previous reasoning comes
back, so tau asks for ``reasoning.encrypted_content`` and returns each item with
that blob and without its id (with ``store: false`` the server has nothing to
look an id up in, and refuses it). The stream is SSE with typed events:
``response.output_text.delta``, ``response.reasoning_summary_text.delta``,
``response.function_call_arguments.delta``, ``response.output_item.added``/``done``
and a final ``response.completed`` (or ``incomplete``/``failed``) with usage.
The API has no stop sequences; ``ChatRequest.stop`` is not sent.
Reference: https://platform.openai.com/docs/api-reference/responses
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

_INCOMPLETE = {
    "max_output_tokens": FinishReason.LENGTH,
    "content_filter": FinishReason.CONTENT_FILTER,
}


class ResponsesProvider(HttpProvider):
    """A model behind an OpenAI Responses endpoint.

    Args:
        model: the model name, e.g. ``gpt-5``.
        base_url: e.g. ``https://api.openai.com/v1``.
        api_key: sent as a bearer token.
        headers, client, name, sleep, jitter, http_transport: as for every provider.
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str,
        api_key: str | None = None,
        headers: dict[str, str] | None = None,
        client: ClientConfig | None = None,
        name: str | None = None,
        sleep: Sleep | None = None,
        jitter: Callable[[], float] | None = None,
        http_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._model = model
        self._name = name or f"openai:{model}"
        all_headers = dict(headers or {})
        if api_key:
            all_headers["Authorization"] = f"Bearer {api_key}"
        self._transport = Transport(
            provider=self._name,
            base_url=base_url,
            headers=all_headers,
            secrets=[api_key] if api_key else [],
            client=client,
            hint_auth="set OPENAI_API_KEY or the provider's api_key to a valid key",
            sleep=sleep,
            jitter=jitter,
            http_transport=http_transport,
        )

    async def complete(self, request: ChatRequest) -> ChatResponse:
        data = await self._transport.post_json("/responses", self._body(request, stream=False))
        assembler = StreamAssembler(model=self._model)
        state = _State()

        async def events() -> AsyncIterator[StreamEvent]:
            if not isinstance(data, dict) or not isinstance(data.get("output"), list):
                raise MalformedResponseError(
                    f"{self._name} answered without output items",
                    provider=self._name,
                    body_excerpt=self._transport.excerpt(json.dumps(data)),
                )
            for index, item in enumerate(data["output"]):
                if not isinstance(item, dict):
                    raise MalformedResponseError(
                        f"{self._name} answered with an output item that is not an object",
                        provider=self._name,
                        body_excerpt=self._transport.excerpt(json.dumps(item)),
                    )
                if item.get("type") == "reasoning":
                    summary = "".join(s.get("text", "") for s in item.get("summary") or [])
                    if summary:
                        yield ReasoningDelta(text=summary)  # added before the block closes
                    assembler.close_reasoning(item.get("encrypted_content"))
                with wire_shape(self._name, item, self._transport.excerpt):
                    events = _item_events(index, item, state)
                for event in events:
                    yield event
            for event in self._finished(data, assembler, state):
                yield event

        return await collect(events(), assembler)

    def _body(self, request: ChatRequest, *, stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self._model,
            "input": _input(request.messages),
            "store": False,
        }
        if stream:
            body["stream"] = True
        if request.tools:
            body["tools"] = [
                {
                    "type": "function",
                    "name": t.name,
                    "description": t.description,
                    "parameters": t.parameters,
                }
                for t in request.tools
            ]
            if request.parallel_tool_calls is not None:
                body["parallel_tool_calls"] = request.parallel_tool_calls
        if request.tool_choice is not None:
            body["tool_choice"] = (
                request.tool_choice
                if isinstance(request.tool_choice, str)
                else {"type": "function", "name": request.tool_choice.name}
            )
        effort = request.reasoning_effort
        if effort is not None and effort != "off":
            body["reasoning"] = {"effort": effort, "summary": "auto"}
            body["include"] = ["reasoning.encrypted_content"]
        elif request.temperature is not None:
            body["temperature"] = request.temperature
        if request.max_output_tokens is not None:
            body["max_output_tokens"] = request.max_output_tokens
        return body

    async def _stream_deltas(
        self, request: ChatRequest, assembler: StreamAssembler
    ) -> AsyncIterator[StreamEvent]:
        state = _State()
        finished = False
        async with self._transport.open("/responses", self._body(request, stream=True)) as response:
            async for sse in sse_events(self._transport.lines(response)):
                event = self._transport.parse_object(sse.data)
                with wire_shape(self._name, event, self._transport.excerpt):
                    outs = self._event(event, assembler, state)
                for out in outs:
                    yield out
                if event.get("type") in ("response.completed", "response.incomplete"):
                    finished = True
                    break
        if not finished:
            raise self._transport.interrupted(ConnectionError("no response.completed arrived"))

    def _event(
        self, event: dict[str, Any], assembler: StreamAssembler, state: _State
    ) -> list[StreamEvent]:
        kind = event.get("type", "")
        if kind == "response.created":
            response = event.get("response") or {}
            assembler.response_id = response.get("id")
            assembler.model = response.get("model") or assembler.model
            return []
        if kind == "response.output_text.delta":
            return [TextDelta(text=event.get("delta", ""))]
        if kind in ("response.reasoning_summary_text.delta", "response.reasoning_text.delta"):
            return [ReasoningDelta(text=event.get("delta", ""))]
        if kind == "response.output_item.added":
            item = event.get("item") or {}
            if item.get("type") == "function_call":
                position = state.position(event.get("output_index", 0))
                return [
                    ToolCallDelta(index=position, id=item.get("call_id"), name=item.get("name"))
                ]
            return []
        if kind == "response.function_call_arguments.delta":
            position = state.position(event.get("output_index", 0))
            return [ToolCallDelta(index=position, arguments_delta=event.get("delta", ""))]
        if kind == "response.output_item.done":
            item = event.get("item") or {}
            if item.get("type") == "reasoning":
                assembler.close_reasoning(item.get("encrypted_content"))
            return []
        if kind in ("response.completed", "response.incomplete"):
            return self._finished(event.get("response") or {}, assembler, state)
        if kind == "response.failed":
            error = (event.get("response") or {}).get("error") or {}
            raise _failure(self._name, error)
        if kind == "error":
            raise _failure(self._name, event)
        return []

    def _finished(
        self, response: dict[str, Any], assembler: StreamAssembler, state: _State
    ) -> list[StreamEvent]:
        if response.get("status") == "incomplete":
            reason = (response.get("incomplete_details") or {}).get("reason")
            assembler.finish_reason = _INCOMPLETE.get(reason or "", FinishReason.LENGTH)
        elif state.calls:
            assembler.finish_reason = FinishReason.TOOL_CALLS
        if response.get("id"):
            assembler.response_id = response["id"]
        usage = response.get("usage")
        return [UsageReport(usage=_usage(usage))] if usage else []


class _State:
    """Output index to tool-call position, for one answer."""

    def __init__(self) -> None:
        self._positions: dict[int, int] = {}

    @property
    def calls(self) -> int:
        return len(self._positions)

    def position(self, output_index: int) -> int:
        return self._positions.setdefault(output_index, len(self._positions))


def _item_events(index: int, item: dict[str, Any], state: _State) -> list[StreamEvent]:
    """A finished message or function call (non-streaming) as the stream gives it."""
    kind = item.get("type")
    if kind == "message":
        return [
            TextDelta(text=part.get("text", ""))
            for part in item.get("content") or []
            if part.get("type") == "output_text"
        ]
    if kind == "function_call":
        return [
            ToolCallDelta(
                index=state.position(index),
                id=item.get("call_id"),
                name=item.get("name"),
                arguments_delta=item.get("arguments", ""),
            )
        ]
    return []


def _failure(name: str, error: dict[str, Any]) -> ProviderError:
    message = f"{name} reported a failure: {error.get('message', 'unknown error')}"
    if error.get("code") in ("server_error", "rate_limit_exceeded"):
        return ProviderUnavailable(message, provider=name)
    return ProviderError(message, provider=name)


def _usage(data: dict[str, Any]) -> TokenUsage:
    return TokenUsage(
        prompt_tokens=data.get("input_tokens") or 0,
        completion_tokens=data.get("output_tokens") or 0,
        cached_tokens=(data.get("input_tokens_details") or {}).get("cached_tokens") or 0,
        reasoning_tokens=(data.get("output_tokens_details") or {}).get("reasoning_tokens") or 0,
    )


def _input(messages: list[Message]) -> list[dict[str, Any]]:
    """The history as input items; images from tools follow their results as a user turn."""
    items: list[dict[str, Any]] = []
    tool_images: list[dict[str, Any]] = []
    for message in messages:
        if message.role != "tool" and tool_images:
            items.append(_tool_images(tool_images))
            tool_images = []
        if message.role == "tool":
            items.append(
                {
                    "type": "function_call_output",
                    "call_id": message.tool_call_id,
                    "output": message.text,
                }
            )
            tool_images += [_image(p) for p in message.parts if isinstance(p, ImagePart)]
            continue
        if message.role == "assistant":
            for part in message.parts:
                if isinstance(part, ReasoningPart) and part.encrypted_content:
                    summary = [{"type": "summary_text", "text": part.text}] if part.text else []
                    items.append(
                        {
                            "type": "reasoning",
                            "summary": summary,
                            "encrypted_content": part.encrypted_content,
                        }
                    )
            if message.text:
                items.append({"role": "assistant", "content": message.text})
            items.extend(
                {
                    "type": "function_call",
                    "call_id": call.id,
                    "name": call.name,
                    "arguments": call.raw_arguments or json.dumps(call.arguments),
                }
                for call in message.tool_calls
            )
            continue
        parts: list[dict[str, Any]] = []
        for part in message.parts:
            if isinstance(part, TextPart):
                parts.append({"type": "input_text", "text": part.text})
            elif isinstance(part, ImagePart):
                parts.append(_image(part))
        items.append({"role": message.role, "content": parts})
    if tool_images:
        items.append(_tool_images(tool_images))
    return items


def _tool_images(images: list[dict[str, Any]]) -> dict[str, Any]:
    note = {"type": "input_text", "text": "Images returned by the tool calls above:"}
    return {"role": "user", "content": [note, *images]}


def _image(part: ImagePart) -> dict[str, Any]:
    url = part.url or f"data:{part.media_type};base64,{part.data}"
    return {"type": "input_image", "image_url": url}
