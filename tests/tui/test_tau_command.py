"""``tau`` in a real pseudo-terminal opens the full-screen chat; ``--plain`` keeps the REPL."""

from __future__ import annotations

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
