"""YAML frontmatter: the ``---`` block at the top of a note or a SKILL.md.

Only the block itself is read from disk, in small chunks, never the body behind it:
a hundred skills with megabyte bodies cost a few kilobytes each to list. Every
error names the file and the line it is on, counted from the top of the file, so
an editor can jump there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from tau_cli.memory._errors import MemoryFileError

_CHUNK = 1024
_OPENING = re.compile(rb"\A(?:\xef\xbb\xbf)?---[ \t]*\r?\n")
_CLOSING = re.compile(rb"^---[ \t]*\r?$", re.MULTILINE)

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML was built with it: several times faster."""


@dataclass(frozen=True)
class Frontmatter:
    """The parsed block and where the body behind it starts."""

    data: dict[str, object]
    key_lines: dict[str, int]
    """The 1-based line each top-level key is on, for messages about its value."""
    body_offset: int
    """Byte offset of the body in the file."""
    body_line: int
    """1-based line the body starts on."""


def read_frontmatter(path: Path, *, max_bytes: int = 64 * 1024) -> Frontmatter | None:
    """The frontmatter of the file at ``path``; ``None`` if it does not start with ``---``.

    Raises:
        MemoryFileError: the file cannot be read, the block is not closed within
            ``max_bytes``, is not UTF-8, is not valid YAML, is not a mapping, or
            repeats a key.
    """
    head = b""
    eof = False
    try:
        with path.open("rb", buffering=0) as handle:
            while True:
                chunk = handle.read(_CHUNK)
                head += chunk
                if not chunk:
                    eof = True
                    break
                if len(head) > max_bytes:
                    break
                if not _OPENING.match(head) and len(head) >= 8:
                    return None
                if _find_closing(head, eof=False) is not None:
                    break
    except IsADirectoryError:
        raise MemoryFileError(path, "is a folder, not a file") from None
    except OSError as exc:
        raise MemoryFileError(path, f"cannot be read ({exc.strerror or exc})") from None
    return _parse(path, head, max_bytes=max_bytes, eof=eof)


def parse_frontmatter(path: Path, text: str) -> tuple[Frontmatter | None, str]:
    """Split text already in memory into its frontmatter and its body."""
    data = text.encode("utf-8")
    front = _parse(path, data, max_bytes=len(data), eof=True)
    if front is None:
        return None, text
    return front, data[front.body_offset :].decode("utf-8")


def _parse(path: Path, head: bytes, *, max_bytes: int, eof: bool) -> Frontmatter | None:
    opening = _OPENING.match(head)
    if opening is None:
        return None
    closing = _find_closing(head, eof=eof)
    if closing is None or closing[0] > max_bytes:
        detail = (
            "the frontmatter has no closing '---' line"
            if eof
            else f"the frontmatter is larger than {max_bytes} bytes, or its closing '---' "
            "line is missing"
        )
        raise MemoryFileError(path, detail, line=1)
    start, end = closing
    raw = head[opening.end() : start]
    try:
        source = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = 2 + raw.count(b"\n", 0, exc.start)
        raise MemoryFileError(path, "the frontmatter is not UTF-8 text", line=line) from None
    data, key_lines = _load_yaml(path, source)
    body_line = 2 + raw.count(b"\n") + 1
    return Frontmatter(data, key_lines, body_offset=end, body_line=body_line)


def _find_closing(head: bytes, *, eof: bool) -> tuple[int, int] | None:
    """Start and end (after its newline) of the closing ``---`` line, once it is whole.

    Before the end of the file, a ``---`` at the very end of what was read may be the
    start of a longer line, so it only counts once its newline has been read.
    """
    opening = _OPENING.match(head)
    if opening is None:
        return None
    match = _CLOSING.search(head, opening.end())
    if match is None:
        return None
    if match.end() < len(head):
        return match.start(), match.end() + 1
    return (match.start(), match.end()) if eof else None


def _load_yaml(path: Path, source: str) -> tuple[dict[str, object], dict[str, int]]:
    first_line = 2  # line 1 is the opening '---'
    try:
        node = yaml.compose(source, Loader=_LOADER)
        data = yaml.load(source, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark is not None else None
        problem = exc.problem or exc.context or "cannot be parsed"
        raise MemoryFileError(
            path, f"the frontmatter is not valid YAML: {problem}", line=line
        ) from None
    except yaml.YAMLError as exc:
        raise MemoryFileError(path, f"the frontmatter is not valid YAML: {exc}") from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise MemoryFileError(
            path, "the frontmatter must be a mapping of keys to values", line=first_line
        )
    key_lines: dict[str, int] = {}
    for key_node, _ in node.value:
        key = str(key_node.value)
        line = first_line + key_node.start_mark.line
        if key in key_lines:
            raise MemoryFileError(path, f"the frontmatter repeats the key '{key}'", line=line)
        key_lines[key] = line
    return {str(k): v for k, v in data.items()}, key_lines
