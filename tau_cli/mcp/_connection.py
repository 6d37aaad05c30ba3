"""One live session with one MCP server, over the SDK's stdio, SSE or streamable-HTTP client.

This is the only module that speaks the SDK's session API. The SDK's transports are anyio
context managers, which must be left by the task that entered them, so each connection is
owned by one task that opens the transport and session, reports readiness and then waits
to be told to close. Calls run from any task on the same loop and race the owner task: if
the owner ends (the server exited, its pipe broke, the HTTP stream failed), the call ends
with ``ServerGone`` instead of waiting for an answer that will never come.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tau_cli._version import __version__
from tau_cli.core import CancelledByUser, ElicitationRequest, Interaction
from tau_cli.mcp._stdio import StderrTail, stdio_transport
from tau_cli.mcp.config import RemoteServer, StdioServer
from tau_cli.mcp.oauth import OAuthSupport, oauth_provider

if TYPE_CHECKING:
    from mcp import ClientSession, types

ProgressCallback = Callable[[float, float | None, str | None], Awaitable[None]]
"""Called with (progress, total, message) for each progress notification of a call."""

# Passed from tau's environment to a stdio server; everything else must be configured
# in the server's ``env``, so API keys in the user's shell never reach a server by chance.
ALLOWED_ENVIRONMENT = (
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "TERM",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TMPDIR",
    "TZ",
)
_CLOSE_TIMEOUT = 5.0


class ServerGone(Exception):
    """The connection ended while a request was in flight (or before it was sent)."""


def child_environment(environ: Mapping[str, str], configured: Mapping[str, str]) -> dict[str, str]:
    """The allow-listed part of ``environ`` plus the server's own configured variables."""
    env = {k: environ[k] for k in ALLOWED_ENVIRONMENT if k in environ}
    env.update(configured)
    return env


class Connection:
    """An initialized session with one server, owned by one task until ``close``."""

    def __init__(
        self,
        server: StdioServer | RemoteServer,
        *,
        environ: Mapping[str, str],
        stderr: StderrTail,
        interaction: Interaction | None,
        on_tools_changed: Callable[[], None],
        oauth: OAuthSupport | None = None,
        roots: Sequence[Path] = (),
    ) -> None:
        self.server = server
        self._oauth = oauth
        self._roots = tuple(roots)
        self._environ = environ
        self._stderr = stderr
        self._interaction = interaction
        self._on_tools_changed = on_tools_changed
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._session: ClientSession | None = None
        self.initialize_result: types.InitializeResult | None = None
        self.failure: BaseException | None = None
        self._pending: set[asyncio.Task[None]] = set()

    async def open(self) -> None:
        """Start the server (or reach it) and initialize; raise why not.

        The caller bounds the time; on any failure or cancellation the owner is closed.
        """
        ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._task = asyncio.create_task(self._own(ready), name=f"mcp:{self.server.name}")
        try:
            await asyncio.shield(ready)
        except BaseException:
            await self.close()
            if ready.done() and not ready.cancelled():
                ready.exception()  # marks it retrieved: the cause is already on its way up
            raise

    async def close(self) -> None:
        """Leave the session and transport; a stdio server's process group is terminated."""
        self._stop.set()
        task = self._task
        if task is None or task.done():
            return
        if self._session is None:
            task.cancel()  # still starting: nothing to wait for, stop it where it is
        # asyncio.wait, not await: the owner's own end (even cancelled) is not ours to raise.
        done, _ = await asyncio.wait({task}, timeout=_CLOSE_TIMEOUT)
        if not done:
            task.cancel()
            await asyncio.wait({task}, timeout=_CLOSE_TIMEOUT)

    async def request(self, make: Callable[[ClientSession], Awaitable[Any]]) -> Any:
        """Run one session request, ending with ``ServerGone`` if the connection ends first."""
        session, owner = self._session, self._task
        if session is None or owner is None or owner.done():
            raise ServerGone("not connected")
        call = asyncio.ensure_future(make(session))
        try:
            await asyncio.wait({call, owner}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            call.cancel()
            raise
        if call.done():
            return call.result()
        call.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await call
        raise ServerGone("the connection ended during the call")

    async def call_tool(
        self,
        name: str,
        arguments: Mapping[str, Any],
        *,
        timeout: float,
        on_progress: ProgressCallback | None,
    ) -> types.CallToolResult:
        deadline: asyncio.Timeout | None = None

        async def progress(progress: float, total: float | None, message: str | None) -> None:
            if deadline is not None:  # a server that reports progress is working: wait on
                deadline.reschedule(asyncio.get_running_loop().time() + timeout)
            if on_progress is None:
                return
            try:
                await on_progress(progress, total, message)
            except Exception as exc:  # a broken UI callback must not break the session
                self._stderr.note(f"progress callback failed: {exc!r}")

        sent: list[int] = []

        async def call(session: ClientSession) -> types.CallToolResult:
            # The 1.x session numbers requests itself and does not say which id a call
            # got; it takes ``_request_id`` synchronously as the call starts, so reading it
            # here, with no await in between, names this call for notifications/cancelled.
            sent.append(session._request_id)
            return await session.call_tool(name, dict(arguments), progress_callback=progress)

        try:
            async with asyncio.timeout(timeout) as deadline:
                result: types.CallToolResult = await self.request(call)
        except TimeoutError:
            self._cancel_later(sent, f"no answer within {timeout:g} s")
            raise
        except asyncio.CancelledError:
            self._cancel_later(sent, "the user cancelled the call")
            raise
        return result

    def _cancel_later(self, sent: list[int], reason: str) -> None:
        """Tell the server to stop working on a call tau no longer waits for."""
        session = self._session
        if not sent or session is None:
            return
        from mcp import types as mcp_types

        notification = mcp_types.ClientNotification(
            mcp_types.CancelledNotification(
                params=mcp_types.CancelledNotificationParams(requestId=sent[0], reason=reason)
            )
        )

        async def send() -> None:
            with contextlib.suppress(Exception):
                await session.send_notification(notification)

        task = asyncio.get_running_loop().create_task(send())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def list_tools(self) -> list[types.Tool]:
        from mcp import types as mcp_types

        tools: list[types.Tool] = []
        params: mcp_types.PaginatedRequestParams | None = None
        while True:
            page = await self.request(functools.partial(_list_tools_page, params=params))
            tools.extend(page.tools)
            if not page.nextCursor:
                return tools
            params = mcp_types.PaginatedRequestParams(cursor=page.nextCursor)

    async def _own(self, ready: asyncio.Future[None]) -> None:
        try:
            async with contextlib.AsyncExitStack() as stack:
                read, write = await self._enter_transport(stack)
                # Imported only now: a stdio server is already starting while the SDK loads.
                from mcp import ClientSession
                from mcp import types as mcp_types

                session = await stack.enter_async_context(
                    ClientSession(
                        read,
                        write,
                        message_handler=self._on_message,
                        elicitation_callback=self._elicit,
                        logging_callback=self._log,
                        list_roots_callback=self._list_roots if self._roots else None,
                        client_info=mcp_types.Implementation(name="tau", version=__version__),
                    )
                )
                self.initialize_result = await session.initialize()
                self._session = session
                ready.set_result(None)
                await self._stop.wait()
        except Exception as exc:
            self.failure = exc
            if not ready.done():
                ready.set_exception(exc)
        finally:
            self._session = None
            if not ready.done():  # cancelled while starting: nobody may wait for it forever
                ready.set_exception(ServerGone("stopped while starting"))

    async def _enter_transport(self, stack: contextlib.AsyncExitStack) -> tuple[Any, Any]:
        server = self.server
        if isinstance(server, StdioServer):
            transport = stdio_transport(
                server.command,
                server.args,
                env=child_environment(self._environ, server.env),
                cwd=server.cwd,
                stderr=self._stderr,
            )
            return await stack.enter_async_context(transport)
        auth = None
        if self._oauth is not None:
            auth, release = oauth_provider(self._oauth, server)
            stack.callback(release)
        if server.transport == "sse":
            from mcp.client.sse import sse_client

            read, write = await stack.enter_async_context(
                sse_client(server.url, headers=server.headers, timeout=30, auth=auth)
            )
            return read, write
        from mcp.client.streamable_http import streamable_http_client
        from mcp.shared._httpx_utils import create_mcp_http_client

        client = await stack.enter_async_context(
            create_mcp_http_client(headers=server.headers, auth=auth)
        )
        read, write, _ = await stack.enter_async_context(
            streamable_http_client(server.url, http_client=client)
        )
        return read, write

    async def _on_message(self, message: Any) -> None:
        from mcp import types as mcp_types

        if isinstance(message, Exception):
            self._stderr.note(f"ignored a message the server sent that is not MCP: {message}")
            return
        if isinstance(message, mcp_types.ServerNotification) and isinstance(
            message.root, mcp_types.ToolListChangedNotification
        ):
            self._on_tools_changed()

    async def _log(self, params: Any) -> None:
        """Keep the server's log messages with its stderr, where ``/mcp`` shows them."""
        self._stderr.note(f"log {params.level}: {params.data}")

    async def _list_roots(self, context: Any) -> Any:
        """The folders tau works in, so servers that honour roots stay inside them."""
        from mcp import types as mcp_types
        from pydantic import FileUrl

        roots = [
            mcp_types.Root(uri=FileUrl(path.resolve().as_uri()), name=path.name or str(path))
            for path in self._roots
        ]
        return mcp_types.ListRootsResult(roots=roots)

    async def _elicit(self, context: Any, params: Any) -> Any:
        """Ask the user through ``Interaction``; decline when nobody can answer."""
        from mcp import types as mcp_types

        schema = getattr(params, "requestedSchema", None)
        if self._interaction is None or schema is None:
            return mcp_types.ElicitResult(action="decline")
        request = ElicitationRequest(
            server=self.server.name, message=params.message, requested_schema=schema
        )
        try:
            answer = await self._interaction.elicit(request)
        except CancelledByUser:
            return mcp_types.ElicitResult(action="cancel")
        content: dict[str, Any] | None = (
            dict(answer.content) if answer.content is not None else None
        )
        return mcp_types.ElicitResult(action=answer.action, content=content)


async def _list_tools_page(
    session: ClientSession, *, params: types.PaginatedRequestParams | None
) -> types.ListToolsResult:
    return await session.list_tools(params=params)
