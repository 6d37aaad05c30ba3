"""``tau --container IMAGE --deploy``: what it starts, and clear errors when it cannot."""

from __future__ import annotations

from pathlib import Path

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
