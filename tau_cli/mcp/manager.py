"""The MCP client manager: every configured server started together, kept, and stopped.

``McpManager`` is what a session holds. ``start()`` brings all servers up concurrently,
each with its own start-up timeout, so one slow or broken server never holds up the
others; its status and the tail of its stderr say why. ``tools()`` are the servers'
tools as tau tools; a call never raises for a server's failure — a timeout, a crash or
an error from the server becomes an error result the model can read — and a server that
crashed is restarted on its next use. ``aclose()`` ends every session and terminates
every stdio server's process group.
"""

from __future__ import annotations

import asyncio
import os
import urllib.parse
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self

from pydantic import BaseModel, ConfigDict

from tau_cli.core import Interaction, Message, ToolResult
from tau_cli.mcp._connection import Connection, ProgressCallback, ServerGone
from tau_cli.mcp._stdio import StderrTail
from tau_cli.mcp.catalog import (
    ListResourcesTool,
    McpServerError,
    PromptInfo,
    ReadResourceTool,
    ResourceInfo,
    prompt_info,
    prompt_messages,
    resource_info,
    resource_result,
)
from tau_cli.mcp.config import RemoteServer, StdioServer
from tau_cli.mcp.oauth import OAuthSupport
from tau_cli.mcp.results import DEFAULT_MAX_CHARS, to_tool_result
from tau_cli.mcp.tool import McpTool

if TYPE_CHECKING:
    from mcp import types

ServerState = Literal["starting", "connected", "failed", "crashed", "stopped"]
_CONNECTION_CLOSED = -32000  # mcp.types.CONNECTION_CLOSED, kept here to avoid the import


class ServerStatus(BaseModel):
    """What ``/mcp`` and ``tau mcp list`` show about one server."""

    model_config = ConfigDict(frozen=True)

    name: str
    transport: Literal["stdio", "sse", "http"]
    scope: str
    state: ServerState
    error: str | None = None
    """Why the server is not connected, in one line."""
    stderr_tail: str = ""
    """The last lines the server wrote to stderr (stdio servers only)."""
    tool_count: int = 0
    server_info: str | None = None
    """The server's own name and version from initialization."""
    instructions: str | None = None
    """What the server asked to be told to the model (its ``instructions``)."""


class _Server:
    """The manager's record of one server: config, connection, tools, status."""

    def __init__(self, config: StdioServer | RemoteServer) -> None:
        self.config = config
        self.state: ServerState = "starting"
        self.error: str | None = None
        self.stderr = StderrTail()
        self.connection: Connection | None = None
        self.tools: list[McpTool] = []
        self.lock = asyncio.Lock()
        self.attempts = 0
        """Finished connection attempts; a caller that waited for one does not start another."""


class McpManager:
    """All MCP servers of a session.

    Args:
        servers: the servers to start (already approved; see ``split_by_approval``).
        startup_timeout: seconds each server may take to start and list its tools.
        call_timeout: default seconds a tool call may go without an answer or a progress
            report; progress restarts the clock, so long work that reports it may finish.
        max_result_chars: larger results keep head and tail with a note.
        interaction: answers servers' elicitation requests; ``None`` declines them.
        environ: what stdio servers' allow-listed environment is taken from.
        on_tools_changed: called with a server's name after its tool list changed.
        oauth: token storage and sign-in for remote servers that require OAuth.
        roots: the folders tau works in, offered to servers that ask for roots.
    """

    def __init__(
        self,
        servers: Iterable[StdioServer | RemoteServer],
        *,
        startup_timeout: float = 30.0,
        call_timeout: float = 300.0,
        max_result_chars: int = DEFAULT_MAX_CHARS,
        interaction: Interaction | None = None,
        environ: Mapping[str, str] | None = None,
        on_tools_changed: Callable[[str], None] | None = None,
        oauth: OAuthSupport | None = None,
        roots: Sequence[Path] = (),
    ) -> None:
        self._oauth = oauth
        self._roots = tuple(roots)
        self._servers = {s.name: _Server(s) for s in servers}
        self.startup_timeout = startup_timeout
        self.call_timeout = call_timeout
        self.max_result_chars = max_result_chars
        self._interaction = interaction
        self._environ = dict(os.environ if environ is None else environ)
        self._on_tools_changed = on_tools_changed
        self._background: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def start(self) -> None:
        """Start every server at once; returns when each is connected, failed or timed out."""
        await asyncio.gather(*(self._connect(s) for s in self._servers.values()))

    async def aclose(self) -> None:
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*(self._disconnect(s, "stopped") for s in self._servers.values()))

    def statuses(self) -> list[ServerStatus]:
        return [self.status(name) for name in self._servers]

    def status(self, name: str) -> ServerStatus:
        """One server's status; ``McpServerError`` when no server has that name."""
        server = self._record(name)
        init = server.connection.initialize_result if server.connection else None
        info = f"{init.serverInfo.name} {init.serverInfo.version}" if init else None
        return ServerStatus(
            name=name,
            transport=server.config.transport,
            scope=server.config.scope,
            state=server.state,
            error=server.error,
            stderr_tail=server.stderr.text(),
            tool_count=len(server.tools),
            server_info=info,
            instructions=(init.instructions or None) if init else None,
        )

    def tools(self) -> list[McpTool]:
        """Every connected server's tools, in configuration order."""
        return [tool for server in self._servers.values() for tool in server.tools]

    def instructions(self) -> dict[str, str]:
        """Server name → the ``instructions`` it gave at initialization, for the system prompt."""
        found = {s.name: s.instructions for s in self.statuses()}
        return {name: text for name, text in found.items() if text}

    async def call_tool(
        self,
        server: str,
        tool: str,
        arguments: Mapping[str, Any],
        *,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> ToolResult:
        """Call ``tool`` (its MCP name) on ``server``; every failure is an error result."""
        record = self._servers.get(server)
        if record is None:
            return ToolResult.error(f"there is no MCP server named {server!r}")
        if record.state in ("crashed", "starting"):
            await self._connect(record)  # restart after a crash; or wait for a start under way
        connection = record.connection
        if record.state != "connected" or connection is None:
            return ToolResult.error(f"MCP server {server!r} is not available ({_why(record)})")
        limit = self.call_timeout if timeout is None else timeout
        try:
            result = await connection.call_tool(
                tool, arguments, timeout=limit, on_progress=on_progress
            )
        except ServerGone:
            return await self._crashed(record, tool)
        except TimeoutError:
            return ToolResult.error(
                f"MCP tool {tool!r} of server {server!r} did not answer within {limit:g} s"
                " (nor report progress); it was cancelled"
            )
        except Exception as exc:
            code = getattr(getattr(exc, "error", None), "code", None)
            if code == _CONNECTION_CLOSED:
                return await self._crashed(record, tool)
            return ToolResult.error(
                f"MCP tool {tool!r} of server {server!r} failed: {_describe(exc)}"
            )
        return to_tool_result(result, max_chars=self.max_result_chars)

    def resource_tools(self) -> list[ListResourcesTool | ReadResourceTool]:
        """The two read-only tools that offer servers' resources to the model, when any
        connected server has resources; otherwise none, so the model is not offered noise."""
        if not any(self._offers(s, "resources") for s in self._servers.values()):
            return []
        return [ListResourcesTool(self), ReadResourceTool(self)]

    async def list_resources(self, server: str | None = None) -> list[ResourceInfo]:
        """The resources of ``server``, or of every connected server that has any."""
        found: list[ResourceInfo] = []
        for record in self._chosen(server, "resources"):
            listed = await self._request(record, _list_all_resources)
            found.extend(resource_info(record.config.name, r) for r in listed)
        return found

    async def read_resource(self, server: str, uri: str) -> ToolResult:
        """One resource as a result: text inlined, images shown, binaries described."""
        from pydantic import AnyUrl

        record = self._record(server)
        result = await self._request(record, lambda s: s.read_resource(AnyUrl(uri)))
        return resource_result(result, max_chars=self.max_result_chars)

    async def list_prompts(self, server: str | None = None) -> list[PromptInfo]:
        """The prompts of ``server``, or of every connected server that has any."""
        found: list[PromptInfo] = []
        for record in self._chosen(server, "prompts"):
            listed = await self._request(record, _list_all_prompts)
            found.extend(prompt_info(record.config.name, p) for p in listed)
        return found

    async def get_prompt(
        self, server: str, name: str, arguments: Mapping[str, str] | None = None
    ) -> list[Message]:
        """The prompt's messages, filled in with ``arguments``, ready to send."""
        record = self._record(server)
        result = await self._request(record, lambda s: s.get_prompt(name, dict(arguments or {})))
        return prompt_messages(result)

    async def refresh_tools(self, name: str) -> None:
        """Fetch ``name``'s tool list again (after ``notifications/tools/list_changed``)."""
        server = self._servers[name]
        if server.connection is None or server.state != "connected":
            return
        try:
            listed = await server.connection.list_tools()
        except Exception as exc:
            server.stderr.note(f"refreshing the tool list failed: {_describe(exc)}")
            return
        server.tools = _adapt(self, name, listed)
        if self._on_tools_changed is not None:
            self._on_tools_changed(name)

    def _record(self, name: str) -> _Server:
        record = self._servers.get(name)
        if record is None:
            raise McpServerError(f"there is no MCP server named {name!r}")
        return record

    def _offers(self, record: _Server, capability: str) -> bool:
        init = record.connection.initialize_result if record.connection else None
        return init is not None and getattr(init.capabilities, capability) is not None

    def _chosen(self, server: str | None, capability: str) -> list[_Server]:
        if server is not None:
            return [self._record(server)]
        return [s for s in self._servers.values() if self._offers(s, capability)]

    async def _request(self, record: _Server, make: Callable[[Any], Awaitable[Any]]) -> Any:
        """One request for the user; failures raise ``McpServerError`` with the reason."""
        name = record.config.name
        if record.state in ("crashed", "starting"):
            await self._connect(record)  # restart after a crash; or wait for a start under way
        connection = record.connection
        if record.state != "connected" or connection is None:
            raise McpServerError(f"MCP server {name!r} is not available ({_why(record)})")
        try:
            async with asyncio.timeout(self.call_timeout):
                return await connection.request(make)
        except TimeoutError:
            raise McpServerError(
                f"MCP server {name!r} did not answer within {self.call_timeout:g} s"
            ) from None
        except ServerGone:
            await self._crashed(record, "a request")
            raise McpServerError(f"MCP server {name!r} stopped; it restarts on next use") from None
        except Exception as exc:
            raise McpServerError(f"MCP server {name!r}: {_describe(exc)}") from exc

    async def _connect(self, server: _Server) -> None:
        seen = server.attempts
        async with server.lock:
            if server.state == "connected" or server.attempts != seen:
                return  # connected, or another caller finished an attempt while this one waited
            try:
                await self._attempt(server)
            finally:
                server.attempts += 1

    async def _attempt(self, server: _Server) -> None:
        await self._disconnect(server, "starting")
        name = server.config.name
        connection = Connection(
            server.config,
            environ=self._environ,
            stderr=server.stderr,
            interaction=self._interaction,
            on_tools_changed=lambda: self._schedule_refresh(name),
            oauth=self._oauth,
            roots=self._roots,
        )
        try:
            async with asyncio.timeout(self.startup_timeout):
                await connection.open()
                listed = await connection.list_tools()
        except BaseException as exc:
            await connection.close()  # also when cancelled: no server may outlive its record
            if not isinstance(exc, Exception):
                server.state = "stopped"
                raise
            server.state, server.error = "failed", _describe(exc)
            if isinstance(exc, TimeoutError):
                server.error = f"did not start within {self.startup_timeout:g} s"
            if isinstance(server.config, RemoteServer):
                public = _public_url(server.config.url)
                server.error = f"{public}: {server.error.replace(server.config.url, public)}"
            return
        server.connection, server.tools = connection, _adapt(self, name, listed)
        server.state, server.error = "connected", None

    async def _disconnect(self, server: _Server, state: ServerState) -> None:
        connection, server.connection = server.connection, None
        server.state, server.tools = state, []
        if connection is not None:
            await connection.close()

    async def _crashed(self, server: _Server, tool: str) -> ToolResult:
        await self._disconnect(server, "crashed")
        server.error = "the server stopped during a call; it is restarted on its next use"
        tail = server.stderr.text(max_lines=10)
        said = f"\nIts last stderr lines:\n{tail}" if tail else ""
        return ToolResult.error(
            f"MCP server {server.config.name!r} stopped while running {tool!r}; "
            f"it will be restarted on the next call.{said}"
        )

    def _schedule_refresh(self, name: str) -> None:
        task = asyncio.get_running_loop().create_task(self.refresh_tools(name))
        self._background.add(task)
        task.add_done_callback(self._background.discard)


async def probe_server(
    server: StdioServer | RemoteServer,
    *,
    startup_timeout: float = 30.0,
    environ: Mapping[str, str] | None = None,
    oauth: OAuthSupport | None = None,
) -> tuple[ServerStatus, list[McpTool]]:
    """Start one server, take its status and tools, and stop it (``tau mcp tools NAME``).

    With ``oauth`` and a generous ``startup_timeout`` this is also how a user signs in
    to a server ahead of a session (``tau mcp login NAME``): the tokens are kept.
    The returned tools keep their definitions (name, description, input schema) and
    read-only flags; they cannot be called once the probe has returned.
    """
    manager = McpManager([server], startup_timeout=startup_timeout, environ=environ, oauth=oauth)
    async with manager:
        return manager.status(server.name), manager.tools()


def _adapt(manager: McpManager, server: str, listed: Sequence[types.Tool]) -> list[McpTool]:
    taken: set[str] = set()
    tools = []
    for tool in listed:
        adapted = McpTool.from_mcp(manager, server, tool, taken=taken)
        taken.add(adapted.name)
        tools.append(adapted)
    return tools


def _why(record: _Server) -> str:
    return f"{record.state}: {record.error}" if record.error else record.state


def _public_url(url: str) -> str:
    """``url`` without credentials or query, which may carry tokens, for messages."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _describe(exc: BaseException) -> str:
    """One line for the user: the innermost real cause, without the task-group wrapping."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = next(
            (e for e in exc.exceptions if not isinstance(e, asyncio.CancelledError)),
            exc.exceptions[0],
        )
    if isinstance(exc, FileNotFoundError) and exc.filename:
        return f"command not found: {exc.filename}"
    error = getattr(exc, "error", None)
    return getattr(error, "message", None) or str(exc) or type(exc).__name__


async def _list_all_resources(session: Any) -> list[types.Resource]:
    from mcp.types import PaginatedRequestParams

    found: list[types.Resource] = []
    params: PaginatedRequestParams | None = None
    while True:
        page = await session.list_resources(params=params)
        found.extend(page.resources)
        if not page.nextCursor:
            return found
        params = PaginatedRequestParams(cursor=page.nextCursor)


async def _list_all_prompts(session: Any) -> list[types.Prompt]:
    from mcp.types import PaginatedRequestParams

    found: list[types.Prompt] = []
    params: PaginatedRequestParams | None = None
    while True:
        page = await session.list_prompts(params=params)
        found.extend(page.prompts)
        if not page.nextCursor:
            return found
        params = PaginatedRequestParams(cursor=page.nextCursor)
