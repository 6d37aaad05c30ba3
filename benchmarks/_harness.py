"""Figures, samples and the report: the parts every benchmark shares."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Figure:
    """One number tau is held to: how to measure it and what it must not exceed."""

    key: str
    title: str
    unit: str
    target: float
    measure: Callable[[int], list[float]]
    """Takes a run count, returns that many samples in ``unit``."""
    runs: int = 15
    quick_runs: int = 5
    quick_measure: Callable[[int], list[float]] | None = None
    """A lighter measurement for ``--quick`` (a shorter stream, say); ``measure`` if unset."""


@dataclass
class Result:
    key: str
    title: str
    unit: str
    target: float
    samples: list[float] = field(default_factory=list)
    error: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def passed(self) -> bool:
        return self.error is None and bool(self.samples) and self.median <= self.target


def run_figures(figures: Sequence[Figure], *, quick: bool) -> list[Result]:
    results = []
    for figure in figures:
        result = Result(figure.key, figure.title, figure.unit, figure.target)
        try:
            if quick:
                result.samples = (figure.quick_measure or figure.measure)(figure.quick_runs)
            else:
                result.samples = figure.measure(figure.runs)
        except Exception as exc:  # a broken figure is reported, the others still run
            result.error = f"{type(exc).__name__}: {exc}"
        results.append(result)
    return results


def wall_times(
    argv: Sequence[str], runs: int, *, env: dict[str, str], cwd: str, warmup: int = 2
) -> list[float]:
    """Wall time of a whole command, in seconds, after ``warmup`` unmeasured runs."""
    samples = []
    for i in range(warmup + runs):
        start = time.perf_counter()
        subprocess.run(
            argv, check=True, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        elapsed = time.perf_counter() - start
        if i >= warmup:
            samples.append(elapsed)
    return samples


def machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "executable": Path(sys.executable).name,
    }


def table(results: Sequence[Result]) -> str:
    """The results as a Markdown table (it reads fine in a terminal too)."""
    lines = [
        "| figure | median | min-max | target | |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        if r.error is not None:
            lines.append(f"| {r.title} | - | - | ≤ {_fmt(r.target, r.unit)} | error: {r.error} |")
            continue
        low, high = min(r.samples), max(r.samples)
        verdict = "pass" if r.passed else "MISS"
        lines.append(
            f"| {r.title} | {_fmt(r.median, r.unit)} | {_fmt(low, r.unit)}-{_fmt(high, r.unit)}"
            f" | ≤ {_fmt(r.target, r.unit)} | {verdict} |"
        )
    return "\n".join(lines)


def write_json(results: Sequence[Result], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "machine": machine(),
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "figures": [
            {**asdict(r), "median": r.median if r.samples else None, "passed": r.passed}
            for r in results
        ],
    }
    path.write_text(json.dumps(payload, indent=2) + "\n")


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "ms":
        return f"{value:.2f} ms"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "%":
        return f"{value:.0f} %"
    if unit == "MB":
        return f"{value:.1f} MB"
    return f"{value:g} {unit}"
