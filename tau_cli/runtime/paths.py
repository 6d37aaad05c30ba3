"""Where tau keeps things: ``TAU_HOME`` and a project's root.

Nothing here creates a folder; callers that write create what they need, so merely
importing or reading settings never leaves files behind.
"""

from __future__ import annotations

import os
from pathlib import Path


def tau_home(environ: dict[str, str] | None = None) -> Path:
    """``$TAU_HOME`` if set, otherwise ``~/.tau``."""
    env = os.environ if environ is None else environ
    configured = env.get("TAU_HOME")
    if configured:
        return Path(configured).expanduser()
    return Path(env.get("HOME") or Path.home()) / ".tau"


def project_root(cwd: Path) -> Path:
    """The nearest folder at or above ``cwd`` holding ``.git`` or ``.tau``; else ``cwd``.

    The user's own ``~/.tau`` does not make the home folder a project.
    """
    cwd = cwd.resolve()
    home_tau = tau_home().resolve()
    for folder in (cwd, *cwd.parents):
        if _has_marker(folder, home_tau):
            return folder
    return cwd


def has_project_marker(folder: Path) -> bool:
    """Whether ``folder`` is a real project (``.git``, or a ``.tau`` that is not ``TAU_HOME``).

    Only such a folder is snapshotted for checkpoints: never a home folder that merely
    holds the user's own ``~/.tau``.
    """
    return _has_marker(folder.resolve(), tau_home().resolve())


def _has_marker(folder: Path, home_tau: Path) -> bool:
    if (folder / ".git").exists():
        return True
    marker = folder / ".tau"
    return marker.is_dir() and marker.resolve() != home_tau
