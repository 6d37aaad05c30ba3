"""The runtime's gate: hooks first, then the tools' permission gate, with events.

Order, fixed and tested: ``PreToolUse`` hooks run first; a hook's deny (or block)
wins outright. Then ``tau_cli.tools.PermissionGate`` applies the rules and mode
and asks the user through ``Interaction`` where they say so. A hook's allow
skips only a question the *mode* would have asked; it never overrides a deny or
an ask rule. Questions and answers become events (through a wrapper around the
``Interaction``), and a call that may run announces itself with ``ToolStarted``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from tau_cli.core import (
    ElicitationRequest,
    ElicitationResponse,
    Interaction,
    PermissionChoice,
    PermissionDecision,
    PermissionRequest,
    PlanApprovalRequest,
    PlanDecision,
    QuestionAnswer,
    QuestionRequest,
    ToolCall,
    ToolResult,
)
from tau_cli.runtime.events import PermissionRequested, PermissionResolved, ToolStarted
from tau_cli.runtime.hooks import HookOutcome, HookRunner
from tau_cli.tools import PermissionGate as RuleGate
from tau_cli.tools import PermissionPolicy, Tool, ToolContext, summarize

Emit = Callable[[object], Awaitable[None]]
SaveRule = Callable[[str], None]


@dataclass
class PermissionGate:
    policy: PermissionPolicy
    interaction: Interaction
    hooks: HookRunner
    context: ToolContext
    emit: Emit
    save_rule: SaveRule | None = None
    """Persists an "always allow" rule (to the project's local settings)."""

    def __post_init__(self) -> None:
        self._rules = RuleGate(
            self.policy,
            _Announcing(self.interaction, self.emit, self.hooks),
            self.context,
            on_save=self._save,
        )

    async def __call__(self, call: ToolCall, tool: Tool) -> ToolResult | None:
        hook = await self.hooks.run(
            "PreToolUse",
            {"tool_name": call.name, "tool_input": call.arguments, "tool_use_id": call.id},
            tool_name=call.name,
        )
        if hook.decision == "deny" or hook.blocked:
            await self.emit(
                PermissionResolved(
                    call_id=call.id,
                    decision=PermissionDecision(choice=PermissionChoice.DENY, feedback=hook.reason),
                    by="hook",
                )
            )
            return ToolResult.error(f"A hook blocked this call: {hook.reason or 'no reason given'}")
        refusal = await self._decide(call, tool, hook)
        if refusal is not None:
            return refusal
        await self.emit(ToolStarted(call=call, summary=summarize(call)))
        return None

    async def _decide(self, call: ToolCall, tool: Tool, hook: HookOutcome) -> ToolResult | None:
        """The rules, as a PreToolUse hook's answer bends them: ``allow`` skips the question
        where no rule asks or denies; ``ask`` puts it even where a rule would allow. Neither
        overrides a deny rule."""
        if hook.decision not in ("allow", "ask"):
            return await self._rules(call, tool)
        decision = await self.policy.check(
            call.name, call.arguments, read_only=tool.read_only, cwd=self.context.session.cwd
        )
        if decision.behavior == "deny":
            return await self._rules(call, tool)
        if hook.decision == "ask":
            reason = hook.reason or "a PreToolUse hook asks for confirmation"
            return await self._rules.ask(call, tool, replace(decision, reason=reason))
        if decision.behavior == "allow" or decision.rule is None:
            return None
        return await self._rules(call, tool)

    async def _save(self, rule: str) -> None:
        if self.save_rule is not None:
            self.save_rule(rule)


@dataclass
class _Announcing:
    """The user's ``Interaction``, with each permission question and answer as events."""

    inner: Interaction
    emit: Emit
    hooks: HookRunner

    async def request_permission(self, request: PermissionRequest) -> PermissionDecision:
        await self.emit(PermissionRequested(request=request))
        await self.hooks.run(
            "Notification",
            {"message": f"tau needs your permission to use {request.tool_name}: {request.summary}"},
        )
        answer = await self.inner.request_permission(request)
        await self.emit(
            PermissionResolved(call_id=request.tool_call_id, decision=answer, by="user")
        )
        return answer

    async def approve_plan(self, request: PlanApprovalRequest) -> PlanDecision:
        return await self.inner.approve_plan(request)

    async def ask(self, request: QuestionRequest) -> QuestionAnswer:
        return await self.inner.ask(request)

    async def elicit(self, request: ElicitationRequest) -> ElicitationResponse:
        return await self.inner.elicit(request)
