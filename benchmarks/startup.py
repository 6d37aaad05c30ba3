"""Start-up figures: how long ``tau`` takes before it does anything useful."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from benchmarks._harness import Figure, wall_times

_TAU = str(Path(sys.executable).with_name("tau"))


def _tau(*args: str) -> Callable[[int], list[float]]:
    def measure(runs: int) -> list[float]:
        with tempfile.TemporaryDirectory() as home:
            env = {"HOME": home, "TAU_HOME": f"{home}/.tau", "PATH": "/usr/bin:/bin"}
            return wall_times([_TAU, *args], runs, env=env, cwd=home)

    return measure


FIGURES = [
    Figure("tau-version", "`tau --version` wall time", "s", 0.06, _tau("--version")),
    Figure("tau-help", "`tau --help` wall time", "s", 0.25, _tau("--help")),
]
