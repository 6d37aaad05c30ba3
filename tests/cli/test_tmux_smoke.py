"""The real ``tau`` in a real terminal (tmux), against the scripted model server.

Everything else tests the TUI through Textual's pilot; this drives the installed
command the way a person does: keys in, screen out. It catches what the pilot
cannot: the entry point, the terminal set-up, and a screen that never draws.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tau_cli.agent import Turn
from tau_cli.testing import ScriptedModelServer

from .conftest import TAU, tau_env

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None,
    reason="tmux is not installed: the smoke test runs the real tau inside it",
)

Tmux = Callable[..., str]


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    """``tmux`` on a private server of this test, killed afterwards; its socket lives in the
    test's own folder, so no run leaves one behind in the user's tmux directory."""
    socket = str(tmp_path / "tmux.sock")

    def run(*args: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(
            ["tmux", "-S", socket, *args],
            capture_output=True,
            text=True,
            timeout=30,
            env=env,
        )
        return done.stdout

    yield run
    run("kill-server")


def wait_for(tmux: Tmux, text: str, timeout: float = 30.0, *, idle: bool = False) -> str:
    """The screen once it shows ``text`` (and, with ``idle``, once the turn has ended).

    The status bar says ``working`` at its end, so the window is wide enough for it
    to show after a long temporary path.
    """
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", "tau")
        if text in screen and not (idle and "working, Esc stops" in screen):
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")


def test_tau_in_tmux_asks_runs_and_answers(repo: Path, tmux: Tmux) -> None:
    script = [
        Turn.model_validate(
            {"tool_calls": [{"name": "bash", "arguments": {"command": "touch smoke-ran"}}]}
        ),
        Turn.model_validate(
            {"expect": {"last_tool_result_contains": "(no output)"}, "text": "Smoke test passed."}
        ),
    ]
    with ScriptedModelServer(script) as server:
        env = tau_env(
            TERM="xterm-256color",
            TAU_MODEL="openai:scripted-model",
            OPENAI_BASE_URL=f"{server.url}/v1",
            OPENAI_API_KEY="sk-test-0000000000000000",
        )
        env.pop("NO_COLOR")
        env.pop("TMUX", None)  # a private server, even when the suite runs inside tmux
        command = f"{shlex.quote(TAU)}; echo tau-exited-$?; sleep 30"
        tmux(
            "new-session", "-d", "-s", "tau", "-x", "240", "-y", "30", "-c", str(repo),
            command, env=env,
        )  # fmt: skip
        screen = wait_for(tmux, "openai:scripted-model")  # the status bar drew
        tmux("send-keys", "-t", "tau", "-l", "make the smoke file")
        tmux("send-keys", "-t", "tau", "Enter")
        screen = wait_for(tmux, "[y] allow once")
        assert "touch smoke-ran" in screen  # the approval shows what it approves
        tmux("send-keys", "-t", "tau", "y")
        screen = wait_for(tmux, "Smoke test passed.", idle=True)
        assert "make the smoke file" in screen
        tmux("send-keys", "-t", "tau", "-l", "/quit")
        tmux("send-keys", "-t", "tau", "Enter")
        wait_for(tmux, "tau-exited-0")

    assert (repo / "smoke-ran").exists()
    assert server.turns_left == 0


def test_the_recorded_demo_plays_in_the_full_screen_chat(repo: Path, tmux: Tmux) -> None:
    env = tau_env(TERM="xterm-256color")
    env.pop("NO_COLOR")
    env.pop("TMUX", None)
    command = f"{shlex.quote(TAU)} --model scripted:demo; echo tau-exited-$?; sleep 30"
    tmux(
        "new-session", "-d", "-s", "tau", "-x", "240", "-y", "40", "-c", str(repo),
        command, env=env,
    )  # fmt: skip
    wait_for(tmux, "scripted:demo")
    tmux("send-keys", "-t", "tau", "-l", "show me")
    tmux("send-keys", "-t", "tau", "Enter")
    screen = wait_for(tmux, "[y] allow once")
    assert "Recorded demo" in screen
    tmux("send-keys", "-t", "tau", "y")
    wait_for(tmux, "[y] approve")
    tmux("send-keys", "-t", "tau", "y")
    wait_for(tmux, "it was a recording", idle=True)
    tmux("send-keys", "-t", "tau", "-l", "/quit")
    tmux("send-keys", "-t", "tau", "Enter")
    wait_for(tmux, "tau-exited-0")
    assert len(list((repo / ".tau" / "plans").glob("*.md"))) == 1
