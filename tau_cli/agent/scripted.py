"""``scripted:PATH``: a model that plays a script, in process, without HTTP.

For reproducible demos and for runtime tests that care about the loop, not the
transport. It is exactly as strict as the scripted HTTP server (tool calls must be
answered, ``expect`` clauses hold, the context window is enforced) and records
every request it is sent, so tests assert on what the loop really asked.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path

from tau_cli.agent._streaming import collect, finish_stream
from tau_cli.agent.assembler import StreamAssembler
from tau_cli.agent.errors import StreamInterrupted, error_for_status
from tau_cli.agent.models import ServedModel
from tau_cli.agent.request import ChatRequest
from tau_cli.agent.script import (
    Script,
    Turn,
    check_request,
    estimate_tokens,
    script_path,
    scripted_vector,
    seen_messages,
)
from tau_cli.core import (
    ChatResponse,
    ContextLengthError,
    EmbeddingsResponse,
    EstimatingTokenCounter,
    ProviderError,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    TokenUsage,
    ToolCallDelta,
    UsageReport,
)

Sleep = Callable[[float], Awaitable[None]]


class ScriptedProvider:
    """Plays ``script`` one turn per request.

    Args:
        script: the turns to play, or the path of a YAML/JSON script file.
        sleep: how to wait for ``delay`` and pacing; tests pass a recording no-op.
    """

    def __init__(self, script: Script | str | Path, *, sleep: Sleep = asyncio.sleep) -> None:
        if isinstance(script, Script):
            self._script = script
            self._name = "scripted:<script>"
        else:
            self._script = Script.load(script_path(script))
            self._name = f"scripted:{script}"
        self._sleep = sleep
        self._next = 0
        self.requests: list[ChatRequest] = []
        """Every request received, in order."""

    @property
    def name(self) -> str:
        return self._name

    @property
    def turns_left(self) -> int:
        return len(self._script.turns) - self._next

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        assembler = StreamAssembler(model=self._name)
        return finish_stream(self._play(request, assembler), assembler)

    async def complete(self, request: ChatRequest) -> ChatResponse:
        assembler = StreamAssembler(model=self._name)
        return await collect(self._play(request, assembler), assembler)

    async def aclose(self) -> None:
        """Nothing to release; present so the provider is used like any other."""

    async def list_models(self) -> list[ServedModel]:
        """The script's ``models``, or this script as the one model."""
        models = self._script.models
        if not models:
            return [ServedModel(name=self._name, context_window=self._script.context_window)]
        return [
            ServedModel(name=m.name, context_window=m.context_window, capabilities=m.capabilities)
            for m in models
        ]

    async def embed(self, texts: Sequence[str]) -> EmbeddingsResponse:
        """Stable stand-in vectors; embeddings do not consume script turns."""
        counter = EstimatingTokenCounter()
        return EmbeddingsResponse(
            vectors=[scripted_vector(text) for text in texts],
            model=self._name,
            usage=TokenUsage(prompt_tokens=sum(counter.count_text(t) for t in texts)),
        )

    async def _play(
        self, request: ChatRequest, assembler: StreamAssembler
    ) -> AsyncIterator[StreamEvent]:
        self.requests.append(request)
        index, turn = self._take_turn()
        messages = seen_messages(request.messages)
        violation = check_request(
            self._script, turn, messages, [tool.name for tool in request.tools]
        )
        if violation is not None:
            kind = ContextLengthError if violation.kind == "context_length" else ProviderError
            raise kind(f"{self._name} refused the request: {violation.message}", status=400)
        if turn.delay:
            await self._sleep(turn.delay.total_seconds())
        if turn.error is not None:
            raise error_for_status(
                turn.error.status,
                turn.error.message,
                provider=self._name,
                retry_after=_retry_after(turn.error.headers),
            )
        assembler.finish_reason = turn.finish_reason
        for sent, event in enumerate(_events(index, turn)):
            if turn.cut_after is not None and sent >= turn.cut_after:
                raise StreamInterrupted(f"{self._name}: the stream was cut (scripted)")
            if isinstance(event, TextDelta) and sent and turn.chunk_pause():
                await self._sleep(turn.chunk_pause())
            yield event
        yield UsageReport(usage=turn.usage_for(estimate_tokens(messages)))

    def _take_turn(self) -> tuple[int, Turn]:
        if self._next >= len(self._script.turns):
            raise ProviderError(
                f"{self._name}: the script has no turn left for request "
                f"{self._next + 1} (it has {len(self._script.turns)})",
                status=400,
            )
        index = self._next
        self._next += 1
        return index, self._script.turns[index]


def _events(index: int, turn: Turn) -> list[StreamEvent]:
    events: list[StreamEvent] = []
    if turn.reasoning:
        events.append(ReasoningDelta(text=turn.reasoning, signature=turn.reasoning_signature))
    events.extend(TextDelta(text=chunk) for chunk in turn.text_chunks())
    for position, call in enumerate(turn.tool_calls):
        events.append(
            ToolCallDelta(
                index=position,
                id=turn.call_id(index, position),
                name=call.name,
                arguments_delta=call.raw_arguments,
            )
        )
    return events


def _retry_after(headers: dict[str, str]) -> float | None:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return float(value)
            except ValueError:
                return None
    return None
