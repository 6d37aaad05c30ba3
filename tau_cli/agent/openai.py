"""OpenAI-compatible chat completions: OpenAI, Azure OpenAI, vLLM, llama.cpp, LM Studio…

One code path serves every server that speaks ``/chat/completions``; Azure differs
only in where the request goes (a deployment URL with ``api-version``) and how it
authenticates (an ``api-key`` header), which ``AzureDeployment`` captures.

Streaming follows the API reference: ``chat.completion.chunk`` events whose
``delta`` carries text, reasoning (``reasoning_content`` or ``reasoning``, as
vLLM, DeepSeek and OpenRouter send it) and tool-call fragments keyed by index, a
final chunk with the finish reason, a usage chunk (asked for with
``stream_options.include_usage``) and ``data: [DONE]``. Azure's first chunk may
carry only ``prompt_filter_results`` and no choices; such chunks are skipped.
Reasoning wrapped in ``<think>`` tags at the start of the text is split out.
Reference: https://platform.openai.com/docs/api-reference/chat
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from tau_cli.agent._http_provider import HttpProvider, function_tools
from tau_cli.agent._sse import sse_events
from tau_cli.agent._streaming import collect, wire_shape
from tau_cli.agent._think import ThinkSplitter
from tau_cli.agent._transport import Sleep, Transport, Upload
from tau_cli.agent.assembler import StreamAssembler
from tau_cli.agent.models import ServedModel
from tau_cli.agent.request import ChatRequest
from tau_cli.core import (
    AudioResponse,
    ChatResponse,
    ClientConfig,
    EmbeddingsResponse,
    FinishReason,
    ImagePart,
    MalformedResponseError,
    Message,
    ReasoningDelta,
    StreamEvent,
    TextPart,
    TokenUsage,
    ToolCallDelta,
    TranscriptSegment,
    UsageReport,
)

_FINISH = {
    "stop": FinishReason.STOP,
    "length": FinishReason.LENGTH,
    "tool_calls": FinishReason.TOOL_CALLS,
    "function_call": FinishReason.TOOL_CALLS,
    "content_filter": FinishReason.CONTENT_FILTER,
}


@dataclass(frozen=True)
class AzureDeployment:
    """Where an Azure OpenAI deployment lives: ``{endpoint}/openai/deployments/{name}``."""

    deployment: str
    api_version: str


class OpenAIProvider(HttpProvider):
    """A chat model behind an OpenAI-compatible ``/chat/completions`` endpoint.

    Args:
        model: the model name sent in requests (for Azure, the deployment name).
        base_url: e.g. ``https://api.openai.com/v1``; for Azure, the resource endpoint.
        api_key: sent as a bearer token (Azure: the ``api-key`` header); None sends none.
        bearer_token: for Azure with Microsoft Entra ID, a token sent as
            ``Authorization: Bearer`` instead of an ``api-key``.
        azure: set to talk to an Azure OpenAI deployment.
        headers: extra headers for every request.
        client: timeouts and retries.
        name: how errors name this provider; defaults to ``openai:MODEL``.
        sleep, jitter, http_transport: seams for tests (see ``Transport``).
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str,
        api_key: str | None = None,
        bearer_token: str | None = None,
        azure: AzureDeployment | None = None,
        headers: dict[str, str] | None = None,
        client: ClientConfig | None = None,
        name: str | None = None,
        sleep: Sleep | None = None,
        jitter: Callable[[], float] | None = None,
        http_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._model = model
        self._azure = azure
        self._name = name or f"{'azure' if azure else 'openai'}:{model}"
        all_headers = dict(headers or {})
        if api_key:
            if azure is not None:
                all_headers["api-key"] = api_key
            else:
                all_headers["Authorization"] = f"Bearer {api_key}"
        if bearer_token:
            all_headers["Authorization"] = f"Bearer {bearer_token}"
        hint = "set AZURE_OPENAI_API_KEY" if azure else "set OPENAI_API_KEY"
        self._transport = Transport(
            provider=self._name,
            base_url=base_url,
            headers=all_headers,
            secrets=[s for s in (api_key, bearer_token) if s],
            client=client,
            hint_auth=f"{hint} or the provider's api_key to a valid key",
            sleep=sleep,
            jitter=jitter,
            http_transport=http_transport,
        )

    async def complete(self, request: ChatRequest) -> ChatResponse:
        path, params = self._route()
        data = await self._transport.post_json(
            path, self._body(request, stream=False), params=params
        )
        assembler = StreamAssembler(model=self._model)

        async def events() -> AsyncIterator[StreamEvent]:
            with wire_shape(self._name, data, self._transport.excerpt):
                events = self._answer_events(data, assembler)
            for event in events:
                yield event

        return await collect(events(), assembler)

    async def list_models(self) -> list[ServedModel]:
        """The ids ``/models`` lists, with vLLM's ``max_model_len`` where given.

        Azure lists what the resource could deploy, not its deployments, so it is
        not asked; its deployment is the one model.
        """
        if self._azure is not None:
            return [ServedModel(name=self._azure.deployment)]
        data = await self._transport.get_json("/models")
        with wire_shape(self._name, data, self._transport.excerpt):
            return [
                ServedModel(
                    name=item["id"],
                    context_window=item.get("max_model_len")
                    if isinstance(item.get("max_model_len"), int)
                    else None,
                )
                for item in data.get("data") or []
                if isinstance(item, dict) and isinstance(item.get("id"), str)
            ]

    async def embed(self, texts: Sequence[str]) -> EmbeddingsResponse:
        """``/embeddings``: one vector per text, in input order."""
        body: dict[str, Any] = {"input": list(texts)}
        if self._azure is None:
            body["model"] = self._model
        path, params = self._route("embeddings")
        data = await self._transport.post_json(path, body, params=params)
        with wire_shape(self._name, data, self._transport.excerpt):
            items = sorted(data["data"], key=lambda item: item["index"])
            usage = data.get("usage") or {}
            return EmbeddingsResponse(
                vectors=[[float(x) for x in item["embedding"]] for item in items],
                model=data.get("model") or self._model,
                usage=TokenUsage(prompt_tokens=usage.get("prompt_tokens") or 0),
            )

    async def transcribe(
        self,
        audio: bytes,
        *,
        filename: str = "audio.wav",
        media_type: str = "audio/wav",
        language: str | None = None,
    ) -> AudioResponse:
        """``/audio/transcriptions``, asking for segments (``verbose_json``)."""
        fields = {"model": self._model, "response_format": "verbose_json"}
        if language:
            fields["language"] = language
        upload = Upload(fields=fields, files={"file": (filename, audio, media_type)})
        path, params = self._route("audio/transcriptions")
        data = await self._transport.post_json(path, upload, params=params)
        with wire_shape(self._name, data, self._transport.excerpt):
            return AudioResponse(
                text=data["text"],
                language=data.get("language"),
                duration_seconds=data.get("duration"),
                segments=[
                    TranscriptSegment(start=seg["start"], end=seg["end"], text=seg["text"])
                    for seg in data.get("segments") or []
                ],
                model=self._model,
            )

    def _route(self, operation: str = "chat/completions") -> tuple[str, dict[str, str] | None]:
        if self._azure is None:
            return f"/{operation}", None
        return (
            f"/openai/deployments/{self._azure.deployment}/{operation}",
            {"api-version": self._azure.api_version},
        )

    def _body(self, request: ChatRequest, *, stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = {"messages": _messages(request.messages)}
        if self._azure is None:
            body["model"] = self._model
        if stream:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
        if request.tools:
            body["tools"] = function_tools(request.tools)
            if request.parallel_tool_calls is not None:
                body["parallel_tool_calls"] = request.parallel_tool_calls
        if request.tool_choice is not None:
            body["tool_choice"] = (
                request.tool_choice
                if isinstance(request.tool_choice, str)
                else {"type": "function", "function": {"name": request.tool_choice.name}}
            )
        if request.temperature is not None:
            body["temperature"] = request.temperature
        reasoning = request.reasoning_effort not in (None, "off")
        if reasoning:
            body["reasoning_effort"] = request.reasoning_effort
        if request.max_output_tokens is not None:
            # Reasoning models refuse max_tokens; other servers may not know the new name.
            key = "max_completion_tokens" if reasoning else "max_tokens"
            body[key] = request.max_output_tokens
        if request.stop:
            body["stop"] = request.stop
        return body

    async def _stream_deltas(
        self, request: ChatRequest, assembler: StreamAssembler
    ) -> AsyncIterator[StreamEvent]:
        path, params = self._route()
        splitter = ThinkSplitter()
        done = False
        async with self._transport.open(
            path, self._body(request, stream=True), params=params
        ) as response:
            async for sse in sse_events(self._transport.lines(response)):
                if sse.data.strip() == "[DONE]":
                    done = True
                    break
                chunk = self._transport.parse_object(sse.data)
                with wire_shape(self._name, chunk, self._transport.excerpt):
                    events = self._chunk_events(chunk, assembler, splitter)
                for event in events:
                    yield event
        for event in splitter.flush():
            yield event
        if not done and assembler.finish_reason is None:
            raise self._transport.interrupted(ConnectionError("the stream ended early"))

    def _chunk_events(
        self, chunk: dict[str, Any], assembler: StreamAssembler, splitter: ThinkSplitter
    ) -> list[StreamEvent]:
        if chunk.get("error"):
            message = chunk["error"].get("message", "an error arrived mid-stream")
            raise MalformedResponseError(
                f"{self._name} reported an error mid-stream: {message}",
                provider=self._name,
                body_excerpt=self._transport.excerpt(json.dumps(chunk)),
            )
        _note_identity(chunk, assembler)
        events: list[StreamEvent] = []
        for choice in chunk.get("choices") or []:
            if choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            reasoning = delta.get("reasoning_content") or delta.get("reasoning")
            if isinstance(reasoning, str) and reasoning:
                events.append(ReasoningDelta(text=reasoning))
            if delta.get("content"):
                events.extend(splitter.feed(delta["content"]))
            for call in delta.get("tool_calls") or []:
                function = call.get("function") or {}
                events.append(
                    ToolCallDelta(
                        index=call.get("index", 0),
                        id=call.get("id"),
                        name=function.get("name"),
                        arguments_delta=function.get("arguments") or "",
                    )
                )
            if choice.get("finish_reason"):
                assembler.finish_reason = _FINISH.get(choice["finish_reason"], FinishReason.STOP)
        if chunk.get("usage"):
            events.append(UsageReport(usage=_usage(chunk["usage"])))
        return events

    def _answer_events(self, data: Any, assembler: StreamAssembler) -> list[StreamEvent]:
        """A non-streaming ``chat.completion`` as the events a stream would have given."""
        if not isinstance(data, dict) or not data.get("choices"):
            raise MalformedResponseError(
                f"{self._name} answered without choices",
                provider=self._name,
                body_excerpt=self._transport.excerpt(json.dumps(data)),
            )
        _note_identity(data, assembler)
        choice = data["choices"][0]
        message = choice.get("message") or {}
        events: list[StreamEvent] = []
        reasoning = message.get("reasoning_content") or message.get("reasoning")
        if isinstance(reasoning, str) and reasoning:
            events.append(ReasoningDelta(text=reasoning))
        if message.get("content"):
            splitter = ThinkSplitter()
            events += splitter.feed(message["content"]) + splitter.flush()
        for index, call in enumerate(message.get("tool_calls") or []):
            function = call.get("function") or {}
            events.append(
                ToolCallDelta(
                    index=index,
                    id=call.get("id"),
                    name=function.get("name"),
                    arguments_delta=function.get("arguments") or "",
                )
            )
        if choice.get("finish_reason"):
            assembler.finish_reason = _FINISH.get(choice["finish_reason"], FinishReason.STOP)
        if data.get("usage"):
            events.append(UsageReport(usage=_usage(data["usage"])))
        return events


def _note_identity(chunk: dict[str, Any], assembler: StreamAssembler) -> None:
    if chunk.get("id"):
        assembler.response_id = chunk["id"]
    if chunk.get("model"):
        assembler.model = chunk["model"]


def _usage(data: dict[str, Any]) -> TokenUsage:
    prompt_details = data.get("prompt_tokens_details") or {}
    completion_details = data.get("completion_tokens_details") or {}
    return TokenUsage(
        prompt_tokens=data.get("prompt_tokens") or 0,
        completion_tokens=data.get("completion_tokens") or 0,
        cached_tokens=prompt_details.get("cached_tokens") or 0,
        reasoning_tokens=completion_details.get("reasoning_tokens") or 0,
    )


def _messages(messages: list[Message]) -> list[dict[str, Any]]:
    """The history in chat-completions shape.

    Tool messages take text only, so images a tool returned (a screenshot, a
    plotted chart) follow the run of tool results as one user message; putting
    them between the results would break the call/result pairing the API checks.
    """
    out: list[dict[str, Any]] = []
    pending_images: list[dict[str, Any]] = []
    for message in messages:
        if message.role != "tool" and pending_images:
            out.append(_tool_images(pending_images))
            pending_images = []
        out.append(_message(message))
        if message.role == "tool":
            pending_images += [
                _image(part) for part in message.parts if isinstance(part, ImagePart)
            ]
    if pending_images:
        out.append(_tool_images(pending_images))
    return out


def _tool_images(images: list[dict[str, Any]]) -> dict[str, Any]:
    note = {"type": "text", "text": "Images returned by the tool calls above:"}
    return {"role": "user", "content": [note, *images]}


def _image(part: ImagePart) -> dict[str, Any]:
    url = part.url or f"data:{part.media_type};base64,{part.data}"
    return {"type": "image_url", "image_url": {"url": url}}


def _message(message: Message) -> dict[str, Any]:
    """One core message in the chat-completions shape.

    Reasoning parts are not sent back: chat completions has no field for them and
    some servers (DeepSeek) reject requests that carry them.
    """
    if message.role == "tool":
        return {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.text}
    if message.role == "assistant":
        out: dict[str, Any] = {"role": "assistant", "content": message.text or None}
        if message.tool_calls:
            out["tool_calls"] = [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {
                        "name": call.name,
                        "arguments": call.raw_arguments or json.dumps(call.arguments),
                    },
                }
                for call in message.tool_calls
            ]
        return out
    images = [p for p in message.parts if isinstance(p, ImagePart)]
    if not images:
        return {"role": message.role, "content": message.text}
    parts: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, TextPart):
            parts.append({"type": "text", "text": part.text})
        elif isinstance(part, ImagePart):
            parts.append(_image(part))
    return {"role": message.role, "content": parts}
