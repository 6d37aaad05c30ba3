"""Immutable state: typed channels, reducers, and deterministic concurrent writes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tau_cli.orchestrate import Channel, State, StateError, StateSchema, append, merge

SCHEMA = StateSchema(
    {
        "question": Channel(str),
        "notes": Channel(list[str], reducer=append, default=[]),
        "scores": Channel(dict[str, int], reducer=merge, default={}),
        "total": Channel(int, reducer=lambda old, new: old + new, default=0),
    }
)


def test_initial_state_has_defaults_and_the_input() -> None:
    state = SCHEMA.initial({"question": "why?", "notes": ["first"]})
    assert dict(state) == {"question": "why?", "notes": ["first"], "scores": {}, "total": 0}


def test_each_reducer_folds_a_write_its_own_way() -> None:
    state = SCHEMA.initial({"question": "q1", "scores": {"a": 1}})
    after = state.apply({"question": "q2", "notes": ["n"], "scores": {"b": 2}, "total": 5})
    after = after.apply({"notes": ["m"], "scores": {"a": 9}, "total": 1})
    assert after["question"] == "q2"
    assert after["notes"] == ["n", "m"]
    assert after["scores"] == {"a": 9, "b": 2}
    assert after["total"] == 6


def test_apply_never_changes_the_state_it_started_from() -> None:
    state = SCHEMA.initial({"question": "q"})
    state.apply({"question": "other", "notes": ["x"]})
    assert state["question"] == "q"
    assert state["notes"] == []


def test_values_handed_out_are_copies() -> None:
    state = SCHEMA.initial({"notes": ["kept"]})
    notes = state["notes"]
    notes.append("sneaked in")
    assert state["notes"] == ["kept"]


def test_a_channel_without_default_is_empty_until_written() -> None:
    state = SCHEMA.initial()
    assert "question" not in state
    with pytest.raises(KeyError):
        state["question"]
    assert state.get("question") is None


def test_wrongly_typed_writes_are_refused_with_the_channel_named() -> None:
    state = SCHEMA.initial()
    with pytest.raises(StateError, match="channel 'total' holds int, got str '3'"):
        state.apply({"total": "3"})
    with pytest.raises(StateError, match=r"channel 'notes' holds list\[str\]"):
        state.apply({"notes": "not a list"})


def test_unknown_channels_are_refused_with_the_known_ones_listed() -> None:
    with pytest.raises(StateError, match=r"no channel 'answer' \(channels: question, notes"):
        SCHEMA.initial().apply({"answer": 42})


def test_one_branch_may_write_a_replace_channel_several_times() -> None:
    merged = SCHEMA.initial().merge_branches([[{"question": "a"}, {"question": "b"}], []])
    assert merged["question"] == "b"


def test_concurrent_writes_to_a_replace_channel_conflict() -> None:
    state = SCHEMA.initial()
    with pytest.raises(StateError, match="2 parallel branches wrote channel 'question'"):
        state.merge_branches([[{"question": "a"}], [{"question": "b"}]])


def test_concurrent_writes_to_reducing_channels_fold_in_the_given_order() -> None:
    state = SCHEMA.initial({"question": "q"})
    merged = state.merge_branches(
        [
            [{"notes": ["from a"], "total": 1}],
            [{"notes": ["from b"]}, {"total": 2, "question": "b"}],
        ]
    )
    assert merged["notes"] == ["from a", "from b"]
    assert merged["total"] == 3
    assert merged["question"] == "b"


def test_changed_names_the_channels_that_differ() -> None:
    before = SCHEMA.initial({"question": "q"})
    after = before.apply({"notes": ["x"], "question": "q"})
    assert after.changed(before) == ["notes"]


def test_dump_and_load_round_trip_through_json_data() -> None:
    schema = StateSchema({"pairs": Channel(list[tuple[str, int]], reducer=append, default=[])})
    state = schema.initial({"pairs": [("a", 1)]})
    data = state.dump()
    assert data == {"pairs": [["a", 1]]}  # JSON has no tuples
    assert schema.load(data) == state


def test_an_empty_schema_is_refused() -> None:
    with pytest.raises(StateError, match="at least one channel"):
        StateSchema({})


writes = st.lists(st.lists(st.text(max_size=3), max_size=3), max_size=5)


@given(writes)
def test_appending_in_steps_equals_appending_at_once(batches: list[list[str]]) -> None:
    state = SCHEMA.initial()
    stepwise = state
    for batch in batches:
        stepwise = stepwise.apply({"notes": batch})
    at_once = state.apply({"notes": [item for batch in batches for item in batch]})
    assert stepwise == at_once


@given(st.lists(st.dictionaries(st.sampled_from("abc"), st.integers(), max_size=3), max_size=4))
def test_merging_concurrent_dicts_is_last_writer_wins_per_key(parts: list[dict[str, int]]) -> None:
    merged = SCHEMA.initial().merge_branches([[{"scores": p}] for p in parts])
    expected: dict[str, int] = {}
    for part in parts:
        expected.update(part)
    assert merged["scores"] == expected


@given(st.lists(st.integers(min_value=-5, max_value=5), max_size=6))
def test_state_is_unchanged_by_any_sequence_of_updates(totals: list[int]) -> None:
    state = SCHEMA.initial({"question": "fixed"})
    snapshot = dict(state)
    for value in totals:
        state.apply({"total": value, "notes": [str(value)]})
    assert dict(state) == snapshot
    assert isinstance(state, State)


def test_a_writer_keeps_no_handle_on_what_it_wrote() -> None:
    schema = StateSchema({"blob": Channel(object), "items": Channel(list[list[int]])})
    payload = {"nested": [1, 2]}
    items = [[1], [2]]
    state = schema.initial({"blob": payload, "items": items})
    payload["nested"].append(3)
    items[0].append(99)
    assert state["blob"] == {"nested": [1, 2]}
    assert state["items"] == [[1], [2]]
