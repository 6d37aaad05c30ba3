"""Where transcripts live: ``$TAU_HOME/sessions/<project-key>/<id>.jsonl``."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path


def tau_home() -> Path:
    """``$TAU_HOME``, or ``~/.tau`` when it is not set."""
    configured = os.environ.get("TAU_HOME")
    return Path(configured).expanduser() if configured else Path.home() / ".tau"


def sessions_root() -> Path:
    return tau_home() / "sessions"


def project_key(cwd: str | Path) -> str:
    """A folder name for a working directory: readable, and unique per absolute path.

    The last path component keeps the name recognisable; a short hash of the whole
    resolved path keeps two projects called ``app`` apart.
    """
    path = Path(cwd).expanduser().resolve()
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", path.name).strip("-.") or "root"
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:12]
    return f"{name[:40]}-{digest}"
