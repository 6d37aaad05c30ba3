"""Split streaming markdown into blocks that will not change again.

Rendering markdown is the expensive part of showing a model's answer. A block
(a paragraph, a list, a fenced code block, a heading) that is followed by a
blank line outside a code fence is finished: later text cannot change how it
renders. So the TUI renders each finished block once and keeps re-rendering
only the unfinished tail.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def _fence_marker(line: str) -> str | None:
    stripped = line.lstrip()
    if len(line) - len(stripped) > 3:
        return None
    for mark in ("```", "~~~"):
        if stripped.startswith(mark):
            return mark
    return None


@dataclass
class BlockSplitter:
    """Feeds on text as it arrives and hands out finished blocks.

    Only whole lines are examined, and each line once: the cost of a delta is the
    length of the delta, not of the answer so far.
    """

    _pending: list[str] = field(default_factory=list)
    """Whole lines of the block being built."""
    _partial: str = ""
    """The last line, not yet ended by a newline."""
    _fence: str | None = None

    def feed(self, text: str) -> list[str]:
        """Add ``text``; returns the blocks it finished, oldest first."""
        finished: list[str] = []
        data = self._partial + text
        lines = data.split("\n")
        self._partial = lines.pop()
        for line in lines:
            block = self._take(line)
            if block is not None:
                finished.append(block)
        return finished

    def _take(self, line: str) -> str | None:
        marker = _fence_marker(line)
        if self._fence is not None:
            self._pending.append(line)
            if marker == self._fence and line.strip() == marker:
                self._fence = None
                return self._flush()
            return None
        if marker is not None:
            before = self._flush() if self._pending else None
            self._pending.append(line)
            self._fence = marker
            return before
        if not line.strip():
            return self._flush() if self._pending else None
        self._pending.append(line)
        return None

    def _flush(self) -> str | None:
        block = "\n".join(self._pending)
        self._pending = []
        return block or None

    @property
    def tail(self) -> str:
        """The unfinished block as it reads now."""
        lines = [*self._pending, self._partial] if self._partial else self._pending
        return "\n".join(lines)

    def finish(self) -> str | None:
        """The stream ended: the tail is a finished block too."""
        tail = self.tail.strip("\n")
        self._pending, self._partial, self._fence = [], "", None
        return tail or None
