"""Shared set-up for workflow tests: a project with ``.tau/workflows/`` and a runner
wired from its settings exactly as ``tau workflow`` wires it."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from tau_cli.core import Event
from tau_cli.runtime.interaction import NonInteractive
from tau_cli.runtime.settings_loader import load_settings
from tau_cli.runtime.workflow_runs import WorkflowRunner, workflow_parts
from tau_cli.testing import ScriptedModelServer


def write_workflow(root: Path, name: str, text: str) -> Path:
    folder = root / ".tau" / "workflows"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def model_env(server: ScriptedModelServer | None) -> dict[str, str]:
    env = {
        "HOME": os.environ["HOME"],
        "TAU_HOME": os.environ["TAU_HOME"],
        "PATH": os.environ["PATH"],
    }
    if server is not None:
        env |= {
            "TAU_MODEL": "openai:scripted-model",
            "OPENAI_BASE_URL": f"{server.url}/v1",
            "OPENAI_API_KEY": "sk-test-not-a-real-key-0000",
        }
    return env


def runner_for(root: Path, server: ScriptedModelServer | None = None) -> WorkflowRunner:
    env = model_env(server)
    resolved = load_settings(root, environ=env, trust=True)
    return WorkflowRunner(root, workflow_parts(resolved, root, NonInteractive(), environ=env))


class Recorder:
    """Keeps every event a run emits, in order."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def __call__(self, event: Event) -> None:
        self.events.append(event)

    def types(self, parent: str | None = None) -> list[str]:
        return [e.type for e in self.events if e.parent_id == parent]  # type: ignore[attr-defined]
