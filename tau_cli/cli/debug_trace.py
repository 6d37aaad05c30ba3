"""``tau --debug``: a redacted trace of one run, for bug reports.

The trace is a text file under ``$TAU_HOME/debug/`` whose path tau prints when it
starts and again when it ends. It holds what helps to see why a run went wrong:
the resolved settings, every HTTP request tau made with its status and timing
(httpx and httpcore's logs), tau's own log records, and every runtime event with
the milliseconds since the start.

Nothing in it may be a secret: every line passes through the session
``Redactor`` (configured API keys, environment values named like secrets, and
known key shapes). Streamed text and reasoning deltas are recorded by size only: a
key split across two deltas would slip past any matcher, and the whole text is in
the ``assistant_message`` event, where it is redacted in one piece.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import platform
import sys
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tau_cli._version import __version__
from tau_cli.core import Event, Message, ReasoningDelta, TextDelta, TokenUsage, ToolResult
from tau_cli.runtime.client import Completions, RuntimeClient, RuntimeDescription, SessionInfo
from tau_cli.runtime.events import Compacted
from tau_cli.runtime.paths import tau_home
from tau_cli.runtime.settings import PermissionMode
from tau_cli.runtime.settings_loader import ResolvedSettings
from tau_cli.session import Redactor

_LOGGERS = ("httpx", "httpcore", "tau_cli", "mcp")
_log = logging.getLogger("tau_cli.debug")
_active: _Trace | None = None


class _Trace:
    def __init__(self, path: Path, redactor: Redactor) -> None:
        self.path = path
        self.redactor = redactor
        self.started = time.monotonic()

    def elapsed_ms(self) -> float:
        return (time.monotonic() - self.started) * 1000


class _Redacting(logging.Formatter):
    def __init__(self, redactor: Redactor) -> None:
        super().__init__("%(relativeCreated)9.1f ms  %(name)s  %(message)s")
        self._redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        return self._redactor.redact_text(super().format(record))


def start_trace(
    resolved: ResolvedSettings | None,
    argv: list[str],
    environ: Mapping[str, str] | None = None,
) -> Path:
    """Open the trace file and route the logs and events there; returns its path."""
    global _active
    env = os.environ if environ is None else environ
    secrets: list[str] = []
    if resolved is not None:
        secrets = [
            p.api_key.get_secret_value()
            for p in resolved.settings.providers.values()
            if p.api_key is not None
        ]
    redactor = Redactor.from_environment(env, secrets=secrets)
    folder = tau_home(dict(env)) / "debug"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = folder / f"trace-{stamp}-{os.getpid()}.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(_Redacting(redactor))
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    _active = _Trace(path, redactor)
    _log.debug("tau %s, Python %s, %s", __version__, sys.version.split()[0], platform.platform())
    _log.debug("command: tau %s", " ".join(argv))
    if resolved is not None:
        settings = resolved.settings.model_dump(mode="json")
        _log.debug("settings: %s", json.dumps(redactor(settings)))
        _log.debug("project: %s (trusted: %s)", resolved.project_root, resolved.trusted)
    atexit.register(_finish, path)
    return path


def _finish(path: Path) -> None:
    _log.debug("exit after %.1f ms", _active.elapsed_ms() if _active else 0.0)
    sys.stderr.write(f"tau: debug trace written to {path}\n")


def trace_event(event: Event) -> None:
    """Record one runtime event, when a trace is open."""
    if _active is None:
        return
    payload: dict[str, Any]
    if isinstance(event, TextDelta | ReasoningDelta):
        payload = {"type": event.type, "seq": event.seq, "chars": len(event.text)}
    else:
        payload = event.model_dump(mode="json")
    _log.debug("event %s", json.dumps(_active.redactor(payload)))


async def traced(events: AsyncIterator[Event]) -> AsyncIterator[Event]:
    """``events`` unchanged, each recorded on the way through."""
    async for event in events:
        trace_event(event)
        yield event


class TracedClient:
    """A ``RuntimeClient`` that records every event its turns produce."""

    def __init__(self, client: RuntimeClient) -> None:
        self._client = client

    @property
    def session_id(self) -> str:
        return self._client.session_id

    def submit(self, prompt: str) -> AsyncIterator[Event]:
        return traced(self._client.submit(prompt))

    def inject(self, text: str) -> None:
        self._client.inject(text)

    def cancel(self) -> None:
        self._client.cancel()

    async def set_mode(self, mode: PermissionMode) -> None:
        await self._client.set_mode(mode)

    def list_sessions(self) -> list[SessionInfo]:
        return self._client.list_sessions()

    async def new_session(self) -> str:
        return await self._client.new_session()

    async def resume_session(self, session_id: str) -> str:
        return await self._client.resume_session(session_id)

    async def fork_session(self, at: int | None = None) -> str:
        return await self._client.fork_session(at)

    def messages(self) -> Sequence[Message]:
        return self._client.messages()

    def usage(self) -> TokenUsage:
        return self._client.usage()

    def describe(self) -> RuntimeDescription:
        return self._client.describe()

    async def completions(self) -> Completions:
        return await self._client.completions()

    async def set_model(self, model: str) -> None:
        await self._client.set_model(model)

    async def compact(self, focus: str | None = None) -> Compacted | None:
        return await self._client.compact(focus)

    async def run_shell(self, command: str) -> ToolResult:
        return await self._client.run_shell(command)

    async def undo(self) -> str:
        return await self._client.undo()

    async def remember(self, note: str) -> str:
        return await self._client.remember(note)

    async def aclose(self) -> None:
        await self._client.aclose()


def tracing() -> bool:
    return _active is not None
