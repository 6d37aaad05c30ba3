"""From a policy's decision to a registry gate: allow, refuse, or ask the user.

The runtime hands ``PermissionGate`` to ``ToolRegistry.run_all``. An "ask" goes to
core's ``Interaction`` with what a person needs to judge it (the command or file,
the reason, a diff for edits, the rule "always allow" would save). A session
answer adds the rule to the policy; saving it to a settings file is left to the
``on_save`` callback the runtime gives, because writing settings is its job.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from tau_cli.core import (
    Interaction,
    PermissionChoice,
    PermissionRequest,
    ToolCall,
    ToolResult,
)
from tau_cli.tools.base import Previewable, Tool, ToolContext
from tau_cli.tools.permissions import Decision, PermissionPolicy, canonical_tool_name

SaveRule = Callable[[str], Awaitable[None]]

_PATH_KEYS = ("file_path", "path", "notebook_path")


class PermissionGate:
    """Asks ``policy`` about each call, and the user through ``interaction`` when it says so.

    Args:
        policy: the rules and mode in force (session rules are added to it).
        interaction: how the user is asked.
        context: the tools' context (the environment for diffs, the session's cwd).
        on_save: called with a rule the user chose to keep for good.
    """

    def __init__(
        self,
        policy: PermissionPolicy,
        interaction: Interaction,
        context: ToolContext,
        *,
        on_save: SaveRule | None = None,
    ) -> None:
        self._policy = policy
        self._interaction = interaction
        self._context = context
        self._on_save = on_save

    async def __call__(self, call: ToolCall, tool: Tool) -> ToolResult | None:
        decision = await self._policy.check(
            call.name, call.arguments, read_only=tool.read_only, cwd=self._context.session.cwd
        )
        if decision.behavior == "allow":
            return None
        if decision.behavior == "deny":
            return ToolResult.error(f"Permission denied: {decision.reason}.")
        return await self.ask(call, tool, decision)

    async def ask(self, call: ToolCall, tool: Tool, decision: Decision) -> ToolResult | None:
        """Ask the user about ``call`` (with its diff); None when they allow it.

        Public so a caller that knows better than the rules (a hook answering ``ask``)
        can put the question even where a rule would allow."""
        diff = None
        if isinstance(tool, Previewable):
            diff = await tool.preview(call.arguments, self._context)
        request = PermissionRequest(
            tool_call_id=call.id,
            tool_name=call.name,
            arguments=call.arguments,
            summary=summarize(call),
            reason=decision.reason,
            suggested_rule=decision.suggested_rule,
            diff=diff,
            locations=[str(call.arguments[k]) for k in _PATH_KEYS if k in call.arguments],
        )
        answer = await self._interaction.request_permission(request)
        if answer.choice is PermissionChoice.DENY:
            feedback = f" They said: {answer.feedback}" if answer.feedback else ""
            return ToolResult.error(
                f"The user declined this {call.name} call.{feedback} Do not retry it unchanged."
            )
        rule = answer.rule or decision.suggested_rule
        if rule and answer.choice in (
            PermissionChoice.ALLOW_SESSION,
            PermissionChoice.ALLOW_ALWAYS,
        ):
            self._policy.add_rule(rule)
            if answer.choice is PermissionChoice.ALLOW_ALWAYS and self._on_save is not None:
                await self._on_save(rule)
        return None


def summarize(call: ToolCall) -> str:
    """One line a person reads to judge a call."""
    tool = canonical_tool_name(call.name)
    arguments = call.arguments
    if tool == "bash":
        return f"Run: {arguments.get('command', '')}"
    for key in _PATH_KEYS:
        if isinstance(arguments.get(key), str):
            return f"{tool} {arguments[key]}"
    if tool == "web_fetch":
        return f"Fetch {arguments.get('url', '')}"
    text = json.dumps(arguments, ensure_ascii=False)
    return f"{call.name} {text if len(text) <= 120 else text[:117] + '...'}"
