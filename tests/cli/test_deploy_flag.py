"""``tau --container IMAGE --deploy``: what it starts, and clear errors when it cannot."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tau_cli.runtime.container import container_unavailable_reason

from .conftest import run_tau


def test_deploy_without_an_image_says_what_is_missing(repo: Path) -> None:
    result = run_tau("--deploy", cwd=repo)
    assert result.returncode == 1
    assert "--deploy needs an image: add --container IMAGE" in result.stderr
    assert "Traceback" not in result.stderr


def test_deploy_without_an_engine_is_refused(repo: Path) -> None:
    result = run_tau("--container", "localhost/tau:1", "--deploy", cwd=repo, PATH=str(repo))
    assert result.returncode == 1
    assert "no working container engine" in result.stderr


@pytest.mark.skipif(container_unavailable_reason() is not None, reason="no container engine")
@pytest.mark.skipif(
    importlib.util.find_spec("tau_cli.cli.connect") is not None,
    reason="this tau attaches over ACP; deploy mode is exercised through --connect",
)
def test_without_the_acp_front_end_deploy_names_the_runtime_command(repo: Path) -> None:
    result = run_tau(
        "--container", "localhost/tau:1", "--deploy", cwd=repo, OPENAI_API_KEY="sk-secret-1"
    )
    assert result.returncode == 1
    assert "no ACP client front end (tau --connect)" in result.stderr
    assert " run -i --rm " in result.stderr
    assert f"-w {repo} localhost/tau:1 tau acp" in result.stderr
    assert "-e OPENAI_API_KEY" in result.stderr
    assert "sk-secret-1" not in result.stderr
