"""The Session: one conversation as an ordered buffer of messages, plus who it is.

A session owns its messages for every role (tool calls and their results
included), an id, a title, the working directory it belongs to, the model it talks
to, and its created/updated times. Every change goes through one ``_apply`` step
that a ``Recorder`` sees first, so a persisted session is written before it changes
in memory: if the write fails, memory and disk still agree.

Time and ids come from injected callables, so tests never sleep or guess.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from pydantic import JsonValue

from tau_cli.core import Message, TokenUsage, ToolCall
from tau_cli.session._entries import (
    FORMAT_VERSION,
    ClearEntry,
    CompactionEntry,
    Entry,
    EventEntry,
    Header,
    MessageEntry,
    ModelEntry,
    TitleEntry,
    TruncateEntry,
    UsageEntry,
)
from tau_cli.session.errors import SessionError
from tau_cli.session.repair import interrupted_result, pending_calls
from tau_cli.session.titles import title_from_prompt

Clock = Callable[[], datetime]
"""Returns the current time (timezone-aware)."""
IdFactory = Callable[[], str]
"""Returns a fresh, unique session id."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_session_id() -> str:
    return uuid.uuid4().hex


class Recorder(Protocol):
    """Where a session's changes go before they take effect (a transcript file)."""

    def record(self, entry: Entry) -> None: ...

    def close(self) -> None: ...


class Session:
    """An ordered message buffer with identity; see the module docstring.

    Args:
        cwd: The working directory the session belongs to (sessions are listed
            per project).
        model: The model reference requests go to, e.g. ``"ollama:qwen3"``.
        title: Shown in session lists; left empty, it is derived from the first
            user prompt.
        clock: Source of timestamps.
        ids: Source of the session id (and of ids of forks).
    """

    def __init__(
        self,
        *,
        cwd: str | Path,
        model: str = "",
        title: str = "",
        clock: Clock = utc_now,
        ids: IdFactory = new_session_id,
        id: str | None = None,
        created: datetime | None = None,
        forked_from: str | None = None,
    ) -> None:
        self.id = id if id is not None else ids()
        self.cwd = str(cwd)
        self.model = model
        self.title = title
        self.forked_from = forked_from
        self.created_at = created if created is not None else clock()
        self.updated_at = self.created_at
        self.usage = TokenUsage()
        self.compaction: CompactionEntry | None = None
        """The latest compaction still in effect, if any."""
        self._messages: list[Message] = []
        self._clock = clock
        self._ids = ids
        self._recorder: Recorder | None = None
        self._closed = False

    # -- reading ---------------------------------------------------------------

    @property
    def messages(self) -> tuple[Message, ...]:
        return tuple(self._messages)

    def __len__(self) -> int:
        return len(self._messages)

    @property
    def first_prompt(self) -> str:
        """The text of the first user message ("" if there is none yet)."""
        return next((m.text for m in self._messages if m.role == "user"), "")

    def header(self) -> Header:
        return Header(
            format=FORMAT_VERSION,
            id=self.id,
            cwd=self.cwd,
            model=self.model,
            title=self.title,
            created=self.created_at,
            forked_from=self.forked_from,
        )

    # -- changing --------------------------------------------------------------

    def append(self, message: Message) -> None:
        """Add ``message`` at the end; returns once it is durably recorded."""
        self._apply(MessageEntry(time=self._clock(), message=message))
        if not self.title and message.role == "user" and message.text.strip():
            self.set_title(title_from_prompt(message.text))

    def extend(self, messages: Iterable[Message]) -> None:
        for message in messages:
            self.append(message)

    def interrupt_pending_calls(self) -> list[ToolCall]:
        """Answer the last assistant message's unanswered calls with *interrupted*.

        Call it when the user cancels during tool use; ``SessionStore.resume`` calls
        it for a session that stopped mid-call. Returns the calls it answered.
        """
        pending = pending_calls(self._messages)
        for call in pending:
            self.append(interrupted_result(call))
        return pending

    def truncate(self, keep: int) -> None:
        """Keep only the first ``keep`` messages (undo, rewind to a point)."""
        if not 0 <= keep <= len(self._messages):
            raise ValueError(f"cannot keep {keep} of {len(self._messages)} messages")
        self._apply(TruncateEntry(time=self._clock(), keep=keep))

    def clear(self) -> None:
        """Drop every message; the session keeps its id, title and file."""
        self._apply(ClearEntry(time=self._clock()))

    def set_title(self, title: str) -> None:
        self._apply(TitleEntry(time=self._clock(), title=title))

    def set_model(self, model: str) -> None:
        self._apply(ModelEntry(time=self._clock(), model=model))

    def record_usage(self, usage: TokenUsage) -> None:
        """Add one model call's reported usage to the session's total."""
        self._apply(UsageEntry(time=self._clock(), usage=usage))

    def record_event(self, event: dict[str, JsonValue]) -> None:
        """Keep a runtime event (as JSON) in the transcript; it does not change messages."""
        self._apply(EventEntry(time=self._clock(), event=event))

    def record_compaction(
        self,
        *,
        strategy: str,
        summary: str,
        first_kept: int,
        tokens_before: int = 0,
        tokens_after: int = 0,
        cleared: Sequence[str] = (),
    ) -> CompactionEntry:
        """Say that messages before ``first_kept`` are now represented by ``summary``."""
        if not 0 <= first_kept <= len(self._messages):
            raise ValueError(f"first_kept {first_kept} is outside 0..{len(self._messages)}")
        entry = CompactionEntry(
            time=self._clock(),
            strategy=strategy,
            summary=summary,
            first_kept=first_kept,
            tokens_before=tokens_before,
            tokens_after=tokens_after,
            cleared=list(cleared),
        )
        self._apply(entry)
        return entry

    def fork(self, at: int | None = None) -> Session:
        """A new session (new id) holding this one's first ``at`` messages (all if None).

        The fork is not persisted: hand it to ``SessionStore.attach`` to give it a file.
        """
        at = len(self._messages) if at is None else at
        if not 0 <= at <= len(self._messages):
            raise ValueError(f"cannot fork at {at} of {len(self._messages)} messages")
        child = Session(
            cwd=self.cwd,
            model=self.model,
            title=self.title,
            clock=self._clock,
            ids=self._ids,
            forked_from=self.id,
        )
        child._messages = self._messages[:at]
        if self.compaction is not None and self.compaction.first_kept <= at:
            child.compaction = self.compaction
        return child

    # -- persistence hooks -----------------------------------------------------

    def attach(self, recorder: Recorder) -> None:
        """Send every later change to ``recorder`` (used by ``SessionStore``)."""
        if self._recorder is not None or self._closed:
            raise SessionError(f"session {self.id} already has a transcript")
        self._recorder = recorder

    @property
    def is_recorded(self) -> bool:
        return self._recorder is not None

    def close(self) -> None:
        """Stop recording and release the transcript file.

        A recorded session cannot change after this: a change that silently
        stopped reaching the transcript would be lost on resume.
        """
        if self._recorder is not None:
            self._recorder.close()
            self._recorder = None
            self._closed = True

    def snapshot(self) -> Sequence[Entry]:
        """Entries that rebuild this session's current state from its header."""
        time = self.updated_at
        entries: list[Entry] = [MessageEntry(time=time, message=m) for m in self._messages]
        if self.compaction is not None:
            entries.append(self.compaction)
        if self.usage != TokenUsage():
            entries.append(UsageEntry(time=time, usage=self.usage))
        return entries

    def _apply(self, entry: Entry) -> None:
        if self._closed:
            raise SessionError(f"session {self.id} is closed; resume it to continue")
        if self._recorder is not None:
            self._recorder.record(entry)
        self.replay(entry)

    def replay(self, entry: Entry) -> None:
        """Apply one entry to memory without recording it (loading uses this)."""
        match entry:
            case MessageEntry(message=message):
                self._messages.append(message)
            case TruncateEntry(keep=keep):
                del self._messages[keep:]
                if self.compaction is not None and self.compaction.first_kept > keep:
                    self.compaction = None
            case ClearEntry():
                self._messages.clear()
                self.compaction = None
            case TitleEntry(title=title):
                self.title = title
            case ModelEntry(model=model):
                self.model = model
            case UsageEntry(usage=usage):
                self.usage = self.usage + usage
            case CompactionEntry():
                self.compaction = entry
            case EventEntry():
                pass
        self.updated_at = max(self.updated_at, entry.time)
