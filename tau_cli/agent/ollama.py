"""Ollama's native ``/api/chat``: NDJSON streaming, tools, thinking, a sized context.

The native API rather than Ollama's OpenAI-compatible one, because only it takes
``options.num_ctx`` (Ollama otherwise runs every model with a small default
window and silently drops the start of long conversations), ``think`` and
``keep_alive``. Each streamed line is one JSON object; text arrives in
``message.content``, reasoning in ``message.thinking``, tool calls whole in
``message.tool_calls`` with arguments as objects, and the last line has
``done: true`` with ``done_reason`` and token counts (``prompt_eval_count``,
``eval_count``).
Reference: https://github.com/ollama/ollama/blob/main/docs/api.md
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import httpx

from tau_cli.agent._http_provider import HttpProvider, function_tools
from tau_cli.agent._streaming import collect, wire_shape
from tau_cli.agent._transport import Sleep, Transport
from tau_cli.agent.addresses import OLLAMA_DEFAULT_URL
from tau_cli.agent.assembler import StreamAssembler
from tau_cli.agent.models import ServedModel
from tau_cli.agent.request import ChatRequest
from tau_cli.core import (
    ChatResponse,
    ClientConfig,
    EmbeddingsResponse,
    FinishReason,
    ImagePart,
    MalformedResponseError,
    Message,
    ProviderError,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    TokenUsage,
    ToolCallDelta,
    UsageReport,
)


class OllamaProvider(HttpProvider):
    """A model served by Ollama.

    Args:
        model: the Ollama model tag, e.g. ``qwen3:8b``.
        base_url: the server, ``http://127.0.0.1:11434`` by default.
        context_window: sent as ``options.num_ctx`` so Ollama does not truncate.
        keep_alive: how long Ollama keeps the model loaded (e.g. ``"30m"``).
        headers, client, name, sleep, jitter, http_transport: as for every provider.
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str = OLLAMA_DEFAULT_URL,
        context_window: int | None = None,
        keep_alive: str | None = None,
        headers: dict[str, str] | None = None,
        client: ClientConfig | None = None,
        name: str | None = None,
        sleep: Sleep | None = None,
        jitter: Callable[[], float] | None = None,
        http_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._model = model
        self._name = name or f"ollama:{model}"
        self._context_window = context_window
        self._keep_alive = keep_alive
        self._transport = Transport(
            provider=self._name,
            base_url=base_url,
            headers=dict(headers or {}),
            client=client,
            hint_connect=f"is `ollama serve` running at {base_url}?",
            sleep=sleep,
            jitter=jitter,
            http_transport=http_transport,
        )

    async def complete(self, request: ChatRequest) -> ChatResponse:
        data = await self._transport.post_json("/api/chat", self._body(request, stream=False))
        assembler = StreamAssembler(model=self._model)
        counter = _CallCounter()

        async def events() -> AsyncIterator[StreamEvent]:
            with wire_shape(self._name, data, self._transport.excerpt):
                events = self._line_events(data, assembler, counter)
            for event in events:
                yield event

        return await collect(events(), assembler)

    async def list_models(self) -> list[ServedModel]:
        """The pulled models, each with the context length and abilities it reports."""
        tags = await self._transport.get_json("/api/tags")
        with wire_shape(self._name, tags, self._transport.excerpt):
            names = [m.get("name") or m.get("model") for m in tags.get("models") or []]
        return [await self._show(name) for name in names if isinstance(name, str)]

    async def _show(self, name: str) -> ServedModel:
        info = await self._transport.post_json("/api/show", {"model": name})
        with wire_shape(self._name, info, self._transport.excerpt):
            model_info = info.get("model_info") or {}
            architecture = model_info.get("general.architecture")
            context = model_info.get(f"{architecture}.context_length")
            return ServedModel(
                name=name,
                context_window=context if isinstance(context, int) else None,
                capabilities=[c for c in info.get("capabilities") or [] if isinstance(c, str)],
            )

    async def embed(self, texts: Sequence[str]) -> EmbeddingsResponse:
        """``/api/embed``: one vector per text, in input order."""
        body: dict[str, Any] = {"model": self._model, "input": list(texts)}
        if self._keep_alive is not None:
            body["keep_alive"] = self._keep_alive
        data = await self._transport.post_json("/api/embed", body)
        with wire_shape(self._name, data, self._transport.excerpt):
            return EmbeddingsResponse(
                vectors=[[float(x) for x in vector] for vector in data["embeddings"]],
                model=data.get("model") or self._model,
                usage=TokenUsage(prompt_tokens=data.get("prompt_eval_count") or 0),
            )

    def _body(self, request: ChatRequest, *, stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self._model,
            "messages": [self._message(m) for m in request.messages],
            "stream": stream,
        }
        if request.tools and request.tool_choice != "none":
            body["tools"] = function_tools(request.tools)
        if request.reasoning_effort is not None:
            body["think"] = request.reasoning_effort != "off"
        if self._keep_alive is not None:
            body["keep_alive"] = self._keep_alive
        options: dict[str, Any] = {}
        if self._context_window is not None:
            options["num_ctx"] = self._context_window
        if request.temperature is not None:
            options["temperature"] = request.temperature
        if request.max_output_tokens is not None:
            options["num_predict"] = request.max_output_tokens
        if request.stop:
            options["stop"] = request.stop
        if options:
            body["options"] = options
        return body

    async def _stream_deltas(
        self, request: ChatRequest, assembler: StreamAssembler
    ) -> AsyncIterator[StreamEvent]:
        counter = _CallCounter()
        done = False
        async with self._transport.open("/api/chat", self._body(request, stream=True)) as response:
            async for line in self._transport.lines(response):
                if not line.strip():
                    continue
                data = self._transport.parse_object(line, "a line")
                with wire_shape(self._name, data, self._transport.excerpt):
                    events = self._line_events(data, assembler, counter)
                for event in events:
                    yield event
                if data.get("done"):
                    done = True
                    break
        if not done:
            raise self._transport.interrupted(ConnectionError("the stream ended before done"))

    def _line_events(
        self, data: Any, assembler: StreamAssembler, counter: _CallCounter
    ) -> list[StreamEvent]:
        if not isinstance(data, dict):
            raise MalformedResponseError(f"{self._name} answered with something not an object")
        if data.get("error"):
            raise ProviderError(
                f"{self._name} reported an error: {data['error']}",
                provider=self._name,
                body_excerpt=self._transport.excerpt(str(data["error"])),
            )
        if data.get("model"):
            assembler.model = data["model"]
        message = data.get("message") or {}
        events: list[StreamEvent] = []
        if message.get("thinking"):
            events.append(ReasoningDelta(text=message["thinking"]))
        if message.get("content"):
            events.append(TextDelta(text=message["content"]))
        for call in message.get("tool_calls") or []:
            function = call.get("function") or {}
            arguments = function.get("arguments", {})
            raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
            index = counter.next()
            events.append(
                ToolCallDelta(
                    index=index,
                    id=call.get("id") or f"call_{index}",
                    name=function.get("name", ""),
                    arguments_delta=raw,
                )
            )
        if data.get("done"):
            if data.get("done_reason") == "length":
                assembler.finish_reason = FinishReason.LENGTH
            events.append(
                UsageReport(
                    usage=TokenUsage(
                        prompt_tokens=data.get("prompt_eval_count") or 0,
                        completion_tokens=data.get("eval_count") or 0,
                    )
                )
            )
        return events

    def _message(self, message: Message) -> dict[str, Any]:
        out: dict[str, Any] = {"role": message.role, "content": message.text}
        images = [p for p in message.parts if isinstance(p, ImagePart)]
        if any(image.data is None for image in images):
            raise ProviderError(
                f"{self._name}: Ollama takes images inline only, and this one is a URL; "
                "attach the image file itself instead",
                provider=self._name,
            )
        if images:
            out["images"] = [image.data for image in images]
        if message.role == "assistant":
            if message.reasoning:
                out["thinking"] = message.reasoning
            if message.tool_calls:
                out["tool_calls"] = [
                    {"id": call.id, "function": {"name": call.name, "arguments": call.arguments}}
                    for call in message.tool_calls
                ]
        if message.role == "tool":
            out["tool_name"] = message.name
            out["tool_call_id"] = message.tool_call_id
        return out


class _CallCounter:
    """Ollama sends each tool call whole; this numbers them across lines."""

    def __init__(self) -> None:
        self._count = 0

    def next(self) -> int:
        self._count += 1
        return self._count - 1
