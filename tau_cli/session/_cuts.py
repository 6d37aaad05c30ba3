"""Where a conversation may be cut without splitting a tool call from its results."""

from __future__ import annotations

from collections.abc import Sequence

from tau_cli.core import Message, TokenCounter


def choose_cut(messages: Sequence[Message], counter: TokenCounter, keep_tokens: int) -> int:
    """The smallest index whose suffix fits ``keep_tokens``, dropping whole turns if possible.

    A cut never lands on a tool message, so an assistant's calls and their results
    stay together. Turn starts (user messages) are preferred; if even the newest turn
    is too big, any unit boundary will do; the last unit is always kept, so the
    result can still exceed ``keep_tokens`` when that unit alone does.
    """
    n = len(messages)
    suffix = [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        suffix[i] = suffix[i + 1] + counter.count_messages([messages[i]])
    units = [i for i in range(n) if messages[i].role != "tool"]
    if not units:
        return 0
    turns = [i for i in units if messages[i].role == "user"]
    for candidates in (turns, units):
        for i in candidates:
            if suffix[i] <= keep_tokens:
                return i
    return units[-1]
