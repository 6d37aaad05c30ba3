"""``auto_commit: true``: each ``tau run`` turn that changes files leaves one commit."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from tau_cli.agent import Turn
from tau_cli.testing import ScriptedModelServer

from .conftest import run_tau


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


def _git_repo(root: Path) -> Path:
    root.mkdir()
    git(root, "init", "--quiet", "-b", "main")
    git(root, "config", "user.name", "Test User")
    git(root, "config", "user.email", "test@example.invalid")
    (root / "README").write_text("hello\n")
    git(root, "add", ".")
    git(root, "commit", "--quiet", "-m", "start")
    return root


def _run(repo: Path, file: str) -> dict[str, Any]:
    turns = [
        {"tool_calls": [{"name": "bash", "arguments": {"command": f"echo made > {file}"}}]},
        {"text": "done"},
    ]
    with ScriptedModelServer([Turn.model_validate(t) for t in turns]) as server:
        result = run_tau(
            "--permission-mode",
            "bypass",
            "run",
            "--output-format",
            "json",
            f"make {file}",
            cwd=repo,
            TAU_MODEL="openai:scripted-model",
            OPENAI_BASE_URL=f"{server.url}/v1",
            OPENAI_API_KEY="sk-test-0000000000000000",
        )
    assert result.returncode == 0, result.stderr
    payload: dict[str, Any] = json.loads(result.stdout)
    return payload


def test_auto_commit_is_off_by_default_and_commits_each_turn_when_on(tmp_path: Path) -> None:
    repo = _git_repo(tmp_path / "repo")
    _run(repo, "first.txt")
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"
    assert "first.txt" in git(repo, "status", "--porcelain")

    settings = Path(os.environ["TAU_HOME"]) / "settings.yaml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text("auto_commit: true\n")
    _run(repo, "second.txt")
    assert git(repo, "log", "-1", "--format=%s").strip() == "tau: make second.txt"
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["second.txt"]
    # The first file was made before auto-commit was on, by another turn: not committed.
    assert git(repo, "status", "--porcelain").split() == ["??", "first.txt"]
