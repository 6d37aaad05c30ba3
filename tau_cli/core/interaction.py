"""The seam through which the runtime asks a person (or an editor) to decide.

The runtime never prints and never prompts. When it needs a decision — may this
tool run, is this plan approved, which of these options did the user mean, what
does an MCP server's form get filled with — it awaits one method of
``Interaction``. The TUI, the plain REPL, one-shot ``tau run`` and the ACP server
each implement it; tests implement it with scripted answers.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, JsonValue


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PermissionRequest(_Model):
    """A tool call waiting for the user's go-ahead, with what they need to judge it."""

    kind: Literal["permission"] = "permission"
    tool_call_id: str
    tool_name: str
    arguments: dict[str, JsonValue] = Field(default_factory=dict)
    summary: str
    """One line a person reads: the command, the file and the kind of change."""
    reason: str = ""
    """Why tau is asking (the rule or mode that required it)."""
    suggested_rule: str | None = None
    """The rule "always allow" would save, e.g. ``Bash(npm test:*)``."""
    diff: str | None = None
    """For edits: the unified diff that would be applied."""
    locations: list[str] = Field(default_factory=list)
    """Files the call touches, for editors to show."""


class PermissionChoice(StrEnum):
    ALLOW_ONCE = "allow_once"
    ALLOW_SESSION = "allow_session"
    ALLOW_ALWAYS = "allow_always"
    """Allow, and save ``rule`` so it is not asked again in this project."""
    DENY = "deny"


class PermissionDecision(_Model):
    choice: PermissionChoice
    rule: str | None = None
    """For session/always: the rule to remember (defaults to the suggested one)."""
    feedback: str | None = None
    """For deny: what the user wants instead; the model is told."""

    @property
    def allowed(self) -> bool:
        return self.choice is not PermissionChoice.DENY


class PlanApprovalRequest(_Model):
    kind: Literal["plan_approval"] = "plan_approval"
    plan: str
    """The plan as markdown."""
    path: str | None = None
    """Where the plan file is, so the user can open and edit it."""


class PlanDecision(_Model):
    approved: bool
    mode_after: Literal["default", "accept_edits"] = "default"
    """The permission mode to execute the plan in."""
    feedback: str | None = None
    """For a rejection: what to change; the model revises the plan with it."""


class QuestionOption(_Model):
    label: str
    description: str = ""


class QuestionRequest(_Model):
    """The model asks the user to clarify missing, unclear or contradictory detail."""

    kind: Literal["question"] = "question"
    question: str
    options: list[QuestionOption] = Field(default_factory=list)
    multi_select: bool = False
    allow_free_text: bool = True


class QuestionAnswer(_Model):
    selected: list[str] = Field(default_factory=list)
    """Labels of the chosen options."""
    text: str | None = None
    """A free-text answer."""
    cancelled: bool = False


class ElicitationRequest(_Model):
    """An MCP server asks the user for structured input (MCP's elicitation/create)."""

    kind: Literal["elicitation"] = "elicitation"
    server: str
    message: str
    requested_schema: dict[str, JsonValue] = Field(default_factory=dict)


class ElicitationResponse(_Model):
    action: Literal["accept", "decline", "cancel"]
    content: dict[str, JsonValue] | None = None


@runtime_checkable
class Interaction(Protocol):
    """Decisions only a person (or their editor) can make."""

    async def request_permission(self, request: PermissionRequest) -> PermissionDecision: ...

    async def approve_plan(self, request: PlanApprovalRequest) -> PlanDecision: ...

    async def ask(self, request: QuestionRequest) -> QuestionAnswer: ...

    async def elicit(self, request: ElicitationRequest) -> ElicitationResponse: ...
