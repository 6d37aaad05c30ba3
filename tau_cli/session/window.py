"""The context manager: each request's window, inside the budget, compacted when due.

budget = context window - reserved output - safety margin. A window is the
session's leading system messages, then the pinned messages (bootstrap memory,
pinned facts: rebuilt into every window, never compacted), then the summary of a
recorded compaction, then the conversation after it, repaired so no tool call is
left without its result. When the window reaches ``threshold`` of the budget,
``prepare`` compacts with the configured strategy and records the compaction in
the session, so a resumed session rebuilds the same window. If a window is still
too big (a huge tool result), the oldest whole turns are left out of that one
request without touching the session.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from tau_cli.core import (
    Message,
    ModelCapabilities,
    TauError,
    TokenCounter,
    TokenUsage,
    ToolDefinition,
)
from tau_cli.session._cuts import choose_cut
from tau_cli.session._entries import CompactionEntry
from tau_cli.session.compaction import (
    CompactionRequest,
    CompactionStrategy,
    Truncation,
    cleared_stub,
)
from tau_cli.session.errors import SessionError
from tau_cli.session.repair import repaired
from tau_cli.session.session import Session
from tau_cli.session.tokens import CalibratedCounter

SUMMARY_PREFIX = "Summary of the conversation so far (older messages were compacted):\n\n"


class WindowTooSmall(SessionError):
    """Even the system prompt, pinned context and the newest step do not fit."""


@dataclass(frozen=True)
class ContextBudget:
    """How many prompt tokens a request may use.

    Attributes:
        context_window: What the model attends to, prompt and answer together.
        reserved_output: Kept free for the answer.
        safety_margin: Slack for estimation error.
    """

    context_window: int
    reserved_output: int = 0
    safety_margin: int = 0

    def __post_init__(self) -> None:
        if self.available <= 0:
            raise ValueError(
                f"a context window of {self.context_window} leaves no room after reserving "
                f"{self.reserved_output} output and {self.safety_margin} margin tokens"
            )

    @property
    def available(self) -> int:
        return self.context_window - self.reserved_output - self.safety_margin

    @classmethod
    def for_model(
        cls,
        capabilities: ModelCapabilities,
        *,
        default_output: int = 8_192,
        margin_ratio: float = 0.05,
    ) -> ContextBudget:
        """The budget of a configured model: its output limit reserved, 5% margin."""
        window = capabilities.context_window
        output = capabilities.max_output_tokens or default_output
        output = min(output, window // 4)
        return cls(window, output, int(window * margin_ratio))


@dataclass(frozen=True)
class ContextFill:
    """How full a request's window is, for UIs to show with every turn."""

    tokens: int
    available: int
    context_window: int

    @property
    def percent(self) -> float:
        return 100.0 * self.tokens / self.available


@dataclass(frozen=True)
class Window:
    """The messages of one request and what they cost.

    Attributes:
        messages: Ready to send.
        tokens: Their count, tools included.
        full_tokens: What the window would have cost without ``trimmed``.
        trimmed: Oldest messages left out of this request only (the session keeps
            them) because it was over budget even after compaction.
    """

    messages: list[Message]
    tokens: int
    full_tokens: int
    trimmed: int
    fill: ContextFill
    compaction_error: str | None = None
    """Why a due automatic compaction did not happen, for the UI to show."""


class ContextManager:
    """Builds windows within a budget and compacts a session when it fills up.

    Args:
        budget: The request budget.
        counter: Token counting; a ``CalibratedCounter`` over core's estimator if
            not given.
        strategy: How to compact (``Truncation`` if not given).
        threshold: Fill ratio (of ``budget.available``) that triggers compaction.
        keep_ratio: After compaction, the kept conversation targets this share of
            the budget, leaving room for the summary and for the next turns.
    """

    def __init__(
        self,
        budget: ContextBudget,
        *,
        counter: TokenCounter | None = None,
        strategy: CompactionStrategy | None = None,
        threshold: float = 0.8,
        keep_ratio: float = 0.5,
    ) -> None:
        if not 0 < keep_ratio < threshold <= 1:
            raise ValueError("need 0 < keep_ratio < threshold <= 1")
        self.budget = budget
        self.counter: TokenCounter = counter if counter is not None else CalibratedCounter()
        self.strategy: CompactionStrategy = strategy if strategy is not None else Truncation()
        self.threshold = threshold
        self.keep_ratio = keep_ratio

    def build(
        self,
        session: Session,
        *,
        pinned: Sequence[Message] = (),
        tools: Sequence[ToolDefinition] = (),
    ) -> Window:
        """The window for the next request; never over budget, never an orphan."""
        head, body = self._split(session)
        fixed = [*head, *pinned, *self._summary(session)]
        fixed_tokens = self.counter.count_messages(fixed) + self.counter.count_tools(tools)
        body = self._visible(session, body)
        full = fixed_tokens + self.counter.count_messages(body)
        trimmed = 0
        if full > self.budget.available:
            trimmed = choose_cut(body, self.counter, self.budget.available - fixed_tokens)
            body = body[trimmed:]
        tokens = fixed_tokens + self.counter.count_messages(body)
        if tokens > self.budget.available:
            raise WindowTooSmall(
                f"the request needs {tokens} tokens but the budget is "
                f"{self.budget.available}: the system prompt, pinned context and the newest "
                "step alone do not fit; use a model with a larger context window"
            )
        fill = ContextFill(tokens, self.budget.available, self.budget.context_window)
        return Window([*fixed, *body], tokens, full, trimmed, fill)

    def calibrate(
        self, window: Window, usage: TokenUsage, tools: Sequence[ToolDefinition] = ()
    ) -> None:
        """Correct later estimates with the prompt tokens the provider counted for
        ``window`` (sent with ``tools``); a no-op unless the counter calibrates."""
        if isinstance(self.counter, CalibratedCounter):
            self.counter.calibrate(usage.prompt_tokens, window.messages, tools)

    def needs_compaction(self, window: Window) -> bool:
        return window.full_tokens >= self.threshold * self.budget.available

    async def prepare(
        self,
        session: Session,
        *,
        pinned: Sequence[Message] = (),
        tools: Sequence[ToolDefinition] = (),
    ) -> Window:
        """Build the window, compacting first if it has reached the threshold.

        A compaction that fails with a ``TauError`` (the summarizer's model call
        failed, say) does not fail the turn: the window is built without it, over
        budget turns trimmed for this request, and ``compaction_error`` says why.
        """
        window = self.build(session, pinned=pinned, tools=tools)
        if not self.needs_compaction(window):
            return window
        try:
            await self.compact(session, pinned=pinned, tools=tools)
        except TauError as exc:
            return replace(window, compaction_error=f"{type(exc).__name__}: {exc}")
        return self.build(session, pinned=pinned, tools=tools)

    async def compact(
        self,
        session: Session,
        *,
        pinned: Sequence[Message] = (),
        tools: Sequence[ToolDefinition] = (),
        focus: str | None = None,
        strategy: CompactionStrategy | None = None,
    ) -> CompactionEntry | None:
        """Compact now (``/compact [focus]``); records and returns the compaction.

        Returns None when there was nothing old enough to compact.
        """
        strategy = strategy if strategy is not None else self.strategy
        head, body = self._split(session)
        start = len(session) - len(body)
        fixed = self.counter.count_messages([*head, *pinned]) + self.counter.count_tools(tools)
        before = self.build(session, pinned=pinned, tools=tools).full_tokens
        keep = max(0, int(self.keep_ratio * self.budget.available) - fixed)
        previous = session.compaction
        request = CompactionRequest(
            messages=_with_stubs(body, set(previous.cleared) if previous is not None else set()),
            earlier=session.messages[len(head) : start],
            previous_summary=previous.summary if previous is not None else "",
            keep_tokens=keep,
            counter=self.counter,
            focus=focus,
            cleared=tuple(previous.cleared) if previous is not None else (),
        )
        result = await strategy.compact(request)
        if result.cut < len(body) and body[result.cut].role == "tool":
            raise ValueError(f"{strategy.name} cut between a tool call and its result")
        kept = body[max(result.cut, 0) :]
        kept_ids = {m.tool_call_id for m in kept if m.role == "tool"}
        cleared = [c for c in dict.fromkeys([*request.cleared, *result.cleared]) if c in kept_ids]
        if result.cut <= 0 and set(cleared) <= set(request.cleared):
            return None
        summary = [Message.system(SUMMARY_PREFIX + result.summary)] if result.summary else []
        after = (
            fixed
            + self.counter.count_messages(summary)
            + self.counter.count_messages(_with_stubs(repaired(kept), set(cleared)))
        )
        return session.record_compaction(
            strategy=strategy.name,
            summary=result.summary,
            first_kept=start + max(result.cut, 0),
            tokens_before=before,
            tokens_after=after,
            cleared=cleared,
        )

    def _split(self, session: Session) -> tuple[list[Message], list[Message]]:
        """The leading system messages, and the conversation still in the window."""
        messages = session.messages
        head_length = 0
        while head_length < len(messages) and messages[head_length].role == "system":
            head_length += 1
        start = head_length
        if session.compaction is not None:
            start = max(start, session.compaction.first_kept)
        return list(messages[:head_length]), list(messages[start:])

    def _visible(self, session: Session, body: list[Message]) -> list[Message]:
        """The conversation as the model sees it: repaired, cleared results stubbed."""
        cleared = set(session.compaction.cleared) if session.compaction is not None else set()
        return _with_stubs(repaired(body), cleared)

    def _summary(self, session: Session) -> list[Message]:
        if session.compaction is None or not session.compaction.summary:
            return []
        return [Message.system(SUMMARY_PREFIX + session.compaction.summary)]


def _with_stubs(messages: list[Message], cleared: set[str]) -> list[Message]:
    if not cleared:
        return messages
    calls = {c.id: c for m in messages for c in m.tool_calls}
    return [
        cleared_stub(m, calls.get(m.tool_call_id or ""))
        if m.role == "tool" and m.tool_call_id in cleared
        else m
        for m in messages
    ]
