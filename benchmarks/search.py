"""Search figures: the grep and glob tools on a generated 50,000-file tree, against ripgrep.

Each sample runs ripgrep alone and then the tool, back to back, and keeps their
ratio, so a burst of load from elsewhere on the machine hits both sides of one
sample rather than one side of the median. ripgrep alone gets the flags the grep
tool gives it (hidden files, .gitignore honoured outside a git repository), so
the ripgrep-path ratio is the tool's own overhead: starting the process, parsing
its output, shaping the answer.

The glob tool always walks in Python. It is measured twice: against ripgrep doing
the same job, ``rg --files --sortr modified`` (the matches newest first: ripgrep
then stats every match too, on one thread), and against the plain listing
``rg --files``, which walks with several threads and sorts nothing.

The tree is a project with source folders, a .gitignore'd build folder and a
match in every hundredth file; it is generated once per run of the suite.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from benchmarks._harness import Figure

FILES = 50_000
_LINE = "def function_{n}(value):\n    return value * {n}  # ordinary code line\n"
_RG_FLAGS = ["--no-config", "--hidden", "--no-require-git", "--no-ignore-dot", "-g", "!.git"]


def make_tree(root: Path, files: int) -> None:
    """``files`` Python files in folders of 100, plus 200 ignored ones under build/."""
    per_folder = 100
    (root / ".gitignore").write_text("build/\n*.log\n")
    for index in range(files):
        folder = root / f"pkg{index // (per_folder * 10)}" / f"mod{(index // per_folder) % 10}"
        if index % per_folder == 0:
            folder.mkdir(parents=True, exist_ok=True)
        body = _LINE.format(n=index) * 20
        if index % 100 == 7:
            body += "NEEDLE_MARKER = True\n"
        (folder / f"file{index}.py").write_text(body)
    build = root / "build"
    build.mkdir()
    for index in range(200):
        (build / f"gen{index}.py").write_text("NEEDLE_MARKER = 'ignored'\n")


@cache
def _tree() -> Path:
    holder = tempfile.TemporaryDirectory(prefix="tau-bench-tree-")
    atexit.register(holder.cleanup)
    root = Path(holder.name)
    make_tree(root, FILES)
    return root


@cache
def _ripgrep() -> str:
    found = shutil.which("rg") or shutil.which("rg", path=os.path.dirname(sys.executable))
    if found is None:
        raise RuntimeError("ripgrep is the baseline: pip install 'tau-cli[ripgrep]'")
    return found


def _tool_runner(with_ripgrep: bool) -> Callable[[str, dict[str, Any]], Any]:
    """Run a tool as a session does: one environment, so grep asks once whether rg is there."""
    from tau_cli.core import ToolCall
    from tau_cli.tools import LocalEnvironment, ToolContext, ToolRegistry, allowed_environment
    from tau_cli.tools.builtin import GlobTool, GrepTool

    root = _tree()
    folders = [os.path.dirname(_ripgrep())] if with_ripgrep else []
    env = {**allowed_environment(os.environ), "PATH": ":".join([*folders, "/usr/bin", "/bin"])}
    context = ToolContext(environment=LocalEnvironment(str(root), env=env))
    registry = ToolRegistry([GrepTool(), GlobTool()])

    def run(name: str, arguments: dict[str, Any]) -> Any:
        call = ToolCall(id="bench", name=name, arguments=arguments)
        result = asyncio.run(registry.run(call, context))
        if result.is_error:
            raise RuntimeError(f"{name} failed: {result.text}")
        return result

    return run


def _ratio(
    rg_args: list[str], tool: str, arguments: dict[str, Any], *, with_ripgrep: bool
) -> Callable[[int], list[float]]:
    def measure(runs: int) -> list[float]:
        root = _tree()
        argv = [_ripgrep(), *_RG_FLAGS, *rg_args, str(root)]
        run = _tool_runner(with_ripgrep)
        samples = []
        for i in range(runs + 1):  # the first pair warms the page cache and grep's rg probe
            start = time.perf_counter()
            subprocess.run(argv, capture_output=True, check=False)
            alone = time.perf_counter() - start
            start = time.perf_counter()
            run(tool, arguments)
            via_tool = time.perf_counter() - start
            if i:
                samples.append(via_tool / alone)
        return samples

    return measure


_NEEDLE = {"pattern": "NEEDLE_MARKER"}
_CONTENT = {"pattern": "NEEDLE_MARKER", "output_mode": "content"}

FIGURES = [
    Figure(
        "grep-rg",
        "grep tool via ripgrep vs ripgrep alone (50,000 files, matching files)",
        "x",
        1.3,
        _ratio(["-l", "NEEDLE_MARKER"], "grep", _NEEDLE, with_ripgrep=True),
        runs=9,
        quick_runs=3,
    ),
    Figure(
        "grep-rg-content",
        "grep tool via ripgrep vs ripgrep alone (50,000 files, matching lines)",
        "x",
        1.3,
        _ratio(["-n", "NEEDLE_MARKER"], "grep", _CONTENT, with_ripgrep=True),
        runs=9,
        quick_runs=3,
    ),
    Figure(
        "grep-python",
        "grep tool in pure Python vs ripgrep alone (50,000 files)",
        "x",
        5.0,
        _ratio(["-l", "NEEDLE_MARKER"], "grep", _NEEDLE, with_ripgrep=False),
        runs=7,
        quick_runs=3,
    ),
    Figure(
        "glob-python",
        "glob tool (pure Python) vs `rg --files` (50,000 files, `**/*.py`)",
        "x",
        5.0,
        _ratio(["--files", "-g", "*.py"], "glob", {"pattern": "**/*.py"}, with_ripgrep=False),
        runs=7,
        quick_runs=3,
    ),
    Figure(
        "glob-python-sorted",
        "glob tool (pure Python) vs `rg --files --sortr modified`, the same job (`**/*.py`)",
        "x",
        5.0,
        _ratio(
            ["--files", "--sortr", "modified", "-g", "*.py"],
            "glob",
            {"pattern": "**/*.py"},
            with_ripgrep=False,
        ),
        runs=7,
        quick_runs=3,
    ),
]
