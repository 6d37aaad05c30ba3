"""What a tool is, and what it is given when it runs.

A tool is anything with a name, a ``ToolDefinition`` (what the model reads), a
read-only flag (read-only calls may run side by side and are all plan mode
offers) and an ``execute`` coroutine. Tools never raise for a bad call: they return
``ToolResult.error`` with a message the model can act on; the registry catches
anything else.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from pydantic import JsonValue

from tau_cli.core import ToolDefinition, ToolResult
from tau_cli.tools.environment import Environment, OutputCallback, Process

ProgressSink = Callable[[str, str, float | None, float | None], None]
"""Receives ``(call_id, message, progress, total)`` while a call runs; the loop turns it into
``ToolProgress`` events for the UIs."""


@dataclass(frozen=True, slots=True)
class FileStamp:
    """What a file looked like when the model last read it (to catch outside changes)."""

    mtime: float
    size: int


@dataclass(slots=True)
class BackgroundJob:
    """A command the model started with ``run_in_background``."""

    id: str
    command: str
    process: Process
    read_offset: int = 0
    """How much of the output ``bash_output`` has already shown."""


@dataclass
class ToolSession:
    """State the tools of one conversation share.

    ``read_files`` lets ``write`` and ``edit`` refuse to clobber a file the model has
    not seen (or that changed since); ``cwd`` is where the next ``bash`` command
    starts; ``jobs`` are background commands, killed by ``close()``.
    """

    read_files: dict[str, FileStamp] = field(default_factory=dict)
    cwd: str | None = None
    jobs: dict[str, BackgroundJob] = field(default_factory=dict)
    todos: list[Any] = field(default_factory=list)
    """The model's task list (``TodoItem``s), for UIs to show."""
    _next_job: int = 1

    def new_job_id(self) -> str:
        job_id = f"bash_{self._next_job}"
        self._next_job += 1
        return job_id

    async def close(self) -> None:
        """Kill every background process this session started."""
        jobs = list(self.jobs.values())
        self.jobs.clear()
        for job in jobs:
            with contextlib.suppress(ProcessLookupError, OSError):
                await job.process.kill()
        await asyncio.sleep(0)


@dataclass
class ToolContext:
    """Everything a tool may use besides its arguments."""

    environment: Environment
    session: ToolSession = field(default_factory=ToolSession)
    call_id: str = ""
    on_output: OutputCallback | None = None
    """Receives live output of long-running tools (``bash``), for UIs to show."""
    hidden: Callable[[str], bool] | None = None
    """Paths ``glob`` and ``grep`` leave out (e.g. ``PermissionPolicy.read_denied``)."""
    progress_sink: ProgressSink | None = None

    def report(
        self, message: str = "", progress: float | None = None, total: float | None = None
    ) -> None:
        """Tell whoever watches how this call is going: an MCP server's progress, the latest
        line of a long command. Free when nobody watches."""
        if self.progress_sink is not None:
            self.progress_sink(self.call_id, message, progress, total)


@runtime_checkable
class Tool(Protocol):
    """One capability offered to the model."""

    @property
    def name(self) -> str: ...

    @property
    def definition(self) -> ToolDefinition: ...

    @property
    def read_only(self) -> bool:
        """True when the tool changes nothing (it may then run concurrently, and in plan mode)."""
        ...

    async def execute(self, arguments: dict[str, JsonValue], context: ToolContext) -> ToolResult:
        """Run with arguments already validated against ``definition.parameters``."""
        ...


@runtime_checkable
class Previewable(Protocol):
    """A tool that can show what a call would change before it runs (a diff)."""

    async def preview(
        self, arguments: dict[str, JsonValue], context: ToolContext
    ) -> str | None: ...
