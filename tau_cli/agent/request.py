"""What the loop asks a model: the whole conversation, the tools, and how to answer.

A request carries the full history every time (the concept document's §5.1 fix):
providers are stateless translators, so a resumed or compacted session is just a
different list of messages. The model itself is bound when the provider is built,
not per request, because one provider instance holds one connection pool.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tau_cli.core import Message, ReasoningEffort, ToolDefinition


class NamedToolChoice(BaseModel):
    """Force the model to call this one tool."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str


ToolChoice = Literal["auto", "none", "required"] | NamedToolChoice
"""``auto`` lets the model decide, ``none`` forbids calls, ``required`` demands one."""


class ChatRequest(BaseModel):
    """One call to a chat model. Unset options are left to the provider's defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    messages: list[Message]
    """The full history, system prompt first when there is one."""
    tools: list[ToolDefinition] = Field(default_factory=list)
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_output_tokens: int | None = Field(default=None, gt=0)
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool | None = None
    """Whether the model may return several calls at once; None leaves it to the model."""
    reasoning_effort: ReasoningEffort | None = None
    """``off`` disables thinking where the provider allows; None keeps its default."""
    stop: list[str] = Field(default_factory=list)
