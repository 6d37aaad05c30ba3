"""Keeping tool output within what a context window can afford.

A model learns the most from the start of an output (what ran, headers) and its
end (the error, the summary), so the middle is cut, and the note says how much
and how to see it.
"""

from __future__ import annotations

DEFAULT_MAX_CHARS = 30_000

_HINT = (
    "to see it, ask for less at a time (read with offset/limit, grep for the part you "
    "need, or pipe a command through head, tail or grep)"
)


def cut_middle(text: str, max_chars: int = DEFAULT_MAX_CHARS, hint: str = _HINT) -> str:
    """``text`` unchanged if it fits, else its head and tail around a note on the cut.

    Cuts fall on line boundaries where one is near, so no line is shown half.
    """
    if len(text) <= max_chars:
        return text
    half = max_chars // 2
    head = text[:half]
    tail = text[len(text) - half :]
    newline = head.rfind("\n")
    if newline > half // 2:
        head = head[: newline + 1]
    newline = tail.find("\n")
    if 0 <= newline < half // 2:
        tail = tail[newline + 1 :]
    cut = text[len(head) : len(text) - len(tail)]
    lines = cut.count("\n")
    note = f"\n[... {len(cut):,} characters ({lines:,} lines) cut from the middle; {hint} ...]\n"
    return head.rstrip("\n") + note + tail
