"""``tau --sandbox run``: the agent's commands are confined, and tau says so."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pexpect
import pytest

from tau_cli.agent import Turn
from tau_cli.runtime.sandbox import sandbox_unavailable_reason
from tau_cli.testing import ScriptedModelServer

from .conftest import TAU, run_tau, tau_env


@pytest.fixture
def outside() -> Iterator[Path]:
    """A folder beside the project, outside ``/tmp`` (the sandbox's own /tmp would hide it)."""
    with tempfile.TemporaryDirectory(dir="/var/tmp", prefix="tau-cli-sandbox-") as name:
        yield Path(name).resolve()


def script(outside: Path) -> list[Turn]:
    raw: list[dict[str, Any]] = [
        {"tool_calls": [{"name": "bash", "arguments": {"command": "echo made > inside.txt"}}]},
        {
            "tool_calls": [
                {
                    "name": "bash",
                    "arguments": {"command": f"echo escaped > {outside}/escaped.txt"},
                }
            ]
        },
        {"text": "done"},
    ]
    return [Turn.model_validate(t) for t in raw]


def run_json(repo: Path, server: ScriptedModelServer, *flags: str) -> dict[str, Any]:
    result = run_tau(
        *flags,
        "--permission-mode",
        "bypass",
        "run",
        "--output-format",
        "json",
        "make two files",
        cwd=repo,
        TAU_MODEL="openai:scripted-model",
        OPENAI_BASE_URL=f"{server.url}/v1",
        OPENAI_API_KEY="sk-test-0000000000000000",
    )
    assert result.returncode == 0, result.stderr
    payload: dict[str, Any] = json.loads(result.stdout)
    return payload


@pytest.mark.skipif(sandbox_unavailable_reason() is not None, reason="bubblewrap does not work")
def test_sandboxed_run_writes_the_project_but_not_beside_it(repo: Path, outside: Path) -> None:
    with ScriptedModelServer(script(outside)) as server:
        control = run_json(repo, server)
    assert control["environment"] == "local (no sandbox)"
    assert (outside / "escaped.txt").read_text() == "escaped\n"
    (outside / "escaped.txt").unlink()
    (repo / "inside.txt").unlink()

    with ScriptedModelServer(script(outside)) as server:
        sandboxed = run_json(repo, server, "--sandbox")
        sent = server.requests[-1]
    assert sandboxed["environment"].startswith("bubblewrap sandbox")
    assert "no network" in sandboxed["environment"]
    assert sandboxed["result"] == "done"
    assert (repo / "inside.txt").read_text() == "made\n"
    assert not (outside / "escaped.txt").exists()
    assert b"Read-only file system" in sent.body


def test_without_bubblewrap_sandbox_is_a_clear_error_not_a_silent_fallback(repo: Path) -> None:
    result = run_tau(
        "--sandbox",
        "run",
        "hi",
        cwd=repo,
        TAU_MODEL="openai:scripted-model",
        OPENAI_API_KEY="sk-test-0000000000000000",
        PATH=str(repo),
    )
    assert result.returncode == 1
    assert "the sandbox needs bubblewrap" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(sandbox_unavailable_reason() is not None, reason="bubblewrap does not work")
def test_at_a_terminal_tau_run_says_which_environment_is_active(repo: Path) -> None:
    turn = Turn.model_validate({"text": "hello"})
    with ScriptedModelServer([turn, turn]) as server:
        env = tau_env(
            TERM="xterm",
            TAU_MODEL="openai:scripted-model",
            OPENAI_BASE_URL=f"{server.url}/v1",
            OPENAI_API_KEY="sk-test-0000000000000000",
        )
        for flags, expected in (
            ([], "environment: local (no sandbox)"),
            (["--sandbox"], "environment: bubblewrap sandbox (writable: "),
        ):
            child = pexpect.spawn(
                TAU, [*flags, "run", "hi"], cwd=str(repo), env=env, encoding="utf-8", timeout=30
            )
            child.expect_exact(expected)
            child.expect("hello")
            child.expect(pexpect.EOF)
            child.close()
            assert child.exitstatus == 0


def test_the_status_says_where_tools_run(repo: Path) -> None:
    local = run_tau(cwd=repo)
    assert "tools:    run locally (no sandbox; --sandbox turns it on)" in local.stdout
    missing = run_tau("--sandbox", cwd=repo, PATH=str(repo))
    assert "sandbox requested but unavailable: the sandbox needs bubblewrap" in missing.stdout
    if sandbox_unavailable_reason() is None:
        sandboxed = run_tau("--sandbox", cwd=repo)
        assert "tools:    bubblewrap sandbox (no network)" in sandboxed.stdout
