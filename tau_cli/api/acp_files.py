"""The editor's files: text reads and writes through the ACP client, the rest unchanged.

An editor that advertises ``fs.readTextFile`` / ``fs.writeTextFile`` holds the truth
about the files it has open: a buffer may have changes not yet saved, and an edit
made through it lands in its undo history and its review of the agent's changes.
``EditorFiles`` wraps the environment settings chose and sends text file reads and
writes inside the session's folder to the editor; everything else (listing, stat,
search, processes, binary files, files elsewhere) stays with the wrapped environment.

What it never changes is what tau allows. Permission rules and path checks run
before a tool does, exactly as without an editor. Every read first goes through the
wrapped environment too, so a sandbox's hidden paths stay hidden and a missing file
is missing; only then is the editor asked for its version of the text. Writes go to
the editor only when tools work on this machine unconfined: a sandbox or container
checks each write against its own rules, and an editor's write would pass around them.

When the editor cannot do it (a file outside its project, an error of its own), tau
falls back to the file on disk, as an editor without these capabilities gets.
"""

from __future__ import annotations

import codecs
import logging
import os
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, Protocol

from acp import RequestError
from pydantic import ValidationError

from tau_cli.tools import (
    DEFAULT_OUTPUT_LIMIT,
    Environment,
    ExecResult,
    FileInfo,
    LocalEnvironment,
    OutputCallback,
    Process,
)

_log = logging.getLogger(__name__)

_SNIFF = 8192
"""Bytes looked at for a NUL, as tau's tools tell text from binary."""


class FileClient(Protocol):
    """The part of the SDK's agent-side connection that reaches the editor's files."""

    async def read_text_file(
        self, session_id: str, path: str, line: int | None = None, limit: int | None = None
    ) -> Any: ...

    async def write_text_file(self, session_id: str, path: str, content: str) -> Any: ...


class EditorFiles:
    """An ``Environment`` whose text files in ``roots`` are the editor's.

    Args:
        inner: the environment tools would use without an editor.
        client: the connection to the editor.
        session_id: the ACP session the requests belong to (read when needed: a fork
            changes it).
        roots: folders the editor has open (the session's folder); files elsewhere
            are read and written by ``inner``.
        read: the editor advertised ``fs.readTextFile``.
        write: the editor advertised ``fs.writeTextFile``; honoured only when
            ``inner`` is a ``LocalEnvironment`` (see the module docstring).
    """

    def __init__(
        self,
        inner: Environment,
        client: FileClient,
        session_id: Callable[[], str],
        *,
        roots: Iterable[str],
        read: bool,
        write: bool,
    ) -> None:
        self._inner = inner
        self._client = client
        self._session_id = session_id
        self._roots = tuple(os.path.realpath(r) for r in roots)
        self.reads_from_editor = read
        self.writes_to_editor = write and isinstance(inner, LocalEnvironment)
        self._texts: dict[str, str] = {}

    def text_seen(self, path: str) -> str | None:
        """The text last read from or written through the editor for ``path``, if any.

        The model edits what it read, so an edit's diff is drawn from this text rather
        than from a disk copy that may lack the editor's unsaved changes (an editor
        need not save what it is given).
        """
        return self._texts.get(self.resolve(path))

    # -- text files, through the editor when it can ------------------------------

    async def read_bytes(self, path: str) -> bytes:
        data = await self._inner.read_bytes(path)  # the wrapped environment's checks first
        if not self.reads_from_editor or not _is_utf8_text(data):
            return data
        target = await self._editors(path)
        if target is None:
            return data
        try:
            answer = await self._client.read_text_file(session_id=self._session_id(), path=target)
        except (RequestError, ValidationError) as exc:
            _log.info("the editor could not read %s (%s); using the file on disk", target, exc)
            return data
        text = str(answer.content)
        self._texts[target] = text
        return text.encode("utf-8")

    async def read_text(self, path: str, encoding: str = "utf-8") -> str:
        if codecs.lookup(encoding).name != "utf-8":
            return await self._inner.read_text(path, encoding)
        return (await self.read_bytes(path)).decode("utf-8")

    async def write_bytes(self, path: str, data: bytes) -> None:
        target = await self._editors(path) if self.writes_to_editor else None
        if target is not None and _is_utf8_text(data):
            text = data.decode("utf-8")
            try:
                await self._client.write_text_file(
                    session_id=self._session_id(), path=target, content=text
                )
            except (RequestError, ValidationError) as exc:
                _log.info("the editor could not write %s (%s); writing it on disk", target, exc)
            else:
                self._texts[target] = text
                return
        await self._inner.write_bytes(path, data)
        self._texts.pop(self.resolve(path), None)

    async def write_text(self, path: str, text: str, encoding: str = "utf-8") -> None:
        if codecs.lookup(encoding).name != "utf-8":
            await self._inner.write_text(path, text, encoding)
            return
        await self.write_bytes(path, text.encode("utf-8"))

    async def _editors(self, path: str) -> str | None:
        """The absolute path to send the editor, or None when the file is not its to handle.

        The path goes as asked (an editor knows its folders by the names it opened);
        where it really leads decides, so a symlink out of the project stays on disk.
        """
        target = self.resolve(path)
        real = await self._inner.realpath(target)
        if not any(real == root or real.startswith(root + os.sep) for root in self._roots):
            return None
        return target

    # -- everything else, unchanged ---------------------------------------------

    @property
    def cwd(self) -> str:
        return self._inner.cwd

    def resolve(self, path: str) -> str:
        return self._inner.resolve(path)

    async def realpath(self, path: str) -> str:
        return await self._inner.realpath(path)

    async def read_many(self, paths: Sequence[str]) -> list[bytes | None]:
        # Searching reads thousands of files; the editor is asked only for those the
        # model reads one by one.
        return await self._inner.read_many(paths)

    async def stat(self, path: str, *, follow_symlinks: bool = True) -> FileInfo:
        return await self._inner.stat(path, follow_symlinks=follow_symlinks)

    async def exists(self, path: str) -> bool:
        return await self._inner.exists(path)

    async def list_dir(self, path: str) -> list[FileInfo]:
        return await self._inner.list_dir(path)

    async def glob(
        self, pattern: str, root: str | None = None, *, skip_dirs: Collection[str] = ()
    ) -> list[str]:
        return await self._inner.glob(pattern, root, skip_dirs=skip_dirs)

    async def stat_many(self, paths: Sequence[str]) -> list[FileInfo | None]:
        return await self._inner.stat_many(paths)

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
        return await self._inner.spawn(
            argv,
            cwd=cwd,
            env=env,
            output_limit=output_limit,
            merge_stderr=merge_stderr,
            on_output=on_output,
            stdin=stdin,
        )

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
        return await self._inner.exec(
            argv,
            cwd=cwd,
            env=env,
            timeout=timeout,
            output_limit=output_limit,
            merge_stderr=merge_stderr,
            on_output=on_output,
            stdin=stdin,
        )


def _is_utf8_text(data: bytes) -> bool:
    """Whether ``data`` is text an editor hands back unchanged: UTF-8, no BOM, no NUL.

    Anything else (images, binaries, legacy encodings, a byte order mark) stays on
    disk, where tau's tools keep its bytes exact.
    """
    if data.startswith(codecs.BOM_UTF8) or b"\x00" in data[:_SNIFF]:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
