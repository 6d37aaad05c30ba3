"""The Session as an in-memory message buffer: order, identity, times, fork."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from session_seams import CountingIds, StepClock

from tau_cli.core import Message, ToolCall, ToolResult
from tau_cli.session import Session, title_from_prompt


def _session(clock: StepClock, ids: CountingIds, **kwargs: str) -> Session:
    return Session(cwd="/project", model="ollama:qwen3", clock=clock, ids=ids, **kwargs)


def test_a_session_takes_its_id_and_times_from_the_injected_seams(
    clock: StepClock, ids: CountingIds
) -> None:
    session = _session(clock, ids)

    assert session.id == "s1"
    assert session.created_at == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert session.updated_at == session.created_at
    assert (session.cwd, session.model, len(session)) == ("/project", "ollama:qwen3", 0)


def test_messages_of_every_role_keep_their_order_and_update_the_time(
    clock: StepClock, ids: CountingIds
) -> None:
    session = _session(clock, ids)
    call = ToolCall.from_raw("c1", "read_file", '{"path": "a.py"}')
    history = [
        Message.system("you are tau"),
        Message.user("read a.py"),
        Message.assistant("", [call]),
        Message.tool(call, ToolResult(text="print(1)")),
        Message.assistant("it prints 1"),
    ]

    session.extend(history)

    assert session.messages == tuple(history)
    assert session.updated_at > session.created_at


def test_the_first_prompt_names_the_session_unless_it_has_a_title(
    clock: StepClock, ids: CountingIds
) -> None:
    untitled = _session(clock, ids)
    untitled.append(Message.user("\n  fix   the flaky login test\nit fails on CI"))
    titled = _session(clock, ids, title="mine")
    titled.append(Message.user("something else"))

    assert untitled.title == "fix the flaky login test"
    assert untitled.first_prompt.startswith("\n  fix")
    assert titled.title == "mine"


def test_long_prompts_become_one_line_titles_cut_at_a_word() -> None:
    title = title_from_prompt("please " * 30)

    assert len(title) <= 60
    assert title.endswith("please…")


def test_truncate_keeps_a_prefix_and_refuses_impossible_lengths(
    clock: StepClock, ids: CountingIds
) -> None:
    session = _session(clock, ids)
    session.extend(Message.user(f"m{i}") for i in range(5))

    session.truncate(2)

    assert [m.text for m in session.messages] == ["m0", "m1"]
    with pytest.raises(ValueError, match="cannot keep 3 of 2"):
        session.truncate(3)


def test_clear_empties_the_buffer_but_keeps_the_identity(
    clock: StepClock, ids: CountingIds
) -> None:
    session = _session(clock, ids)
    session.append(Message.user("hello"))

    session.clear()

    assert (session.messages, session.id, session.title) == ((), "s1", "hello")


def test_a_fork_is_a_new_session_with_a_prefix_and_the_parent_is_untouched(
    clock: StepClock, ids: CountingIds
) -> None:
    parent = _session(clock, ids)
    parent.extend(Message.user(f"m{i}") for i in range(4))

    child = parent.fork(at=2)
    child.append(Message.user("other path"))

    assert (child.id, child.forked_from) == ("s2", "s1")
    assert [m.text for m in child.messages] == ["m0", "m1", "other path"]
    assert [m.text for m in parent.messages] == ["m0", "m1", "m2", "m3"]
    with pytest.raises(ValueError, match="cannot fork at 9"):
        parent.fork(at=9)


def test_usage_reported_by_providers_adds_up(clock: StepClock, ids: CountingIds) -> None:
    from tau_cli.core import TokenUsage

    session = _session(clock, ids)
    session.record_usage(TokenUsage(prompt_tokens=100, completion_tokens=5))
    session.record_usage(TokenUsage(prompt_tokens=120, completion_tokens=7))

    assert (session.usage.prompt_tokens, session.usage.completion_tokens) == (220, 12)


def test_a_compaction_older_than_a_truncation_point_is_dropped(
    clock: StepClock, ids: CountingIds
) -> None:
    session = _session(clock, ids)
    session.extend(Message.user(f"m{i}") for i in range(6))
    session.record_compaction(strategy="summarize", summary="s", first_kept=4)

    session.truncate(5)
    kept = session.compaction
    session.truncate(3)

    assert kept is not None and kept.first_kept == 4
    assert session.compaction is None
