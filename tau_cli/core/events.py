"""Typed events: the base every event shares and the events a model stream yields.

Every event carries ``seq`` (its order within a session), ``session_id``,
``parent_id`` (set when a subagent produced it, pointing at the parent's tool call)
and ``time``. Providers emit stream events without those stamps; the runtime adds
them with ``stamped`` as the events pass through, using its injected clock.

The ``type`` field is a literal on each class, so a union of them validates from
JSON without guessing: this is the same stream that ``stream-json`` prints and that
the ACP server translates.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from tau_cli.core.messages import ToolCall
from tau_cli.core.responses import ChatResponse, TokenUsage


def _epoch() -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC)


class Event(BaseModel):
    """Fields every tau event carries. Subclasses add a ``type`` literal."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int = Field(default=0, ge=0)
    session_id: str | None = None
    parent_id: str | None = None
    time: AwareDatetime = Field(default_factory=_epoch)
    """When the event happened; unstamped events carry the epoch until stamped."""

    def stamped(
        self, *, seq: int, session_id: str | None, time: datetime, parent_id: str | None = None
    ) -> Self:
        """A copy placed in a session's stream."""
        update: dict[str, object] = {"seq": seq, "session_id": session_id, "time": time}
        if parent_id is not None:
            update["parent_id"] = parent_id
        return self.model_copy(update=update)


class TextDelta(Event):
    """A piece of the answer's visible text."""

    type: Literal["text_delta"] = "text_delta"
    text: str


class ReasoningDelta(Event):
    """A piece of the model's reasoning; ``signature`` arrives with the last piece."""

    type: Literal["reasoning_delta"] = "reasoning_delta"
    text: str = ""
    signature: str | None = None


class ToolCallDelta(Event):
    """Part of a tool call as it streams: ``index`` groups pieces of one call."""

    type: Literal["tool_call_delta"] = "tool_call_delta"
    index: int = Field(ge=0)
    id: str | None = None
    name: str | None = None
    arguments_delta: str = ""


class ToolCallComplete(Event):
    """A tool call fully received (arguments parsed, or their parse error recorded)."""

    type: Literal["tool_call_complete"] = "tool_call_complete"
    call: ToolCall


class UsageReport(Event):
    """Token usage, as soon as the provider reports it."""

    type: Literal["usage"] = "usage"
    usage: TokenUsage


class StreamDone(Event):
    """The stream ended normally; carries the assembled response."""

    type: Literal["done"] = "done"
    response: ChatResponse


class ErrorInfo(BaseModel):
    """A failure as data: what kind, a message for the user, and whether to retry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    message: str
    status: int | None = None
    retryable: bool = False


class StreamError(Event):
    """The stream failed; nothing more follows."""

    type: Literal["error"] = "error"
    error: ErrorInfo


class SkillActivated(Event):
    """A skill's instructions were loaded into the conversation (defined here so every
    consumer of the event stream can read it without importing the skills package)."""

    type: Literal["skill_activated"] = "skill_activated"
    name: str
    reason: Literal["command", "matcher", "tool"]
    tokens: int
    """What the instructions cost, so the UI can show it next to the name."""
    truncated: bool = False


StreamEvent = Annotated[
    TextDelta
    | ReasoningDelta
    | ToolCallDelta
    | ToolCallComplete
    | UsageReport
    | StreamDone
    | StreamError,
    Field(discriminator="type"),
]
"""Anything a provider's ``stream()`` yields."""
