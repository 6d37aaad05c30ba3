"""The TUI's answer to core's ``Interaction``: every question is asked inline.

The runtime awaits these methods inside its own turn; each mounts a prompt in the
conversation, moves the keyboard focus to it, and waits for the user's keys. If
the turn is stopped meanwhile, the prompt folds to a record and the wait ends. Once
the app has ended (``detach``), open and later questions get the answers of a run
with nobody to ask: the runtime may still be starting behind a closed app.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

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
from tau_cli.runtime.interaction import NonInteractive
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
        self._open: set[Prompt[Any]] = set()
        self._gone = False
        self._nobody = NonInteractive()

    def attach(self, host: PromptHost) -> None:
        self._host = host

    def detach(self) -> None:
        """The app has ended: nobody answers the open questions, or any asked later.

        Only the waits end: the prompts' widgets went with the app.
        """
        self._gone = True
        for prompt in list(self._open):
            if not prompt.answer.done():
                prompt.answer.cancel()

    async def _ask(self, prompt: Prompt[T], nobody: Callable[[], Awaitable[T]]) -> T:
        if self._gone:
            return await nobody()
        host = self._host
        if host is None:
            raise RuntimeError("TuiInteraction is not attached to an app")
        self._open.add(prompt)
        try:
            # Inside the ``try``: a turn stopped while the prompt is still being put on
            # screen folds it too, rather than leaving a question nobody waits for.
            await host.show_prompt(prompt)
            return await prompt.answer
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if self._gone and task is not None and not task.cancelling():
                return await nobody()  # the app ended, not the turn
            raise
        finally:
            self._open.discard(prompt)
            if not self._gone:
                prompt.abandon()
                host.prompt_done()

    async def request_permission(self, request: PermissionRequest) -> PermissionDecision:
        return await self._ask(
            PermissionPrompt(request), lambda: self._nobody.request_permission(request)
        )

    async def approve_plan(self, request: PlanApprovalRequest) -> PlanDecision:
        return await self._ask(PlanPrompt(request), lambda: self._nobody.approve_plan(request))

    async def ask(self, request: QuestionRequest) -> QuestionAnswer:
        return await self._ask(QuestionPrompt(request), lambda: self._nobody.ask(request))

    async def elicit(self, request: ElicitationRequest) -> ElicitationResponse:
        from tau_cli.tui.elicitation import ElicitationPrompt

        return await self._ask(ElicitationPrompt(request), lambda: self._nobody.elicit(request))
