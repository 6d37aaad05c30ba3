"""``tau`` in a real pseudo-terminal opens the full-screen chat; ``--plain`` keeps the REPL."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pexpect

from tau_cli.agent import Turn
from tau_cli.testing import ScriptedModelServer
from tests.cli.conftest import TAU, tau_env


def test_bare_tau_in_a_terminal_opens_the_full_screen_chat(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/fix-add\n")
    script = [Turn.model_validate({"expect": {"last_user_contains": "hello"}, "text": "Howdy"})]
    with ScriptedModelServer(script) as server:
        child = pexpect.spawn(
            TAU,
            [],
            cwd=str(repo),
            env=tau_env(
                TERM="xterm-256color",
                TAU_MODEL="openai:scripted-model",
                OPENAI_BASE_URL=f"{server.url}/v1",
                OPENAI_API_KEY="sk-test-0000000000000000",
            ),
            encoding="utf-8",
            timeout=30,
            dimensions=(24, 80),
        )
        child.expect("Shift\\+Tab mode")  # the input box's placeholder: the TUI is up
        child.expect("scripted-model")
        child.expect(r"repo \(fix-add\)")  # the folder and its git branch
        child.send("hello")
        child.send("\r")
        child.expect("Howdy")
        child.sendcontrol("q")
        child.expect(pexpect.EOF)
        child.close()

    assert child.exitstatus == 0
    assert server.turns_left == 0


def _chat(repo: Path, server: ScriptedModelServer, *args: str) -> pexpect.spawn[str]:
    return pexpect.spawn(
        TAU,
        list(args),
        cwd=str(repo),
        env=tau_env(
            TERM="xterm-256color",
            TAU_MODEL="openai:scripted-model",
            OPENAI_BASE_URL=f"{server.url}/v1",
            OPENAI_API_KEY="sk-test-0000000000000000",
        ),
        encoding="utf-8",
        timeout=30,
        dimensions=(24, 100),
    )


def test_continue_and_resume_reopen_earlier_conversations(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    script = [
        Turn.model_validate({"text": "Noted: the port is 8080."}),
        Turn.model_validate(
            {"expect": {"last_user_contains": "which port"}, "text": "Still 8080."}
        ),
    ]
    with ScriptedModelServer(script) as server:
        first = _chat(repo, server)
        first.expect("Shift\\+Tab mode")
        first.send("remember the port 8080\r")
        first.expect("Noted")
        first.sendcontrol("q")
        first.expect(pexpect.EOF)

        # --continue opens the newest conversation, drawn as it was
        again = _chat(repo, server, "--continue")
        again.expect(r"resumed: \d+ messages")
        again.sendcontrol("q")
        again.expect(pexpect.EOF)

        # --resume without an id offers the saved sessions to pick from
        picked = _chat(repo, server, "--resume")
        picked.expect("remember the port 8080")  # the session's title in the picker
        picked.send("\r")
        picked.expect(r"resumed: \d+ messages")
        picked.send("which port?\r")
        picked.expect("Still 8080")
        picked.sendcontrol("q")
        picked.expect(pexpect.EOF)

    assert server.turns_left == 0


def test_connect_attaches_the_chat_to_an_acp_agent(tmp_path: Path) -> None:
    """``tau --connect "tau acp"`` in a real terminal: the same chat, the runtime in another
    process, an approval asked here and the command run there."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    script = [
        Turn.model_validate(
            {"tool_calls": [{"name": "bash", "arguments": {"command": "touch over-acp"}}]}
        ),
        Turn.model_validate({"text": "Made it over ACP."}),
    ]
    with ScriptedModelServer(script) as server:
        child = _chat(repo, server, "--connect", f"{TAU} acp")
        child.expect("Shift\\+Tab mode")
        child.send("make the file\r")
        child.expect("allow once")
        child.send("y")
        child.expect("Made it over ACP")
        child.sendcontrol("q")
        child.expect(pexpect.EOF)
        child.close()

    assert (repo / "over-acp").exists()
    assert server.turns_left == 0


DOCS_SERVER = Path(__file__).parents[1] / "runtime" / "servers" / "docs_mcp.py"


def test_a_project_mcp_server_is_approved_in_the_chat_as_it_starts(tmp_path: Path) -> None:
    """The chat is on screen while the runtime starts, so the approval a project's MCP
    server needs is asked right there (before, it was refused until `tau mcp approve`)."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    entry = {"command": sys.executable, "args": [str(DOCS_SERVER)]}
    (repo / ".mcp.json").write_text(json.dumps({"mcpServers": {"docs": entry}}))
    with ScriptedModelServer([]) as server:
        child = _chat(repo, server, "--trust")
        child.expect("Shift\\+Tab mode")
        child.expect("wants to start the MCP server 'docs'")
        child.send("1")  # Allow
        child.expect("Shift\\+Tab mode")
        child.send("/mcp\r")
        child.expect(r"docs +stdio +connected")
        child.sendcontrol("q")
        child.expect(pexpect.EOF)
        child.close()
    assert child.exitstatus == 0


def test_a_runtime_that_cannot_start_is_reported_once_the_chat_closes(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    with ScriptedModelServer([]) as server:
        child = _chat(repo, server, "--model", "nonsense:model")
        child.expect("unknown provider 'nonsense'")
        child.expect(pexpect.EOF)
        child.close()
    assert child.exitstatus == 1
