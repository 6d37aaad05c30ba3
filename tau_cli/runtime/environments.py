"""Choosing the environment tools run in, from settings: this machine, a sandbox or a container.

Front ends never build an ``Environment`` themselves; ``build_runtime`` calls
``build_environment`` and keeps its one-line description, which ``tau run`` and the
status line show so the user always knows whether the agent is confined.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from tau_cli.core import ConfigError
from tau_cli.runtime.sandbox import SandboxEnvironment
from tau_cli.runtime.settings import Settings
from tau_cli.tools import Environment, LocalEnvironment

DEFAULT_DENIED = (
    "~/.ssh",
    "~/.gnupg",
    "~/.aws",
    "~/.azure",
    "~/.config/gcloud",
    "~/.kube",
    "~/.docker",
    "~/.netrc",
    "~/.git-credentials",
    "~/.pypirc",
    "~/.npmrc",
)
"""Credential files and folders hidden in every sandbox, whatever the settings say."""

PROTECTED_IN_PROJECT = (".tau", ".mcp.json", ".git/hooks", ".git/config")
"""Project paths a sandboxed command may not change: tau or git would run what they
name outside the sandbox (hooks, MCP servers, agents, ``core.hooksPath``)."""

LOCAL_DESCRIPTION = "local (no sandbox)"
_SANDBOX_OR_CONTAINER = (
    "choose either the sandbox or a container, not both "
    "(sandbox.enabled and container.image are both set)"
)


@dataclass(frozen=True)
class ChosenEnvironment:
    environment: Environment
    description: str
    """One line for the user: ``local (no sandbox)``, what the sandbox allows, or the
    container's engine and image."""
    close: Callable[[], Awaitable[None]] | None = None
    """What must run when the session ends (a container is removed)."""


def build_environment(
    settings: Settings,
    *,
    cwd: Path,
    project_root: Path,
    tau_home: Path,
    environ: Mapping[str, str] | None = None,
    secrets: Iterable[str] = (),
) -> ChosenEnvironment:
    """The environment ``settings`` ask for, working in ``cwd``.

    In the sandbox the project root and ``permissions.additional_directories`` are
    writable (tools may already edit them), except ``PROTECTED_IN_PROJECT``; tau's
    own settings file, transcripts and checkpoints (copies of other projects) are
    hidden along with ``DEFAULT_DENIED`` and ``sandbox.denied_paths``.

    With ``container.image`` set, tools run in a container of that image instead,
    the project and ``permissions.additional_directories`` mounted at their paths.

    Raises:
        SandboxUnavailableError: the sandbox is enabled but bubblewrap cannot run.
        ContainerUnavailableError: a container is asked for but no engine works.
        ConfigError: both the sandbox and a container are asked for.
    """
    env = os.environ if environ is None else environ
    if settings.container.image is not None:
        if settings.sandbox.enabled:
            raise ConfigError(_SANDBOX_OR_CONTAINER)
        return _container(settings, cwd=cwd, project_root=project_root, env=env, secrets=secrets)
    if not settings.sandbox.enabled:
        local = LocalEnvironment(str(cwd), secrets=secrets)
        return ChosenEnvironment(local, LOCAL_DESCRIPTION)
    sandbox = _sandbox(
        settings, cwd=cwd, project_root=project_root, tau_home=tau_home, env=env, secrets=secrets
    )
    return ChosenEnvironment(sandbox, sandbox.description)


def process_sandbox(
    settings: Settings,
    *,
    project_root: Path,
    tau_home: Path,
    environ: Mapping[str, str] | None = None,
) -> SandboxEnvironment | None:
    """The sandbox the tools would run in, for the other commands tau starts; None when off.

    Hooks and stdio MCP servers run the project's commands too, so with the sandbox
    on they are confined exactly like the tools' processes (same writable, read-only
    and denied paths, same network policy), through ``SandboxEnvironment.command``.
    MCP servers start before the tools' environment exists, hence this way to make
    one on its own.

    Raises:
        SandboxUnavailableError: the sandbox is enabled but bubblewrap cannot run.
        ConfigError: both the sandbox and a container are asked for.
    """
    if not settings.sandbox.enabled:
        return None
    if settings.container.image is not None:
        raise ConfigError(_SANDBOX_OR_CONTAINER)
    env = os.environ if environ is None else environ
    return _sandbox(
        settings, cwd=project_root, project_root=project_root, tau_home=tau_home, env=env
    )


def _sandbox(
    settings: Settings,
    *,
    cwd: Path,
    project_root: Path,
    tau_home: Path,
    env: Mapping[str, str],
    secrets: Iterable[str] = (),
) -> SandboxEnvironment:
    home = env.get("HOME") or str(Path.home())
    denied = [
        *(_expand(p, home) for p in (*DEFAULT_DENIED, *settings.sandbox.denied_paths)),
        str(tau_home / "settings.yaml"),
        str(tau_home / "sessions"),
        str(tau_home / "checkpoints"),
    ]
    writable = [
        _expand(p, home)
        for p in (*settings.permissions.additional_directories, *settings.sandbox.writable_paths)
    ]
    return SandboxEnvironment(
        str(cwd),
        workspace=str(project_root),
        writable=writable,
        denied=denied,
        read_only=[str(project_root / p) for p in PROTECTED_IN_PROJECT],
        network=settings.sandbox.network,
        secrets=secrets,
    )


def _container(
    settings: Settings,
    *,
    cwd: Path,
    project_root: Path,
    env: Mapping[str, str],
    secrets: Iterable[str],
) -> ChosenEnvironment:
    # Imported here: most sessions never start a container.
    from tau_cli.runtime.container import ContainerEnvironment

    options = settings.container
    home = env.get("HOME") or str(Path.home())
    extra = [_expand(p, home) for p in settings.permissions.additional_directories]
    mounts = [(os.path.realpath(p), os.path.realpath(p), False) for p in extra]
    mounts += [_mount(spec, home) for spec in options.mounts]
    container = ContainerEnvironment(
        str(cwd),
        image=str(options.image),
        workspace=str(project_root),
        mounts=mounts,
        engine=options.engine,
        network=options.network,
        secrets=secrets,
        ulimits=options.ulimits or None,
        runtime=options.runtime,
    )
    return ChosenEnvironment(container, container.description, close=container.aclose)


def _mount(spec: str, home: str) -> tuple[str, str, bool]:
    """``HOST:CONTAINER[:ro|:rw]`` as ``(host, container, read_only)``."""
    parts = spec.split(":")
    if len(parts) == 3 and parts[2] in ("ro", "rw"):
        host, inside, read_only = parts[0], parts[1], parts[2] == "ro"
    elif len(parts) == 2:
        host, inside, read_only = parts[0], parts[1], False
    else:
        raise ConfigError(f"container.mounts: {spec!r} is not HOST:CONTAINER or HOST:CONTAINER:ro")
    host = os.path.realpath(_expand(host, home))
    if not os.path.isabs(inside) or not os.path.exists(host):
        raise ConfigError(
            f"container.mounts: {spec!r} needs an existing host folder and an absolute path"
        )
    return host, inside, read_only


def _expand(path: str, home: str) -> str:
    if path == "~" or path.startswith("~/"):
        return home + path[1:]
    return path
