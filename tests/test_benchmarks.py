"""The benchmark suite keeps running (its numbers are judged in docs, not here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_suite_runs_and_writes_every_figure_it_prints(tmp_path: Path) -> None:
    out = tmp_path / "numbers.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--quick",
            "--only",
            "tau-version",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "| `tau --version` wall time |" in result.stdout
    payload = json.loads(out.read_text())
    (figure,) = payload["figures"]
    assert figure["key"] == "tau-version"
    assert figure["error"] is None
    assert len(figure["samples"]) == 5
    assert figure["median"] > 0
    assert payload["machine"]["cpus"] >= 1


def test_an_unknown_figure_is_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--only", "nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "known: tau-version" in result.stderr
