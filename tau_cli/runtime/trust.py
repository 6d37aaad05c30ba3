"""Workspace trust: a cloned repository cannot run code or loosen permissions by itself.

Project settings that could (hooks, allow rules, a loosening default mode, MCP
servers, provider endpoints, extra folders) are honoured only in folders the user
has trusted once. The list lives under ``TAU_HOME``, outside any repository, so a
repository cannot declare itself trusted. Trusting a folder trusts what is below it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from tau_cli.core import ConfigError

_FILE = "trusted_folders.json"


class TrustStore:
    """The folders the user trusts, kept in ``<tau_home>/trusted_folders.json``."""

    def __init__(self, home: Path) -> None:
        self.path = home / _FILE

    def folders(self) -> list[Path]:
        if not self.path.exists():
            return []
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            folders = data["folders"]
            if not isinstance(folders, list) or not all(isinstance(f, str) for f in folders):
                raise TypeError("'folders' must be a list of paths")
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ConfigError(
                f"cannot read the trusted folders list ({exc}); fix or delete the file",
                path=str(self.path),
            ) from exc
        return [Path(f) for f in folders]

    def is_trusted(self, folder: Path) -> bool:
        folder = folder.resolve()
        return any(folder == t or t in folder.parents for t in self.folders())

    def trust(self, folder: Path) -> None:
        folder = folder.resolve()
        folders = self.folders()
        if folder not in folders:
            self._write([*folders, folder])

    def revoke(self, folder: Path) -> bool:
        """Forget ``folder``; True if it was trusted by that exact entry."""
        folder = folder.resolve()
        folders = self.folders()
        if folder not in folders:
            return False
        self._write([f for f in folders if f != folder])
        return True

    def _write(self, folders: list[Path]) -> None:
        # Written atomically: a crash mid-write must not lose the whole list.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"version": 1, "folders": [str(f) for f in folders]}, indent=2)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".trusted-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(payload + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)


# What an untrusted project may not set, and why. Keys are dotted settings paths.
GATED_KEYS: dict[str, str] = {
    "hooks": "hooks run commands",
    "mcp_servers": "MCP servers run commands",
    "providers": "a provider endpoint receives your API keys",
    "permissions.allow": "allow rules loosen permissions",
    "permissions.additional_directories": "extra folders widen what tools can touch",
    "skills.paths": "skill folders outside the project can grant tools",
    "sandbox.writable_paths": "writable folders widen what sandboxed commands can change",
    "sandbox.mcp_servers": "per-server exceptions let MCP servers out of the sandbox",
    "container.engine": "the container engine is a program tau runs",
    "container.mounts": "mounts show the container folders of this machine",
    "container.runtime": "the container runtime is a program the engine runs",
}
LOOSENING_MODES = frozenset({"accept_edits", "bypass"})
# Values an untrusted project may not set, since each loosens the sandbox.
LOOSENING_VALUES: dict[str, tuple[object, str]] = {
    "sandbox.enabled": (False, "turning the sandbox off loosens it"),
    "sandbox.network": (True, "network access loosens the sandbox"),
    "container.network": (True, "network access loosens the container"),
}
