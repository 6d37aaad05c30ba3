"""bash and bash_output on real processes: cwd that persists, timeouts, hung children, secrets."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from tau_cli.core import ToolCall
from tau_cli.tools import LocalEnvironment, ToolContext, ToolRegistry
from tau_cli.tools.builtin import builtin_tools

from .conftest import Run


async def test_output_and_exit_code_are_reported(run: Run) -> None:
    ok = await run("bash", command="echo out; echo err >&2")
    assert ok.text == "out\nerr\n"
    assert not ok.is_error
    failed = await run("bash", command="echo nope; exit 3")
    assert failed.is_error
    assert failed.text == "nope\n[Exit code 3]"


async def test_the_working_directory_persists_between_calls(
    run: Run, workdir: Path, context: ToolContext
) -> None:
    (workdir / "src").mkdir()
    await run("bash", command="cd src")
    assert (await run("bash", command="pwd")).text == f"{workdir / 'src'}\n"
    assert context.session.cwd == str(workdir / "src")
    await run("bash", command="cd .. && exit 0")
    assert (await run("bash", command="pwd")).text == f"{workdir}\n"


async def test_a_vanished_working_directory_falls_back_to_the_project(
    run: Run, workdir: Path
) -> None:
    (workdir / "tmp").mkdir()
    await run("bash", command="cd tmp")
    (workdir / "tmp").rmdir()
    result = await run("bash", command="pwd")
    assert "is gone" in result.text
    assert result.text.endswith(f"{workdir}\n")


async def test_no_output_is_said_plainly(run: Run) -> None:
    assert (await run("bash", command="true")).text == "(no output)"


async def test_unicode_output_survives(run: Run) -> None:
    assert (await run("bash", command="printf 'héllo ✓ 日本\\n'")).text == "héllo ✓ 日本\n"


async def test_a_timeout_kills_the_command_and_its_children(run: Run, workdir: Path) -> None:
    started = time.monotonic()
    result = await run(
        "bash", command="sleep 60 & echo $! > child.pid; echo started; wait", timeout=1000
    )
    assert time.monotonic() - started < 5
    assert result.is_error
    assert "started" in result.text
    assert "Timed out after 1 s" in result.text
    assert await _gone(int((workdir / "child.pid").read_text()))


async def test_a_hung_child_that_ignores_sigterm_is_still_killed(run: Run, workdir: Path) -> None:
    script = "sh -c 'trap \"\" TERM INT; echo $$ > hung.pid; while :; do sleep 1; done' ; wait"
    result = await run("bash", command=script, timeout=1000)
    assert "Timed out" in result.text
    assert await _gone(int((workdir / "hung.pid").read_text()))


async def test_huge_output_keeps_head_and_tail(run: Run) -> None:
    result = await run("bash", command="seq 1 2000000")
    assert result.text.startswith("1\n2\n3\n")
    assert "2000000" in result.text
    assert "cut" in result.text
    assert len(result.text) < 40_000


async def test_the_model_cannot_see_provider_keys(
    run: Run, monkeypatch: pytest.MonkeyPatch, workdir: Path
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-secret")
    # An environment made after the keys were loaded, as tau makes it at start-up.
    context = ToolContext(environment=LocalEnvironment(str(workdir)))
    registry = ToolRegistry(builtin_tools())
    result = await registry.run(
        ToolCall(id="1", name="bash", arguments={"command": "env"}), context
    )
    assert "PATH=" in result.text
    assert "sk-test-secret" not in result.text
    assert "sk-ant-secret" not in result.text
    assert "API_KEY" not in result.text


async def test_background_commands_are_read_later_and_stopped_at_the_end(
    run: Run, context: ToolContext, workdir: Path
) -> None:
    started = await run(
        "bash",
        command="echo $$ > server.pid; echo ready; sleep 60",
        run_in_background=True,
    )
    assert "bash_1" in started.text
    output = await run("bash_output", bash_id="bash_1")
    deadline = time.monotonic() + 5
    while "ready" not in output.text and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        output = await run("bash_output", bash_id="bash_1")
    assert output.text == "ready\n[bash_1: still running]"
    again = await run("bash_output", bash_id="bash_1")
    assert again.text == "(no new output)\n[bash_1: still running]"
    pid = int((workdir / "server.pid").read_text())
    await context.session.close()
    assert await _gone(pid)


async def test_bash_output_can_stop_a_job_and_names_unknown_ids(run: Run) -> None:
    await run("bash", command="sleep 60", run_in_background=True)
    stopped = await run("bash_output", bash_id="bash_1", kill=True)
    assert stopped.text.endswith("[bash_1: stopped]")
    missing = await run("bash_output", bash_id="bash_1")
    assert missing.is_error and "Running: none" in missing.text


async def test_an_out_of_range_timeout_is_explained(run: Run) -> None:
    result = await run("bash", command="true", timeout=3_600_000)
    assert result.is_error
    assert "timeout" in result.text and "600000" in result.text


async def _gone(pid: int) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            return True
        if "State:\tZ" in status:
            return True
        await asyncio.sleep(0.05)
    return False
