"""JSONL transcripts: durable appends, and loading that survives a crash mid-write.

One file per session. The first line is a ``Header`` (with the format version);
every later line is one ``Entry``. Each entry is written with a single ``write``
of one whole line and then ``fsync``-ed before ``record`` returns, so when the loop
moves on, the entry is on disk. A crash can therefore leave at most one torn line,
at the very end: loading reports it and skips it, and reopening for append cuts it
off so the next entry starts on a fresh line. Any other malformed line is an error
that names the file and the line.

A writer holds an exclusive ``flock`` on its transcript, so a second tau process
cannot interleave another conversation into it; the kernel releases the lock when
the writer exits, however it exits.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from tau_cli.core import ToolCall
from tau_cli.session._entries import (
    ENTRY_ADAPTER,
    FORMAT_VERSION,
    HEADER_ADAPTER,
    Entry,
    Header,
)
from tau_cli.session.errors import SessionLocked, TranscriptError
from tau_cli.session.session import Clock, IdFactory, Session, new_session_id, utc_now

Scrubber = Callable[[object], object]
"""Rewrites a JSON-ready value before it is written (secret redaction)."""

_FILE_MODE = 0o600
_DIR_MODE = 0o700


@dataclass(frozen=True)
class LoadWarning:
    """Something loading tolerated but the user should hear about."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class LoadedTranscript:
    """A session rebuilt from its file, with what loading had to skip."""

    session: Session
    path: Path
    warnings: list[LoadWarning] = field(default_factory=list)
    good_length: int = 0
    """Bytes up to the end of the last complete line (where appending resumes)."""
    interrupted: list[ToolCall] = field(default_factory=list)
    """Calls left unanswered when the session stopped, answered on resume."""


class TranscriptWriter:
    """Appends entries to one transcript file, each durable before ``record`` returns."""

    def __init__(self, path: Path, fd: int, scrub: Scrubber | None = None) -> None:
        self.path = path
        self._fd: int | None = fd
        self._scrub = scrub

    @classmethod
    def create(
        cls, path: Path, header: Header, entries: Iterable[Entry], scrub: Scrubber | None = None
    ) -> TranscriptWriter:
        """Start a new transcript; refuses to overwrite an existing one."""
        _make_dirs(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, _FILE_MODE)
        writer = cls(path, fd, scrub)
        try:
            _lock(path, fd)
            lines = [writer._encode(header), *(writer._encode(e) for e in entries)]
            writer._write(b"".join(lines))
            _fsync_dir(path.parent)
        except BaseException:
            writer.close()
            raise
        return writer

    @classmethod
    def open_existing(cls, path: Path, scrub: Scrubber | None = None) -> TranscriptWriter:
        """Take over an existing transcript for appending.

        The lock is taken before anything is read, so what the caller loads next is
        exactly what it will append to.
        """
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        try:
            _lock(path, fd)
        except BaseException:
            os.close(fd)
            raise
        return cls(path, fd, scrub)

    def cut_to(self, length: int) -> None:
        """Cut a torn last line off (``length`` is where the last whole line ends)."""
        fd = self._open_fd()
        if os.fstat(fd).st_size != length:
            os.ftruncate(fd, length)
            os.fsync(fd)

    def record(self, entry: Entry) -> None:
        self._write(self._encode(entry))

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _encode(self, entry: Header | Entry) -> bytes:
        data: object = entry.model_dump(mode="json")
        if self._scrub is not None:
            data = self._scrub(data)
        return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()

    def _open_fd(self) -> int:
        if self._fd is None:
            raise ValueError(f"transcript {self.path} is closed")
        return self._fd

    def _write(self, data: bytes) -> None:
        """Append whole lines durably; on failure (a full disk) take the part back.

        A partial line left behind would sit in the middle of the file once the
        next entry is appended, and then the transcript would no longer load.
        """
        fd = self._open_fd()
        size = os.fstat(fd).st_size
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        except OSError:
            os.ftruncate(fd, size)
            raise


def read_transcript(
    path: Path, *, clock: Clock = utc_now, ids: IdFactory = new_session_id
) -> LoadedTranscript:
    """Rebuild the session stored in ``path``.

    Raises:
        TranscriptError: the header is missing or from a newer format, or a line
            other than a torn last one is malformed.
    """
    data = path.read_bytes()
    lines = data.split(b"\n")
    torn = lines.pop()  # "" when the file ends with a newline, as a whole file does
    warnings: list[LoadWarning] = []
    good_length = len(data) - len(torn)
    if torn:
        warnings.append(
            LoadWarning(path, len(lines) + 1, "incomplete last line (a write was cut off); skipped")
        )
    if not lines:
        raise TranscriptError(path, 1, "no complete header line; this is not a tau transcript")

    header = _parse_header(path, lines[0])
    session = Session(
        id=header.id,
        cwd=header.cwd,
        model=header.model,
        title=header.title,
        created=header.created,
        forked_from=header.forked_from,
        clock=clock,
        ids=ids,
    )
    for number, raw in enumerate(lines[1:], start=2):
        if not raw.strip():
            continue
        session.replay(_parse_entry(path, number, raw))
    return LoadedTranscript(session, path, warnings, good_length)


def _parse_header(path: Path, raw: bytes) -> Header:
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise TranscriptError(path, 1, f"the header is not JSON ({exc})") from exc
    if not isinstance(value, dict) or value.get("type") != "header":
        raise TranscriptError(path, 1, "the first line is not a transcript header")
    version = value.get("format")
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise TranscriptError(
            path,
            1,
            f"written in transcript format {version}; this tau reads up to {FORMAT_VERSION}"
            " (upgrade tau to open it)",
        )
    try:
        return HEADER_ADAPTER.validate_python(value)
    except ValidationError as exc:
        raise TranscriptError(path, 1, f"bad header: {_first_error(exc)}") from exc


def _parse_entry(path: Path, number: int, raw: bytes) -> Entry:
    try:
        return ENTRY_ADAPTER.validate_json(raw)
    except ValidationError as exc:
        raise TranscriptError(path, number, _first_error(exc, tagged=True)) from exc


def _first_error(exc: ValidationError, *, tagged: bool = False) -> str:
    """The first problem, short; ``tagged`` drops the union tag pydantic puts first."""
    error = exc.errors(include_url=False)[0]
    loc = error["loc"][1:] if tagged and len(error["loc"]) > 1 else error["loc"]
    where = ".".join(str(part) for part in loc)
    reason = str(error["msg"])
    if error["type"] == "json_invalid":
        return f"not valid JSON ({reason})"
    return f"{where}: {reason}" if where else reason


def _lock(path: Path, fd: int) -> None:
    """Take the one-writer lock; the kernel drops it when the process dies."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        raise SessionLocked(path) from exc


def _make_dirs(path: Path) -> None:
    path.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)


def _fsync_dir(path: Path) -> None:
    """Make the new file's directory entry durable too, or a crash could lose the file."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
