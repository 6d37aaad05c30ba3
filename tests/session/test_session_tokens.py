"""Token accounting: core's estimate, corrected by what providers report."""

from __future__ import annotations

import pytest

from tau_cli.core import EstimatingTokenCounter, Message, TokenCounter
from tau_cli.session import CalibratedCounter

HISTORY = [Message.system("you are tau"), Message.user("explain this repository " * 20)]


def test_before_any_report_it_counts_like_the_estimator() -> None:
    counter = CalibratedCounter()
    estimator = EstimatingTokenCounter()

    assert isinstance(counter, TokenCounter)
    assert counter.count_messages(HISTORY) == estimator.count_messages(HISTORY)
    assert counter.count_text("hello world") == estimator.count_text("hello world")


def test_a_provider_report_corrects_later_counts() -> None:
    counter = CalibratedCounter()
    estimated = counter.count_messages(HISTORY)

    counter.calibrate(estimated * 2, HISTORY)

    assert counter.factor == pytest.approx(2.0)
    assert counter.count_messages(HISTORY) == estimated * 2


def test_reports_are_smoothed_and_one_odd_report_cannot_run_away() -> None:
    counter = CalibratedCounter(smoothing=0.5, bounds=(0.5, 3.0))
    estimated = counter.count_messages(HISTORY)

    counter.calibrate(estimated, HISTORY)
    counter.calibrate(estimated * 2, HISTORY)
    smoothed = counter.factor
    counter.calibrate(estimated * 100, HISTORY)

    assert smoothed == pytest.approx(1.5)
    assert counter.factor == 3.0
    assert counter.observations == 3


def test_an_empty_report_teaches_nothing() -> None:
    counter = CalibratedCounter()

    counter.calibrate(0, HISTORY)

    assert (counter.factor, counter.observations) == (1.0, 0)


def test_a_model_specific_counter_can_be_the_base() -> None:
    class WordCounter:
        def count_text(self, text: str) -> int:
            return len(text.split())

        def count_messages(self, messages: object) -> int:
            return sum(len(m.text.split()) for m in messages)  # type: ignore[attr-defined]

        def count_tools(self, tools: object) -> int:
            return 0

    counter = CalibratedCounter(WordCounter())

    assert counter.count_messages([Message.user("one two three")]) == 3
