"""The fuzzy match completion lists rank with (files, commands), in the TUI and the REPL.

Pure and dependency-free, so a front end may import it without the rest of the runtime.
"""

from __future__ import annotations

from collections.abc import Iterable


def fuzzy_score(query: str, candidate: str) -> float | None:
    """How well ``candidate`` matches ``query`` typed in order (None: it does not).

    Every query character must appear in order (case-insensitive). Matches at the
    start of a path part, right after the previous one, and in the file's own name
    score higher; shorter candidates win ties. Good enough to put ``src/calc.py``
    first for ``calc`` or ``scp``.
    """
    if not query:
        return 0.0
    text = candidate.lower()
    wanted = query.lower()
    name_start = text.rfind("/") + 1
    score = 0.0
    at = -1
    for char in wanted:
        found = text.find(char, at + 1)
        if found < 0:
            return None
        if found == at + 1:
            score += 3  # consecutive
        if found == 0 or text[found - 1] in "/._-":
            score += 4  # start of a word or path part
        if found >= name_start:
            score += 2  # in the file name itself
        at = found
    if text[name_start:].startswith(wanted):
        score += 10
    return score - len(candidate) / 100


def fuzzy_filter(query: str, candidates: Iterable[str], limit: int = 50) -> list[str]:
    """The ``limit`` best matches of ``query``, best first."""
    scored = [(s, c) for c in candidates if (s := fuzzy_score(query, c)) is not None]
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [c for _, c in scored[:limit]]
