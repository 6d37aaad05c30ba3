"""Shared set-up for loop tests: a real repository, settings files, a scripted model
server over HTTP, and a scripted stand-in for the person at the keyboard."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tau_cli.agent import Turn
from tau_cli.core import (
    ElicitationRequest,
    ElicitationResponse,
    Event,
    PermissionChoice,
    PermissionDecision,
    PermissionRequest,
    PlanApprovalRequest,
    PlanDecision,
    QuestionAnswer,
    QuestionRequest,
)
from tau_cli.runtime.builder import Launch, build_runtime
from tau_cli.runtime.runtime import Runtime
from tau_cli.runtime.settings_loader import load_settings
from tau_cli.testing import ScriptedModelServer

BUGGY = "def add(a, b):\n    return a - b\n"
TEST = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"


def make_repo(root: Path) -> Path:
    (root / ".git").mkdir(parents=True)
    (root / "calc.py").write_text(BUGGY)
    (root / "test_calc.py").write_text(TEST)
    return root


def turns(*raw: dict[str, Any]) -> list[Turn]:
    return [Turn.model_validate(t) for t in raw]


@dataclass
class ScriptedPerson:
    """Answers the runtime's questions from a list, and remembers what it was asked."""

    permissions: list[PermissionDecision] = field(default_factory=list)
    asked: list[PermissionRequest] = field(default_factory=list)
    answers: list[QuestionAnswer] = field(default_factory=list)
    plan_decisions: list[PlanDecision] = field(default_factory=list)
    plans_seen: list[PlanApprovalRequest] = field(default_factory=list)
    before_plan_answer: Callable[[PlanApprovalRequest], None] | None = None
    questions: list[QuestionRequest] = field(default_factory=list)

    async def request_permission(self, request: PermissionRequest) -> PermissionDecision:
        self.asked.append(request)
        if not self.permissions:
            return PermissionDecision(choice=PermissionChoice.DENY, feedback="nobody scripted")
        return self.permissions.pop(0)

    async def approve_plan(self, request: PlanApprovalRequest) -> PlanDecision:
        self.plans_seen.append(request)
        if self.before_plan_answer is not None:
            self.before_plan_answer(request)
        return self.plan_decisions.pop(0) if self.plan_decisions else PlanDecision(approved=False)

    async def ask(self, request: QuestionRequest) -> QuestionAnswer:
        self.questions.append(request)
        return self.answers.pop(0) if self.answers else QuestionAnswer(cancelled=True)

    async def elicit(self, request: ElicitationRequest) -> ElicitationResponse:
        return ElicitationResponse(action="decline")


def runtime_for(
    repo: Path,
    server: ScriptedModelServer,
    *,
    settings: dict[str, Any] | None = None,
    person: ScriptedPerson | None = None,
    model: str = "openai:scripted-model",
    trust: bool = True,
    resume: str | None = None,
) -> Runtime:
    """A runtime as ``tau`` builds it, talking HTTP to ``server``.

    ``trust``: whether the project folder is trusted; ``resume``: a session to resume.
    """
    config: dict[str, Any] = {
        "model": model,
        "client": {"backoff_initial": "5ms", "backoff_max": "20ms"},
    }
    config.update(settings or {})
    (repo / ".tau").mkdir(exist_ok=True)
    (repo / ".tau" / "settings.yaml").write_text(yaml.safe_dump(config))
    env = {
        "HOME": os.environ["HOME"],
        "TAU_HOME": os.environ["TAU_HOME"],
        "PATH": os.environ["PATH"],
        "OPENAI_BASE_URL": f"{server.url}/v1",
        "OPENAI_API_KEY": "sk-test-not-a-real-key-0000",
    }
    resolved = load_settings(repo, environ=env, trust=trust)
    launch = Launch(cwd=repo, interaction=person or ScriptedPerson(), resume=resume)
    return build_runtime(resolved, launch, environ=env)


async def gone(pid: int, seconds: float = 5.0) -> bool:
    """The process ended (a killed orphan may linger as a zombie until reaped)."""
    for _ in range(int(seconds / 0.02)):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state == "Z":
            return True
        await asyncio.sleep(0.02)
    return False


async def collect(runtime: Runtime, prompt: str) -> list[Event]:
    return [event async for event in runtime.submit(prompt)]


def types(events: Sequence[Event]) -> list[str]:
    return [getattr(e, "type", "") for e in events]
