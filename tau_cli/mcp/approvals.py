"""Which project-scoped MCP servers the user has approved, remembered per project.

A repository's ``.mcp.json`` names commands tau would run; trusting the folder is not
the same as agreeing to start each server in it. The user approves a project server once
and the answer is kept in ``<tau_home>/mcp_approvals.json``, outside any repository. The
approval is bound to a fingerprint of what the server runs (command, arguments, folder,
URL, OAuth client and the *names* of its variables and headers, never their values), so a pull that
changes the command asks again, while a rotated token does not.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from tau_cli.core import ConfigError
from tau_cli.mcp.config import RemoteServer, StdioServer

_FILE = "mcp_approvals.json"
Approval = Literal["approved", "denied", "unknown"]


def fingerprint(server: StdioServer | RemoteServer) -> str:
    """A short digest of what starting ``server`` would do, without secret values."""
    if isinstance(server, StdioServer):
        shape: object = [
            "stdio",
            server.command,
            server.args,
            server.cwd,
            sorted(server.env),
        ]
    else:
        shape = [server.transport, server.url, sorted(server.headers), server.oauth_client_id]
    return hashlib.sha256(json.dumps(shape).encode()).hexdigest()[:16]


class ApprovalStore:
    """Approvals in ``<tau_home>/mcp_approvals.json``: project folder → server → decision."""

    def __init__(self, tau_home: Path) -> None:
        self.path = tau_home / _FILE

    def status(self, project: Path, server: StdioServer | RemoteServer) -> Approval:
        """``approved``/``denied`` when the user decided on this exact server, else ``unknown``."""
        entry = self._load().get(str(project.resolve()), {}).get(server.name)
        if not isinstance(entry, dict) or entry.get("fingerprint") != fingerprint(server):
            return "unknown"
        return "approved" if entry.get("approved") is True else "denied"

    def decide(self, project: Path, server: StdioServer | RemoteServer, approved: bool) -> None:
        data = self._load()
        project_entry = data.setdefault(str(project.resolve()), {})
        project_entry[server.name] = {"fingerprint": fingerprint(server), "approved": approved}
        self._write(data)

    def forget(self, project: Path, name: str) -> bool:
        """Drop the decision about server ``name``; False when there was none."""
        data = self._load()
        project_entry = data.get(str(project.resolve()), {})
        if name not in project_entry:
            return False
        del project_entry[name]
        self._write(data)
        return True

    def _load(self) -> dict[str, dict[str, object]]:
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            projects = data["projects"]
            if not isinstance(projects, dict):
                raise TypeError("'projects' must be an object")
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ConfigError(
                f"cannot read the MCP server approvals ({exc}); fix or delete the file",
                path=str(self.path),
            ) from exc
        return {k: v for k, v in projects.items() if isinstance(v, dict)}

    def _write(self, projects: dict[str, dict[str, object]]) -> None:
        # Atomic, like the trust list: a crash mid-write must not lose every approval.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"version": 1, "projects": projects}, indent=2)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".mcp-approvals-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(payload + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)


def split_by_approval(
    servers: Iterable[StdioServer | RemoteServer], project: Path, store: ApprovalStore
) -> tuple[list[StdioServer | RemoteServer], list[StdioServer | RemoteServer]]:
    """``(startable, awaiting approval)``: user and settings servers always start, project
    servers only once approved; servers the user denied are in neither list."""
    startable: list[StdioServer | RemoteServer] = []
    waiting: list[StdioServer | RemoteServer] = []
    for server in servers:
        if server.scope != "project":
            startable.append(server)
            continue
        decision = store.status(project, server)
        if decision == "approved":
            startable.append(server)
        elif decision == "unknown":
            waiting.append(server)
    return startable, waiting
