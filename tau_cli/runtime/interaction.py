"""An ``Interaction`` for runs with nobody to ask: scripts, CI, ``tau run`` without a tty.

It never waits. A permission the rules did not settle is denied, with a reason
that tells the model (and the log) how to allow it next time; a plan is not
approved; a question gets the instruction to proceed on stated assumptions; an
MCP server's request for input is declined.
"""

from __future__ import annotations

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

NO_USER = "No user is available to answer in this run; proceed with stated assumptions."


class NonInteractive:
    async def request_permission(self, request: PermissionRequest) -> PermissionDecision:
        hint = (
            f" (allow it with --allow '{request.suggested_rule}')" if request.suggested_rule else ""
        )
        return PermissionDecision(
            choice=PermissionChoice.DENY,
            feedback=f"This run cannot ask for permission, so {request.summary!r} was not "
            f"allowed{hint}.",
        )

    async def approve_plan(self, request: PlanApprovalRequest) -> PlanDecision:
        return PlanDecision(approved=False, feedback=NO_USER)

    async def ask(self, request: QuestionRequest) -> QuestionAnswer:
        return QuestionAnswer(text=NO_USER, cancelled=True)

    async def elicit(self, request: ElicitationRequest) -> ElicitationResponse:
        return ElicitationResponse(action="decline")
