"""``serve_bytes`` is a one-shot server for answers the scripted server will not
produce (garbled streams, wire shapes it does not script), sent byte for byte.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest

ServeBytes = Callable[[bytes, str], AbstractAsyncContextManager[str]]


@pytest.fixture
def serve_bytes() -> ServeBytes:
    """``async with serve_bytes(body, content_type) as url``: one answer, then hang up."""

    @asynccontextmanager
    async def serve(body: bytes, content_type: str) -> AsyncIterator[str]:
        async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                (
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                ),
                0,
            )
            await reader.readexactly(length)
            writer.write(
                f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(answer, "127.0.0.1", 0)
        async with server:
            yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"

    return serve
