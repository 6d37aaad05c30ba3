"""``tau --container IMAGE run``: the agent's commands run in the container, and tau says so."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tau_cli.agent import Turn
from tau_cli.runtime.container import container_unavailable_reason, find_engine
from tau_cli.testing import ScriptedModelServer
from tests.runtime.container.images import build_test_image

from .conftest import run_tau

_REASON = container_unavailable_reason()


@pytest.fixture(scope="module")
def image() -> str:
    reason = _REASON
    tag = ""
    if reason is None:
        built = build_test_image(find_engine())
        reason, tag = built.reason, built.tag
    if reason is not None:
        if os.environ.get("TAU_REQUIRE_CONTAINER") == "1":
            pytest.fail(f"TAU_REQUIRE_CONTAINER=1 but {reason}")
        pytest.skip(reason)
    return tag


@pytest.fixture(autouse=True)
def host_usr_in_the_container() -> None:
    """The test image is only busybox; the bash tool needs the host's bash, from ``/usr``."""
    settings = Path(os.environ["TAU_HOME"]) / "settings.yaml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text("container:\n  mounts: ['/usr:/usr:ro']\n")


def _script() -> list[Turn]:
    # /bin/sh is busybox in the test image and dash (or bash) on the host.
    command = "readlink /bin/sh > which-sh.txt; ls /sys/class/net > net.txt"
    raw: list[dict[str, Any]] = [
        {"tool_calls": [{"name": "bash", "arguments": {"command": command}}]},
        {"text": "done"},
    ]
    return [Turn.model_validate(t) for t in raw]


def _run_json(repo: Path, server: ScriptedModelServer, *flags: str) -> dict[str, Any]:
    result = run_tau(
        *flags,
        "--permission-mode",
        "bypass",
        "run",
        "--output-format",
        "json",
        "look around",
        cwd=repo,
        TAU_MODEL="openai:scripted-model",
        OPENAI_BASE_URL=f"{server.url}/v1",
        OPENAI_API_KEY="sk-test-0000000000000000",
    )
    assert result.returncode == 0, result.stderr
    payload: dict[str, Any] = json.loads(result.stdout)
    return payload


def test_commands_run_in_the_container_and_write_the_project(repo: Path, image: str) -> None:
    with ScriptedModelServer(_script()) as server:
        payload = _run_json(repo, server, "--container", image)
    assert payload["result"] == "done"
    assert f"container {image}" in payload["environment"]
    assert "no network" in payload["environment"]
    assert (repo / "which-sh.txt").read_text().strip() == "busybox"
    assert (repo / "net.txt").read_text().split() == ["lo"]


def test_the_flag_also_follows_the_run_command(repo: Path, image: str) -> None:
    with ScriptedModelServer(_script()) as server:
        result = run_tau(
            "--permission-mode",
            "bypass",
            "run",
            "--container",
            image,
            "--output-format",
            "json",
            "look around",
            cwd=repo,
            TAU_MODEL="openai:scripted-model",
            OPENAI_BASE_URL=f"{server.url}/v1",
            OPENAI_API_KEY="sk-test-0000000000000000",
        )
    assert result.returncode == 0, result.stderr
    assert f"container {image}" in json.loads(result.stdout)["environment"]
    assert (repo / "which-sh.txt").read_text().strip() == "busybox"


def test_without_an_engine_a_container_is_a_clear_error_not_a_silent_fallback(
    repo: Path,
) -> None:
    result = run_tau(
        "--container",
        "localhost/anything:1",
        "run",
        "hi",
        cwd=repo,
        TAU_MODEL="openai:scripted-model",
        OPENAI_API_KEY="sk-test-0000000000000000",
        PATH=str(repo),
    )
    assert result.returncode == 1
    assert "no working container engine" in result.stderr
    assert "Traceback" not in result.stderr
    status = run_tau("--container", "localhost/anything:1", cwd=repo, PATH=str(repo))
    assert "tools:    container requested but unavailable: no working container" in status.stdout


def test_sandbox_and_container_together_are_refused(repo: Path) -> None:
    result = run_tau(
        "--sandbox",
        "--container",
        "localhost/anything:1",
        "run",
        "hi",
        cwd=repo,
        TAU_MODEL="openai:scripted-model",
        OPENAI_API_KEY="sk-test-0000000000000000",
    )
    assert result.returncode == 1
    assert "choose either the sandbox or a container" in result.stderr
