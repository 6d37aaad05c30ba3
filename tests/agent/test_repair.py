"""Tool-call arguments are repaired only where one reading is possible."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tau_cli.agent import StreamAssembler
from tau_cli.agent.repair import parse_tool_call, repair_arguments
from tau_cli.core import ToolCallDelta


@pytest.mark.parametrize(
    ("raw", "meant"),
    [
        ('```json\n{"path": "a.py"}\n```', {"path": "a.py"}),
        ('{"path": "a.py"}{"path": "a.py"}', {"path": "a.py"}),
        ('{"path": "a.py"', {"path": "a.py"}),
        ('{"edits": [{"old": "x", "new": "y"}', {"edits": [{"old": "x", "new": "y"}]}),
        ('{"text": "brace } and [ inside"', {"text": "brace } and [ inside"}),
    ],
)
def test_damage_with_one_meaning_is_repaired(raw: str, meant: dict[str, object]) -> None:
    call = parse_tool_call("c1", "read", raw)

    assert call.arguments == meant
    assert call.parse_error is None
    assert call.raw_arguments == raw


@pytest.mark.parametrize(
    "raw",
    [
        '{"path": "a.p',  # the string was cut: which file?
        '{"count": 1',  # the number may have gone on
        '{"a": 1}{"a": 2}',  # two different objects
        '{"a": 1,',  # a member is missing
        "[1, 2]",  # not an object at all
        "{'path': 'a.py'}",  # Python, not JSON
        '{"a": 1]',  # mismatched brackets
    ],
)
def test_ambiguous_damage_is_left_for_the_model_to_fix(raw: str) -> None:
    call = parse_tool_call("c1", "read", raw)

    assert call.parse_error is not None
    assert call.arguments == {}


def test_the_assembler_applies_the_repairs() -> None:
    assembler = StreamAssembler()
    assembler.add(ToolCallDelta(index=0, id="c", name="read", arguments_delta='{"path": "x"'))

    (call,) = assembler.tool_calls()

    assert call.arguments == {"path": "x"}


json_objects = st.dictionaries(
    st.text(max_size=5),
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
    max_size=4,
)


@given(json_objects)
def test_valid_json_is_never_changed(value: dict[str, object]) -> None:
    raw = json.dumps(value)

    assert repair_arguments(raw) == value
    assert parse_tool_call("c", "t", raw).arguments == value
