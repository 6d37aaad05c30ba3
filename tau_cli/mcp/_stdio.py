"""The stdio transport: a server process in its own process group, ended with its children.

The SDK's ``stdio_client`` starts the server in a new session but only signals the group
when the server itself ignores the closing of its stdin; a server that exits politely
leaves its own children running, and the SDK does not say which process it started. This
transport speaks the same newline-delimited JSON-RPC over the SDK's stream types, and on
exit closes stdin, waits briefly, then terminates the whole process group (SIGTERM, then
SIGKILL), so nothing a server started outlives tau. Its stderr goes to a bounded tail kept
for ``/mcp`` and error messages.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections import deque
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

import anyio

if TYPE_CHECKING:
    from anyio.abc import Process

_STDERR_KEEP = 32 * 1024
_EXIT_GRACE = 2.0
_TERM_GRACE = 2.0


class StderrTail:
    """The last few KB a server wrote to stderr, plus tau's own notes about it."""

    def __init__(self) -> None:
        self._chunks: deque[bytes] = deque()
        self._size = 0

    def append(self, data: bytes) -> None:
        self._chunks.append(data)
        self._size += len(data)
        while self._size > _STDERR_KEEP and len(self._chunks) > 1:
            self._size -= len(self._chunks.popleft())

    def note(self, line: str) -> None:
        """Add a line of tau's own (e.g. about garbage on stdout) to the tail."""
        self.append(f"[tau] {line}\n".encode())

    def text(self, max_lines: int = 20) -> str:
        lines = b"".join(self._chunks).decode("utf-8", "replace").splitlines()
        return "\n".join(lines[-max_lines:])


@contextlib.asynccontextmanager
async def stdio_transport(
    command: str,
    args: list[str],
    *,
    env: Mapping[str, str],
    cwd: str | None,
    stderr: StderrTail,
) -> AsyncIterator[tuple[Any, Any]]:
    """Start ``command`` and yield the SDK's (read, write) streams for a ``ClientSession``."""
    process = await anyio.open_process(
        [command, *args],
        env=dict(env),
        cwd=cwd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, so it can be ended with its children
    )
    # The SDK is imported after the spawn: its half second of loading overlaps the
    # server's own start-up instead of preceding it.
    from mcp import types
    from mcp.shared.message import SessionMessage

    read_writer, read = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    write, write_reader = anyio.create_memory_object_stream[SessionMessage](0)

    async def read_stdout() -> None:
        assert process.stdout is not None
        buffer = b""
        async with read_writer:
            async for chunk in process.stdout:
                lines = (buffer + chunk).split(b"\n")
                buffer = lines.pop()
                for line in lines:
                    if not line.strip():
                        continue
                    try:
                        message = types.JSONRPCMessage.model_validate_json(line)
                    except ValueError as exc:
                        text = line[:200].decode("utf-8", "replace")
                        await read_writer.send(ValueError(f"{text!r} ({exc.__class__.__name__})"))
                        continue
                    await read_writer.send(SessionMessage(message))

    async def write_stdin() -> None:
        assert process.stdin is not None
        async with write_reader:
            async for session_message in write_reader:
                data = session_message.message.model_dump_json(by_alias=True, exclude_none=True)
                await process.stdin.send(data.encode() + b"\n")

    async def read_stderr() -> None:
        assert process.stderr is not None
        async for chunk in process.stderr:
            stderr.append(chunk)

    try:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(read_stdout)
            tasks.start_soon(write_stdin)
            tasks.start_soon(read_stderr)
            try:
                yield read, write
            finally:
                tasks.cancel_scope.cancel()
    finally:
        with anyio.CancelScope(shield=True):
            await _end(process)
            for stream in (read, write, read_writer, write_reader):
                await stream.aclose()


async def _end(process: Process) -> None:
    """Close stdin, give the server a moment, then end its whole process group."""
    if process.stdin is not None:
        with contextlib.suppress(Exception):
            await process.stdin.aclose()
    with anyio.move_on_after(_EXIT_GRACE):
        await process.wait()
    group = process.pid  # the leader of a new session: its pid is the group id
    if _signal_group(group, signal.SIGTERM):
        with anyio.move_on_after(_TERM_GRACE):
            while _group_alive(group):
                await anyio.sleep(0.05)
        _signal_group(group, signal.SIGKILL)
    with contextlib.suppress(Exception):
        await process.aclose()


def _group_alive(group: int) -> bool:
    """Whether a process of ``group`` still runs; zombies do not count.

    A sandboxed server's own process is orphaned when bubblewrap exits and stays a
    zombie until PID 1 reaps it, which some container inits do slowly: counting it
    made every close wait out the whole grace period.
    """
    try:
        entries = os.listdir("/proc")
    except OSError:  # no procfs: ask the kernel, zombies included
        return _signal_group(group, 0)
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if len(fields) > 2 and int(fields[2]) == group and fields[0] != b"Z":
            return True
    return False


def _signal_group(group: int, sig: int) -> bool:
    """Send ``sig`` to the group (0 only checks); False when no process of it is left."""
    try:
        os.killpg(group, sig)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
