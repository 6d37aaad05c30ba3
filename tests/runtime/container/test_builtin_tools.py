"""The built-in tools work unchanged in a container, called as the model calls them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from pydantic import JsonValue

from tau_cli.core import ToolCall, ToolResult
from tau_cli.runtime.container import ContainerEnvironment
from tau_cli.tools import ToolContext, ToolRegistry
from tau_cli.tools.builtin import builtin_tools

Run = Callable[..., Awaitable[ToolResult]]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    folder = tmp_path.resolve() / "project"
    folder.mkdir()
    return folder


@pytest.fixture
async def run(workdir: Path, image: str) -> AsyncIterator[Run]:
    registry = ToolRegistry(builtin_tools())
    # The image is busybox alone; the bash tool needs bash, so the host's /usr is mounted.
    environment = ContainerEnvironment(str(workdir), image=image, mounts=[("/usr", "/usr", True)])
    context = ToolContext(environment=environment)
    counter = iter(range(1_000_000))

    async def call(tool: str, **arguments: JsonValue) -> ToolResult:
        tool_call = ToolCall(id=f"call_{next(counter)}", name=tool, arguments=arguments)
        return await registry.run(tool_call, context)

    yield call
    await environment.aclose()


async def test_write_read_and_edit_a_file(run: Run, workdir: Path) -> None:
    path = str(workdir / "src" / "app.py")
    written = await run("write", file_path=path, content="print('one')\n")
    assert not written.is_error, written.text
    read = await run("read", file_path=path)
    assert "print('one')" in read.text
    edited = await run("edit", file_path=path, old_string="one", new_string="two")
    assert not edited.is_error, edited.text
    assert (workdir / "src" / "app.py").read_text() == "print('two')\n"


async def test_bash_runs_in_the_container_on_the_shared_project(run: Run, workdir: Path) -> None:
    made = await run("bash", command="echo built > out.txt && cat out.txt && pwd -P")
    assert not made.is_error, made.text
    assert "built" in made.text and str(workdir) in made.text
    assert (workdir / "out.txt").read_text() == "built\n"
    # /bin/sh is the image's busybox, not the host's shell.
    shell = await run("bash", command="readlink /bin/sh")
    assert shell.text.strip().endswith("busybox"), shell.text
    refused = await run("bash", command="touch /usr/tau-container-test")
    # (Not the error text: under heavy load Podman's exec can drop a dying command's
    # last output, a known engine race; the exit status and the effect are reliable.)
    assert refused.is_error
    assert not Path("/usr/tau-container-test").exists()


async def test_glob_grep_and_ls_find_project_files(run: Run, workdir: Path) -> None:
    (workdir / "pkg").mkdir()
    (workdir / "pkg" / "mod.py").write_text("def needle():\n    return 1\n")
    (workdir / "notes.md").write_text("no match here\n")
    found = await run("glob", pattern="**/*.py")
    assert found.text.strip().splitlines() == [str(workdir / "pkg" / "mod.py")]
    grep = await run("grep", pattern="def needle", output_mode="content")
    assert "mod.py:1:def needle():" in grep.text


async def test_the_tools_see_the_containers_files_outside_the_project(
    run: Run, tmp_path: Path
) -> None:
    (tmp_path / "host-secret.txt").write_text("HOST ONLY\n")
    read = await run("read", file_path=str(tmp_path / "host-secret.txt"))
    assert read.is_error and "HOST ONLY" not in read.text
    inside = f"/root/tau-test-{uuid.uuid4().hex}.txt"
    written = await run("write", file_path=inside, content="inside\n")
    assert not written.is_error, written.text
    assert "inside" in (await run("read", file_path=inside)).text
    assert not Path(inside).exists()
