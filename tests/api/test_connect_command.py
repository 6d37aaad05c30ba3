"""``tau --connect`` when the agent cannot be reached: one clear line, no traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .conftest import TAU


def connect(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TAU, "--connect", command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_a_command_that_does_not_exist_is_reported(tmp_path: Path) -> None:
    result = connect("no-such-agent-here --flag", tmp_path)

    assert result.returncode == 1
    assert result.stderr.startswith("tau: could not start 'no-such-agent-here'")
    assert "Traceback" not in result.stderr


def test_an_agent_that_exits_at_once_is_reported(tmp_path: Path) -> None:
    result = connect("sh -c 'echo no model here >&2; exit 3'", tmp_path)

    assert result.returncode == 1
    assert result.stderr.startswith("tau: the agent exited with code 3 before answering")
    assert "Traceback" not in result.stderr


def test_an_empty_command_is_a_usage_error(tmp_path: Path) -> None:
    result = connect("  ", tmp_path)

    assert result.returncode == 2
    assert "--connect needs a command" in result.stderr
