"""Deploy mode: tau's runtime itself in a container, the local interface attached over ACP.

``tau --container IMAGE --deploy`` does not run tools in a container from the host;
it starts ``tau acp`` inside one (``podman run -i`` / ``docker run -i``) and talks
to it over stdin and stdout with the standard API, so the whole agent — model
calls, tools, hooks — lives in the container and the user sees the same interface.

This module builds that command line. The image either has tau installed (the
repository's ``Dockerfile`` builds one) or is given the host's Python and tau,
mounted read-only at their own paths (``HostTau``), which is how an image without
Python — like the busybox image of the tests — can still run this very tau.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import tau_cli
from tau_cli.runtime import _container_commands as commands
from tau_cli.runtime.settings_loader import ENV_KEYS


@dataclass(frozen=True)
class HostTau:
    """The host's Python and tau, to be mounted read-only into an image that lacks them."""

    python: str
    """The interpreter to run (a virtual environment's, so its packages come along)."""
    folders: tuple[str, ...]
    """Every folder that interpreter needs, mounted at its own path."""

    @classmethod
    def current(cls) -> HostTau:
        """This process's interpreter, its environment, its standard library and tau."""
        package = os.path.dirname(os.path.dirname(os.path.realpath(tau_cli.__file__)))
        wanted = [sys.prefix, sys.base_prefix, package, "/usr"]
        # Without a merged /usr, the C library lives in /lib and /lib64 themselves.
        wanted += [p for p in ("/lib", "/lib64") if os.path.isdir(p) and not os.path.islink(p)]
        return cls(python=sys.executable, folders=_outermost(os.path.realpath(p) for p in wanted))


def deploy_argv(
    image: str,
    *,
    workspace: Path,
    tau_home: Path,
    engine: str,
    environ: Mapping[str, str],
    host_tau: HostTau | None = None,
    ulimits: Sequence[str] = (),
    runtime: str | None = None,
    tau_args: Sequence[str] = ("acp",),
) -> list[str]:
    """The command that starts ``tau acp`` in a container of ``image``.

    Args:
        workspace: the project, mounted read-write at its own path and the working
            directory there.
        tau_home: tau's home (settings, sessions), mounted read-write at its own path,
            so sessions started in the container can be resumed anywhere.
        environ: this process's environment; of it only the names tau reads as
            settings (``TAU_MODEL``, API keys, endpoints) are passed on, by name.
        host_tau: mount the host's Python and tau and run those; ``None`` runs the
            image's own ``tau``.
        tau_args: what tau is asked to do inside (``acp``).

    The container shares the host's network: the runtime inside must reach the same
    model endpoints as the host does, an Ollama on ``127.0.0.1`` included.
    """
    mounts: list[tuple[str, str, bool]] = [(str(tau_home), str(tau_home), False)]
    if host_tau is not None:
        mounts += [(folder, folder, True) for folder in host_tau.folders]
        argv = [host_tau.python, "-m", "tau_cli", *tau_args]
    else:
        argv = ["tau", *tau_args]
    passed = sorted(name for name in ENV_KEYS if name in environ)
    return commands.deploy_command(
        engine,
        image,
        workspace=str(workspace),
        tau_argv=argv,
        mounts=mounts,
        env={"TAU_HOME": str(tau_home)},
        pass_env=passed,
        network="host",
        ulimits=ulimits,
        runtime=runtime,
        owner=f"{socket.gethostname()}:{os.getpid()}",
    )


def _outermost(paths: Iterable[str]) -> tuple[str, ...]:
    """The given folders without any that another one already contains."""
    unique = sorted(set(paths))
    kept: list[str] = []
    for path in unique:
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return tuple(kept)
