"""What the runtime tells its clients: one typed stream of events per session.

The TUI, the plain REPL, ``tau run --output-format stream-json``, the ACP server and
tests all consume this one stream; the runtime never prints and never prompts.
Model stream events (``TextDelta``, ``ReasoningDelta`` ...) pass through as they
are; the events below add the loop's own steps. Each carries core's stamps:
``seq`` within the session, ``session_id``, ``parent_id`` for subagents, ``time``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from tau_cli.core import (
    ErrorInfo,
    Event,
    Message,
    PermissionDecision,
    PermissionRequest,
    ReasoningDelta,
    SkillActivated,
    TextDelta,
    TokenUsage,
    ToolCall,
    ToolResult,
)

TurnEnd = Literal[
    "completed",
    "max_iterations",
    "cancelled",
    "stopped_by_hook",
    "repeated_failure",
    "error",
]


class TurnStarted(Event):
    """A prompt was accepted and the loop begins."""

    type: Literal["turn_started"] = "turn_started"
    prompt: str


class AssistantMessage(Event):
    """The model finished one answer (its text, reasoning and tool calls)."""

    type: Literal["assistant_message"] = "assistant_message"
    message: Message
    usage: TokenUsage = TokenUsage()


class ToolStarted(Event):
    """A tool call passed its permission check and is running."""

    type: Literal["tool_started"] = "tool_started"
    call: ToolCall
    summary: str = ""
    """One line for people: the command, the path."""


class ToolProgress(Event):
    """How a running call is going: an MCP server's progress report, a command's latest line."""

    type: Literal["tool_progress"] = "tool_progress"
    call_id: str
    message: str = ""
    progress: float | None = None
    total: float | None = None


class ToolFinished(Event):
    """A tool call's result, exactly as the model will see it."""

    type: Literal["tool_finished"] = "tool_finished"
    call_id: str
    result: ToolResult
    duration_ms: float = 0.0


class PermissionRequested(Event):
    type: Literal["permission_requested"] = "permission_requested"
    request: PermissionRequest


class PermissionResolved(Event):
    type: Literal["permission_resolved"] = "permission_resolved"
    call_id: str
    decision: PermissionDecision
    by: Literal["user", "rule", "mode", "hook"] = "user"


class Injected(Event):
    """A message the user typed while the agent worked reached the model."""

    type: Literal["injected"] = "injected"
    text: str


class Notice(Event):
    """Something the user should know that is not part of the conversation."""

    type: Literal["notice"] = "notice"
    level: Literal["info", "warning", "error"] = "info"
    message: str


class ModeChanged(Event):
    type: Literal["mode_changed"] = "mode_changed"
    mode: Literal["default", "accept_edits", "plan", "bypass"]


class Compacted(Event):
    """Older context was condensed to make room."""

    type: Literal["compacted"] = "compacted"
    strategy: str
    tokens_before: int
    tokens_after: int


class TurnFinished(Event):
    """The loop stopped: why, what it cost, and the error if there was one."""

    type: Literal["turn_finished"] = "turn_finished"
    reason: TurnEnd
    iterations: int = 0
    usage: TokenUsage = TokenUsage()
    error: ErrorInfo | None = None


class WorkflowStarted(Event):
    """A workflow run began, or picked up again from its checkpoint (``resumed``).

    The workflow events mirror ``tau_cli.orchestrate``'s, field for field, so a UI
    follows a run without importing the graph library. The events of an agent
    node's own turn follow them in the stream with the node's name as ``parent_id``.
    """

    type: Literal["workflow_started"] = "workflow_started"
    run_id: str
    resumed: bool = False
    step: int = 0


class WorkflowNodeStarted(Event):
    type: Literal["node_started"] = "node_started"
    run_id: str
    node: str
    step: int


class WorkflowNodeFinished(Event):
    """A node returned; ``channels`` are the state channels it wrote."""

    type: Literal["node_finished"] = "node_finished"
    run_id: str
    node: str
    step: int
    channels: list[str] = Field(default_factory=list)


class WorkflowNodeErrored(Event):
    type: Literal["node_errored"] = "node_errored"
    run_id: str
    node: str
    step: int
    error: ErrorInfo


class WorkflowStateChanged(Event):
    """A step ended; ``values`` are the new JSON values of the channels it changed."""

    type: Literal["state_changed"] = "state_changed"
    run_id: str
    step: int
    values: dict[str, Any]


class WorkflowInterrupted(Event):
    """The run paused before ``before`` for a person's answer; it resumes later."""

    type: Literal["workflow_interrupted"] = "workflow_interrupted"
    run_id: str
    step: int
    before: list[str]


class WorkflowFinished(Event):
    type: Literal["workflow_finished"] = "workflow_finished"
    run_id: str
    steps: int


class WorkflowFailed(Event):
    """The run stopped on an error; its checkpoint stays, so it can be resumed."""

    type: Literal["workflow_failed"] = "workflow_failed"
    run_id: str
    error: ErrorInfo


RuntimeEvent = Annotated[
    TurnStarted
    | TextDelta
    | ReasoningDelta
    | AssistantMessage
    | ToolStarted
    | ToolProgress
    | ToolFinished
    | PermissionRequested
    | PermissionResolved
    | Injected
    | Notice
    | ModeChanged
    | Compacted
    | SkillActivated
    | TurnFinished
    | WorkflowStarted
    | WorkflowNodeStarted
    | WorkflowNodeFinished
    | WorkflowNodeErrored
    | WorkflowStateChanged
    | WorkflowInterrupted
    | WorkflowFinished
    | WorkflowFailed,
    Field(discriminator="type"),
]
"""Every event a runtime client receives."""
