"""``tau models``: what each configured provider offers, named as ``--model`` takes it."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from tau_cli.agent import Script, ScriptedModel
from tau_cli.testing import ScriptedModelServer

from .conftest import run_tau

OLLAMA_MODELS = Script(
    turns=[],
    models=[
        ScriptedModel(
            name="qwen3:8b", context_window=40960, capabilities=["completion", "tools", "thinking"]
        ),
        ScriptedModel(name="llama3.2:3b", context_window=131072),
    ],
)


def test_models_of_ollama_openai_and_azure_are_listed(repo: Path) -> None:
    (repo / ".tau" / "settings.yaml").write_text(
        "models:\n  azure:prod-gpt4o: {}\n  azure:prod-mini: {}\n"
    )
    with (
        ScriptedModelServer(OLLAMA_MODELS) as ollama,
        ScriptedModelServer([], model="gpt-4.1") as openai,
        ScriptedModelServer([]) as azure,
    ):
        result = run_tau(
            "--trust",
            "models",
            cwd=repo,
            TAU_MODEL="ollama:qwen3:8b",
            OLLAMA_HOST=ollama.url.removeprefix("http://"),
            OPENAI_BASE_URL=f"{openai.url}/v1",
            OPENAI_API_KEY="sk-test-0000000000000000",
            AZURE_OPENAI_ENDPOINT=azure.url,
            AZURE_OPENAI_API_KEY="azure-test-key",
        )
        ollama_paths = [r.path for r in ollama.requests]
        azure_asked = len(azure.requests)

    assert result.returncode == 0, result.stderr + result.stdout
    out = result.stdout
    assert "ollama:qwen3:8b  (40960 tokens; completion, tools, thinking; in use)" in out
    assert "ollama:llama3.2:3b  (131072 tokens; completion, tools)" in out
    assert "openai:gpt-4.1" in out
    assert "azure:prod-gpt4o  (configured deployment)" in out
    assert "azure:prod-mini  (configured deployment)" in out
    assert ollama_paths[0] == "/api/tags" and "/api/show" in ollama_paths
    assert azure_asked == 0  # Azure's deployments come from settings


def test_json_output_and_a_dead_provider(repo: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    with ScriptedModelServer(OLLAMA_MODELS) as ollama:
        result = run_tau(
            "models",
            "--json",
            cwd=repo,
            TAU_MODEL="ollama:qwen3:8b",
            OLLAMA_HOST=ollama.url.removeprefix("http://"),
            OPENAI_BASE_URL=f"http://127.0.0.1:{dead}/v1",
            OPENAI_API_KEY="sk-test-0000000000000000",
        )
    assert result.returncode == 1  # one provider failed; the other is still listed
    listed = {p["provider"]: p for p in json.loads(result.stdout)}
    assert [m["model"] for m in listed["ollama"]["models"]] == [
        "ollama:qwen3:8b",
        "ollama:llama3.2:3b",
    ]
    assert listed["ollama"]["models"][0]["context_window"] == 40960
    assert listed["openai"]["models"] is None
    assert f"127.0.0.1:{dead}" in listed["openai"]["error"]
