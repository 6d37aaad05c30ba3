"""Counting tokens without a tokenizer.

Exact tokenizers need vocabulary files that are downloaded at run time, which an
offline machine cannot do, and every model family has its own. Compaction needs a
safe estimate, not an exact count, so the default counter errs high: about four
ASCII characters per token, one token per non-ASCII character, and fixed costs for
message framing, tool calls and images. Providers report exact usage after each
call; the session corrects its running total with those figures.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from tau_cli.core.messages import ImagePart, Message, ReasoningPart, TextPart
from tau_cli.core.tool_definition import ToolDefinition

MESSAGE_OVERHEAD = 4
"""Tokens a chat format spends framing one message (role markers, separators)."""
IMAGE_TOKENS = 1_000
"""A deliberately high flat cost for one image; real costs depend on size and provider."""


@runtime_checkable
class TokenCounter(Protocol):
    """Counts tokens for context budgeting; model-specific counters can replace it."""

    def count_text(self, text: str) -> int: ...

    def count_messages(self, messages: Sequence[Message]) -> int: ...

    def count_tools(self, tools: Sequence[ToolDefinition]) -> int: ...


class EstimatingTokenCounter:
    """The default counter: a conservative character-based estimate."""

    def __init__(self, ascii_chars_per_token: float = 4.0) -> None:
        if ascii_chars_per_token <= 0:
            raise ValueError("ascii_chars_per_token must be positive")
        self._per_token = ascii_chars_per_token

    def count_text(self, text: str) -> int:
        if not text:
            return 0
        if text.isascii():
            return math.ceil(len(text) / self._per_token)
        ascii_chars = len(text.encode("ascii", "ignore"))
        return math.ceil(ascii_chars / self._per_token) + (len(text) - ascii_chars)

    def count_messages(self, messages: Sequence[Message]) -> int:
        return sum(self._count_message(m) for m in messages)

    def count_tools(self, tools: Sequence[ToolDefinition]) -> int:
        return sum(
            MESSAGE_OVERHEAD
            + self.count_text(t.name)
            + self.count_text(t.description)
            + self.count_text(json.dumps(t.parameters, separators=(",", ":")))
            for t in tools
        )

    def _count_message(self, message: Message) -> int:
        total = MESSAGE_OVERHEAD
        for part in message.parts:
            if isinstance(part, TextPart | ReasoningPart):
                total += self.count_text(part.text)
            elif isinstance(part, ImagePart):
                total += IMAGE_TOKENS
        for call in message.tool_calls:
            total += MESSAGE_OVERHEAD + self.count_text(call.name)
            total += self.count_text(call.raw_arguments or json.dumps(call.arguments))
        return total
