"""Finished markdown blocks are handed out once, and never split a code fence."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tau_cli.tui.blocks import BlockSplitter


def test_a_blank_line_finishes_a_paragraph() -> None:
    splitter = BlockSplitter()
    assert splitter.feed("First para") == []
    assert splitter.tail == "First para"
    assert splitter.feed("graph.\n\nSecond") == ["First paragraph."]
    assert splitter.tail == "Second"
    assert splitter.finish() == "Second"


def test_blank_lines_inside_a_code_fence_do_not_split_it() -> None:
    splitter = BlockSplitter()
    text = "Intro\n```python\ndef f():\n\n    return 1\n```\nafter\n"
    assert splitter.feed(text) == ["Intro", "```python\ndef f():\n\n    return 1\n```"]
    assert splitter.finish() == "after"


def test_an_unclosed_fence_stays_in_the_tail() -> None:
    splitter = BlockSplitter()
    assert splitter.feed("~~~\ncode\n\nmore code\n") == []
    assert splitter.tail == "~~~\ncode\n\nmore code"


_markdownish = st.lists(
    st.sampled_from(["word", " ", "\n", "\n\n", "```", "~~~", "# h", "- item", "1. x"]),
    max_size=60,
).map("".join)


@given(text=_markdownish, cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=8))
def test_how_the_text_is_chunked_does_not_change_the_blocks(text: str, cuts: list[int]) -> None:
    whole = BlockSplitter()
    expected = whole.feed(text)
    last = whole.finish()

    chunked = BlockSplitter()
    got: list[str] = []
    points = sorted({c % (len(text) + 1) for c in cuts})
    start = 0
    for point in [*points, len(text)]:
        got += chunked.feed(text[start:point])
        start = point
    assert got == expected
    assert chunked.finish() == last


@given(text=_markdownish)
def test_no_text_outside_blank_lines_is_lost(text: str) -> None:
    splitter = BlockSplitter()
    blocks = splitter.feed(text)
    last = splitter.finish()
    if last is not None:
        blocks.append(last)
    kept = "".join("".join(b.split()) for b in blocks)
    assert kept == "".join(text.split())
