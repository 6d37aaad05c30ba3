"""A transcript is always valid to send: orphaned tool calls get an interrupted result."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tau_cli.core import Message, ToolCall, ToolResult
from tau_cli.session import (
    INTERRUPTED,
    Session,
    SessionStore,
    orphans,
    pending_calls,
    repaired,
)


def _call(n: int) -> ToolCall:
    return ToolCall.from_raw(f"call_{n}", "bash", f'{{"command": "echo {n}"}}')


def _result(n: int) -> Message:
    return Message.tool(_call(n), ToolResult(text=str(n)))


def test_cancelling_during_tool_use_answers_the_unfinished_calls() -> None:
    session = Session(cwd="/p")
    session.extend(
        [Message.user("run both"), Message.assistant("", [_call(1), _call(2)]), _result(1)]
    )

    interrupted = session.interrupt_pending_calls()

    assert [c.id for c in interrupted] == ["call_2"]
    last = session.messages[-1]
    assert (last.role, last.tool_call_id, last.is_error) == ("tool", "call_2", True)
    assert last.text == INTERRUPTED
    assert orphans(session.messages) == []
    assert session.interrupt_pending_calls() == []


def test_a_session_that_died_between_call_and_result_is_repaired_on_resume() -> None:
    store = SessionStore()
    session = store.create("/p")
    session.extend([Message.user("list files"), Message.assistant("", [_call(7)])])
    session.close()  # tau stopped here: the call never ran

    resumed = store.resume(session.id)

    assert [c.id for c in resumed.interrupted] == ["call_7"]
    assert orphans(resumed.session.messages) == []
    resumed.session.close()
    on_disk = store.load(session.id).session.messages
    assert on_disk[-1].tool_call_id == "call_7"
    assert store.resume(session.id).interrupted == []


def test_only_the_trailing_group_can_be_pending() -> None:
    history = [Message.assistant("", [_call(1)]), Message.user("never mind")]

    assert pending_calls(history) == []
    assert pending_calls([Message.assistant("", [_call(1)])]) == [_call(1)]
    assert orphans(history) == ["call call_1 has no result"]


def test_repair_answers_calls_in_place_and_drops_stray_results() -> None:
    history = [
        Message.user("go"),
        Message.assistant("", [_call(1), _call(2)]),
        _result(2),
        _result(2),
        Message.user("next"),
        _result(9),
        Message.assistant("done"),
    ]

    fixed = repaired(history)

    assert [(m.role, m.tool_call_id) for m in fixed] == [
        ("user", None),
        ("assistant", None),
        ("tool", "call_2"),
        ("tool", "call_1"),
        ("user", None),
        ("assistant", None),
    ]
    assert fixed[3].text == INTERRUPTED
    assert orphans(fixed) == []


@st.composite
def _histories(draw: st.DrawFn) -> list[Message]:
    """Conversations of random turns, then with random messages removed or repeated."""
    messages: list[Message] = []
    n = 0
    for _ in range(draw(st.integers(0, 8))):
        messages.append(Message.user("q"))
        for _ in range(draw(st.integers(0, 3))):
            calls = [_call(n + i) for i in range(draw(st.integers(1, 3)))]
            n += len(calls)
            messages.append(Message.assistant("", calls))
            messages.extend(Message.tool(c, ToolResult(text="r")) for c in calls)
        messages.append(Message.assistant("a"))
    valid = list(messages)
    for _ in range(draw(st.integers(0, 4))):
        if messages and draw(st.booleans()):
            del messages[draw(st.integers(0, len(messages) - 1))]
        elif messages:
            messages.insert(draw(st.integers(0, len(messages))), draw(st.sampled_from(messages)))
    return valid if draw(st.booleans()) else messages


@given(_histories())
def test_any_history_repairs_to_one_a_provider_accepts(history: list[Message]) -> None:
    fixed = repaired(history)

    assert orphans(fixed) == []
    assert repaired(fixed) == fixed
    assert [m for m in fixed if m.role != "tool"] == [m for m in history if m.role != "tool"]
    if orphans(history) == []:
        assert fixed == history
