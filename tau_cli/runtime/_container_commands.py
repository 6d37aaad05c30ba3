"""The command lines tau gives a container engine (Docker or Podman), built in one place.

Pure functions: nothing here runs a process, so every command line is unit-tested
on machines without an engine. ``container.py`` runs them.

Docker and Podman take the same arguments for everything tau does, with one
difference: ``podman rm`` waits ten seconds for a polite stop unless told ``-t 0``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

LABEL = "tau.container"
"""Every container tau starts carries this label, so stale ones can be found."""
OWNER_LABEL = "tau.owner"
"""``host:pid`` of the tau process that started the container."""

STATUS_MOUNT = "/run/tau-exec"
"""Where the host folder of exec status files appears inside the container."""

KEEP_ALIVE = 'trap "exit 0" TERM; while :; do sleep 3600 & wait $!; done'
"""The container's first process: it waits forever, and as pid 1 it reaps the
orphans that killed commands leave behind (a bare ``sleep`` would collect zombies)."""

EXEC_WRAPPER = (
    's=$1; d=$2; shift 2; report() { echo "$1" > "$s.new" && mv "$s.new" "$s"; }; '
    'cd "$d" 2>/dev/null || { report nodir; exit 127; }; '
    'command -v "$1" >/dev/null 2>&1 || { report noprog; exit 127; }; '
    'report "$$"; exec "$@"'
)
"""Runs one command: changes to its folder, checks the program exists, then reports
its pid (an exec'd process leads its own process group, so that pid is the group
to kill) or why it could not start, in a status file the host reads."""

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass(frozen=True)
class ContainerSpec:
    """What a container is started with."""

    engine: str
    """The engine's program: ``podman`` or ``docker`` (or a path to one)."""
    image: str
    name: str
    mounts: tuple[tuple[str, str, bool], ...]
    """``(host, container, read_only)`` bind mounts."""
    workdir: str
    env: Mapping[str, str]
    owner: str
    """``host:pid`` of this tau process."""
    network: bool = False
    ulimits: tuple[str, ...] = ()
    """``--ulimit`` values, e.g. ``nofile=1024:1024``."""
    runtime: str | None = None
    """The OCI runtime (``--runtime``), e.g. ``runc``; the engine's default when unset."""


def run_command(spec: ContainerSpec) -> list[str]:
    """``run -d``: a detached container that stays up until tau removes it."""
    command = [spec.engine, "run", "-d", "--rm", "--name", spec.name]
    command += ["--label", f"{LABEL}=1", "--label", f"{OWNER_LABEL}={spec.owner}"]
    if spec.runtime:
        command += ["--runtime", spec.runtime]
    command += ["--network", "bridge" if spec.network else "none"]
    for limit in spec.ulimits:
        command += ["--ulimit", limit]
    for host, inside, read_only in spec.mounts:
        command += ["-v", f"{host}:{inside}:{'ro' if read_only else 'rw'}"]
    for key, value in spec.env.items():
        command += ["-e", f"{key}={value}"]
    command += ["-w", spec.workdir, "--entrypoint", "sh", spec.image, "-c", KEEP_ALIVE]
    return command


def exec_command(
    engine: str,
    container: str,
    argv: Sequence[str],
    *,
    status: str,
    workdir: str,
    env: Mapping[str, str],
    interactive: bool,
) -> list[str]:
    """``exec`` of ``argv`` in ``workdir`` through ``EXEC_WRAPPER``, reporting to ``status``."""
    command = [engine, "exec"]
    if interactive:
        command.append("-i")
    for key, value in env.items():
        command += ["-e", f"{key}={value}"]
    return [*command, container, "sh", "-c", EXEC_WRAPPER, "tau-exec", status, workdir, *argv]


def kill_command(engine: str, container: str, pid: int) -> list[str]:
    """Kill the process group ``pid`` leads inside the container."""
    return [engine, "exec", container, "kill", "-9", f"-{pid}"]


def remove_command(engine: str, container: str) -> list[str]:
    """Remove a container at once, running or not."""
    command = [engine, "rm", "-f"]
    if _is_podman(engine):
        command += ["-t", "0"]
    return [*command, container]


def list_owned_command(engine: str) -> list[str]:
    """The ids of every container tau started, on any engine."""
    return [engine, "ps", "-a", "-q", "--no-trunc", "--filter", f"label={LABEL}"]


def owners_command(engine: str, containers: Sequence[str]) -> list[str]:
    """One ``id owner`` line per container (``inspect`` reads the same on both engines)."""
    template = '{{.Id}} {{index .Config.Labels "' + OWNER_LABEL + '"}}'
    return [engine, "inspect", "--format", template, *containers]


def deploy_command(
    engine: str,
    image: str,
    *,
    workspace: str,
    tau_argv: Sequence[str] = ("tau", "acp"),
    mounts: Sequence[tuple[str, str, bool]] = (),
    env: Mapping[str, str] | None = None,
    pass_env: Sequence[str] = (),
    network: str = "host",
    ulimits: Sequence[str] = (),
    runtime: str | None = None,
    owner: str = "",
) -> list[str]:
    """``run -i``: tau's runtime itself in a container, speaking ACP on stdin/stdout.

    The workspace is mounted at the same path and is the working directory, so paths
    in the conversation mean the same inside and out; ``mounts`` add e.g. a Python
    and tau from the host, read-only, for images that do not have tau installed.
    ``pass_env`` names variables the engine copies from its own environment (``-e
    NAME``): API keys reach the runtime without appearing on a command line.
    """
    command = [engine, "run", "-i", "--rm", "--label", f"{LABEL}=1"]
    if owner:
        command += ["--label", f"{OWNER_LABEL}={owner}"]
    if runtime:
        command += ["--runtime", runtime]
    command += ["--network", network]
    for limit in ulimits:
        command += ["--ulimit", limit]
    command += ["-v", f"{workspace}:{workspace}:rw"]
    for host, inside, read_only in mounts:
        command += ["-v", f"{host}:{inside}:{'ro' if read_only else 'rw'}"]
    for key, value in (env or {}).items():
        command += ["-e", f"{key}={value}"]
    for name in pass_env:
        command += ["-e", name]
    return [*command, "-w", workspace, image, *tau_argv]


def _is_podman(engine: str) -> bool:
    return engine.rsplit("/", 1)[-1].startswith("podman")
