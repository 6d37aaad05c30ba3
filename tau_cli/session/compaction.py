"""Compaction strategies: how the old part of a conversation leaves the window.

Each strategy decides a cut (messages before it leave the window) and the summary
that stands in for them. Cuts come from one helper that never separates a tool call
from its results. Strategies are swappable behind ``CompactionStrategy``:

- ``Truncation`` drops the oldest whole turns and keeps any earlier summary as is.
- ``SlidingWindow`` drops the same way and folds what left into a rolling summary
  built from the transcript (requests, tool calls, failures), with no model call.
- ``ToolResultClearing`` keeps every message but shows old, large tool results as
  a stub that says how to run the tool again.
- ``Summarization`` asks a model (the ``summarizer`` passed in, never imported)
  to summarize what left, with a prompt that keeps requirements, decisions, errors
  and open tasks.

Sliding window and summarization always add the files touched and the open todo
items, computed from the transcript rather than left to a model's memory.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from tau_cli.core import Message, TokenCounter, ToolCall
from tau_cli.session._cuts import choose_cut
from tau_cli.session.digest import carried_facts, digest_lines
from tau_cli.session.repair import repaired

Summarizer = Callable[[Sequence[Message], str], Awaitable[str]]
"""Summarizes ``messages`` following ``instructions``; a model call in practice."""

COMPACTION_PROMPT = """\
Summarize the conversation above so the work can continue without it. Keep:
- every requirement and constraint the user stated, in their words where it matters;
- decisions made and why, including approaches that were tried and rejected;
- errors met and how they were resolved (or that they were not);
- the current state of the work and the open tasks, in order.
Be concise and factual. Do not invent details. Write for yourself, not the user."""

_ROLLING_HEADER = "Earlier in this conversation (oldest first):"


@dataclass(frozen=True)
class CompactionRequest:
    """What a strategy gets to work with.

    Attributes:
        messages: The conversation still in the window (after the system prompt
            and any earlier compaction), with cleared results already stubbed.
        earlier: Everything an earlier compaction already took out of the window.
        previous_summary: The summary that currently stands in for ``earlier``.
        keep_tokens: The kept part of ``messages`` must fit this (whole turns
            permitting).
        counter: How tokens are counted.
        focus: The user's instructions from ``/compact <focus>``, if any.
        cleared: Tool calls whose results an earlier compaction already cleared.
    """

    messages: Sequence[Message]
    earlier: Sequence[Message]
    previous_summary: str
    keep_tokens: int
    counter: TokenCounter
    focus: str | None = None
    cleared: tuple[str, ...] = ()


@dataclass(frozen=True)
class Compaction:
    """A strategy's decision: ``messages[:cut]`` leave, ``summary`` stands in for them,
    and the results of the ``cleared`` tool calls are shown as a stub."""

    cut: int
    summary: str
    cleared: tuple[str, ...] = ()


class CompactionStrategy(Protocol):
    """One way of shrinking the window; ``name`` is recorded in the transcript."""

    name: str
    summary_tokens: int
    """The most tokens its summary may take."""

    async def compact(self, request: CompactionRequest) -> Compaction: ...


class Truncation:
    """Drop the oldest whole turns; nothing is summarized."""

    name = "truncation"

    def __init__(self, summary_tokens: int = 0) -> None:
        self.summary_tokens = summary_tokens

    async def compact(self, request: CompactionRequest) -> Compaction:
        cut = choose_cut(request.messages, request.counter, request.keep_tokens)
        return Compaction(cut, request.previous_summary)


class SlidingWindow:
    """Keep the newest turns; fold older ones into a rolling, model-free summary.

    Args:
        summary_tokens: The rolling summary's ceiling; its oldest lines go first.
    """

    name = "sliding_window"

    def __init__(self, summary_tokens: int = 1_500) -> None:
        self.summary_tokens = summary_tokens

    async def compact(self, request: CompactionRequest) -> Compaction:
        cut = choose_cut(request.messages, request.counter, request.keep_tokens)
        dropped = request.messages[:cut]
        lines = _rolling_lines(request.previous_summary) + digest_lines(dropped)
        facts = carried_facts([*request.earlier, *dropped])
        count = request.counter.count_text
        total = count(_rolling(lines, facts))
        line_costs = [count(line) + 1 for line in lines]
        while lines and total > self.summary_tokens:
            lines.pop(0)
            total -= line_costs.pop(0)
        while lines and count(_rolling(lines, facts)) > self.summary_tokens:
            lines.pop(0)  # the per-line sum is an estimate; make sure
        return Compaction(cut, _rolling(lines, facts))


class ToolResultClearing:
    """Replace old tool results of at least ``min_tokens`` with a re-run stub.

    Tool output is usually the bulk of a coding session and the cheapest to get
    back: the model can run the tool again. Results in the newest half of
    ``keep_tokens`` stay as they are (the other half is room for the stubbed older
    turns). Only if the conversation is still over ``keep_tokens`` with the stubs
    in place are the oldest whole turns dropped too, so compaction makes progress
    instead of repeating every turn.
    """

    name = "tool_result_clearing"

    def __init__(self, min_tokens: int = 200) -> None:
        self.min_tokens = min_tokens
        self.summary_tokens = 0

    async def compact(self, request: CompactionRequest) -> Compaction:
        counter = request.counter
        recent = choose_cut(request.messages, counter, request.keep_tokens // 2)
        cleared = list(request.cleared)
        for message in request.messages[:recent]:
            if (
                message.role == "tool"
                and message.tool_call_id not in cleared
                and counter.count_messages([message]) >= self.min_tokens
            ):
                cleared.append(message.tool_call_id or "")
        calls = {c.id: c for m in request.messages for c in m.tool_calls}
        visible = [
            cleared_stub(m, calls.get(m.tool_call_id or ""))
            if m.role == "tool" and m.tool_call_id in cleared
            else m
            for m in request.messages
        ]
        cut = 0
        if counter.count_messages(visible) > request.keep_tokens:
            cut = choose_cut(visible, counter, request.keep_tokens)
        return Compaction(cut, request.previous_summary, tuple(cleared))


def cleared_stub(result: Message, call: ToolCall | None) -> Message:
    """What the window shows instead of a cleared tool result."""
    name = call.name if call is not None else (result.name or "the tool")
    how = f"call {name} again"
    if call is not None:
        arguments = call.raw_arguments or json.dumps(call.arguments)
        how += f" with {arguments}"
    text = f"[This result was cleared to save context. To see it again, {how}.]"
    return result.model_copy(update={"content": text})


class Summarization:
    """Have a model summarize what leaves the window.

    Args:
        summarizer: The model call, passed in by whoever wires tau together.
        instructions: The compaction prompt; ``focus`` from ``/compact`` is added.
        summary_tokens: The summary is cut to this if the model writes more.
    """

    name = "summarization"

    def __init__(
        self,
        summarizer: Summarizer,
        *,
        instructions: str = COMPACTION_PROMPT,
        summary_tokens: int = 4_000,
    ) -> None:
        self._summarizer = summarizer
        self._instructions = instructions
        self.summary_tokens = summary_tokens

    async def compact(self, request: CompactionRequest) -> Compaction:
        cut = choose_cut(request.messages, request.counter, request.keep_tokens)
        dropped = request.messages[:cut]
        if not dropped:
            return Compaction(0, request.previous_summary)
        source: list[Message] = []
        if request.previous_summary:
            source.append(Message.user(f"Summary of what came before:\n{request.previous_summary}"))
        source.extend(repaired(dropped))
        instructions = self._instructions
        if request.focus:
            instructions += f"\n\nThe user asks the summary to focus on: {request.focus}"
        summary = (await self._summarizer(source, instructions)).strip()
        facts = carried_facts([*request.earlier, *dropped])
        room = max(0, self.summary_tokens - request.counter.count_text(facts))
        summary = _clip_to_tokens(summary, request.counter, room)
        return Compaction(cut, "\n\n".join(part for part in (summary, facts) if part))


def _clip_to_tokens(text: str, counter: TokenCounter, limit: int) -> str:
    """The longest prefix of ``text`` (plus a marker) that fits ``limit`` tokens."""
    if counter.count_text(text) <= limit:
        return text
    marker = " […summary cut to fit]"
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if counter.count_text(text[:mid] + marker) <= limit:
            low = mid
        else:
            high = mid - 1
    return text[:low] + marker if low else ""


def _rolling_lines(summary: str) -> list[str]:
    if not summary.startswith(_ROLLING_HEADER):
        return [f"- {line}" for line in summary.splitlines() if line.strip()][:20]
    block = summary[len(_ROLLING_HEADER) :].split("\n\n", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def _rolling(lines: list[str], facts: str) -> str:
    parts = [_ROLLING_HEADER + "\n" + "\n".join(lines)] if lines else []
    if facts:
        parts.append(facts)
    return "\n\n".join(parts)
