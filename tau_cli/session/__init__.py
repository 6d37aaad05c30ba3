"""Sessions: conversation history, durable transcripts, and the context window.

- ``Session``: an ordered buffer of core ``Message`` objects with an id, title,
  working directory, model and times; append, truncate, clear, fork.
- ``SessionStore``: append-only JSONL transcripts under
  ``$TAU_HOME/sessions/<project-key>/``, each entry fsync-ed before it returns,
  secrets redacted before they are written (``Redactor``); list, resume (answering
  interrupted tool calls), continue the newest, delete.
- ``ContextManager``: each request's window within ``ContextBudget``, compacted by
  a swappable ``CompactionStrategy`` (``Truncation``, ``SlidingWindow``,
  ``ToolResultClearing``, ``Summarization`` with a summarizer passed in), never
  splitting a tool call from its result; tokens counted through core's
  ``TokenCounter`` (``CalibratedCounter`` corrects the estimate with
  provider-reported usage).

A turn, as the runtime drives it::

    store = SessionStore(scrub=Redactor.from_environment(secrets=configured_keys))
    session = store.create(cwd, model="ollama:qwen3")      # or store.resume(id).session
    manager = ContextManager(ContextBudget.for_model(caps), strategy=SlidingWindow())
    session.append(Message.user(prompt))                   # durable when it returns
    window = await manager.prepare(session, pinned=memory, tools=tools)
    response = ...                                          # provider call with window.messages
    manager.calibrate(window, response.usage, tools)
    session.append(response.message)
    session.record_usage(response.usage)
    # on Esc during tools: session.interrupt_pending_calls()

Only ``tau_cli.core`` is imported.
"""

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
from tau_cli.session.compaction import (
    COMPACTION_PROMPT,
    Compaction,
    CompactionRequest,
    CompactionStrategy,
    SlidingWindow,
    Summarization,
    Summarizer,
    ToolResultClearing,
    Truncation,
    cleared_stub,
)
from tau_cli.session.digest import carried_facts, digest_lines, files_touched, open_todos
from tau_cli.session.errors import (
    SessionError,
    SessionLocked,
    SessionNotFound,
    TranscriptError,
)
from tau_cli.session.paths import project_key, sessions_root, tau_home
from tau_cli.session.redact import PATTERNS, REDACTED, Redactor
from tau_cli.session.repair import (
    INTERRUPTED,
    interrupted_result,
    orphans,
    pending_calls,
    repaired,
)
from tau_cli.session.session import (
    Clock,
    IdFactory,
    Recorder,
    Session,
    new_session_id,
    utc_now,
)
from tau_cli.session.store import SessionStore, SessionSummary
from tau_cli.session.titles import title_from_prompt
from tau_cli.session.tokens import CalibratedCounter
from tau_cli.session.transcript import (
    LoadedTranscript,
    LoadWarning,
    Scrubber,
    TranscriptWriter,
    read_transcript,
)
from tau_cli.session.window import (
    SUMMARY_PREFIX,
    ContextBudget,
    ContextFill,
    ContextManager,
    Window,
    WindowTooSmall,
)

__all__ = [
    "COMPACTION_PROMPT",
    "FORMAT_VERSION",
    "INTERRUPTED",
    "PATTERNS",
    "REDACTED",
    "SUMMARY_PREFIX",
    "CalibratedCounter",
    "ClearEntry",
    "Clock",
    "Compaction",
    "CompactionEntry",
    "CompactionRequest",
    "CompactionStrategy",
    "ContextBudget",
    "ContextFill",
    "ContextManager",
    "Entry",
    "EventEntry",
    "Header",
    "IdFactory",
    "LoadWarning",
    "LoadedTranscript",
    "MessageEntry",
    "ModelEntry",
    "Recorder",
    "Redactor",
    "Scrubber",
    "Session",
    "SessionError",
    "SessionLocked",
    "SessionNotFound",
    "SessionStore",
    "SessionSummary",
    "SlidingWindow",
    "Summarization",
    "Summarizer",
    "TitleEntry",
    "ToolResultClearing",
    "TranscriptError",
    "TranscriptWriter",
    "TruncateEntry",
    "Truncation",
    "UsageEntry",
    "Window",
    "WindowTooSmall",
    "carried_facts",
    "cleared_stub",
    "digest_lines",
    "files_touched",
    "interrupted_result",
    "new_session_id",
    "open_todos",
    "orphans",
    "pending_calls",
    "project_key",
    "read_transcript",
    "repaired",
    "sessions_root",
    "tau_home",
    "title_from_prompt",
    "utc_now",
]
