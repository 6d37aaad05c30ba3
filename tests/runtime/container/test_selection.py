"""Settings choose the container: image, mounts, and what goes wrong clearly."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tau_cli.core import ConfigError
from tau_cli.runtime.container import ContainerEnvironment
from tau_cli.runtime.environments import build_environment
from tau_cli.runtime.settings import Settings


def _settings(**container: object) -> Settings:
    return Settings.model_validate({"container": container})


def _build(settings: Settings, root: Path) -> object:
    return build_environment(settings, cwd=root, project_root=root, tau_home=root / ".home")


@pytest.mark.parametrize(
    "mount",
    ["/usr", "/usr:/usr:rx", "relative:/inside", "/no/such/folder/here:/inside"],
)
def test_a_malformed_mount_is_a_configuration_error(tmp_path: Path, mount: str) -> None:
    with pytest.raises(ConfigError, match=r"container\.mounts"):
        _build(_settings(image="x", mounts=[mount]), tmp_path)


def test_the_sandbox_and_a_container_together_are_refused(tmp_path: Path) -> None:
    settings = Settings.model_validate({"container": {"image": "x"}, "sandbox": {"enabled": True}})
    with pytest.raises(ConfigError, match="either the sandbox or a container"):
        _build(settings, tmp_path)


async def test_the_chosen_container_mounts_what_settings_name_and_is_removed_at_the_end(
    tmp_path: Path, image: str, engine: str
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    chosen = build_environment(
        _settings(image=image, mounts=["/usr:/usr:ro"]),
        cwd=project,
        project_root=project,
        tau_home=tmp_path / "home",
    )
    container = chosen.environment
    assert isinstance(container, ContainerEnvironment)
    assert chosen.description == container.description
    try:
        # The host's bash, from the mounted /usr: the image itself has only busybox.
        result = await container.exec(["bash", "-c", "echo $BASH_VERSION"])
        assert result.exit_code == 0 and result.stdout.strip()
        denied = await container.exec(["sh", "-c", "touch /usr/tau-test"])
        assert denied.exit_code != 0
        # The write tool is held to the same read-only mount, though tau runs as you here.
        with pytest.raises(PermissionError):
            await container.write_text("/usr/tau-test-write", "x")
        assert not Path("/usr/tau-test-write").exists()
        assert (await container.stat("/usr/bin/bash")).kind == "file"
    finally:
        assert chosen.close is not None
        await chosen.close()
    gone = subprocess.run([engine, "inspect", container.name], capture_output=True)
    assert gone.returncode != 0
