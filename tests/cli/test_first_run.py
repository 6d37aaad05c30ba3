"""``tau "prompt"`` next to the subcommands, and what a newcomer without a model sees."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pexpect
import pytest

from tau_cli.agent import Turn
from tau_cli.testing import ScriptedModelServer

from .conftest import TAU, run_tau, tau_env, wait_for_turn_end


@pytest.fixture
def dead_port() -> int:
    """A loopback port nothing listens on (bound once, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def model_env(server: ScriptedModelServer) -> dict[str, str]:
    return {
        "TAU_MODEL": "openai:scripted-model",
        "OPENAI_BASE_URL": f"{server.url}/v1",
        "OPENAI_API_KEY": "sk-test-0000000000000000",
    }


def test_a_prompt_opens_the_chat_in_a_terminal_and_is_sent(repo: Path, tau_home: Path) -> None:
    with ScriptedModelServer([Turn(text="I fixed the bug in calc.py.")]) as server:
        env = tau_env(TERM="xterm-256color", **model_env(server))
        env.pop("NO_COLOR")
        child = pexpect.spawn(
            TAU,
            ["--debug", "fix the bug"],
            cwd=str(repo),
            env=env,
            encoding="utf-8",
            timeout=30,
            dimensions=(30, 100),
        )
        child.expect("fixed the bug in calc.py")
        wait_for_turn_end(tau_home)
        child.sendcontrol("q")
        child.expect(pexpect.EOF)
        child.close()
        sent = [r.json()["messages"][-1] for r in server.requests]

    assert child.exitstatus == 0
    assert sent == [{"role": "user", "content": "fix the bug"}]


def test_without_a_terminal_a_prompt_runs_like_tau_run(repo: Path) -> None:
    script = [Turn(text="Fixed."), Turn(text="Fixed again.")]
    with ScriptedModelServer(script) as server:
        bare = run_tau("fix the bug", cwd=repo, **model_env(server))
        sub = run_tau("run", "fix it again", cwd=repo, **model_env(server))
        prompts = [r.json()["messages"][-1]["content"] for r in server.requests]

    assert (bare.returncode, bare.stdout) == (0, "Fixed.\n"), bare.stderr
    assert (sub.returncode, sub.stdout) == (0, "Fixed again.\n"), sub.stderr
    assert prompts == ["fix the bug", "fix it again"]


def test_words_after_the_options_make_one_prompt(repo: Path) -> None:
    with ScriptedModelServer([Turn(text="ok")]) as server:
        env = model_env(server)
        model = env.pop("TAU_MODEL")
        result = run_tau("--model", model, "fix", "the", "bug", cwd=repo, **env)
        prompts = [r.json()["messages"][-1]["content"] for r in server.requests]
    assert result.returncode == 0, result.stderr
    assert prompts == ["fix the bug"]


def test_a_mistyped_command_is_a_usage_error_not_a_prompt(repo: Path) -> None:
    result = run_tau("sesions", cwd=repo)
    assert result.returncode == 2
    assert "did you mean 'sessions'" in result.stderr


def test_an_empty_prompt_is_a_usage_error(repo: Path) -> None:
    result = run_tau("  ", cwd=repo)
    assert result.returncode == 2
    assert "the prompt is empty" in result.stderr


def test_options_after_the_prompt_are_a_usage_error(repo: Path) -> None:
    result = run_tau("fix the bug", "--model", "ollama:x", cwd=repo)
    assert result.returncode == 2
    assert "options go before the prompt" in result.stderr


def test_first_run_in_a_terminal_says_what_was_tried_and_how_to_set_up(
    repo: Path, dead_port: int
) -> None:
    child = pexpect.spawn(
        TAU,
        [],
        cwd=str(repo),
        env=tau_env(TERM="xterm", OLLAMA_HOST=f"127.0.0.1:{dead_port}"),
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 120),
    )
    child.expect("no model is configured")
    child.expect_exact(f"Ollama at 127.0.0.1:{dead_port} (from OLLAMA_HOST): not running")
    child.expect_exact("OpenAI-compatible: OPENAI_BASE_URL and OPENAI_API_KEY not set")
    child.expect_exact("Azure OpenAI: AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY not set")
    child.expect_exact("tau --model ollama:qwen3:8b")
    child.expect_exact("tau --model azure:DEPLOYMENT")
    child.expect_exact("tau --model openai:MODEL")
    child.expect_exact("tau --model scripted:demo")
    child.expect(pexpect.EOF)
    shown = child.before
    child.close()
    assert child.exitstatus == 1
    assert "Traceback" not in shown


@pytest.mark.parametrize(
    "args", [("run", "hi"), ("chat", "--plain"), ("fix the bug",)], ids=" ".join
)
def test_every_entry_point_gives_the_first_run_message(
    repo: Path, dead_port: int, args: tuple[str, ...]
) -> None:
    result = run_tau(*args, cwd=repo, OLLAMA_HOST=f"127.0.0.1:{dead_port}")
    assert result.returncode == 1
    assert f"Ollama at 127.0.0.1:{dead_port}" in result.stderr
    assert "export AZURE_OPENAI_ENDPOINT=" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_configured_model_that_does_not_answer_is_named_with_its_address(
    repo: Path, dead_port: int
) -> None:
    address = f"127.0.0.1:{dead_port}"
    result = run_tau("run", "hi", cwd=repo, TAU_MODEL="ollama:qwen3:8b", OLLAMA_HOST=address)
    assert result.returncode == 1
    assert "cannot reach the model ollama:qwen3:8b" in result.stderr
    assert f"Ollama at {address} (from OLLAMA_HOST): connection refused" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_running_ollama_is_found_and_its_model_suggested(repo: Path) -> None:
    with ScriptedModelServer([Turn(text="unused")], model="qwen3:8b") as server:
        host = server.url.removeprefix("http://")
        result = run_tau("run", "hi", cwd=repo, OLLAMA_HOST=host)
    assert result.returncode == 1
    assert f"Ollama at {host} (from OLLAMA_HOST): running, with qwen3:8b" in result.stderr
    assert "start with: tau --model ollama:qwen3:8b" in result.stderr


def test_the_plain_chat_in_a_terminal_explains_too(repo: Path, dead_port: int) -> None:
    child = pexpect.spawn(
        TAU,
        ["chat", "--plain"],
        cwd=str(repo),
        env=tau_env(TERM="xterm", OLLAMA_HOST=f"127.0.0.1:{dead_port}"),
        encoding="utf-8",
        timeout=30,
    )
    child.expect("no model is configured")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1


def test_the_status_without_a_terminal_is_unchanged(repo: Path) -> None:
    result = subprocess.run(
        [TAU], cwd=repo, env=tau_env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert "model:    none set" in result.stdout
