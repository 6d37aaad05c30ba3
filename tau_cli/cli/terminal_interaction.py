"""Inline questions in a terminal, for ``tau run`` and the plain REPL.

Each question shows what is at stake (the command, the file, the rule that would
be saved) and takes one key; a denial can carry a sentence of feedback for the
model. An MCP server's request for input is asked one field a line.
"""

from __future__ import annotations

import sys

from prompt_toolkit import PromptSession

from tau_cli.core import (
    ElicitationRequest,
    ElicitationResponse,
    PermissionChoice,
    PermissionDecision,
    PermissionRequest,
    PlanApprovalRequest,
    PlanDecision,
    QuestionAnswer,
    QuestionRequest,
)
from tau_cli.runtime.forms import answers, fields_of

_CHOICES = {
    "y": PermissionChoice.ALLOW_ONCE,
    "s": PermissionChoice.ALLOW_SESSION,
    "a": PermissionChoice.ALLOW_ALWAYS,
    "n": PermissionChoice.DENY,
}


class TerminalInteraction:
    def __init__(self) -> None:
        self._prompt: PromptSession[str] = PromptSession()

    async def _ask(self, text: str) -> str:
        return (await self._prompt.prompt_async(text)).strip()

    async def request_permission(self, request: PermissionRequest) -> PermissionDecision:
        sys.stderr.write(f"\ntau asks to use {request.tool_name} · {request.summary}\n")
        if request.reason:
            sys.stderr.write(f"  ({request.reason})\n")
        if request.diff:
            sys.stderr.write(request.diff + "\n")
        rule = request.suggested_rule
        always = f", [a]lways allow {rule}" if rule else ""
        while True:
            key = (await self._ask(f"Allow? [y]es, for this [s]ession{always}, [n]o: ")).lower()[:1]
            choice = _CHOICES.get(key or "n")
            if choice is None or (choice is PermissionChoice.ALLOW_ALWAYS and not rule):
                continue
            feedback = None
            if choice is PermissionChoice.DENY:
                feedback = await self._ask("What should tau do instead? (enter to skip) ") or None
            return PermissionDecision(choice=choice, rule=rule, feedback=feedback)

    async def approve_plan(self, request: PlanApprovalRequest) -> PlanDecision:
        sys.stderr.write(f"\n{request.plan}\n")
        key = (await self._ask("Approve this plan? [y]es, [e]dits allowed too, [n]o: ")).lower()[:1]
        if key in ("y", "e"):
            return PlanDecision(
                approved=True, mode_after="accept_edits" if key == "e" else "default"
            )
        return PlanDecision(
            approved=False, feedback=await self._ask("What should change? ") or None
        )

    async def ask(self, request: QuestionRequest) -> QuestionAnswer:
        sys.stderr.write(f"\n{request.question}\n")
        for i, option in enumerate(request.options, 1):
            detail = f" — {option.description}" if option.description else ""
            sys.stderr.write(f"  {i}. {option.label}{detail}\n")
        answer = await self._ask("> ")
        if answer.isdigit() and 1 <= int(answer) <= len(request.options):
            return QuestionAnswer(selected=[request.options[int(answer) - 1].label])
        return QuestionAnswer(text=answer, cancelled=not answer)

    async def elicit(self, request: ElicitationRequest) -> ElicitationResponse:
        """The server's message, then one line per field, checked before it is sent."""
        sys.stderr.write(f"\n{request.server} asks: {request.message}\n")
        if (await self._ask("Answer? [y]es, [n]o (decline): ")).lower()[:1] != "y":
            return ElicitationResponse(action="decline")
        fields = fields_of(request.requested_schema)
        while True:
            typed = []
            for field in fields:
                hint = f" ({field.hint})" if field.hint else ""
                optional = "" if field.required else ", optional"
                typed.append(await self._ask(f"{field.title}{hint}{optional}: "))
            try:
                return ElicitationResponse(action="accept", content=answers(fields, typed))
            except ValueError as exc:
                sys.stderr.write(f"  {exc}; again:\n")
