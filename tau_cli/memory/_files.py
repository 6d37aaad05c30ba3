"""Reading and writing the small text files memory is made of.

Reading is strict about encoding so a binary or mis-encoded file becomes one clear
error naming the file and line, rather than mojibake in the system prompt. Writing
is atomic (write a sibling, then rename) so a crash never leaves half a progress
file behind.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tau_cli.memory._errors import MemoryFileError

_UTF8_MAX_BYTES_PER_CHAR = 4


@dataclass(frozen=True)
class TextFile:
    """A file's text, possibly cut to a limit."""

    text: str
    size_bytes: int
    truncated: bool


def read_text(path: Path, *, max_chars: int | None = None) -> TextFile:
    """Read UTF-8 text, cut at a line boundary when longer than ``max_chars``.

    Only about ``max_chars`` worth of bytes are read, so a huge file costs no more
    than its allowed part.

    Raises:
        MemoryFileError: the file is missing, a folder, binary or not UTF-8.
    """
    try:
        size = path.stat().st_size
        limit = None if max_chars is None else max_chars * _UTF8_MAX_BYTES_PER_CHAR + 1
        with path.open("rb") as handle:
            data = handle.read() if limit is None else handle.read(limit)
    except IsADirectoryError:
        raise MemoryFileError(path, "is a folder, not a file") from None
    except OSError as exc:
        raise MemoryFileError(path, f"cannot be read ({exc.strerror or exc})") from None
    partial = len(data) < size
    text = _decode(path, data, partial=partial)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise MemoryFileError(path, "looks like a binary file (it holds a NUL byte)", line=line)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if max_chars is not None and (partial or len(text) > max_chars):
        return TextFile(_cut(text, max_chars), size, truncated=True)
    return TextFile(text, size, truncated=False)


def _decode(path: Path, data: bytes, *, partial: bool) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if partial and exc.start >= len(data) - _UTF8_MAX_BYTES_PER_CHAR:
            return data[: exc.start].decode("utf-8")  # the read limit split a character
        line = data.count(b"\n", 0, exc.start) + 1
        raise MemoryFileError(
            path,
            f"is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded)",
            line=line,
        ) from None


def _cut(text: str, max_chars: int) -> str:
    head = text[:max_chars]
    newline = head.rfind("\n")
    return head[: newline + 1] if newline > 0 else head


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one rename; parents are created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def append_text(path: Path, text: str) -> None:
    """Append ``text`` on a line of its own, adding a newline first if one is missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as handle:
        handle.seek(0, os.SEEK_END)
        prefix = b""
        if handle.tell() > 0:
            handle.seek(-1, os.SEEK_END)
            if handle.read(1) != b"\n":
                prefix = b"\n"
        handle.seek(0, os.SEEK_END)
        handle.write(prefix + text.encode("utf-8"))
