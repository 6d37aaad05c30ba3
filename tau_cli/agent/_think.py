"""Reasoning inside ``<think>…</think>`` in the answer text (Qwen3, DeepSeek-R1 style).

Some OpenAI-compatible servers pass the model's raw output through, so its
reasoning arrives as content wrapped in think tags. The splitter moves it to
reasoning deltas as the stream flows, even when a tag is split across chunks. Only
a block at the very start of the answer counts: a ``<think>`` later in the text is
the model talking about tags, and stays text.
"""

from __future__ import annotations

from tau_cli.core import ReasoningDelta, StreamEvent, TextDelta

_OPEN = "<think>"
_CLOSE = "</think>"


class ThinkSplitter:
    def __init__(self) -> None:
        self._state = "start"  # start -> opened -> thinking -> after -> text, or start -> text
        self._held = ""

    def feed(self, text: str) -> list[StreamEvent]:
        self._held += text
        out: list[StreamEvent] = []
        if self._state == "start":
            stripped = self._held.lstrip()
            if stripped.startswith(_OPEN):
                self._state = "opened"
                self._held = stripped[len(_OPEN) :]
            elif _OPEN.startswith(stripped):
                return out  # could still become "<think>"
            else:
                self._state = "text"
        if self._state == "opened":
            # Line breaks right after <think> are framing, not reasoning.
            self._held = self._held.lstrip("\n")
            if not self._held:
                return out
            self._state = "thinking"
        if self._state == "thinking":
            end = self._held.find(_CLOSE)
            if end < 0:
                cut = len(self._held) - _partial_suffix(self._held, _CLOSE)
                reasoning, self._held = self._held[:cut], self._held[cut:]
                if reasoning:
                    out.append(ReasoningDelta(text=reasoning))
                return out
            if self._held[:end]:
                out.append(ReasoningDelta(text=self._held[:end]))
            self._held = self._held[end + len(_CLOSE) :]
            self._state = "after"
        if self._state == "after":
            # So are the line breaks after </think>.
            self._held = self._held.lstrip("\n")
            if not self._held:
                return out
            self._state = "text"
        if self._state == "text" and self._held:
            out.append(TextDelta(text=self._held))
            self._held = ""
        return out

    def flush(self) -> list[StreamEvent]:
        """Whatever is still held when the stream ends."""
        held, self._held = self._held, ""
        if not held:
            return []
        if self._state == "thinking":
            return [ReasoningDelta(text=held)]
        return [TextDelta(text=held)]


def _partial_suffix(text: str, tag: str) -> int:
    """Length of the longest end of ``text`` that begins ``tag``."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if tag.startswith(text[-size:]):
            return size
    return 0
