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


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / ".tau").mkdir()
    return root
