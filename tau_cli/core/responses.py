"""What comes back from a model: chat (with tools and vision), embeddings, audio.

One ``ChatResponse`` serves chat, vision and tool calling alike — tool calls ride on
the assistant message — so there is no second response type to convert between.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tau_cli.core.config import ModelPrices
from tau_cli.core.messages import Message


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TokenUsage(_Model):
    """Tokens spent by one call (or, summed, by a turn or session).

    ``prompt_tokens`` includes ``cached_tokens``; ``completion_tokens`` includes
    ``reasoning_tokens``. ``cost`` is set only when prices are configured.
    """

    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)
    reasoning_tokens: int = Field(default=0, ge=0)
    cached_tokens: int = Field(default=0, ge=0)
    cost: float | None = Field(default=None, ge=0)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: TokenUsage) -> TokenUsage:
        cost = None
        if self.cost is not None or other.cost is not None:
            cost = (self.cost or 0.0) + (other.cost or 0.0)
        return TokenUsage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            reasoning_tokens=self.reasoning_tokens + other.reasoning_tokens,
            cached_tokens=self.cached_tokens + other.cached_tokens,
            cost=cost,
        )

    def priced(self, prices: ModelPrices) -> TokenUsage:
        """This usage with ``cost`` computed from per-million-token prices."""
        cached_price = prices.input if prices.cached_input is None else prices.cached_input
        fresh = self.prompt_tokens - self.cached_tokens
        cost = (
            fresh * prices.input
            + self.cached_tokens * cached_price
            + self.completion_tokens * prices.output
        ) / 1_000_000
        return self.model_copy(update={"cost": cost})


class FinishReason(StrEnum):
    """Why the model stopped producing output."""

    STOP = "stop"
    TOOL_CALLS = "tool_calls"
    LENGTH = "length"
    CONTENT_FILTER = "content_filter"
    CANCELLED = "cancelled"
    ERROR = "error"


class ChatResponse(_Model):
    """A complete model answer: the assistant message, why it ended, what it cost."""

    message: Message
    finish_reason: FinishReason = FinishReason.STOP
    usage: TokenUsage = TokenUsage()
    model: str = ""
    response_id: str | None = None
    """The provider's id for this answer (the Responses API chains on it)."""

    @model_validator(mode="after")
    def _assistant_only(self) -> Self:
        if self.message.role != "assistant":
            raise ValueError("a chat response carries an assistant message")
        return self


class EmbeddingsResponse(_Model):
    """One vector per input, in input order."""

    vectors: list[list[float]]
    model: str = ""
    usage: TokenUsage = TokenUsage()


class TranscriptSegment(_Model):
    start: float = Field(ge=0)
    end: float = Field(ge=0)
    text: str


class AudioResponse(_Model):
    """A transcription of audio into text."""

    text: str
    language: str | None = None
    duration_seconds: float | None = Field(default=None, ge=0)
    segments: list[TranscriptSegment] = Field(default_factory=list)
    model: str = ""
