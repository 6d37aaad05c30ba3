"""Helpers for driving the real ``tau`` executable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TAU = str(Path(sys.executable).with_name("tau"))


def tau_env(**extra: str) -> dict[str, str]:
    """The test's environment (its own HOME and TAU_HOME) plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    env.update({"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})
    env.update(extra)
    return env


def run_tau(*args: str, cwd: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TAU, *args],
        cwd=cwd,
        env=tau_env(**extra),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def wait_for_turn_end(tau_home: Path, timeout: float = 20.0) -> Path:
    """Block until a ``--debug`` trace under ``tau_home`` records a finished turn.

    Quitting the full-screen chat while a turn is still winding down is a different
    test; tests that drive the chat wait for this before they quit.
    """
    import time

    deadline = time.monotonic() + timeout
    while True:
        traces = list((tau_home / "debug").glob("trace-*.log"))
        if traces and '"type": "turn_finished"' in traces[0].read_text(encoding="utf-8"):
            return traces[0]
        assert time.monotonic() < deadline, "the turn never finished"
        time.sleep(0.1)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / ".tau").mkdir()
    return root
