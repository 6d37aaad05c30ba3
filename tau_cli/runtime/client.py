"""The interface every front end holds: submit a prompt, watch its events, steer it.

Kept apart from the in-process ``Runtime`` so a UI can depend on the interface
alone (importing it pulls in only core's vocabulary, not the loop, the tools or the
providers). A client that talks to a runtime in another process implements the
same protocol, so a UI never knows which one it holds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from tau_cli.core import Event
from tau_cli.runtime.settings import PermissionMode


@dataclass(frozen=True)
class SessionInfo:
    """One saved conversation, as a session list shows it."""

    id: str
    title: str
    updated_at: datetime
    message_count: int


@runtime_checkable
class RuntimeClient(Protocol):
    """What a front end can do with a runtime."""

    @property
    def session_id(self) -> str: ...

    def submit(self, prompt: str) -> AsyncIterator[Event]:
        """Run ``prompt``; yields the turn's events, ending with ``TurnFinished``."""
        ...

    def inject(self, text: str) -> None:
        """Deliver ``text`` to the model at its next step (typed while it works)."""
        ...

    def cancel(self) -> None:
        """Stop the running turn now: the stream, and any running tool process."""
        ...

    async def set_mode(self, mode: PermissionMode) -> None: ...

    def list_sessions(self) -> list[SessionInfo]:
        """This project's saved sessions, newest first."""
        ...

    async def new_session(self) -> str:
        """Start a fresh conversation; returns its id."""
        ...

    async def resume_session(self, session_id: str) -> str:
        """Continue a saved conversation (interrupted calls are answered); returns its id."""
        ...

    async def fork_session(self, at: int | None = None) -> str:
        """Continue in a copy of this conversation (its first ``at`` messages)."""
        ...

    async def aclose(self) -> None: ...
