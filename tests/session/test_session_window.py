"""The context manager: windows within budget, system prompt and pinned context kept."""

from __future__ import annotations

import json

import pytest
from conversations import turn
from hypothesis import given
from hypothesis import strategies as st

from tau_cli.core import Message, ModelCapabilities, TokenUsage, ToolCall, ToolDefinition
from tau_cli.session import (
    SUMMARY_PREFIX,
    CalibratedCounter,
    ContextBudget,
    ContextManager,
    Session,
    SessionStore,
    WindowTooSmall,
    orphans,
)

SYSTEM = Message.system("You are tau.")
MEMORY = Message.system("TAU.md: run tests with `make test`.")


def _session(turns: int, **sizes: int) -> Session:
    session = Session(cwd="/p")
    session.append(SYSTEM)
    for i in range(turns):
        session.extend(turn(i, **sizes))
    return session


def test_the_budget_is_the_window_minus_output_and_margin() -> None:
    budget = ContextBudget.for_model(
        ModelCapabilities(context_window=100_000, max_output_tokens=8000)
    )

    assert (budget.reserved_output, budget.safety_margin, budget.available) == (8000, 5000, 87000)
    with pytest.raises(ValueError, match="leaves no room"):
        ContextBudget(1000, reserved_output=900, safety_margin=100)


def test_a_window_that_fits_is_the_whole_conversation_with_pinned_context() -> None:
    session = _session(3)
    manager = ContextManager(ContextBudget(100_000))

    window = manager.build(session, pinned=[MEMORY])

    assert window.messages == [SYSTEM, MEMORY, *session.messages[1:]]
    assert window.trimmed == 0
    assert window.tokens == manager.counter.count_messages(window.messages)
    assert window.fill.percent == pytest.approx(100 * window.tokens / 100_000)


def test_tool_schemas_count_against_the_budget() -> None:
    session = _session(1)
    manager = ContextManager(ContextBudget(100_000))
    tool = ToolDefinition(name="bash", description="run a command " * 50)

    assert manager.build(session, tools=[tool]).tokens > manager.build(session).tokens


def test_reported_usage_corrects_the_next_windows_count() -> None:
    session = _session(3)
    manager = ContextManager(ContextBudget(100_000))
    window = manager.build(session)

    manager.calibrate(window, TokenUsage(prompt_tokens=window.tokens * 2, completion_tokens=9))

    assert manager.build(session).tokens == pytest.approx(window.tokens * 2, abs=2)


def test_an_over_budget_window_drops_oldest_turns_for_this_request_only() -> None:
    session = _session(40)
    manager = ContextManager(ContextBudget(3_000))

    window = manager.build(session, pinned=[MEMORY])

    assert window.tokens <= 3_000 < window.full_tokens
    assert window.messages[:2] == [SYSTEM, MEMORY]
    assert window.messages[2].role == "user"
    assert window.messages[-1] == session.messages[-1]
    assert orphans(window.messages) == []
    assert len(session) == 161


def test_a_window_that_cannot_fit_says_why() -> None:
    session = _session(0)
    session.extend(turn(0, result_size=20_000)[:3])  # the newest step is a huge result
    manager = ContextManager(ContextBudget(1_000))

    with pytest.raises(WindowTooSmall, match="budget is 1000"):
        manager.build(session)


def test_an_unanswered_call_is_answered_in_the_window() -> None:
    session = _session(1)
    call = ToolCall.from_raw("late", "bash", json.dumps({"command": "ls"}))
    session.append(Message.assistant("", [call]))

    window = ContextManager(ContextBudget(100_000)).build(session)

    assert window.messages[-1].tool_call_id == "late"
    assert orphans(window.messages) == []


async def test_reaching_the_threshold_compacts_and_records_it() -> None:
    session = _session(50)
    manager = ContextManager(ContextBudget(8_000), threshold=0.8, keep_ratio=0.5)

    window = await manager.prepare(session, pinned=[MEMORY])

    compaction = session.compaction
    assert compaction is not None and compaction.strategy == "truncation"
    assert compaction.tokens_after < compaction.tokens_before
    assert window.full_tokens == compaction.tokens_after
    assert window.tokens < 0.8 * 8_000
    assert session.messages[compaction.first_kept].role == "user"
    assert window.messages[:2] == [SYSTEM, MEMORY]


async def test_a_resumed_session_rebuilds_the_same_window() -> None:
    store = SessionStore()
    session = store.create("/p")
    session.append(SYSTEM)
    for i in range(50):
        session.extend(turn(i))
    manager = ContextManager(ContextBudget(8_000))
    before = await manager.prepare(session)
    session.close()
    assert session.compaction is not None

    resumed = store.resume(session.id).session

    assert manager.build(resumed).messages == before.messages


@st.composite
def _conversations(draw: st.DrawFn) -> tuple[list[Message], int]:
    messages = [SYSTEM]
    for i in range(draw(st.integers(0, 25))):
        parts = turn(i, result_size=draw(st.sampled_from([0, 100, 1000, 4000])))
        if draw(st.booleans()):
            parts = parts[:2]  # stopped after the call: its result is missing
        messages.extend(parts)
    largest_unit = max((len(m.text) for m in messages), default=0) // 2 + 200
    budget = draw(st.integers(largest_unit + 200, 20_000))
    return messages, budget


@given(_conversations())
def test_every_window_fits_its_budget_and_has_no_orphans(case: tuple[list[Message], int]) -> None:
    messages, budget = case
    session = Session(cwd="/p")
    session.extend(messages)
    manager = ContextManager(ContextBudget(budget), counter=CalibratedCounter())

    window = manager.build(session)

    assert window.tokens <= budget
    assert orphans(window.messages) == []
    assert window.messages[0] == SYSTEM
    if session.messages[-1].role != "assistant" or not session.messages[-1].tool_calls:
        assert window.messages[-1] == session.messages[-1]


def test_the_summary_follows_the_system_prompt() -> None:
    session = _session(6)
    session.record_compaction(strategy="manual", summary="we fixed mod1", first_kept=9)

    window = ContextManager(ContextBudget(100_000)).build(session, pinned=[MEMORY])

    assert window.messages[:3] == [SYSTEM, MEMORY, Message.system(SUMMARY_PREFIX + "we fixed mod1")]
    assert window.messages[3:] == list(session.messages[9:])
