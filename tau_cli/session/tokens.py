"""Token accounting: core's estimate, corrected by what the provider reports.

The default estimator is deliberately pessimistic and knows no model's tokenizer.
After each request the provider reports the exact prompt size; the ratio between
that and our estimate of the same request becomes a correction factor (smoothed,
and clamped so one odd report cannot make the budget meaningless), so later
estimates track the real model. A model-specific counter can be used as the base.

Windows are rebuilt before every request from mostly the same messages, so the
base count of each message is remembered (messages are immutable).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from tau_cli.core import EstimatingTokenCounter, Message, TokenCounter, ToolDefinition

_CACHE_LIMIT = 100_000


class CalibratedCounter:
    """A ``TokenCounter`` whose counts are scaled by observed provider usage.

    Args:
        base: The counter being corrected (core's estimator by default).
        smoothing: Weight of the newest observation (1.0 trusts only the last one).
        bounds: The correction factor never leaves this range.
    """

    def __init__(
        self,
        base: TokenCounter | None = None,
        *,
        smoothing: float = 0.5,
        bounds: tuple[float, float] = (0.25, 4.0),
    ) -> None:
        if not 0 < smoothing <= 1:
            raise ValueError("smoothing must be in (0, 1]")
        self.base: TokenCounter = base if base is not None else EstimatingTokenCounter()
        self.factor = 1.0
        self._smoothing = smoothing
        self._low, self._high = bounds
        self.observations = 0
        self._cache: dict[int, tuple[Message, int]] = {}

    def count_text(self, text: str) -> int:
        return self._scaled(self.base.count_text(text))

    def count_messages(self, messages: Sequence[Message]) -> int:
        return self._scaled(sum(self._base_count(m) for m in messages))

    def count_tools(self, tools: Sequence[ToolDefinition]) -> int:
        return self._scaled(self.base.count_tools(tools))

    def calibrate(
        self,
        reported_prompt_tokens: int,
        messages: Sequence[Message],
        tools: Sequence[ToolDefinition] = (),
    ) -> None:
        """Learn from one request: ``messages`` and ``tools`` cost ``reported_prompt_tokens``."""
        estimated = sum(self._base_count(m) for m in messages) + self.base.count_tools(tools)
        if estimated <= 0 or reported_prompt_tokens <= 0:
            return
        ratio = reported_prompt_tokens / estimated
        if self.observations == 0:
            blended = ratio
        else:
            blended = self._smoothing * ratio + (1 - self._smoothing) * self.factor
        self.factor = min(self._high, max(self._low, blended))
        self.observations += 1

    def _base_count(self, message: Message) -> int:
        cached = self._cache.get(id(message))
        if cached is not None and cached[0] is message:
            return cached[1]
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        count = self.base.count_messages([message])
        self._cache[id(message)] = (message, count)
        return count

    def _scaled(self, tokens: int) -> int:
        return math.ceil(tokens * self.factor) if tokens else 0
