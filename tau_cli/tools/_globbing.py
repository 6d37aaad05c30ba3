"""Glob patterns as regular expressions, with the syntax models and users expect.

``*`` and ``?`` stay within one path segment, ``**`` spans folders (``a/**/b``
also matches ``a/b``), ``[...]`` is a character class and ``{x,y}`` alternatives.
One translator serves the ``glob`` tool, environments and permission rules, so a
pattern means the same thing wherever it is written.
"""

from __future__ import annotations

import re
from functools import lru_cache

_SPECIAL = frozenset("*?[{")


def has_magic(pattern: str) -> bool:
    """Whether ``pattern`` contains any wildcard."""
    return any(ch in _SPECIAL for ch in pattern)


def split_literal_prefix(pattern: str) -> tuple[str, str]:
    """Split ``src/app/**/*.py`` into ``("src/app", "**/*.py")``.

    The literal folders can be walked to directly instead of being matched.
    """
    parts = pattern.split("/")
    literal: list[str] = []
    for index, part in enumerate(parts[:-1]):
        if has_magic(part):
            return "/".join(literal), "/".join(parts[index:])
        literal.append(part)
    return "/".join(literal), parts[-1]


def max_depth(pattern: str) -> int | None:
    """How many segments deep a match can be; ``None`` when ``**`` makes it unbounded."""
    if "**" in pattern:
        return None
    return pattern.count("/") + 1


def any_depth_name(pattern: str) -> str | None:
    """The name part of ``**`` and ``**/*.py``-style patterns, or ``None``.

    Such a pattern matches a file at any depth exactly when its name matches the part
    after ``**/`` (``*`` for ``**``), so a walk can match names and never build the
    relative paths. ``None`` when the pattern says anything about folders, or when its
    name part could match a ``/`` (a ``[...]`` class, a ``**``).
    """
    if pattern == "**":
        return "*"
    if not pattern.startswith("**/"):
        return None
    name = pattern[3:]
    if "/" in name or "[" in name or "**" in name:
        return None
    return name


@lru_cache(maxsize=512)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """The regular expression matching exactly the relative paths ``pattern`` names."""
    return re.compile(_translate(pattern) + r"\Z", re.DOTALL)


def _translate(pattern: str) -> str:
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if pattern.startswith("**", i):
            at_start = i == 0 or pattern[i - 1] == "/"
            j = i + 2
            if at_start and j < n and pattern[j] == "/":
                out.append(r"(?:[^/]*/)*")  # zero or more whole folders
                i = j + 1
                continue
            out.append(r".*")
            i = j
        elif ch == "*":
            out.append(r"[^/]*")
            i += 1
        elif ch == "?":
            out.append(r"[^/]")
            i += 1
        elif ch == "[":
            end = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("!", "^") else i + 1)
            if end == -1:
                out.append(re.escape(ch))
                i += 1
                continue
            body = pattern[i + 1 : end]
            if body[:1] in ("!", "^"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = end + 1
        elif ch == "{":
            end = _closing_brace(pattern, i)
            if end == -1:
                out.append(re.escape(ch))
                i += 1
                continue
            options = _split_top_level(pattern[i + 1 : end])
            out.append("(?:" + "|".join(_translate(option) for option in options) + ")")
            i = end + 1
        else:
            out.append(re.escape(ch))
            i += 1
    return "".join(out)


def _closing_brace(pattern: str, start: int) -> int:
    depth = 0
    for index in range(start, len(pattern)):
        if pattern[index] == "{":
            depth += 1
        elif pattern[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    return -1


def _split_top_level(body: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in body:
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        depth += ch == "{"
        depth -= ch == "}"
        current.append(ch)
    parts.append("".join(current))
    return parts
