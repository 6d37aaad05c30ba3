"""``tau --debug``: a trace of requests, events and timings that never holds a key."""

from __future__ import annotations

import re
from pathlib import Path

import pexpect

from tau_cli.agent import Turn
from tau_cli.testing import ScriptedModelServer

from .conftest import TAU, run_tau, tau_env, wait_for_turn_end

SECRET = "tau-test-credential-5f2a9c81e7d4"


def test_the_trace_records_requests_events_and_timings_but_no_key(
    repo: Path, tau_home: Path
) -> None:
    script = [
        Turn.model_validate({"tool_calls": [{"name": "glob", "arguments": {"pattern": "*"}}]}),
        # The model repeats the key, split across small streamed chunks.
        Turn(text=f"Your key is {SECRET}, keep it safe.", chunk_chars=5),
    ]
    with ScriptedModelServer(script) as server:
        tau_home.mkdir(parents=True, exist_ok=True)
        (tau_home / "settings.yaml").write_text(
            "model: openai:scripted-model\n"
            f"providers:\n  openai:\n    base_url: {server.url}/v1\n    api_key: {SECRET}\n"
        )
        result = run_tau("--debug", "run", "what is my key?", cwd=repo)
        sent_key = server.requests[0].headers["authorization"]

    assert result.returncode == 0, result.stderr
    assert sent_key == f"Bearer {SECRET}"  # the key was really in use
    announced = re.search(r"tau: writing a debug trace to (\S+)", result.stderr)
    assert announced is not None
    path = Path(announced.group(1))
    assert path.parent == tau_home / "debug"
    assert f"tau: debug trace written to {path}" in result.stderr

    trace = path.read_text(encoding="utf-8")
    assert SECRET not in trace
    assert "[REDACTED]" in trace
    assert re.search(r'POST .*/v1/chat/completions "HTTP/1.1 200 OK"', trace)
    for kind in ("turn_started", "tool_started", "tool_finished", "assistant_message"):
        assert f'"type": "{kind}"' in trace
    assert '"type": "text_delta", "seq": ' in trace and '"chars": 5' in trace
    assert re.search(r"^\s*\d+\.\d ms  tau_cli.debug  event .*turn_finished", trace, re.M)
    assert "settings: " in trace and "command: tau --debug run" in trace


def test_without_debug_no_trace_is_written(repo: Path, tau_home: Path) -> None:
    with ScriptedModelServer([Turn(text="hi")]) as server:
        result = run_tau(
            "run",
            "hello",
            cwd=repo,
            TAU_MODEL="openai:scripted-model",
            OPENAI_BASE_URL=f"{server.url}/v1",
            OPENAI_API_KEY="sk-test-0000000000000000",
        )
    assert result.returncode == 0
    assert "debug trace" not in result.stderr
    assert not (tau_home / "debug").exists()


def test_the_full_screen_chat_records_its_events_too(repo: Path, tau_home: Path) -> None:
    with ScriptedModelServer([Turn(text="Traced answer.")]) as server:
        env = tau_env(
            TERM="xterm-256color",
            TAU_MODEL="openai:scripted-model",
            OPENAI_BASE_URL=f"{server.url}/v1",
            OPENAI_API_KEY="sk-test-0000000000000000",
        )
        env.pop("NO_COLOR")
        child = pexpect.spawn(
            TAU,
            ["--debug", "say something"],
            cwd=str(repo),
            env=env,
            encoding="utf-8",
            timeout=30,
            dimensions=(30, 100),
        )
        child.expect("Traced answer.")
        trace = wait_for_turn_end(tau_home)  # written as it happens
        child.sendcontrol("q")
        child.expect("debug trace written to")
        child.expect(pexpect.EOF)
        child.close()

    text = trace.read_text(encoding="utf-8")
    assert '"type": "turn_started", "prompt": "say something"' in text
    assert '"type": "turn_finished"' in text
    assert "sk-test-0000000000000000" not in text
