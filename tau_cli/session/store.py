"""The session store: create, list, resume and delete transcripts on disk.

Transcripts live under ``$TAU_HOME/sessions/<project-key>/<id>.jsonl`` so a
project's sessions list quickly and ``--continue`` finds the newest one of the
current directory. Ids are unique across projects, so resuming by id works from
anywhere.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tau_cli.session.errors import SessionError, SessionNotFound, TranscriptError
from tau_cli.session.paths import project_key, sessions_root
from tau_cli.session.redact import Redactor
from tau_cli.session.session import Clock, IdFactory, Session, new_session_id, utc_now
from tau_cli.session.transcript import (
    LoadedTranscript,
    Scrubber,
    TranscriptWriter,
    read_transcript,
)

_log = logging.getLogger(__name__)
_SUFFIX = ".jsonl"


@dataclass(frozen=True)
class SessionSummary:
    """One row of a session list."""

    id: str
    title: str
    cwd: str
    path: Path
    created_at: datetime
    updated_at: datetime
    message_count: int
    first_prompt: str
    forked_from: str | None


class SessionStore:
    """Transcripts under ``root`` (default ``$TAU_HOME/sessions``).

    Args:
        root: The sessions folder.
        clock: Time source for sessions this store creates or resumes.
        ids: Id source for sessions this store creates (and their forks).
        scrub: Applied to every entry before it is written. The default is a
            ``Redactor`` for known secret shapes and for environment values named
            like secrets; pass one that also knows the configured API keys.
    """

    def __init__(
        self,
        root: Path | None = None,
        *,
        clock: Clock = utc_now,
        ids: IdFactory = new_session_id,
        scrub: Scrubber | None = None,
    ) -> None:
        self.root = root if root is not None else sessions_root()
        self._clock = clock
        self._ids = ids
        self._scrub: Scrubber = scrub if scrub is not None else Redactor.from_environment()

    def project_dir(self, cwd: str | Path) -> Path:
        return self.root / project_key(cwd)

    def create(self, cwd: str | Path, *, model: str = "", title: str = "") -> Session:
        """A new, empty session for ``cwd`` whose changes are written from now on."""
        session = Session(cwd=cwd, model=model, title=title, clock=self._clock, ids=self._ids)
        self.attach(session)
        return session

    def attach(self, session: Session) -> Path:
        """Give an unpersisted session (a fresh one or a fork) its transcript file."""
        path = self.project_dir(session.cwd) / f"{_check_id(session.id)}{_SUFFIX}"
        try:
            writer = TranscriptWriter.create(
                path, session.header(), session.snapshot(), self._scrub
            )
        except FileExistsError as exc:
            raise SessionError(f"a transcript for session {session.id!r} already exists") from exc
        session.attach(writer)
        return path

    def find(self, session_id: str) -> Path:
        """The transcript of ``session_id``, in whichever project it lives."""
        name = f"{_check_id(session_id)}{_SUFFIX}"
        if self.root.is_dir():
            for project in self.root.iterdir():
                candidate = project / name
                if candidate.is_file():
                    return candidate
        raise SessionNotFound(session_id)

    def load(self, session_id: str) -> LoadedTranscript:
        """Read a session without taking it over (nothing is written)."""
        return read_transcript(self.find(session_id), clock=self._clock, ids=self._ids)

    def resume(self, session_id: str) -> LoadedTranscript:
        """Load a session and continue writing to its transcript.

        Tool calls the session stopped in the middle of are answered with an
        *interrupted* result (recorded), so the next request is valid; they are
        listed in ``interrupted``.
        """
        path = self.find(session_id)
        writer = TranscriptWriter.open_existing(path, self._scrub)
        try:
            loaded = read_transcript(path, clock=self._clock, ids=self._ids)
            writer.cut_to(loaded.good_length)
        except BaseException:
            writer.close()
            raise
        loaded.session.attach(writer)
        loaded.interrupted = loaded.session.interrupt_pending_calls()
        return loaded

    def resume_latest(self, cwd: str | Path) -> LoadedTranscript | None:
        """Resume the most recently updated session of ``cwd``, if there is one."""
        sessions = self.list(cwd)
        return self.resume(sessions[0].id) if sessions else None

    def fork(self, session_id: str, at: int | None = None) -> Session:
        """A new persisted session with the first ``at`` messages of ``session_id``.

        The original is only read, so it can be forked while another process is
        still writing it.
        """
        child = self.load(session_id).session.fork(at)
        self.attach(child)
        return child

    def list(self, cwd: str | Path | None = None) -> list[SessionSummary]:
        """Sessions of ``cwd`` (every project when None), most recently updated first.

        A transcript that cannot be read is left out of the list and logged; it is
        never deleted or rewritten.
        """
        if cwd is not None:
            folders = [self.project_dir(cwd)]
        else:
            folders = sorted(p for p in self.root.iterdir()) if self.root.is_dir() else []
        summaries: list[SessionSummary] = []
        for folder in folders:
            if not folder.is_dir():
                continue
            for path in folder.glob(f"*{_SUFFIX}"):
                try:
                    loaded = read_transcript(path, clock=self._clock, ids=self._ids)
                except (TranscriptError, OSError) as exc:
                    _log.warning("skipping unreadable transcript: %s", exc)
                    continue
                summaries.append(_summary(loaded))
        summaries.sort(key=lambda s: (s.updated_at, s.created_at, s.id), reverse=True)
        return summaries

    def delete(self, session_id: str) -> None:
        self.find(session_id).unlink()


def _summary(loaded: LoadedTranscript) -> SessionSummary:
    session = loaded.session
    return SessionSummary(
        id=session.id,
        title=session.title,
        cwd=session.cwd,
        path=loaded.path,
        created_at=session.created_at,
        updated_at=session.updated_at,
        message_count=len(session),
        first_prompt=session.first_prompt,
        forked_from=session.forked_from,
    )


def _check_id(session_id: str) -> str:
    """Ids become file names: refuse anything that could escape the sessions folder."""
    if not session_id or not all(ch.isalnum() or ch in "-_" for ch in session_id):
        raise SessionError(
            f"invalid session id {session_id!r}: use letters, digits, '-' and '_' only"
        )
    return session_id
