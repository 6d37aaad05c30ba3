"""Just enough HTTP/1.1 to be a model server: requests in, bodies and streams out.

Written on asyncio streams rather than a web framework so the server controls
every byte: it can cut a chunked stream mid-way or send a truncated body, which is
what a flaky network does and what the clients must survive.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    408: "Request Timeout",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


@dataclass(frozen=True)
class RecordedRequest:
    """One request exactly as it crossed the wire."""

    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    """Header names are lower-cased."""
    body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body)


async def read_request(reader: asyncio.StreamReader) -> RecordedRequest | None:
    """The next request on the connection, or None when the client hung up."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    body = b""
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    parts = urlsplit(target)
    return RecordedRequest(
        method=method,
        path=parts.path,
        query=dict(parse_qsl(parts.query)),
        headers=headers,
        body=body,
    )


def _head(status: int, headers: Mapping[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def send_body(
    writer: asyncio.StreamWriter,
    status: int,
    body: bytes,
    *,
    content_type: str = "application/json",
    headers: Mapping[str, str] | None = None,
    truncate_to: int | None = None,
) -> None:
    """A complete response; ``truncate_to`` sends fewer bytes than announced."""
    all_headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
    all_headers.update(headers or {})
    writer.write(_head(status, all_headers))
    writer.write(body if truncate_to is None else body[:truncate_to])
    await writer.drain()


async def start_chunked(
    writer: asyncio.StreamWriter, content_type: str, headers: Mapping[str, str] | None = None
) -> None:
    all_headers = {"Content-Type": content_type, "Transfer-Encoding": "chunked"}
    all_headers.update(headers or {})
    writer.write(_head(200, all_headers))
    await writer.drain()


async def send_chunk(writer: asyncio.StreamWriter, data: bytes) -> None:
    writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
    await writer.drain()


async def end_chunked(writer: asyncio.StreamWriter) -> None:
    writer.write(b"0\r\n\r\n")
    await writer.drain()


def json_bytes(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def sse(events: Iterable[object]) -> list[bytes]:
    """Server-sent ``data:`` events, one per JSON value (strings are sent as they are)."""
    return [
        b"data: " + (v.encode() if isinstance(v, str) else json_bytes(v)) + b"\n\n" for v in events
    ]
