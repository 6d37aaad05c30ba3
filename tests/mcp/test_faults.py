"""Servers that misbehave: each failure reaches the model as an error result, never a crash."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tau_cli.core import (
    ElicitationRequest,
    ElicitationResponse,
    PermissionDecision,
    PermissionRequest,
    PlanApprovalRequest,
    PlanDecision,
    QuestionAnswer,
    QuestionRequest,
)
from tau_cli.mcp import McpManager, McpServerError, McpTool, RemoteServer, StdioServer

Faulty = Callable[..., StdioServer]


def _tools(manager: McpManager) -> dict[str, McpTool]:
    return {tool.mcp_name: tool for tool in manager.tools()}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_a_server_that_exits_mid_call_gives_an_error_and_restarts_on_next_use(
    faulty: Faulty,
) -> None:
    async with McpManager([faulty()]) as manager:
        tools = _tools(manager)
        before = await tools["ping"].call({})

        crashed = await tools["exit_now"].call({})

        assert crashed.is_error
        assert "stopped while running 'exit_now'" in crashed.text
        assert "fatal: exiting on purpose" in crashed.text
        assert manager.status("faulty").state == "crashed"

        after = await tools["ping"].call({})

        assert not after.is_error
        assert after.text.startswith("pong from ") and after.text != before.text
        assert manager.status("faulty").state == "connected"


async def test_a_call_that_never_answers_times_out_and_the_server_stays_usable(
    faulty: Faulty,
) -> None:
    async with McpManager([faulty()]) as manager:
        tools = _tools(manager)
        started = time.monotonic()

        result = await tools["never_answer"].call({}, timeout=0.5)

        assert time.monotonic() - started < 5
        assert result.is_error
        assert "did not answer within 0.5 s (nor report progress)" in result.text
        assert (await tools["ping"].call({})).text.startswith("pong")


async def test_progress_keeps_a_slow_call_alive_past_its_timeout(faulty: Faulty) -> None:
    async with McpManager([faulty()]) as manager:
        started = time.monotonic()

        result = await _tools(manager)["slow_with_progress"].call(
            {"steps": 5, "every": 0.3}, timeout=1.0
        )

        assert (result.text, result.is_error) == ("done", False)
        assert time.monotonic() - started > 1.0


async def _wait_for_file(path: Path) -> str:
    for _ in range(100):
        if path.exists():
            return path.read_text()
        await asyncio.sleep(0.05)
    return ""


async def test_a_timed_out_or_cancelled_call_is_cancelled_on_the_server(
    faulty: Faulty, tmp_path: Path
) -> None:
    timed_out, interrupted = tmp_path / "timed-out", tmp_path / "interrupted"
    async with McpManager([faulty()]) as manager:
        tool = _tools(manager)["wait_for_cancel"]

        result = await tool.call({"marker": str(timed_out)}, timeout=0.5)
        assert result.is_error
        assert await _wait_for_file(timed_out) == "cancelled"

        turn = asyncio.create_task(tool.call({"marker": str(interrupted)}))
        await asyncio.sleep(0.5)
        turn.cancel()
        with pytest.raises(asyncio.CancelledError):
            await turn
        assert await _wait_for_file(interrupted) == "cancelled"


async def test_garbage_on_stdout_is_skipped_and_noted(faulty: Faulty) -> None:
    async with McpManager([faulty("--garbage")]) as manager:
        result = await _tools(manager)["shout_garbage"].call({})

        assert (result.text, result.is_error) == ("answered anyway", False)
        assert "not MCP" in manager.status("faulty").stderr_tail


async def test_a_five_megabyte_result_keeps_head_and_tail_with_a_note(faulty: Faulty) -> None:
    async with McpManager([faulty()], max_result_chars=20_000) as manager:
        result = await _tools(manager)["five_megabytes"].call({})

    assert len(result.text) <= 20_000
    assert "\nFIRST LINE\n" in result.text[:100]
    assert result.text.endswith("\nLAST LINE")
    assert "characters (" in result.text and "cut from the middle" in result.text
    # FastMCP also sent the string as structuredContent; 5 MB of it is not carried along.
    assert result.structured is None
    assert result.text.startswith("[structured content omitted: larger than the result limit]")


async def test_a_failing_or_slow_server_does_not_hold_up_the_others(faulty: Faulty) -> None:
    servers = [
        faulty(name="good"),
        faulty("--slow-start", "30", name="slow"),
        StdioServer(name="missing", command="no-such-mcp-server-command"),
    ]
    started = time.monotonic()

    async with McpManager(servers, startup_timeout=4) as manager:
        elapsed = time.monotonic() - started
        states = {s.name: (s.state, s.error) for s in manager.statuses()}

        assert states["good"] == ("connected", None)
        assert states["slow"][0] == "failed" and "within 4 s" in str(states["slow"][1])
        assert states["missing"] == ("failed", "command not found: no-such-mcp-server-command")
        assert elapsed < 12  # concurrently: one timeout, not the sum
        assert [t.server for t in manager.tools()] == ["good"] * len(manager.tools())
        unavailable = await manager.call_tool("slow", "ping", {})
        assert unavailable.is_error and "not available" in unavailable.text


async def test_stdio_servers_get_only_allow_listed_and_configured_environment(
    faulty: Faulty,
) -> None:
    environ = {"PATH": os.environ["PATH"], "HOME": "/nowhere", "OPENAI_API_KEY": "sk-secret"}
    server = faulty(env={"CONFIGURED": "yes"})

    async with McpManager([server], environ=environ) as manager:
        names = (await _tools(manager)["environment"].call({})).text.split()

    assert "CONFIGURED" in names and "PATH" in names
    assert "OPENAI_API_KEY" not in names


async def test_closing_terminates_the_whole_process_group(faulty: Faulty) -> None:
    async with McpManager([faulty()]) as manager:
        grandchild = int((await _tools(manager)["spawn_child"].call({})).text)
        assert _alive(grandchild)

    for _ in range(50):
        if not _alive(grandchild):
            break
        await asyncio.sleep(0.1)
    assert not _alive(grandchild)


async def test_tools_list_changed_refreshes_the_tools(faulty: Faulty) -> None:
    changed = asyncio.Event()
    async with McpManager([faulty()], on_tools_changed=lambda _name: changed.set()) as manager:
        assert "late_tool" not in _tools(manager)

        await _tools(manager)["add_tool"].call({})
        await asyncio.wait_for(changed.wait(), 10)

        late = _tools(manager)["late_tool"]
        assert late.name == "mcp__faulty__late_tool"
        assert (await late.call({})).text == "late"


class _Answers:
    """A person who answers elicitation with a fixed email; nothing else is asked."""

    def __init__(self) -> None:
        self.asked: list[ElicitationRequest] = []

    async def request_permission(self, request: PermissionRequest) -> PermissionDecision:
        raise AssertionError("not asked in these tests")

    async def approve_plan(self, request: PlanApprovalRequest) -> PlanDecision:
        raise AssertionError("not asked in these tests")

    async def ask(self, request: QuestionRequest) -> QuestionAnswer:
        raise AssertionError("not asked in these tests")

    async def elicit(self, request: ElicitationRequest) -> ElicitationResponse:
        self.asked.append(request)
        return ElicitationResponse(action="accept", content={"email": "ada@example.org"})


async def test_elicitation_goes_through_interaction_and_is_declined_without_one(
    faulty: Faulty,
) -> None:
    person = _Answers()
    async with McpManager([faulty()], interaction=person) as manager:
        answered = await _tools(manager)["ask_email"].call({})
    async with McpManager([faulty()]) as manager:
        declined = await _tools(manager)["ask_email"].call({})

    assert answered.text == "using ada@example.org"
    (request,) = person.asked
    assert (request.server, request.message) == ("faulty", "Which email should I use?")
    assert "email" in str(request.requested_schema)
    assert declined.text == "user said decline"


async def test_calls_racing_a_restart_share_one_new_server(faulty: Faulty) -> None:
    async with McpManager([faulty()]) as manager:
        await manager.call_tool("faulty", "exit_now", {})

        first, second = await asyncio.gather(
            manager.call_tool("faulty", "ping", {}), manager.call_tool("faulty", "ping", {})
        )

    assert first.text.startswith("pong from ")
    assert first.text == second.text  # one restart, not two


async def test_a_call_before_start_starts_the_server_on_demand(faulty: Faulty) -> None:
    manager = McpManager([faulty()])
    try:
        result = await manager.call_tool("faulty", "ping", {})
    finally:
        await manager.aclose()

    assert result.text.startswith("pong from ")
    assert manager.status("faulty").state == "stopped"
    after = await manager.call_tool("faulty", "ping", {})
    assert after.is_error and "is not available (stopped)" in after.text
    with pytest.raises(McpServerError, match="no MCP server named 'nope'"):
        manager.status("nope")


async def test_server_log_messages_are_kept_with_its_stderr(faulty: Faulty) -> None:
    async with McpManager([faulty()]) as manager:
        await _tools(manager)["log_something"].call({})

        assert "log info: hello from the log" in manager.status("faulty").stderr_tail


async def test_an_unreachable_remote_server_fails_with_the_reason() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again before the manager connects
    url = f"http://user:pw@127.0.0.1:{port}/mcp?api_key=sk-secret"
    server = RemoteServer(name="gone", transport="http", url=url)

    async with McpManager([server], startup_timeout=10) as manager:
        status = manager.status("gone")

    assert status.state == "failed"
    assert status.error and status.error.startswith(f"http://127.0.0.1:{port}/mcp: ")
    assert "connect" in status.error.lower()
    assert "sk-secret" not in status.error and "pw" not in status.error


async def test_server_instructions_are_offered_for_the_system_prompt(faulty: Faulty) -> None:
    async with McpManager([faulty(), faulty(name="other")]) as manager:
        assert manager.instructions() == {
            "faulty": "Use ping to check the server is alive.",
            "other": "Use ping to check the server is alive.",
        }


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker in (entry / "cmdline").read_text():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


async def test_cancelling_the_start_leaves_no_server_running(faulty: Faulty) -> None:
    marker = f"tau-test-{os.getpid()}-{time.monotonic_ns()}"
    manager = McpManager([faulty("--slow-start", "30", marker)], startup_timeout=60)
    start = asyncio.create_task(manager.start())
    for _ in range(100):
        if _processes_with(marker):
            break
        await asyncio.sleep(0.05)
    assert _processes_with(marker), "the server never started"

    start.cancel()
    with pytest.raises(asyncio.CancelledError):
        await start
    await manager.aclose()

    for _ in range(100):
        if not _processes_with(marker):
            break
        await asyncio.sleep(0.05)
    assert _processes_with(marker) == []
