"""Turning a stream of deltas into the one answer the history keeps.

Every provider streams differently but ends the same way: text pieces, reasoning
pieces (with a signature some providers need back), and tool calls whose argument
text arrives in fragments keyed by index, sometimes several calls interleaved. The
assembler folds core's stream events into a ``ChatResponse``; a tool call whose
joined arguments are not valid JSON is repaired when only one reading is possible
(see ``repair``), and otherwise becomes a call with ``parse_error`` set so the
model is told, and the turn goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tau_cli.agent.repair import parse_tool_call
from tau_cli.core import (
    ChatResponse,
    ContentPart,
    FinishReason,
    Message,
    ReasoningDelta,
    ReasoningPart,
    StreamEvent,
    TextDelta,
    TextPart,
    TokenUsage,
    ToolCall,
    ToolCallDelta,
    UsageReport,
)


@dataclass
class _PendingCall:
    id: str | None = None
    name: str = ""
    pieces: list[str] = field(default_factory=list)


@dataclass
class _Reasoning:
    pieces: list[str] = field(default_factory=list)
    signature: str | None = None
    encrypted_content: str | None = None
    redacted: bool = False
    closed: bool = False


class StreamAssembler:
    """Collects deltas; ``response()`` gives the assembled answer at any point.

    Providers set ``finish_reason``, ``model`` and ``response_id`` as their wire
    format reveals them; the rest comes from the events passed to ``add``.
    """

    def __init__(self, model: str = "") -> None:
        self.model = model
        self.response_id: str | None = None
        self.finish_reason: FinishReason | None = None
        self.usage = TokenUsage()
        self._text: list[str] = []
        self._reasoning: list[_Reasoning] = []
        self._calls: dict[int, _PendingCall] = {}

    def add(self, event: StreamEvent) -> None:
        if isinstance(event, TextDelta):
            self._text.append(event.text)
        elif isinstance(event, ReasoningDelta):
            self._add_reasoning(event)
        elif isinstance(event, ToolCallDelta):
            call = self._calls.setdefault(event.index, _PendingCall())
            if event.id:
                call.id = event.id
            if event.name:
                call.name += event.name
            call.pieces.append(event.arguments_delta)
        elif isinstance(event, UsageReport):
            # Providers report cumulative figures, so the latest report wins.
            self.usage = event.usage

    def _add_reasoning(self, event: ReasoningDelta) -> None:
        # A signature closes a reasoning block; text after it starts the next one.
        if not self._reasoning or self._reasoning[-1].closed:
            self._reasoning.append(_Reasoning())
        block = self._reasoning[-1]
        block.pieces.append(event.text)
        if event.signature is not None:
            block.signature = event.signature
            block.closed = True

    def close_reasoning(self, encrypted_content: str | None, *, redacted: bool = False) -> None:
        """End the current reasoning block with the provider's opaque state.

        The OpenAI Responses API returns reasoning as an item whose encrypted
        content must be sent back for the model to keep its chain of thought; it
        has no stream event of its own, so the provider hands it over here.
        Anthropic's redacted thinking arrives the same way, as ciphertext only.
        """
        if not self._reasoning or self._reasoning[-1].closed:
            self._reasoning.append(_Reasoning())
        block = self._reasoning[-1]
        block.encrypted_content = encrypted_content
        block.redacted = redacted
        block.closed = True

    @property
    def text(self) -> str:
        return "".join(self._text)

    def tool_calls(self) -> list[ToolCall]:
        """The calls received so far, in index order, arguments parsed."""
        return [
            parse_tool_call(call.id or f"call_{index}", call.name, "".join(call.pieces))
            for index, call in sorted(self._calls.items())
        ]

    def response(self) -> ChatResponse:
        calls = self.tool_calls()
        parts: list[ContentPart] = [
            ReasoningPart(
                text="".join(block.pieces),
                signature=block.signature,
                encrypted_content=block.encrypted_content,
                redacted=block.redacted,
            )
            for block in self._reasoning
        ]
        content: str | list[ContentPart] = self.text
        if parts:
            if self.text:
                parts.append(TextPart(text=self.text))
            content = parts
        finish = self.finish_reason
        if finish is None:
            finish = FinishReason.TOOL_CALLS if calls else FinishReason.STOP
        return ChatResponse(
            message=Message.assistant(content, calls),
            finish_reason=finish,
            usage=self.usage,
            model=self.model,
            response_id=self.response_id,
        )
