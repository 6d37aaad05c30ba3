"""``tau doctor``: one screen that says what works, what does not, and how to fix it."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import pytest

from tau_cli.agent import Script, ScriptedModel, Turn
from tau_cli.testing import ScriptedModelServer

from .conftest import run_tau

MCP_SERVER = Path(__file__).parents[1] / "runtime" / "servers" / "recording_mcp.py"


@pytest.fixture
def dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def line(output: str, name: str) -> str:
    """The doctor's line for check ``name`` (with its fix, if it has one)."""
    lines = output.splitlines()
    for i, text in enumerate(lines):
        if text[2:].startswith(name + " "):
            rest = [t for t in lines[i + 1 : i + 3] if t.startswith(" ")]
            return " ".join(t.strip() for t in [text, *rest])
    raise AssertionError(f"no {name!r} line in:\n{output}")


def test_a_working_setup_passes_and_exits_0(repo: Path) -> None:
    script = Script(turns=[Turn(text="unused")], models=[ScriptedModel(name="qwen3:8b")])
    with ScriptedModelServer(script) as ollama, ScriptedModelServer([]) as openai:
        result = run_tau(
            "doctor",
            cwd=repo,
            TAU_MODEL="ollama:qwen3:8b",
            OLLAMA_HOST=ollama.url.removeprefix("http://"),
            OPENAI_BASE_URL=f"{openai.url}/v1",
            OPENAI_API_KEY="sk-test-0000000000000000",
        )
        asked = [r.path for r in openai.requests]

    assert result.returncode == 0, result.stdout
    assert "✓ settings" in result.stdout
    assert "✓ model" in result.stdout and "ollama:qwen3:8b" in result.stdout
    assert "Ollama at 127.0.0.1:" in line(result.stdout, "provider ollama")
    assert line(result.stdout, "provider ollama").startswith("✓")
    assert line(result.stdout, "provider openai").startswith("✓")
    assert asked == ["/v1/models"]
    assert "tau is ready." in result.stdout


def test_a_dead_provider_fails_with_its_address_and_fix(repo: Path, dead_port: int) -> None:
    result = run_tau(
        "doctor", cwd=repo, TAU_MODEL="ollama:qwen3:8b", OLLAMA_HOST=f"127.0.0.1:{dead_port}"
    )
    assert result.returncode == 1
    check = line(result.stdout, "provider ollama")
    assert check.startswith("✗")
    assert f"Ollama at 127.0.0.1:{dead_port} (from OLLAMA_HOST): connection refused" in check
    assert "fix: start Ollama (ollama serve)" in check
    assert "1 problem found." in result.stdout


def test_a_model_the_server_does_not_have_says_how_to_get_it(repo: Path) -> None:
    with ScriptedModelServer([], model="llama3.2") as ollama:
        result = run_tau(
            "doctor",
            cwd=repo,
            TAU_MODEL="ollama:qwen3:8b",
            OLLAMA_HOST=ollama.url.removeprefix("http://"),
        )
    assert result.returncode == 1
    check = line(result.stdout, "provider ollama")
    assert "does not serve qwen3:8b" in check
    assert "fix: ollama pull qwen3:8b" in check


def test_no_model_and_bad_settings_are_failures_with_fixes(repo: Path) -> None:
    no_model = run_tau("doctor", cwd=repo)
    assert no_model.returncode == 1
    assert "fix: pass --model provider:model" in line(no_model.stdout, "model")

    (repo / ".tau" / "settings.yaml").write_text("max_iterations: lots\n")
    broken = run_tau("--trust", "doctor", cwd=repo)
    assert broken.returncode == 1
    check = line(broken.stdout, "settings")
    assert check.startswith("✗") and "max_iterations" in check
    assert "Traceback" not in broken.stdout + broken.stderr
    assert "ripgrep" in broken.stdout  # the checks that need no settings still ran


def test_mcp_servers_are_started_and_a_broken_one_fails(repo: Path, tau_home: Path) -> None:
    servers = {
        "recorder": {
            "command": sys.executable,
            "args": [str(MCP_SERVER)],
            "env": {"CALL_LOG": "/dev/null"},
        },
        "broken": {"command": str(repo / "no-such-server")},
    }
    tau_home.mkdir(parents=True, exist_ok=True)
    (tau_home / "mcp.json").write_text(json.dumps({"mcpServers": servers}))

    result = run_tau("--model", "scripted:demo", "doctor", cwd=repo)

    assert result.returncode == 1
    assert line(result.stdout, "mcp recorder").startswith("✓")
    assert "connected" in line(result.stdout, "mcp recorder")
    broken = line(result.stdout, "mcp broken")
    assert broken.startswith("✗") and "fix:" in broken
    assert line(result.stdout, "provider scripted").startswith("✓")
