"""The TUI's answer to core's ``Interaction``: every question is asked inline.

The runtime awaits these methods inside its own turn; each mounts a prompt in the
conversation, moves the keyboard focus to it, and waits for the user's keys. If
the turn is stopped meanwhile, the prompt folds to a record and the wait ends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TypeVar

from tau_cli.core import (
    ElicitationRequest,
    ElicitationResponse,
    PermissionDecision,
    PermissionRequest,
    PlanApprovalRequest,
    PlanDecision,
    QuestionAnswer,
    QuestionRequest,
)
from tau_cli.tui.prompts import PermissionPrompt, PlanPrompt, Prompt, QuestionPrompt

if TYPE_CHECKING:
    from tau_cli.tui.widgets import NoticeLine

T = TypeVar("T")


class PromptHost(Protocol):
    """Where prompts appear: the app's conversation."""

    async def show_prompt(self, prompt: Prompt[T]) -> None: ...

    async def show_notice(self, notice: NoticeLine) -> None: ...

    def prompt_done(self) -> None: ...


class TuiInteraction:
    """Asks in the conversation of the app it is attached to."""

    def __init__(self) -> None:
        self._host: PromptHost | None = None

    def attach(self, host: PromptHost) -> None:
        self._host = host

    async def _ask(self, prompt: Prompt[T]) -> T:
        if self._host is None:
            raise RuntimeError("TuiInteraction is not attached to an app")
        try:
            # Inside the ``try``: a turn stopped while the prompt is still being put on
            # screen folds it too, rather than leaving a question nobody waits for.
            await self._host.show_prompt(prompt)
            return await prompt.answer
        finally:
            prompt.abandon()
            self._host.prompt_done()

    async def request_permission(self, request: PermissionRequest) -> PermissionDecision:
        return await self._ask(PermissionPrompt(request))

    async def approve_plan(self, request: PlanApprovalRequest) -> PlanDecision:
        return await self._ask(PlanPrompt(request))

    async def ask(self, request: QuestionRequest) -> QuestionAnswer:
        return await self._ask(QuestionPrompt(request))

    async def elicit(self, request: ElicitationRequest) -> ElicitationResponse:
        from tau_cli.tui.elicitation import ElicitationPrompt

        return await self._ask(ElicitationPrompt(request))
