"""What the container adds to the contract: its own filesystem, cleanup, stale containers."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tau_cli.runtime._container_commands import LABEL, OWNER_LABEL
from tau_cli.runtime.container import (
    ContainerEnvironment,
    ContainerUnavailableError,
    default_ulimits,
    remove_stale_containers,
)


def _exists(engine: str, name: str) -> bool:
    done = subprocess.run([engine, "container", "exists", name], capture_output=True)
    if "podman" in engine:
        return done.returncode == 0
    inspect = subprocess.run([engine, "inspect", name], capture_output=True)
    return inspect.returncode == 0


@pytest.fixture
def workspace(tmp_path: Path) -> str:
    folder = tmp_path.resolve() / "project"
    folder.mkdir()
    return str(folder)


@pytest.fixture
def container(workspace: str, image: str) -> Iterator[ContainerEnvironment]:
    environment = ContainerEnvironment(workspace, image=image)
    yield environment
    environment.close()


async def test_paths_outside_the_workspace_are_the_containers_not_the_hosts(
    container: ContainerEnvironment, tmp_path: Path
) -> None:
    host_only = tmp_path / "host-only.txt"
    host_only.write_text("on the host")
    assert not await container.exists(str(host_only))
    # The image has busybox in /bin; the host's /bin/busybox (if any) is not what we read.
    assert (await container.stat("/bin/busybox")).kind == "file"
    await container.write_text("/root/inside.txt", "only in the container")
    assert await container.read_text("/root/inside.txt") == "only in the container"
    assert not Path("/root/inside.txt").exists()
    listing = await container.list_dir("/root")
    assert [(i.path, i.kind, i.size) for i in listing] == [("/root/inside.txt", "file", 21)]
    await container.write_text("mine.txt", "in the project")
    assert await container.read_many(["mine.txt", "/root/inside.txt", str(host_only), "/root"]) == [
        b"in the project",
        b"only in the container",
        None,
        None,
    ]
    infos = await container.stat_many(["mine.txt", "/root/inside.txt", str(host_only)])
    assert [(i.path, i.size) if i else None for i in infos] == [
        (container.resolve("mine.txt"), 14),
        ("/root/inside.txt", 21),
        None,
    ]
    with pytest.raises(FileNotFoundError):
        await container.read_bytes(str(host_only))
    with pytest.raises(IsADirectoryError):
        await container.read_bytes("/tmp")


async def test_why_a_file_operation_failed_in_the_container_is_the_right_error(
    container: ContainerEnvironment,
) -> None:
    # The reason travels in the exit status (Podman can lose an instant failure's text).
    await container.exec(["sh", "-c", "echo x > /root/plain"])
    with pytest.raises(FileNotFoundError):
        await container.read_bytes("/root/missing.txt")
    with pytest.raises(NotADirectoryError):
        await container.read_bytes("/root/plain/below.txt")
    with pytest.raises(NotADirectoryError):
        await container.list_dir("/root/plain")
    with pytest.raises(IsADirectoryError):
        await container.write_text("/root", "x")
    with pytest.raises(FileNotFoundError):
        await container.stat("/root/missing.txt")


async def test_a_symlink_out_of_the_workspace_leads_into_the_container(
    container: ContainerEnvironment, tmp_path: Path, workspace: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("host secret")
    os.symlink(str(outside / "secret.txt"), os.path.join(workspace, "leak.txt"))
    os.symlink("/tmp", os.path.join(workspace, "tmp-link"))
    with pytest.raises(FileNotFoundError):
        await container.read_text("leak.txt")
    await container.write_text("tmp-link/made.txt", "inside")
    result = await container.exec(["cat", "/tmp/made.txt"])
    assert result.stdout == b"inside"
    assert await container.realpath("tmp-link/made.txt") == "/tmp/made.txt"


async def test_the_workspace_is_shared_both_ways(
    container: ContainerEnvironment, workspace: str
) -> None:
    await container.exec(["sh", "-c", "echo from-inside > made.txt"])
    assert Path(workspace, "made.txt").read_text() == "from-inside\n"
    Path(workspace, "host.txt").write_text("from-host")
    assert (await container.exec(["cat", "host.txt"])).stdout == b"from-host"


async def test_commands_see_no_host_environment_and_no_network(
    container: ContainerEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAU_HOST_ONLY", "visible?")
    env = (await container.exec(["env"])).stdout.decode()
    assert "TAU_HOST_ONLY" not in env
    interfaces = (await container.exec(["ls", "/sys/class/net"])).stdout.decode().split()
    assert interfaces == ["lo"]


def test_close_removes_the_container(workspace: str, image: str, engine: str) -> None:
    environment = ContainerEnvironment(workspace, image=image)
    assert _exists(engine, environment.name)
    environment.close()
    environment.close()
    assert not _exists(engine, environment.name)


def test_a_crashed_taus_container_is_removed_by_the_next_one(
    workspace: str, image: str, engine: str
) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    limits = [arg for limit in default_ulimits() for arg in ("--ulimit", limit)]
    owner = f"{OWNER_LABEL}={socket.gethostname()}:{gone.pid}"
    labels = ["--label", f"{LABEL}=1", "--label", owner]
    orphan = subprocess.run(
        [engine, "run", "-d", "--network", "none", *limits, *labels, image, "sleep", "600"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout.strip()
    living = ContainerEnvironment(workspace, image=image)
    try:
        assert not _exists(engine, orphan)
        assert remove_stale_containers(engine) == []
        assert _exists(engine, living.name)
    finally:
        living.close()


def test_an_image_that_does_not_exist_is_a_clear_error(workspace: str, engine: str) -> None:
    with pytest.raises(ContainerUnavailableError, match="did not start"):
        ContainerEnvironment(workspace, image="localhost/tau-no-such-image:0")


def test_the_description_names_engine_image_and_network(
    container: ContainerEnvironment, image: str, workspace: str
) -> None:
    assert image in container.description
    assert workspace in container.description
    assert "no network" in container.description
