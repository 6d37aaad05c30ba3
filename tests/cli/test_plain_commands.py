"""``tau chat --plain`` runs the TUI's commands from the same table, in a real terminal."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pexpect

from tau_cli.agent import Turn
from tau_cli.testing import ScriptedModelServer

from .conftest import TAU, tau_env


def test_the_plain_chat_has_the_shared_commands_and_history(repo: Path) -> None:
    (repo / "calc.py").write_text("def add(a, b):\n    return a - b\n")
    usage = {"prompt_tokens": 900, "completion_tokens": 40}
    script = [
        Turn.model_validate(t)
        for t in (
            {"expect": {"last_user_contains": "return a - b"}, "text": "Read.", "usage": usage},
            {"expect": {"last_user_contains": "again"}, "text": "From another model."},
        )
    ]
    with ScriptedModelServer(script) as server:
        env = tau_env(
            TERM="xterm",
            TAU_MODEL="openai:scripted-model",
            OPENAI_BASE_URL=f"{server.url}/v1",
            OPENAI_API_KEY="sk-test-0000000000000000",
        )
        child = pexpect.spawn(
            TAU,
            ["chat", "--plain"],
            cwd=str(repo),
            env=env,
            encoding="utf-8",
            timeout=30,
            dimensions=(40, 160),
        )
        child.expect("/help for commands")
        child.sendline("/help")
        child.expect("/compact \\[focus\\]")
        child.expect("Ctrl-C stops the running turn")
        child.sendline("look at @calc.py")
        child.expect("attached calc.py")
        child.expect("Read.")
        child.sendline("/cost")
        child.expect("940 tokens: 900 in")
        child.sendline("!echo from the shell")
        child.expect("\\$ echo from the shell\r\nfrom the shell")
        child.sendline("/model openai:other-model")
        child.expect("model: openai:other-model")
        child.sendline("again")
        child.expect("From another model.")
        child.sendline("/frobnicate")
        child.expect("unknown command /frobnicate")
        child.sendline("/exit")
        child.expect(pexpect.EOF)
        child.close()
        models = [r.json()["model"] for r in server.requests]
        assert child.exitstatus == 0
        assert models == ["scripted-model", "other-model"]

        # Up in a new chat brings back what was typed in the last one (the model is still
        # up: tau checks it can reach one before it starts)
        child = pexpect.spawn(
            TAU, ["chat", "--plain"], cwd=str(repo), env=env, encoding="utf-8", timeout=30
        )
        child.expect("/help for commands")
        child.send("\x1b[A")  # Up
        child.expect("/exit")
        child.sendcontrol("u")
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
        child.close()


BOOKING = Path(__file__).parents[1] / "tui" / "servers" / "booking_mcp.py"


def test_an_mcp_servers_request_for_input_is_asked_a_line_a_field(
    repo: Path, tau_home: Path
) -> None:
    tau_home.mkdir(parents=True, exist_ok=True)
    servers = {"mcpServers": {"booking": {"command": sys.executable, "args": [str(BOOKING)]}}}
    (tau_home / "mcp.json").write_text(json.dumps(servers))
    call = {"name": "mcp__booking__book_table", "arguments": {"day": "friday"}}
    script = [
        Turn.model_validate(t)
        for t in (
            {"tool_calls": [call]},
            {
                "expect": {"last_tool_result_contains": "booked friday for 4, outside"},
                "text": "Booked for four.",
            },
        )
    ]
    with ScriptedModelServer(script) as server:
        child = pexpect.spawn(
            TAU,
            ["chat", "--plain"],
            cwd=str(repo),
            env=tau_env(
                TERM="xterm",
                TAU_MODEL="openai:scripted-model",
                OPENAI_BASE_URL=f"{server.url}/v1",
                OPENAI_API_KEY="sk-test-0000000000000000",
            ),
            encoding="utf-8",
            timeout=30,
            dimensions=(40, 160),
        )
        child.expect("/help for commands")
        child.sendline("book a table on friday")
        child.expect("Allow\\?")
        child.sendline("y")
        child.expect("booking asks: Booking for friday: a few details\\?")
        child.expect("Answer\\?")
        child.sendline("y")
        child.expect("Party \\(a whole number\\):")
        child.sendline("four")
        child.expect("Outdoor seating \\(yes or no\\), optional:")
        child.sendline("")
        child.expect("'four' is not a whole number; again:")
        child.expect("Party \\(a whole number\\):")
        child.sendline("4")
        child.expect("Outdoor seating")
        child.sendline("yes")
        child.expect("Booked for four.")
        child.sendline("/exit")
        child.expect(pexpect.EOF)
        child.close()

    assert child.exitstatus == 0
    assert not server.turns_left
