"""MCP servers in a session: their tools next to the built-ins, under the same rules."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tau_cli.runtime.builder import Launch, open_runtime
from tau_cli.runtime.events import Notice, ToolFinished, ToolProgress, ToolStarted, TurnFinished
from tau_cli.runtime.interaction import NonInteractive
from tau_cli.runtime.settings_loader import load_settings
from tau_cli.testing import ScriptedModelServer

from .loop_helpers import collect, make_repo, turns

SERVER = Path(__file__).parent / "servers" / "recording_mcp.py"


def _with_recorder(log: Path) -> dict[str, object]:
    """Settings flags: the scripted model, and the recording server writing to ``log``."""
    recorder = {"command": sys.executable, "args": [str(SERVER)], "env": {"CALL_LOG": str(log)}}
    return {"model": "openai:scripted-model", "mcp_servers": {"recorder": recorder}}


async def test_a_denied_mcp_tool_never_reaches_its_server(tmp_path: Path, tau_home: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    log = tmp_path / "calls.log"
    log.touch()
    script = turns(
        {
            "expect": {"system_contains": "Use lookup to find a customer's plan."},
            "tool_calls": [
                {"name": "mcp__recorder__delete_customer", "arguments": {"customer": "acme"}}
            ],
        },
        {
            "expect": {"last_tool_result_contains": "Permission denied"},
            "tool_calls": [{"name": "mcp__recorder__lookup", "arguments": {"customer": "acme"}}],
        },
        {
            "expect": {"last_tool_result_contains": "acme is on the pro plan"},
            "text": "acme: pro plan",
        },
    )
    with ScriptedModelServer(script) as server:
        env = {
            "HOME": str(tmp_path),
            "TAU_HOME": str(tau_home),
            "PATH": "/usr/bin:/bin",
            "OPENAI_BASE_URL": f"{server.url}/v1",
            "OPENAI_API_KEY": "sk-test-0000000000",
            "CALL_LOG": str(log),
        }
        flags = {
            **_with_recorder(log),
            "permissions.deny": ["mcp__recorder__delete_customer"],
            "permissions.allow": ["mcp__recorder__lookup"],
        }
        resolved = load_settings(repo, environ=env, flags=flags)
        runtime = await open_runtime(
            resolved, Launch(cwd=repo, interaction=NonInteractive()), environ=env
        )
        events = await collect(runtime, "what plan is acme on?")
        await runtime.aclose()

    end = events[-1]
    assert isinstance(end, TurnFinished) and end.reason == "completed", end
    assert log.read_text() == "lookup acme\n"  # the denied call never arrived
    results = [e.result for e in events if isinstance(e, ToolFinished)]
    assert results[0].is_error and "Permission denied" in results[0].text
    offered = {t["function"]["name"] for t in server.requests[0].json()["tools"]}
    assert "mcp__recorder__lookup" in offered
    assert "mcp__recorder__delete_customer" not in offered  # denied outright: not offered


async def test_a_project_server_is_not_started_without_approval(
    tmp_path: Path, tau_home: Path
) -> None:
    repo = make_repo(tmp_path / "repo")
    log = tmp_path / "calls.log"
    entry = {"command": sys.executable, "args": [str(SERVER)]}
    (repo / ".mcp.json").write_text(json.dumps({"mcpServers": {"recorder": entry}}))
    with ScriptedModelServer(turns({"text": "hello"})) as server:
        env = {
            "HOME": str(tmp_path),
            "TAU_HOME": str(tau_home),
            "PATH": "/usr/bin:/bin",
            "OPENAI_BASE_URL": f"{server.url}/v1",
            "OPENAI_API_KEY": "sk-test-0000000000",
            "CALL_LOG": str(log),
        }
        resolved = load_settings(
            repo, environ=env, flags={"model": "openai:scripted-model"}, trust=True
        )
        runtime = await open_runtime(
            resolved, Launch(cwd=repo, interaction=NonInteractive()), environ=env
        )
        events = await collect(runtime, "hi")
        await runtime.aclose()

    notices = [e.message for e in events if isinstance(e, Notice)]
    assert any("'recorder'" in n and "not been approved" in n for n in notices)
    offered = {t["function"]["name"] for t in server.requests[0].json().get("tools", [])}
    assert not any(name.startswith("mcp__") for name in offered)


async def test_an_mcp_servers_progress_reaches_the_ui_before_the_result(
    tmp_path: Path, tau_home: Path
) -> None:
    repo = make_repo(tmp_path / "repo")
    log = tmp_path / "calls.log"
    script = turns(
        {"tool_calls": [{"name": "mcp__recorder__export", "arguments": {"customer": "acme"}}]},
        {"expect": {"last_tool_result_contains": "exported acme"}, "text": "done"},
    )
    with ScriptedModelServer(script) as server:
        env = {
            "HOME": str(tmp_path),
            "TAU_HOME": str(tau_home),
            "PATH": "/usr/bin:/bin",
            "OPENAI_BASE_URL": f"{server.url}/v1",
            "OPENAI_API_KEY": "sk-test-0000000000",
        }
        flags = {**_with_recorder(log), "permissions.allow": ["mcp__recorder__export"]}
        resolved = load_settings(repo, environ=env, flags=flags)
        runtime = await open_runtime(
            resolved, Launch(cwd=repo, interaction=NonInteractive()), environ=env
        )
        events = await collect(runtime, "export acme")
        await runtime.aclose()

    call_id = next(e.call.id for e in events if isinstance(e, ToolStarted))
    progress = [e for e in events if isinstance(e, ToolProgress)]
    assert [(p.progress, p.total, p.message) for p in progress] == [
        (1, 3, "exported part 1 of 3"),
        (2, 3, "exported part 2 of 3"),
        (3, 3, "exported part 3 of 3"),
    ]
    assert {p.call_id for p in progress} == {call_id}
    finished = next(i for i, e in enumerate(events) if isinstance(e, ToolFinished))
    assert all(events.index(p) < finished for p in progress)
