"""Reasoning in ``<think>`` tags at the start of the text is split out, however it is chunked."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from tau_cli.agent._think import ThinkSplitter
from tau_cli.core import ReasoningDelta, StreamEvent, TextDelta


def _split(pieces: list[str]) -> tuple[str, str]:
    splitter = ThinkSplitter()
    events: list[StreamEvent] = []
    for piece in pieces:
        events += splitter.feed(piece)
    events += splitter.flush()
    reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    return reasoning, text


def test_a_leading_think_block_is_reasoning() -> None:
    assert _split(["<think>\nweigh options\n</think>\n\nAnswer."]) == ("weigh options\n", "Answer.")


def test_text_without_tags_is_untouched() -> None:
    assert _split(["Use ", "<think> tags", " like this"]) == ("", "Use <think> tags like this")


def test_an_unclosed_block_stays_reasoning() -> None:
    assert _split(["<think>still going"]) == ("still going", "")


@given(
    st.text(alphabet="ab <>/\n", max_size=30),
    st.text(alphabet="ab <>/\n", max_size=30).filter(lambda t: "</think>" not in t),
    st.lists(st.integers(min_value=0, max_value=80), max_size=10),
)
def test_any_chunking_gives_the_same_split(text: str, thought: str, cuts: list[int]) -> None:
    whole = f"<think>{thought}</think>{text}"
    points = sorted({min(c, len(whole)) for c in cuts} | {0, len(whole)})
    pieces = [whole[a:b] for a, b in itertools.pairwise(points)]

    assert _split(pieces) == _split([whole])
    assert _split([whole])[0] == thought.lstrip("\n")
