"""The built-in tools work unchanged over the sandbox, called as the model calls them."""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from pydantic import JsonValue

from tau_cli.core import ToolCall, ToolResult
from tau_cli.runtime.sandbox import SandboxEnvironment
from tau_cli.tools import ToolContext, ToolRegistry
from tau_cli.tools.builtin import builtin_tools

Run = Callable[..., Awaitable[ToolResult]]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    folder = tmp_path.resolve() / "project"
    folder.mkdir()
    return folder


@pytest.fixture
def outside() -> Iterator[Path]:
    """A denied folder outside ``/tmp`` (the sandbox's own ``/tmp`` would hide it anyway)."""
    with tempfile.TemporaryDirectory(dir="/var/tmp", prefix="tau-sandbox-") as name:
        folder = Path(name).resolve()
        (folder / "secret.txt").write_text("TOP SECRET\n")
        yield folder


@pytest.fixture
def run(workdir: Path, outside: Path) -> Run:
    registry = ToolRegistry(builtin_tools())
    environment = SandboxEnvironment(str(workdir), denied=[str(outside)])
    context = ToolContext(environment=environment)
    counter = iter(range(1_000_000))

    async def call(tool: str, **arguments: JsonValue) -> ToolResult:
        tool_call = ToolCall(id=f"call_{next(counter)}", name=tool, arguments=arguments)
        return await registry.run(tool_call, context)

    return call


async def test_write_read_and_edit_a_file(run: Run, workdir: Path) -> None:
    path = str(workdir / "src" / "app.py")
    written = await run("write", file_path=path, content="print('one')\n")
    assert not written.is_error, written.text
    read = await run("read", file_path=path)
    assert "print('one')" in read.text
    edited = await run("edit", file_path=path, old_string="one", new_string="two")
    assert not edited.is_error, edited.text
    assert (workdir / "src" / "app.py").read_text() == "print('two')\n"


async def test_bash_runs_in_the_workspace_and_cannot_leave_it(run: Run, workdir: Path) -> None:
    made = await run("bash", command="echo built > out.txt && cat out.txt && pwd -P")
    assert not made.is_error, made.text
    assert "built" in made.text and str(workdir) in made.text
    assert (workdir / "out.txt").read_text() == "built\n"
    refused = await run("bash", command="touch /etc/tau-sandbox-test")
    assert refused.is_error
    assert "Read-only file system" in refused.text


async def test_glob_and_grep_find_workspace_files(run: Run, workdir: Path) -> None:
    (workdir / "pkg").mkdir()
    (workdir / "pkg" / "mod.py").write_text("def needle():\n    return 1\n")
    (workdir / "notes.md").write_text("no match here\n")
    found = await run("glob", pattern="**/*.py")
    assert found.text.strip().splitlines() == [str(workdir / "pkg" / "mod.py")]
    grep = await run("grep", pattern="def needle", output_mode="content")
    assert "mod.py:1:def needle():" in grep.text


async def test_the_tools_cannot_reach_a_denied_folder(
    run: Run, workdir: Path, outside: Path
) -> None:
    secret = str(outside / "secret.txt")
    read = await run("read", file_path=secret)
    assert read.is_error and "TOP SECRET" not in read.text
    written = await run("write", file_path=str(outside / "new.txt"), content="x")
    assert written.is_error
    assert not (outside / "new.txt").exists()
    grep = await run("grep", pattern="SECRET", path=str(outside))
    assert "TOP SECRET" not in grep.text
    shell = await run("bash", command=f"cat {secret}")
    assert shell.is_error and "TOP SECRET" not in shell.text
