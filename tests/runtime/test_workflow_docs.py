"""The complete example of docs/workflows.md compiles and runs as the guide says."""

from __future__ import annotations

import re
from pathlib import Path

from tau_cli.runtime.interaction import NonInteractive
from tau_cli.runtime.settings_loader import load_settings
from tau_cli.runtime.workflow_runs import WorkflowRunner, workflow_parts
from tau_cli.testing import ScriptedModelServer

from .loop_helpers import turns
from .workflow_helpers import Recorder, model_env, write_workflow

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "workflows.md"


def guide_example() -> str:
    found = re.search(r"^```yaml\n(.*?)^```", GUIDE.read_text(encoding="utf-8"), re.M | re.S)
    assert found is not None
    return found.group(1)


async def test_the_guides_writer_and_critic_run_to_the_saved_paragraph(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    write_workflow(project, "polish", guide_example())
    script = turns(
        {"expect": {"last_user_contains": "about the tides"}, "text": "Tides rise."},
        {
            "expect": {"last_user_contains": "Tides rise.", "tools": ["read", "grep"]},
            "text": "Too thin.",
        },
        {
            "expect": {"last_user_contains": "Notes on your last draft: Too thin."},
            "text": "Tides rise and fall twice a day.",
        },
        {"text": "APPROVED"},
    )
    async with ScriptedModelServer(script) as server:
        env = model_env(server) | {"OLLAMA_HOST": server.url}
        resolved = load_settings(project, environ=env, trust=True)
        runner = WorkflowRunner(
            project, workflow_parts(resolved, project, NonInteractive(), environ=env)
        )
        compiled, result = await runner.start("polish", {"topic": "the tides"}, Recorder())
        models = [
            r.json()["model"] for r in server.requests if r.method == "POST" and "chat" in r.path
        ]

    assert models == ["scripted-model", "qwen3:8b", "scripted-model", "qwen3:8b"]
    assert result.state[compiled.output or ""] == "Tides rise and fall twice a day."
    assert (project / "paragraph.md").read_text() == "Tides rise and fall twice a day.\n"
    assert result.state["verdict"] == "7"  # wc -w of the saved paragraph
