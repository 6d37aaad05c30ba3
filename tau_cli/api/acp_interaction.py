"""tau's ``Interaction`` answered by an ACP client: every decision is a round trip.

Tool approvals are ``session/request_permission``. ACP has no plan approval or
clarifying question, so a client that declares the ``tau`` extension (``_meta``
``{"tau": {"extensions": true}}`` in its capabilities) gets ``_tau/approve_plan``
and ``_tau/ask`` requests, with room for feedback and free text; any other client
is asked through ``session/request_permission`` with the plan or the question as
the tool call's content and the answers as options, which every editor can show.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from acp.schema import (
    AllowedOutcome,
    ContentToolCallContent,
    PermissionOption,
    RequestPermissionResponse,
    TextContentBlock,
    ToolCallUpdate,
)

from tau_cli.api.acp_mapping import EventMapper, permission_options
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


class PermissionAsker(Protocol):
    """The part of the SDK's client connection this module uses."""

    async def request_permission(
        self, session_id: str, tool_call: ToolCallUpdate, options: list[PermissionOption]
    ) -> RequestPermissionResponse: ...

    async def ext_method(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Sends ``_`` + ``method``: the SDK adds the extension prefix's underscore."""
        ...


class AcpInteraction:
    """Asks the ACP client on the other end of ``connection`` for one session."""

    def __init__(
        self,
        connection: PermissionAsker,
        session_id: Callable[[], str],
        mapper: Callable[[], EventMapper],
        *,
        extensions: bool = False,
    ) -> None:
        self._connection = connection
        self._session_id = session_id
        self._mapper = mapper
        self._extensions = extensions
        self._asked = 0

    async def request_permission(self, request: PermissionRequest) -> PermissionDecision:
        response = await self._connection.request_permission(
            session_id=self._session_id(),
            tool_call=self._mapper().permission_call(request),
            options=permission_options(request),
        )
        chosen = _chosen(response)
        if chosen == "allow_once":
            return PermissionDecision(choice=PermissionChoice.ALLOW_ONCE)
        if chosen == "allow_session":
            return PermissionDecision(
                choice=PermissionChoice.ALLOW_SESSION, rule=request.suggested_rule
            )
        if chosen == "allow_always":
            return PermissionDecision(
                choice=PermissionChoice.ALLOW_ALWAYS, rule=request.suggested_rule
            )
        tau = (response.field_meta or {}).get("tau")
        feedback = tau.get("feedback") if isinstance(tau, dict) else None
        return PermissionDecision(
            choice=PermissionChoice.DENY,
            feedback=feedback if isinstance(feedback, str) and feedback else None,
        )

    async def approve_plan(self, request: PlanApprovalRequest) -> PlanDecision:
        if self._extensions:
            answer = await self._connection.ext_method(
                "tau/approve_plan",
                {"sessionId": self._session_id(), "plan": request.plan, "path": request.path},
            )
            return PlanDecision.model_validate(
                {
                    "approved": bool(answer.get("approved")),
                    "mode_after": answer.get("modeAfter") or "default",
                    "feedback": answer.get("feedback"),
                }
            )
        options = [
            PermissionOption(option_id="approve", name="Approve the plan", kind="allow_once"),
            PermissionOption(
                option_id="approve_accept_edits",
                name="Approve and accept edits",
                kind="allow_always",
            ),
            PermissionOption(option_id="reject", name="Keep planning", kind="reject_once"),
        ]
        chosen = await self._ask_as_tool_call(
            "Approve the plan", request.plan, "switch_mode", options
        )
        if chosen == "approve":
            return PlanDecision(approved=True)
        if chosen == "approve_accept_edits":
            return PlanDecision(approved=True, mode_after="accept_edits")
        return PlanDecision(approved=False, feedback="The user wants to keep planning.")

    async def ask(self, request: QuestionRequest) -> QuestionAnswer:
        if self._extensions:
            answer = await self._connection.ext_method(
                "tau/ask",
                {"sessionId": self._session_id(), **request.model_dump(mode="json")},
            )
            return QuestionAnswer.model_validate(
                {
                    "selected": answer.get("selected") or [],
                    "text": answer.get("text"),
                    "cancelled": bool(answer.get("cancelled")),
                }
            )
        if not request.options:
            return QuestionAnswer(cancelled=True)
        options = [
            PermissionOption(option_id=f"option_{i}", name=option.label, kind="allow_once")
            for i, option in enumerate(request.options)
        ]
        options.append(PermissionOption(option_id="cancel", name="Skip", kind="reject_once"))
        detail = "\n".join(
            f"- {o.label}: {o.description}" if o.description else f"- {o.label}"
            for o in request.options
        )
        chosen = await self._ask_as_tool_call(
            request.question, f"{request.question}\n\n{detail}", "think", options
        )
        if chosen is None or not chosen.startswith("option_"):
            return QuestionAnswer(cancelled=True)
        return QuestionAnswer(selected=[request.options[int(chosen.removeprefix("option_"))].label])

    async def elicit(self, request: ElicitationRequest) -> ElicitationResponse:
        if not self._extensions:
            return ElicitationResponse(action="decline")
        answer = await self._connection.ext_method(
            "tau/elicit", {"sessionId": self._session_id(), **request.model_dump(mode="json")}
        )
        return ElicitationResponse.model_validate(answer)

    async def _ask_as_tool_call(
        self, title: str, text: str, kind: str, options: list[PermissionOption]
    ) -> str | None:
        self._asked += 1
        response = await self._connection.request_permission(
            session_id=self._session_id(),
            tool_call=ToolCallUpdate(
                tool_call_id=f"tau_question_{self._asked}",
                title=title,
                kind=kind,
                status="pending",
                content=[
                    ContentToolCallContent(
                        type="content", content=TextContentBlock(type="text", text=text)
                    )
                ],
            ),
            options=options,
        )
        return _chosen(response)


def _chosen(response: RequestPermissionResponse) -> str | None:
    """The option the user picked; None when the client cancelled the question."""
    outcome = response.outcome
    return outcome.option_id if isinstance(outcome, AllowedOutcome) else None
