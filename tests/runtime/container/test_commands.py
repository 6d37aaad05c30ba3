"""The command lines tau gives Docker and Podman (no engine needed to check them)."""

from __future__ import annotations

import pytest

from tau_cli.runtime._container_commands import (
    EXEC_WRAPPER,
    KEEP_ALIVE,
    LABEL,
    STATUS_MOUNT,
    ContainerSpec,
    deploy_command,
    exec_command,
    kill_command,
    list_owned_command,
    owners_command,
    remove_command,
    run_command,
)
from tau_cli.runtime.container import ContainerUnavailableError, find_engine


def _spec(**changes: object) -> ContainerSpec:
    values: dict[str, object] = {
        "engine": "podman",
        "image": "localhost/tools:1",
        "name": "tau-abc",
        "mounts": (("/src/project", "/src/project", False), ("/host/python", "/py", True)),
        "workdir": "/src/project/sub",
        "env": {"PATH": "/bin", "LANG": "C.UTF-8"},
        "owner": "box:4242",
        "ulimits": ("nofile=1024:1024", "nproc=4096:4096"),
    }
    values.update(changes)
    return ContainerSpec(**values)  # type: ignore[arg-type]


def test_run_starts_a_labelled_detached_container_with_the_mounts_and_no_network() -> None:
    command = run_command(_spec())
    assert command[:7] == ["podman", "run", "-d", "--rm", "--name", "tau-abc", "--label"]
    assert f"{LABEL}=1" in command and "tau.owner=box:4242" in command
    assert command[command.index("--network") + 1] == "none"
    assert "-v" in command
    assert "/src/project:/src/project:rw" in command
    assert "/host/python:/py:ro" in command
    at = command.index("--ulimit")
    assert command[at : at + 4] == ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"]
    assert "PATH=/bin" in command and "LANG=C.UTF-8" in command
    assert command[-7:] == [
        "-w",
        "/src/project/sub",
        "--entrypoint",
        "sh",
        "localhost/tools:1",
        "-c",
        KEEP_ALIVE,
    ]
    assert "--runtime" not in command


def test_run_asks_for_a_runtime_and_a_network_only_when_told() -> None:
    command = run_command(_spec(runtime="runc", network=True))
    assert command[command.index("--runtime") + 1] == "runc"
    assert command[command.index("--network") + 1] == "bridge"


def test_exec_wraps_the_command_so_it_reports_its_pid_and_folder() -> None:
    command = exec_command(
        "docker",
        "tau-abc",
        ["grep", "-r", "x y", "."],
        status=f"{STATUS_MOUNT}/s1",
        workdir="/src/project",
        env={"TAU_VALUE": "1"},
        interactive=False,
    )
    assert command == [
        "docker",
        "exec",
        "-e",
        "TAU_VALUE=1",
        "tau-abc",
        "sh",
        "-c",
        EXEC_WRAPPER,
        "tau-exec",
        f"{STATUS_MOUNT}/s1",
        "/src/project",
        "grep",
        "-r",
        "x y",
        ".",
    ]


def test_exec_keeps_stdin_open_only_when_there_is_input() -> None:
    with_input = exec_command(
        "podman", "c", ["cat"], status="s", workdir="/w", env={}, interactive=True
    )
    assert with_input[:3] == ["podman", "exec", "-i"]


def test_kill_reaches_the_whole_process_group_inside() -> None:
    assert kill_command("podman", "tau-abc", 17) == [
        "podman",
        "exec",
        "tau-abc",
        "kill",
        "-9",
        "-17",
    ]


def test_remove_does_not_wait_for_a_polite_stop() -> None:
    assert remove_command("/usr/bin/podman", "c") == ["/usr/bin/podman", "rm", "-f", "-t", "0", "c"]
    assert remove_command("docker", "c") == ["docker", "rm", "-f", "c"]


def test_stale_containers_are_found_by_label_and_owner() -> None:
    assert list_owned_command("docker")[-2:] == ["--filter", f"label={LABEL}"]
    owners = owners_command("podman", ["a", "b"])
    assert owners[:3] == ["podman", "inspect", "--format"]
    assert '"tau.owner"' in owners[3] and owners[-2:] == ["a", "b"]


def test_deploy_runs_tau_acp_interactively_in_the_workspace() -> None:
    command = deploy_command(
        "podman",
        "localhost/tau:1",
        workspace="/src/project",
        mounts=[("/opt/py", "/opt/py", True)],
        env={"PYTHONPATH": "/opt/tau"},
        pass_env=["OPENAI_API_KEY"],
        ulimits=["nofile=1024:1024"],
        owner="box:1",
    )
    assert command[:4] == ["podman", "run", "-i", "--rm"]
    assert "/src/project:/src/project:rw" in command
    assert "/opt/py:/opt/py:ro" in command
    assert "PYTHONPATH=/opt/tau" in command
    at = command.index("OPENAI_API_KEY")
    assert command[at - 1 : at + 1] == ["-e", "OPENAI_API_KEY"]
    # The runtime inside must reach the model, as the host does.
    assert command[command.index("--network") + 1] == "host"
    assert command[-5:] == ["-w", "/src/project", "localhost/tau:1", "tau", "acp"]


def test_a_missing_engine_is_refused_with_what_to_do() -> None:
    with pytest.raises(ContainerUnavailableError) as caught:
        find_engine("tau-no-such-engine")
    message = str(caught.value)
    assert "tau-no-such-engine: not installed" in message
    assert "apt install podman" in message
