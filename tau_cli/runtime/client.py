"""The interface every front end holds: submit a prompt, watch its events, steer it.

Kept apart from the in-process ``Runtime`` so a UI can depend on the interface
alone (importing it pulls in only core's vocabulary, not the loop, the tools or the
providers). A client that talks to a runtime in another process implements the
same protocol, so a UI never knows which one it holds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

from tau_cli.core import Event, Message, TokenUsage, ToolResult
from tau_cli.runtime.settings import PermissionMode

if TYPE_CHECKING:
    from tau_cli.runtime.events import Compacted


@dataclass(frozen=True)
class SessionInfo:
    """One saved conversation, as a session list shows it."""

    id: str
    title: str
    updated_at: datetime
    message_count: int


@dataclass(frozen=True)
class RuleInfo:
    """One permission rule in force, and where it was set (a file and line, a flag...)."""

    rule: str
    kind: Literal["allow", "ask", "deny"]
    source: str


@dataclass(frozen=True)
class McpServerInfo:
    """One MCP server, as ``/mcp`` shows it."""

    name: str
    transport: str
    state: str
    tool_count: int = 0
    error: str | None = None
    stderr_tail: str = ""


@dataclass(frozen=True)
class CommandInfo:
    """A slash command a runtime adds beyond the built-in ones: a skill or an MCP prompt."""

    name: str
    """As typed, with its slash: ``/review``, ``/mcp__docs__summarize``."""
    description: str = ""
    source: Literal["skill", "mcp"] = "skill"
    arguments: tuple[str, ...] = ()
    """The names of the arguments it takes (MCP prompts), in order."""


@dataclass(frozen=True)
class RuntimeDescription:
    """What a runtime is working with, for ``/model``, ``/permissions``, ``/mcp``, ``/memory``."""

    model: str
    environment: str
    rules: list[RuleInfo] = field(default_factory=list)
    mcp_servers: list[McpServerInfo] = field(default_factory=list)
    memory: str = ""
    """The memory files loaded and what they cost, in words."""


@dataclass(frozen=True)
class Completions:
    """What a user can name while typing: extra commands, files and MCP resources."""

    commands: list[CommandInfo] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    """The project's files relative to the working folder, as git would list them."""
    resources: list[str] = field(default_factory=list)
    """MCP resources as mentions: ``@server:uri``."""


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

    def messages(self) -> Sequence[Message]:
        """The conversation so far (to draw a resumed session)."""
        ...

    def usage(self) -> TokenUsage:
        """Tokens (and cost, when prices are configured) of this session so far."""
        ...

    def describe(self) -> RuntimeDescription: ...

    async def completions(self) -> Completions:
        """Skills and MCP prompts as commands; files and MCP resources to mention."""
        ...

    async def set_model(self, model: str) -> None:
        """Answer the next prompts with ``model`` (``provider:model``); the conversation stays."""
        ...

    async def compact(self, focus: str | None = None) -> Compacted | None:
        """Condense older context now; None when there was nothing old enough."""
        ...

    async def run_shell(self, command: str) -> ToolResult:
        """Run ``command`` where tools run, for the user; the model sees it and its output."""
        ...

    async def undo(self) -> str:
        """Put the files back as before the newest turn; says what changed back."""
        ...

    async def remember(self, note: str) -> str:
        """Add ``note`` to the project's memory file; returns that file's name."""
        ...

    async def aclose(self) -> None: ...
