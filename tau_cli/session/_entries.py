"""The entries a session is made of, one JSON object per transcript line.

A session is an append-only log: every change (a message appended, a truncation, a
new title, a compaction) is one entry, and replaying the entries in order rebuilds
the session. The in-memory ``Session`` and the JSONL loader share that one replay
path, so what is on disk can never mean something different from what was live.

``FORMAT_VERSION`` is written in every header. A newer tau must keep loading every
older version (a version-1 transcript is checked into the tests for that reason).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue, TypeAdapter

from tau_cli.core import Message, TokenUsage

FORMAT_VERSION = 1
"""The transcript format this tau writes."""


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Header(_Entry):
    """The first line of every transcript: who the session is and how to read it."""

    type: Literal["header"] = "header"
    format: int = Field(ge=1)
    id: str
    cwd: str
    model: str = ""
    title: str = ""
    created: AwareDatetime
    forked_from: str | None = None


class MessageEntry(_Entry):
    """A message appended to the conversation."""

    type: Literal["message"] = "message"
    time: AwareDatetime
    message: Message


class TruncateEntry(_Entry):
    """The conversation was cut back to its first ``keep`` messages."""

    type: Literal["truncate"] = "truncate"
    time: AwareDatetime
    keep: int = Field(ge=0)


class ClearEntry(_Entry):
    """The conversation was emptied (the session keeps its id and file)."""

    type: Literal["clear"] = "clear"
    time: AwareDatetime


class TitleEntry(_Entry):
    type: Literal["title"] = "title"
    time: AwareDatetime
    title: str


class ModelEntry(_Entry):
    """The session switched models; later requests go to ``model``."""

    type: Literal["model"] = "model"
    time: AwareDatetime
    model: str


class UsageEntry(_Entry):
    """Tokens one model call spent, as the provider reported them."""

    type: Literal["usage"] = "usage"
    time: AwareDatetime
    usage: TokenUsage


class CompactionEntry(_Entry):
    """Messages before ``first_kept`` are represented by ``summary`` from now on,
    and the results of the ``cleared`` calls by a stub.

    Recorded so a resumed session rebuilds the same window it had before it stopped,
    instead of compacting again (and differently).
    """

    type: Literal["compaction"] = "compaction"
    time: AwareDatetime
    strategy: str
    summary: str
    first_kept: int = Field(ge=0)
    tokens_before: int = Field(default=0, ge=0)
    tokens_after: int = Field(default=0, ge=0)
    cleared: list[str] = Field(default_factory=list)
    """Tool call ids whose (large, old) results the window shows as a short stub."""


class EventEntry(_Entry):
    """A runtime event worth keeping (a finished turn, a hook's decision), as JSON."""

    type: Literal["event"] = "event"
    time: AwareDatetime
    event: dict[str, JsonValue]


Entry = Annotated[
    MessageEntry
    | TruncateEntry
    | ClearEntry
    | TitleEntry
    | ModelEntry
    | UsageEntry
    | CompactionEntry
    | EventEntry,
    Field(discriminator="type"),
]
"""Any line after the header."""

ENTRY_ADAPTER: TypeAdapter[Entry] = TypeAdapter(Entry)
HEADER_ADAPTER: TypeAdapter[Header] = TypeAdapter(Header)
