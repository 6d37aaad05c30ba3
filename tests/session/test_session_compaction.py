"""Compaction strategies: each keeps the system prompt and newest turns, and fits."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest
from conversations import turn

from tau_cli.core import Message, ProviderError, ToolCall, ToolResult
from tau_cli.session import (
    COMPACTION_PROMPT,
    SUMMARY_PREFIX,
    CompactionStrategy,
    ContextBudget,
    ContextManager,
    Session,
    SessionStore,
    SlidingWindow,
    Summarization,
    ToolResultClearing,
    Truncation,
    files_touched,
    open_todos,
    orphans,
)

SYSTEM = Message.system("You are tau.")
MEMORY = Message.system("Pinned: the user prefers pytest.")


class RecordingSummarizer:
    """A summarizer that writes a short, checkable summary and keeps what it was sent."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[Message], str]] = []

    async def __call__(self, messages: Sequence[Message], instructions: str) -> str:
        self.calls.append((list(messages), instructions))
        requests = [m.text.split(":")[0] for m in messages if m.role == "user"]
        return f"The user made {len(requests)} requests, last {requests[-1]!r}."


def _session(turns: int) -> Session:
    session = Session(cwd="/p")
    session.append(SYSTEM)
    for i in range(turns):
        session.extend(turn(i))
    return session


async def test_truncation_drops_whole_oldest_turns() -> None:
    session = _session(60)
    manager = ContextManager(ContextBudget(8_000), strategy=Truncation())

    entry = await manager.compact(session)

    assert entry is not None and entry.summary == ""
    assert session.messages[entry.first_kept].role == "user"
    window = manager.build(session)
    assert window.messages[0] == SYSTEM
    assert window.messages[-1] == session.messages[-1]
    assert window.tokens <= 0.5 * 8_000


async def test_the_sliding_window_keeps_a_rolling_digest_of_what_left() -> None:
    session = _session(60)
    manager = ContextManager(ContextBudget(8_000), strategy=SlidingWindow(summary_tokens=600))

    first = await manager.compact(session)
    for i in range(60, 90):
        session.extend(turn(i))
    second = await manager.compact(session)

    assert first is not None and second is not None
    for entry in (first, second):
        assert manager.counter.count_text(entry.summary) <= 600
        assert f"The user asked: request {_last_dropped(session, entry.first_kept)}:" in (
            entry.summary
        )
        assert "Called edit_file" in entry.summary
        assert "request 0:" not in entry.summary, "the oldest lines rolled out"
        assert "Files touched so far:\n- src/mod0.py" in entry.summary


def _last_dropped(session: Session, first_kept: int) -> int:
    users = [m for m in session.messages[:first_kept] if m.role == "user"]
    return int(users[-1].text.split(":")[0].split()[1])


async def test_summarization_replaces_the_middle_with_the_models_summary() -> None:
    session = _session(60)
    summarizer = RecordingSummarizer()
    manager = ContextManager(ContextBudget(8_000), strategy=Summarization(summarizer))

    entry = await manager.compact(session, pinned=[MEMORY], focus="the database migration")

    assert entry is not None
    ((sent, instructions),) = summarizer.calls
    assert sent == list(session.messages[1 : entry.first_kept])
    assert instructions.startswith(COMPACTION_PROMPT)
    assert instructions.endswith("focus on: the database migration")
    window = manager.build(session, pinned=[MEMORY])
    summary = window.messages[2]
    assert window.messages[:2] == [SYSTEM, MEMORY]
    assert summary.text.startswith(SUMMARY_PREFIX + "The user made")
    assert window.messages[3:] == list(session.messages[entry.first_kept :])


async def test_a_second_summary_builds_on_the_first() -> None:
    session = _session(60)
    summarizer = RecordingSummarizer()
    manager = ContextManager(ContextBudget(8_000), strategy=Summarization(summarizer))
    first = await manager.compact(session)
    for i in range(60, 100):
        session.extend(turn(i))

    await manager.compact(session)

    assert first is not None
    sent = summarizer.calls[1][0]
    assert sent[0].text.startswith("Summary of what came before:\n" + first.summary)
    assert (
        sent[1:] == [m for m in session.messages[first.first_kept :] if m in sent[1:]]
        and sent[1].role == "user"
    )


async def test_files_and_open_todos_survive_summarization_and_resume() -> None:
    store = SessionStore()
    session = store.create("/p")
    session.append(SYSTEM)
    todo = ToolCall.from_raw(
        "todo_1",
        "todo_write",
        json.dumps(
            {
                "todos": [
                    {"content": "write the migration", "status": "completed"},
                    {"content": "update the docs", "status": "pending"},
                ]
            }
        ),
    )
    session.extend(
        [Message.assistant("", [todo]), Message.tool(todo, ToolResult(text="todos saved"))]
    )
    for i in range(60):
        session.extend(turn(i))
    edited = files_touched(session.messages[:100])
    manager = ContextManager(ContextBudget(8_000), strategy=Summarization(RecordingSummarizer()))
    entry = await manager.compact(session)
    session.close()

    resumed = store.resume(session.id).session
    window = manager.build(resumed)

    assert entry is not None and entry.first_kept > 100
    text = "\n".join(m.text for m in window.messages)
    assert all(path in text for path in edited), "every edited path is still in the window"
    assert "- [ ] update the docs" in text
    assert "write the migration" not in text
    assert window.messages == manager.build(session).messages


async def test_old_large_tool_results_become_a_stub_that_says_how_to_rerun() -> None:
    store = SessionStore()
    session = store.create("/p")
    session.append(SYSTEM)
    for i in range(30):
        session.extend(turn(i, result_size=2_000 if i % 2 else 100))
    manager = ContextManager(ContextBudget(16_000), strategy=ToolResultClearing(min_tokens=200))

    entry = await manager.compact(session)
    session.close()

    assert entry is not None and entry.first_kept == 1, "no message left the window"
    assert entry.tokens_after < entry.tokens_before
    window = manager.build(store.resume(session.id).session)
    stubs = [m for m in window.messages if m.role == "tool" and "was cleared" in m.text]
    assert {m.tool_call_id for m in stubs} == set(entry.cleared)
    assert "call_1" in entry.cleared and "call_0" not in entry.cleared, "small ones stay"
    assert stubs[0].text == (
        "[This result was cleared to save context. To see it again, call edit_file "
        'again with {"path": "src/mod1.py", "old": "a", "new": "b1"}.]'
    )
    assert window.messages[-2] == session.messages[-2], "the newest results stay"
    assert len(window.messages) == len(session)


async def test_cleared_results_stay_cleared_when_another_strategy_compacts_later() -> None:
    session = _session(0)
    for i in range(40):
        session.extend(turn(i, result_size=2_000))
    budget = ContextBudget(40_000)
    clearing = await ContextManager(budget, keep_ratio=0.3).compact(
        session, strategy=ToolResultClearing()
    )

    manager = ContextManager(budget, keep_ratio=0.2)
    truncation = await manager.compact(session, strategy=Truncation())

    assert clearing is not None and truncation is not None
    kept_ids = {m.tool_call_id for m in session.messages[truncation.first_kept :]}
    assert truncation.cleared == [c for c in clearing.cleared if c in kept_ids]
    assert truncation.cleared, "some cleared results are still in the window"


def test_open_todos_come_from_the_latest_todo_list() -> None:
    def todos(items: list[dict[str, str]]) -> Message:
        call = ToolCall.from_raw("t", "todo_write", json.dumps({"todos": items}))
        return Message.assistant("", [call])

    history = [
        todos([{"content": "a", "status": "pending"}]),
        todos([{"content": "a", "status": "done"}, {"content": "b", "status": "in_progress"}]),
    ]

    assert open_todos(history) == ["b"]
    assert open_todos([]) == []


async def test_a_failing_summarizer_does_not_fail_the_turn() -> None:
    async def unavailable(messages: Sequence[Message], instructions: str) -> str:
        raise ProviderError("connection refused", provider="ollama")

    session = _session(80)
    manager = ContextManager(ContextBudget(8_000), strategy=Summarization(unavailable))

    window = await manager.prepare(session)

    assert window.compaction_error == "ProviderError: connection refused"
    assert session.compaction is None
    assert window.tokens <= 8_000 and window.trimmed > 0
    assert window.messages[-1] == session.messages[-1]


async def test_nothing_to_compact_records_nothing() -> None:
    session = _session(1)

    assert await ContextManager(ContextBudget(100_000)).compact(session) is None
    assert session.compaction is None


STRATEGIES: dict[str, CompactionStrategy] = {
    "truncation": Truncation(),
    "sliding_window": SlidingWindow(),
    "summarization": Summarization(RecordingSummarizer()),
    "tool_result_clearing": ToolResultClearing(),
}


@pytest.mark.parametrize("name", list(STRATEGIES))
async def test_a_300_turn_conversation_stays_under_budget_at_every_step(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    budget = ContextBudget(16_000, reserved_output=2_000, safety_margin=800)
    manager = ContextManager(budget, strategy=STRATEGIES[name])
    session = Session(cwd="/p")
    session.append(SYSTEM)
    sent = 0
    kept = 0
    for i in range(300):
        user, call, result, answer = turn(i, result_size=(i * 37) % 3000)
        for step in ([user], [call, result], [answer]):
            session.extend(step)
            window = await manager.prepare(session, pinned=[MEMORY])
            assert window.tokens <= budget.available, f"turn {i}"
            assert orphans(window.messages) == []
            assert window.messages[:2] == [SYSTEM, MEMORY]
            assert window.messages[-1] == session.messages[-1]
            sent += window.full_tokens
            kept += window.tokens
    everything = manager.counter.count_messages([SYSTEM, MEMORY, *session.messages[1:]])
    final = manager.build(session, pinned=[MEMORY]).tokens
    with capsys.disabled():
        print(
            f"\n[{name}] 300 turns: full history {everything} tokens, last window {final}, "
            f"saved {everything - final} ({100 * (everything - final) / everything:.0f}%)"
        )
    assert final < everything / 5
