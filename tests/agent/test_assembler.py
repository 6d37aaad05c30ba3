"""The stream assembler folds any provider's deltas into the answer history keeps."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from tau_cli.agent import StreamAssembler
from tau_cli.core import (
    FinishReason,
    ReasoningDelta,
    ReasoningPart,
    TextDelta,
    TextPart,
    TokenUsage,
    ToolCallDelta,
    UsageReport,
)


def test_text_pieces_become_one_assistant_message() -> None:
    assembler = StreamAssembler(model="m")
    for piece in ["Hel", "lo", ", world"]:
        assembler.add(TextDelta(text=piece))

    response = assembler.response()

    assert response.message.role == "assistant"
    assert response.message.content == "Hello, world"
    assert response.finish_reason is FinishReason.STOP
    assert response.model == "m"


def test_interleaved_tool_call_fragments_are_joined_by_index() -> None:
    assembler = StreamAssembler()
    assembler.add(ToolCallDelta(index=0, id="a", name="read", arguments_delta='{"pa'))
    assembler.add(ToolCallDelta(index=1, id="b", name="bash", arguments_delta='{"command"'))
    assembler.add(ToolCallDelta(index=0, arguments_delta='th": "x.py"}'))
    assembler.add(ToolCallDelta(index=1, arguments_delta=': "ls"}'))

    response = assembler.response()

    calls = response.message.tool_calls
    assert [(c.id, c.name, c.arguments) for c in calls] == [
        ("a", "read", {"path": "x.py"}),
        ("b", "bash", {"command": "ls"}),
    ]
    assert response.finish_reason is FinishReason.TOOL_CALLS


def test_broken_argument_json_becomes_a_call_with_a_parse_error() -> None:
    assembler = StreamAssembler()
    assembler.add(ToolCallDelta(index=0, id="a", name="read", arguments_delta='{"path": '))

    (call,) = assembler.response().message.tool_calls

    assert call.arguments == {}
    assert call.raw_arguments == '{"path": '
    assert call.parse_error is not None and "not valid JSON" in call.parse_error


def test_a_call_without_an_id_gets_a_stable_one() -> None:
    assembler = StreamAssembler()
    assembler.add(ToolCallDelta(index=3, name="ls"))

    (call,) = assembler.tool_calls()

    assert call.id == "call_3"
    assert call.arguments == {}


def test_reasoning_blocks_keep_their_signatures_ahead_of_the_text() -> None:
    assembler = StreamAssembler()
    assembler.add(ReasoningDelta(text="first "))
    assembler.add(ReasoningDelta(text="thought", signature="sig-1"))
    assembler.add(ReasoningDelta(text="second", signature="sig-2"))
    assembler.add(TextDelta(text="answer"))

    message = assembler.response().message

    assert message.content == [
        ReasoningPart(text="first thought", signature="sig-1"),
        ReasoningPart(text="second", signature="sig-2"),
        TextPart(text="answer"),
    ]
    assert message.text == "answer"


def test_the_latest_usage_report_wins_and_an_explicit_finish_reason_is_kept() -> None:
    assembler = StreamAssembler()
    assembler.add(UsageReport(usage=TokenUsage(prompt_tokens=5)))
    assembler.add(UsageReport(usage=TokenUsage(prompt_tokens=5, completion_tokens=7)))
    assembler.finish_reason = FinishReason.LENGTH

    response = assembler.response()

    assert response.usage.total_tokens == 12
    assert response.finish_reason is FinishReason.LENGTH


@given(st.text(), st.lists(st.integers(min_value=0, max_value=40), max_size=8))
def test_any_split_of_the_text_assembles_to_the_same_answer(text: str, cuts: list[int]) -> None:
    points = sorted({min(c, len(text)) for c in cuts} | {0, len(text)})
    assembler = StreamAssembler()
    for start, end in itertools.pairwise(points):
        assembler.add(TextDelta(text=text[start:end]))

    assert assembler.response().message.text == text
