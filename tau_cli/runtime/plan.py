"""Plan mode: explore read-only, propose a plan, get it approved, then work through it.

In ``plan`` mode only read-only tools run. The model proposes its plan with
``propose_plan``: the plan is written as markdown to the plans folder
(``.tau/plans/`` by default) under a dated, named file, and the user approves it —
optionally switching to ``accept_edits`` — rejects it with feedback (the model
revises the same file; each earlier draft is kept beside it as ``.vN.md`` so the
user can see what changed), or edits the file before approving (the file on disk
is what counts). Once approved, the plan stays pinned in the model's context and
its ``- [ ]`` steps are ticked with ``update_plan``, so the file always shows
the progress.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import Field, JsonValue

from tau_cli.core import Interaction, Message, PlanApprovalRequest, ToolDefinition, ToolResult
from tau_cli.runtime.checklist import STEP, plan_steps
from tau_cli.tools import PermissionMode, PermissionPolicy, ToolContext
from tau_cli.tools.builtin import Arguments

_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass
class PlanState:
    """The plan of this session: where its file is and whether it was approved."""

    folder: Path
    clock: Callable[[], datetime]
    path: Path | None = None
    approved: bool = False
    drafts: int = 0
    on_approved: list[Callable[[Message], None]] = field(default_factory=list)

    def steps(self) -> list[tuple[bool, str]]:
        if self.path is None or not self.path.exists():
            return []
        return plan_steps(self.path.read_text(encoding="utf-8"))


class _ProposeArguments(Arguments):
    title: str = Field(description="A short name for the plan, e.g. 'Add retry to the fetcher'.")
    plan: str = Field(
        description="The plan in markdown: context, then the steps as a checklist "
        "('- [ ] step'), then how you will verify the result."
    )


_PROPOSE = """\
Propose your plan to the user for approval, then wait. Use it in plan mode once you have \
explored enough to know what to change; the user approves, rejects with feedback, or edits \
the plan file. Write the steps as a markdown checklist, one concrete action each:

- [ ] Add a retry loop with backoff to fetch() in src/fetch.py
- [ ] Cover it with a test that fails twice then succeeds
- [ ] Run the test suite

After a rejection, revise and propose again with the same title."""


class ProposePlanTool:
    name = "propose_plan"
    read_only = True  # it writes only tau's own plan file, so it runs in plan mode

    def __init__(
        self, state: PlanState, interaction: Interaction, policy: PermissionPolicy
    ) -> None:
        self._state = state
        self._interaction = interaction
        self._policy = policy
        self._definition = ToolDefinition.from_model(self.name, _PROPOSE, _ProposeArguments)

    @property
    def definition(self) -> ToolDefinition:
        return self._definition

    async def execute(self, arguments: dict[str, JsonValue], context: ToolContext) -> ToolResult:
        args = _ProposeArguments.model_validate(arguments)
        path = self._write(args.title, args.plan)
        decision = await self._interaction.approve_plan(
            PlanApprovalRequest(plan=path.read_text(encoding="utf-8"), path=str(path))
        )
        if not decision.approved:
            feedback = decision.feedback or "no reason given"
            return ToolResult(
                text=f"The user did not approve the plan. Their feedback: {feedback}\n"
                f"Revise the plan and call propose_plan again with the title {args.title!r}."
            )
        plan = path.read_text(encoding="utf-8")  # the user may have edited it
        self._state.approved = True
        self._policy.mode = PermissionMode.parse(decision.mode_after)
        pinned = Message.system(f'<approved-plan path="{path}">\n{plan}\n</approved-plan>')
        for notify in self._state.on_approved:
            notify(pinned)
        return ToolResult(
            text=f"The user approved the plan (saved at {path}); permission mode is now "
            f"{decision.mode_after}. Carry it out step by step, and after finishing each step "
            f"call update_plan with that step's number.\n\n{plan}"
        )

    def _write(self, title: str, plan: str) -> Path:
        state = self._state
        if state.path is None or state.approved:
            slug = _SLUG.sub("-", title.lower()).strip("-")[:60] or "plan"
            stamp = state.clock().strftime("%Y-%m-%d")
            state.path = _unused(state.folder / f"{stamp}-{slug}.md")
            state.approved = False
            state.drafts = 0
        elif state.path.exists():
            state.drafts += 1
            draft = state.path.with_suffix(f".v{state.drafts}.md")
            draft.write_text(state.path.read_text(encoding="utf-8"), encoding="utf-8")
        state.folder.mkdir(parents=True, exist_ok=True)
        text = plan if plan.lstrip().startswith("# ") else f"# {title}\n\n{plan}"
        state.path.write_text(text.rstrip() + "\n", encoding="utf-8")
        return state.path


class _UpdateArguments(Arguments):
    step: int = Field(ge=1, description="The number of the step (1 is the first checklist item).")
    done: bool = Field(default=True, description="False to untick a step.")


class UpdatePlanTool:
    name = "update_plan"
    read_only = True  # it writes only tau's own plan file

    def __init__(self, state: PlanState) -> None:
        self._state = state
        self._definition = ToolDefinition.from_model(
            self.name,
            "Tick off a step of the approved plan once it is done, so the plan file shows "
            'progress. Example: {"step": 2}. Steps are numbered from 1 in checklist order.',
            _UpdateArguments,
        )

    @property
    def definition(self) -> ToolDefinition:
        return self._definition

    async def execute(self, arguments: dict[str, JsonValue], context: ToolContext) -> ToolResult:
        args = _UpdateArguments.model_validate(arguments)
        path = self._state.path
        if path is None or not self._state.approved:
            return ToolResult.error("There is no approved plan; propose one with propose_plan.")
        lines = path.read_text(encoding="utf-8").splitlines()
        seen = 0
        for i, line in enumerate(lines):
            match = STEP.match(line)
            if match is None:
                continue
            seen += 1
            if seen == args.step:
                mark = "x" if args.done else " "
                lines[i] = f"{match.group(1)}[{mark}] {match.group(3)}"
                path.write_text("\n".join(lines) + "\n", encoding="utf-8")
                left = sum(1 for done, _ in self._state.steps() if not done)
                return ToolResult(
                    text=f"Step {args.step} marked {'done' if args.done else 'open'}; {left} left."
                )
        return ToolResult.error(f"The plan has {seen} steps; there is no step {args.step}.")


def _unused(path: Path) -> Path:
    n = 2
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


class _NoArguments(Arguments):
    reason: str = Field(default="", description="One line on why planning first is wiser.")


class EnterPlanModeTool:
    """The model suggests planning first: from now on only read-only tools run, until the
    user approves a plan proposed with ``propose_plan``."""

    name = "enter_plan_mode"
    read_only = True

    def __init__(self, policy: PermissionPolicy) -> None:
        self._policy = policy
        self._definition = ToolDefinition.from_model(
            self.name,
            "Switch to plan mode when a task is large, risky or unclear enough that the user "
            "should approve a plan before anything changes. Afterwards only read-only tools "
            "run: explore, then call propose_plan. Example: "
            '{"reason": "the migration touches every model"}.',
            _NoArguments,
        )

    @property
    def definition(self) -> ToolDefinition:
        return self._definition

    async def execute(self, arguments: dict[str, JsonValue], context: ToolContext) -> ToolResult:
        if self._policy.mode is PermissionMode.PLAN:
            return ToolResult(text="Already in plan mode.")
        self._policy.mode = PermissionMode.PLAN
        return ToolResult(
            text="Plan mode is on: only read-only tools run now. Explore what you need, then "
            "propose your plan with propose_plan."
        )
