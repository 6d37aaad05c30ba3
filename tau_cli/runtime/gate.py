"""The permission gate every tool call passes before it runs.

Order, fixed and tested: PreToolUse hooks first; a hook's deny (or block) wins
outright. Then the permission rules and mode: a deny rule refuses; an ask — from a
rule or from the mode — goes to the user through ``Interaction``. A hook's allow
skips only a question the *mode* would have asked; it never overrides a deny or
an ask rule. Every refusal comes back to the model as an error result that says
why and what the user wants instead.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from tau_cli.core import (
    Interaction,
    PermissionChoice,
    PermissionDecision,
    PermissionRequest,
    ToolCall,
    ToolResult,
)
from tau_cli.runtime.events import PermissionRequested, PermissionResolved, ToolStarted
from tau_cli.runtime.hooks import HookRunner
from tau_cli.tools import PermissionPolicy, Tool, ToolSession

Emit = Callable[[object], Awaitable[None]]
SaveRule = Callable[[str], None]
DecidedBy = Literal["user", "rule", "mode", "hook"]


@dataclass
class PermissionGate:
    policy: PermissionPolicy
    interaction: Interaction
    hooks: HookRunner
    tool_session: ToolSession
    emit: Emit
    save_rule: SaveRule | None = None
    """Persists an "always allow" rule (to the project's local settings)."""

    async def __call__(self, call: ToolCall, tool: Tool) -> ToolResult | None:
        hook = await self.hooks.run(
            "PreToolUse",
            {"tool_name": call.name, "tool_input": call.arguments, "tool_use_id": call.id},
            tool_name=call.name,
        )
        if hook.decision == "deny" or hook.blocked:
            await self._resolved(call, PermissionChoice.DENY, "hook")
            return ToolResult.error(f"A hook blocked this call: {hook.reason or 'no reason given'}")
        decision = await self.policy.check(
            call.name, call.arguments, read_only=tool.read_only, cwd=self.tool_session.cwd
        )
        if decision.behavior == "deny":
            await self._resolved(call, PermissionChoice.DENY, "rule" if decision.rule else "mode")
            return ToolResult.error(f"Permission denied: {decision.reason}")
        hook_settles_it = hook.decision == "allow" and decision.rule is None
        if decision.behavior == "ask" and not hook_settles_it:
            answer = await self._ask(call, decision.reason, decision.suggested_rule)
            if not answer.allowed:
                feedback = f" {answer.feedback}" if answer.feedback else ""
                return ToolResult.error(f"Permission was not given for this call.{feedback}")
        elif decision.behavior == "allow" or hook_settles_it:
            by: DecidedBy = "hook" if hook_settles_it else ("rule" if decision.rule else "mode")
            await self._resolved(call, PermissionChoice.ALLOW_ONCE, by)
        await self.emit(ToolStarted(call=call, summary=summarize(call)))
        return None

    async def _ask(self, call: ToolCall, reason: str, suggested: str | None) -> PermissionDecision:
        request = PermissionRequest(
            tool_call_id=call.id,
            tool_name=call.name,
            arguments=call.arguments,
            summary=summarize(call),
            reason=reason,
            suggested_rule=suggested,
        )
        await self.emit(PermissionRequested(request=request))
        answer = await self.interaction.request_permission(request)
        rule = answer.rule or suggested
        if (
            answer.choice in (PermissionChoice.ALLOW_SESSION, PermissionChoice.ALLOW_ALWAYS)
            and rule
        ):
            self.policy.add_rule(rule)
            if answer.choice is PermissionChoice.ALLOW_ALWAYS and self.save_rule is not None:
                self.save_rule(rule)
        await self.emit(PermissionResolved(call_id=call.id, decision=answer, by="user"))
        return answer

    async def _resolved(self, call: ToolCall, choice: PermissionChoice, by: DecidedBy) -> None:
        await self.emit(
            PermissionResolved(
                call_id=call.id,
                decision=PermissionDecision(choice=choice),
                by=by,
            )
        )


def summarize(call: ToolCall) -> str:
    """One line a person reads to judge a call: the command, or the file and the tool."""
    args = call.arguments
    for key in ("command", "file_path", "path", "pattern", "url"):
        value = args.get(key)
        if isinstance(value, str) and value:
            return f"{call.name}: {value}" if key != "command" else value
    text = json.dumps(args, ensure_ascii=False)
    return f"{call.name} {text if len(text) <= 120 else text[:117] + '...'}"
