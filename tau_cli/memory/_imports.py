"""Finding ``@path`` imports in a memory file.

An import is ``@`` followed by something that looks like a file path, standing at the
start of a line or after whitespace: ``@docs/style.md``, ``@./notes.txt``,
``@~/shared.md``. Mentions (``@alice``), e-mail addresses and anything inside code
(fenced blocks or inline backticks) are not imports, so prose and examples are safe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CANDIDATE = re.compile(r"(?:^|(?<=\s))@(\S+)")
_PATHLIKE = re.compile(r"^(?:~/|\.{1,2}/|/)?[\w.\-/]+$")
_HAS_EXTENSION = re.compile(r"\.[A-Za-z0-9]+$")
_INLINE_CODE = re.compile(r"`+[^`]*`+")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_TRAILING_PUNCTUATION = ".,;:!?)]}'\""


@dataclass(frozen=True)
class ImportRef:
    """One ``@path`` reference: the text after ``@`` and its 1-based line."""

    target: str
    line: int


def find_imports(text: str) -> list[ImportRef]:
    """Every import in ``text``, in order of appearance."""
    refs: list[ImportRef] = []
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        opened = _FENCE.match(line)
        if opened:
            marker = opened.group(1)
            if fence is None:
                fence = marker
            elif marker == fence:
                fence = None
            continue
        if fence is not None:
            continue
        for match in _CANDIDATE.finditer(_INLINE_CODE.sub(" ", line)):
            target = match.group(1).rstrip(_TRAILING_PUNCTUATION)
            if _is_path(target):
                refs.append(ImportRef(target, number))
    return refs


def _is_path(target: str) -> bool:
    if not target or not _PATHLIKE.match(target):
        return False
    return "/" in target or bool(_HAS_EXTENSION.search(target))
