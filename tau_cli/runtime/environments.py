"""Choosing the environment tools run in, from settings: this machine or a sandbox.

Front ends never build an ``Environment`` themselves; ``build_runtime`` calls
``build_environment`` and keeps its one-line description, which ``tau run`` and the
status line show so the user always knows whether the agent is confined.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

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


@dataclass(frozen=True)
class ChosenEnvironment:
    environment: Environment
    description: str
    """One line for the user: ``local (no sandbox)`` or what the sandbox allows."""


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

    Raises:
        SandboxUnavailableError: the sandbox is enabled but bubblewrap cannot run.
    """
    env = os.environ if environ is None else environ
    if not settings.sandbox.enabled:
        local = LocalEnvironment(str(cwd), secrets=secrets)
        return ChosenEnvironment(local, LOCAL_DESCRIPTION)
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
    sandbox = SandboxEnvironment(
        str(cwd),
        workspace=str(project_root),
        writable=writable,
        denied=denied,
        read_only=[str(project_root / p) for p in PROTECTED_IN_PROJECT],
        network=settings.sandbox.network,
        secrets=secrets,
    )
    return ChosenEnvironment(sandbox, sandbox.description)


def _expand(path: str, home: str) -> str:
    if path == "~" or path.startswith("~/"):
        return home + path[1:]
    return path
