"""With the sandbox on, stdio MCP servers start inside it: confined, yet their tools work."""

from __future__ import annotations

import os
import socket
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tau_cli.mcp import McpManager
from tau_cli.runtime.builder import Launch, open_runtime
from tau_cli.runtime.events import TurnFinished
from tau_cli.runtime.interaction import NonInteractive
from tau_cli.runtime.mcp_wiring import start_mcp
from tau_cli.runtime.settings_loader import load_settings
from tau_cli.testing import ScriptedModelServer

from ..loop_helpers import collect, make_repo, turns

SERVER = Path(__file__).parent.parent / "servers" / "escaping_mcp.py"


def _hidden_by_private_tmp() -> list[str]:
    """This checkout and its interpreter, where the sandbox's private ``/tmp`` hides them.

    A checkout under ``/tmp`` (where a CI machine may clone) holds the venv's Python
    and the server's script; inside the sandbox neither would exist. Such a folder is
    named as one the sandbox keeps, as a user would name a tool installed there.
    """
    found = {Path(__file__).resolve().parents[3], Path(sys.prefix).resolve()}
    return sorted(str(p) for p in found if p.is_relative_to("/tmp"))


_KEPT = _hidden_by_private_tmp()
SANDBOX_ON: dict[str, object] = {
    "sandbox.enabled": True,
    **({"sandbox.writable_paths": _KEPT} if _KEPT else {}),
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_repo(tmp_path.resolve() / "repo")


@pytest.fixture
def outside() -> Iterator[Path]:
    """A folder outside the project and outside ``/tmp`` (the sandbox has its own ``/tmp``)."""
    with tempfile.TemporaryDirectory(dir="/var/tmp", prefix="tau-mcp-") as name:
        yield Path(name).resolve()


@pytest.fixture
def environ(tmp_path: Path, tau_home: Path) -> dict[str, str]:
    return {"HOME": str(tmp_path), "TAU_HOME": str(tau_home), "PATH": os.environ["PATH"]}


@asynccontextmanager
async def started(
    project: Path, outside: Path, environ: Mapping[str, str], **flags: object
) -> AsyncIterator[tuple[McpManager, list[str]]]:
    """The escaping server, configured in the user's settings, started as a session would."""
    server = {"command": sys.executable, "args": [str(SERVER)]}
    server["env"] = {"ESCAPE_TO": str(outside / "escaped")}  # type: ignore[assignment]
    resolved = load_settings(
        project, environ=environ, flags={"mcp_servers": {"escaper": server}, **flags}
    )
    manager, notices = await start_mcp(resolved, NonInteractive(), environ)
    assert manager is not None, notices
    try:
        assert manager.status("escaper").state == "connected", manager.status("escaper")
        yield manager, notices
    finally:
        await manager.aclose()


async def _write(manager: McpManager, path: Path) -> str:
    result = await manager.call_tool("escaper", "write_file", {"path": str(path), "text": "hi"})
    return result.text


async def test_a_sandboxed_server_is_confined_while_its_tools_work(
    project: Path, outside: Path, environ: dict[str, str]
) -> None:
    (project / ".tau").mkdir()
    async with started(project, outside, environ, **SANDBOX_ON) as (manager, _):
        assert await _write(manager, project / "made.txt") == f"wrote {project / 'made.txt'}"
        assert (project / "made.txt").read_text() == "hi"
        assert await _write(manager, outside / "later") == "refused: Read-only file system"
        settings = project / ".tau" / "settings.yaml"
        assert await _write(manager, settings) == "refused: Read-only file system"
        tail = manager.status("escaper").stderr_tail or ""
        assert "start-up write refused: Read-only file system" in tail
    assert sorted(p.name for p in outside.iterdir()) == []


async def test_without_the_sandbox_the_same_server_writes_anywhere(
    project: Path, outside: Path, environ: dict[str, str]
) -> None:
    async with started(project, outside, environ) as (manager, _):
        assert await _write(manager, outside / "later") == f"wrote {outside / 'later'}"
    assert sorted(p.name for p in outside.iterdir()) == ["escaped", "later"]


async def test_a_server_gets_the_network_only_when_settings_give_it(
    project: Path, outside: Path, environ: dict[str, str]
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        async with started(project, outside, environ, **SANDBOX_ON) as (m, _):
            refused = await m.call_tool("escaper", "connect", {"port": port})
            assert refused.text == "refused: Connection refused"
        exception = {"sandbox.mcp_servers": {"escaper": {"network": True}}}
        async with started(project, outside, environ, **SANDBOX_ON, **exception) as (
            m,
            _,
        ):
            assert (await m.call_tool("escaper", "connect", {"port": port})).text == "connected"
            assert await _write(m, outside / "later") == "refused: Read-only file system"


async def test_a_server_let_out_of_the_sandbox_is_said_to_be_outside(
    project: Path, outside: Path, environ: dict[str, str]
) -> None:
    flags = {**SANDBOX_ON, "sandbox.mcp_servers": {"escaper": {"enabled": False}}}
    async with started(project, outside, environ, **flags) as (manager, notices):
        assert await _write(manager, outside / "later") == f"wrote {outside / 'later'}"
    assert notices == [
        "MCP server 'escaper' runs outside the sandbox (sandbox.mcp_servers.escaper.enabled "
        "is false)"
    ]
    assert (outside / "escaped").exists()


async def test_tau_mcp_list_starts_servers_as_a_session_would(
    project: Path, outside: Path, environ: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `tau mcp list` (and `tau doctor`) start every server briefly to report on it.
    from tau_cli.cli.mcp_command import server_statuses

    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    server = {"command": sys.executable, "args": [str(SERVER)]}
    server["env"] = {"ESCAPE_TO": str(outside / "escaped")}  # type: ignore[assignment]
    flags = {"mcp_servers": {"escaper": server}, **SANDBOX_ON}
    resolved = load_settings(project, environ=environ, flags=flags)

    statuses, _ = await server_statuses(resolved)

    assert [s.state for s in statuses] == ["connected"]
    assert "start-up write refused: Read-only file system" in (statuses[0].stderr_tail or "")
    assert not (outside / "escaped").exists()


async def test_the_model_uses_a_sandboxed_servers_tools_in_a_session(
    project: Path, outside: Path, environ: dict[str, str]
) -> None:
    target = project / "from-mcp.txt"
    script = turns(
        {
            "tool_calls": [
                {
                    "name": "mcp__escaper__write_file",
                    "arguments": {"path": str(target), "text": "hi"},
                }
            ]
        },
        {"expect": {"last_tool_result_contains": f"wrote {target}"}, "text": "written"},
    )
    server = {"command": sys.executable, "args": [str(SERVER)]}
    server["env"] = {"ESCAPE_TO": str(outside / "escaped")}  # type: ignore[assignment]
    with ScriptedModelServer(script) as model:
        env = {
            **environ,
            "OPENAI_BASE_URL": f"{model.url}/v1",
            "OPENAI_API_KEY": "sk-test-0000000000",
        }
        flags = {
            "model": "openai:scripted-model",
            **SANDBOX_ON,
            "mcp_servers": {"escaper": server},
            "permissions.allow": ["mcp__escaper__write_file"],
        }
        resolved = load_settings(project, environ=env, flags=flags)
        runtime = await open_runtime(
            resolved, Launch(cwd=project, interaction=NonInteractive()), environ=env
        )
        events = await collect(runtime, "write the file")
        await runtime.aclose()

    assert isinstance(events[-1], TurnFinished) and events[-1].reason == "completed", events[-1]
    assert target.read_text() == "hi"
    assert not (outside / "escaped").exists()


async def test_a_server_whose_program_the_sandbox_hides_does_not_run_and_says_why(
    project: Path, outside: Path, environ: dict[str, str]
) -> None:
    program = outside / "server.sh"
    program.write_text(f"#!/bin/sh\ntouch {outside}/ran\n")
    program.chmod(0o755)
    flags = {
        "mcp_servers": {"hidden": {"command": str(program)}},
        **SANDBOX_ON,
        "sandbox.denied_paths": [str(outside)],
    }
    resolved = load_settings(project, environ=environ, flags=flags)
    manager, notices = await start_mcp(resolved, NonInteractive(), environ)
    assert manager is not None
    await manager.aclose()

    [notice] = notices
    assert notice.startswith("MCP server 'hidden' is failed: ")
    assert notice.endswith(f"(bwrap: execvp {program}: No such file or directory)")
    assert not (outside / "ran").exists()


async def test_a_server_whose_folder_the_sandbox_hides_is_not_moved_elsewhere(
    project: Path, tmp_path: Path, environ: dict[str, str]
) -> None:
    # The host's /tmp is not the sandbox's: a folder there does not exist inside.
    elsewhere = tmp_path.resolve() / "elsewhere"
    elsewhere.mkdir()
    server = {"command": sys.executable, "args": [str(SERVER)], "cwd": str(elsewhere)}
    flags = {"mcp_servers": {"lost": server}, **SANDBOX_ON}
    resolved = load_settings(project, environ=environ, flags=flags)
    manager, notices = await start_mcp(resolved, NonInteractive(), environ)
    assert manager is not None
    await manager.aclose()

    [notice] = notices
    assert notice.startswith("MCP server 'lost' is failed: ")
    assert f"Can't chdir to {elsewhere}" in notice


async def test_started_from_a_folder_the_sandbox_hides_a_server_starts_in_the_project(
    project: Path,
    tmp_path: Path,
    outside: Path,
    environ: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    elsewhere = tmp_path.resolve() / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    async with started(project, outside, environ, **SANDBOX_ON) as (manager, _):
        result = await manager.call_tool("escaper", "write_file", {"path": "rel.txt", "text": "x"})
    assert result.text == "wrote rel.txt"
    assert (project / "rel.txt").read_text() == "x"
