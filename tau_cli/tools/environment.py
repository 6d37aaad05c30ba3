"""The ``Environment`` seam: every file and process effect a tool has goes through it.

Built-in tools never touch ``os``, ``pathlib`` or ``subprocess`` directly. They ask
an ``Environment``, so the same tool runs on this machine (``LocalEnvironment``), in
a bubblewrap sandbox or in a container, and all of them are held to one contract
(``tau_cli.tools.contract``).

Failures use Python's own ``OSError`` family (``FileNotFoundError``,
``IsADirectoryError``, ``NotADirectoryError``, ``PermissionError``,
``FileExistsError``): every implementation can raise them and every tool already
knows how to turn them into a message for the model.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

FileKind = Literal["file", "dir", "symlink", "other"]

OutputCallback = Callable[[bytes], None]
"""Receives output chunks as the process writes them (for live display)."""

DEFAULT_OUTPUT_LIMIT = 1_000_000
"""Bytes of process output kept by default; the rest is cut from the middle."""


@dataclass(frozen=True, slots=True)
class FileInfo:
    """What ``stat`` and ``list_dir`` report about one path."""

    path: str
    """Absolute path, as asked for (symlinks in it are not resolved)."""
    kind: FileKind
    size: int
    mtime: float
    """Modification time, seconds since the epoch."""
    mode: int
    """Permission bits (``st_mode & 0o7777``)."""


@dataclass(frozen=True, slots=True)
class ExecResult:
    """How a finished process ended and what it wrote.

    When the output was larger than the limit, ``stdout``/``stderr`` keep its head
    and tail and ``truncated`` is set; ``output_bytes`` is always the full count, so a
    caller can tell the model how much it did not see.
    """

    exit_code: int | None
    """The exit status; negative for a signal; ``None`` if it never finished."""
    stdout: bytes
    """Standard output, with standard error merged in when ``merge_stderr`` was set."""
    stderr: bytes = b""
    timed_out: bool = False
    truncated: bool = False
    output_bytes: int = 0


@runtime_checkable
class Process(Protocol):
    """A running child process (and its whole process group)."""

    @property
    def pid(self) -> int: ...

    @property
    def exit_code(self) -> int | None:
        """``None`` while it runs."""
        ...

    async def wait(self, timeout: float | None = None) -> ExecResult:
        """Wait for the end; on timeout the process group is killed and ``timed_out`` set.

        If the waiting task is cancelled, the process group is killed before the
        cancellation propagates, so no child outlives the work that started it.
        """
        ...

    def output(self) -> ExecResult:
        """What the process has written so far, without waiting."""
        ...

    async def kill(self) -> None:
        """Kill the whole process group (children and grandchildren too)."""
        ...


@runtime_checkable
class Environment(Protocol):
    """Files and processes, seen from one working directory.

    Paths may be absolute or relative to ``cwd``. Text is UTF-8 unless an encoding is
    given. Writes are atomic (a temporary file renamed into place), create missing
    parent folders, and keep an existing file's permission bits.
    """

    @property
    def cwd(self) -> str:
        """The absolute directory relative paths and processes start from."""
        ...

    def resolve(self, path: str) -> str:
        """``path`` made absolute against ``cwd``, ``..`` removed (symlinks kept)."""
        ...

    async def realpath(self, path: str) -> str:
        """``path`` made absolute with every symlink resolved."""
        ...

    async def read_bytes(self, path: str) -> bytes: ...

    async def read_text(self, path: str, encoding: str = "utf-8") -> str: ...

    async def read_many(self, paths: Sequence[str]) -> list[bytes | None]:
        """The contents of many files in one round trip; ``None`` where one cannot be read.

        Searching a tree reads thousands of files; one call per file would cost a
        thread hop here and a process start in a container.
        """
        ...

    async def write_bytes(self, path: str, data: bytes) -> None: ...

    async def write_text(self, path: str, text: str, encoding: str = "utf-8") -> None: ...

    async def stat(self, path: str, *, follow_symlinks: bool = True) -> FileInfo:
        """Raises ``FileNotFoundError`` when nothing is there."""
        ...

    async def exists(self, path: str) -> bool: ...

    async def list_dir(self, path: str) -> list[FileInfo]:
        """The entries of a folder, sorted by name; symlinks are reported as symlinks."""
        ...

    async def glob(
        self, pattern: str, root: str | None = None, *, skip_dirs: Collection[str] = ()
    ) -> list[str]:
        """Absolute paths of files under ``root`` (default ``cwd``) matching ``pattern``.

        ``**`` matches any number of folders, hidden files included; folders are not
        returned, and symlinked folders are not followed (no cycles, no escapes).
        Folders named in ``skip_dirs`` (e.g. ``.git``) are not entered. Sorted.
        """
        ...

    async def stat_many(self, paths: Sequence[str]) -> list[FileInfo | None]:
        """``stat`` (following symlinks) of many paths at once; ``None`` where one is gone.

        Listing a large tree must not cost one round trip per file, and only the files
        a tool keeps need their size and time looked up.
        """
        ...

    async def spawn(
        self,
        argv: Sequence[str],
        *,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        output_limit: int = DEFAULT_OUTPUT_LIMIT,
        merge_stderr: bool = True,
        on_output: OutputCallback | None = None,
        stdin: bytes | None = None,
    ) -> Process:
        """Start ``argv`` in its own process group and return at once.

        ``env`` is added to the environment's allow-listed base environment; the
        parent's full environment is never passed on. Raises ``FileNotFoundError`` if
        the program or ``cwd`` does not exist.
        """
        ...

    async def exec(
        self,
        argv: Sequence[str],
        *,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        output_limit: int = DEFAULT_OUTPUT_LIMIT,
        merge_stderr: bool = True,
        on_output: OutputCallback | None = None,
        stdin: bytes | None = None,
    ) -> ExecResult:
        """``spawn`` and ``wait``: the process group is killed on timeout or cancellation."""
        ...


class ExecBySpawn(ABC):
    """``Environment.exec`` written once: ``spawn``, then ``wait`` with the timeout.

    Every environment implements ``spawn`` its own way; running to completion is the
    same for all of them, so implementations inherit it from here.
    """

    @abstractmethod
    async def spawn(
        self,
        argv: Sequence[str],
        *,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        output_limit: int = DEFAULT_OUTPUT_LIMIT,
        merge_stderr: bool = True,
        on_output: OutputCallback | None = None,
        stdin: bytes | None = None,
    ) -> Process:
        """Start ``argv``; see ``Environment.spawn``."""

    async def exec(
        self,
        argv: Sequence[str],
        *,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        output_limit: int = DEFAULT_OUTPUT_LIMIT,
        merge_stderr: bool = True,
        on_output: OutputCallback | None = None,
        stdin: bytes | None = None,
    ) -> ExecResult:
        process = await self.spawn(
            argv,
            cwd=cwd,
            env=env,
            output_limit=output_limit,
            merge_stderr=merge_stderr,
            on_output=on_output,
            stdin=stdin,
        )
        return await process.wait(timeout)
