"""Errors of the session package, under core's ``TauError``.

TauError
└── SessionError              a session cannot be found, read or written
    ├── SessionNotFound       no transcript has the requested id
    └── TranscriptError       a transcript is malformed; names file and line
"""

from __future__ import annotations

from pathlib import Path

from tau_cli.core import TauError


class SessionError(TauError):
    """A session cannot be found, read or written."""


class SessionNotFound(SessionError):
    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        super().__init__(f"no session with id {session_id!r}")


class SessionLocked(SessionError):
    """Another process holds the transcript open for writing.

    Two writers would interleave two different conversations into one file. The
    lock is released when the other process exits, even if it is killed.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"{path}: this session is open in another tau process; "
            "close it there, or fork the session to continue separately"
        )


class TranscriptError(SessionError):
    """A transcript line (other than a torn last one) cannot be understood.

    The message names the file and the line so the user can inspect or fix it; the
    session is not loaded rather than loaded with a silent hole in it.
    """

    def __init__(self, path: Path, line: int, reason: str) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        super().__init__(f"{path}:{line}: {reason}")
