"""Serving an ACP agent on this process's stdin and stdout.

stdout carries the protocol and nothing else: before serving, the real stdout
is kept for the protocol and file descriptor 1 is pointed at stderr, so a stray
``print`` or a child process that inherits stdout cannot corrupt the stream.

Lines that are not JSON, or JSON that is not a message object, get JSON-RPC's
parse error or invalid request response (the SDK alone would drop them
silently); the process keeps serving either way.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from acp import RequestError
from acp.agent.connection import AgentSideConnection

_LINE_LIMIT = 50 * 1024 * 1024
"""Largest message accepted (a prompt with embedded files can be big)."""


Write = Callable[[bytes], Awaitable[None]]


class LineTransport:
    """Newline-delimited JSON-RPC messages over a byte reader and a writing function."""

    def __init__(self, reader: asyncio.StreamReader, write: Write) -> None:
        self._reader = reader
        self._write = write
        self._lock = asyncio.Lock()
        self._closed = False

    async def send(self, message: dict[str, Any]) -> None:
        if self._closed:
            raise ConnectionError("the connection is closed")
        data = json.dumps(message, ensure_ascii=False, separators=(",", ":")) + "\n"
        async with self._lock:
            await self._write(data.encode("utf-8"))

    async def receive(self) -> dict[str, Any] | None:
        while True:
            try:
                line = await self._reader.readuntil(b"\n")
            except asyncio.IncompleteReadError as exc:
                line = exc.partial
                if not line.strip():
                    return None
            except asyncio.LimitOverrunError:
                await self._skip_long_line()
                await self._reject(RequestError.invalid_request({"details": "message too large"}))
                continue
            if not line.strip():
                continue
            try:
                message = json.loads(line)
            except (ValueError, UnicodeDecodeError) as exc:
                await self._reject(RequestError.parse_error({"details": str(exc)}))
                continue
            if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
                await self._reject(
                    RequestError.invalid_request({"details": "expected a JSON-RPC 2.0 object"}),
                    message.get("id") if isinstance(message, dict) else None,
                )
                continue
            if "method" in message and not isinstance(message["method"], str):
                await self._reject(
                    RequestError.invalid_request({"details": "method must be a string"}),
                    message.get("id"),
                )
                continue
            return message

    async def close(self) -> None:
        self._closed = True

    async def _reject(self, error: RequestError, request_id: Any = None) -> None:
        if not isinstance(request_id, str | int) or isinstance(request_id, bool):
            request_id = None
        await self.send({"jsonrpc": "2.0", "id": request_id, "error": error.to_error_obj()})

    async def _skip_long_line(self) -> None:
        while True:
            try:
                await self._reader.readuntil(b"\n")
                return
            except asyncio.LimitOverrunError as exc:
                await self._reader.readexactly(exc.consumed)
            except asyncio.IncompleteReadError:
                return


async def serve_stdio(agent: Any) -> None:
    """Serve ``agent`` until the client closes stdin; then close its sessions."""
    sys.stdout.flush()
    protocol_fd = os.dup(sys.stdout.fileno())
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    async def write(data: bytes) -> None:
        await asyncio.to_thread(_write_all, protocol_fd, data)

    reader = await _stdin_reader()
    connection = AgentSideConnection(agent, LineTransport(reader, write), listening=False)
    try:
        await connection.listen()
    finally:
        close = getattr(agent, "aclose", None)
        if close is not None:
            await close()
        await connection.close()
        os.close(protocol_fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


async def _stdin_reader() -> asyncio.StreamReader:
    """stdin as a stream: a pipe directly, anything else (a file) through a thread."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=_LINE_LIMIT)
    try:
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    except ValueError:

        def feed() -> None:
            for line in sys.stdin.buffer:
                loop.call_soon_threadsafe(reader.feed_data, line)
            loop.call_soon_threadsafe(reader.feed_eof)

        threading.Thread(target=feed, name="tau-acp-stdin", daemon=True).start()
    return reader
