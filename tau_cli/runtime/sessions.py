"""Switching the conversation a runtime works on: new, resume, fork, list.

A front end (the TUI's /resume, an editor over ACP) changes sessions through the
runtime rather than building a new one, so tools, MCP servers and settings stay
as they are; only the conversation changes. A new session starts with the same
system prompt the runtime was built with.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tau_cli.core import Message
from tau_cli.runtime.client import SessionInfo
from tau_cli.session import Session, SessionStore


@dataclass
class SessionSwitcher:
    store: SessionStore
    cwd: Path
    model: str
    system_prompt: str

    def list(self) -> list[SessionInfo]:
        return [
            SessionInfo(s.id, s.title, s.updated_at, s.message_count)
            for s in self.store.list(self.cwd)
        ]

    def new(self) -> Session:
        session = self.store.create(self.cwd, model=self.model)
        session.append(Message.system(self.system_prompt))
        return session

    def resume(self, session_id: str) -> Session:
        return self.store.resume(session_id).session

    def fork(self, session_id: str, at: int | None) -> Session:
        return self.store.fork(session_id, at)
