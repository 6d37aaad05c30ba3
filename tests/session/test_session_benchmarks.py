"""Benchmarks the issue sets: resume speed and memory of long sessions.

Budgets are loose (about ten times what a loaded 2-core machine measures) so the
tests catch a regression in kind, such as quadratic loading, not noise.
"""

from __future__ import annotations

import time
import tracemalloc

import pytest
from conversations import turn

from tau_cli.core import Message
from tau_cli.session import Session, SessionStore


def _long_session(length: int) -> Session:
    messages: list[Message] = []
    i = 0
    while len(messages) < length:
        messages.extend(turn(i))
        i += 1
    session = Session(cwd="/p")
    session.extend(messages[:length])  # in memory: one write when attached
    return session


def test_a_5000_message_session_resumes_within_half_a_second(
    capsys: pytest.CaptureFixture[str],
) -> None:
    store = SessionStore()
    session = _long_session(5_000)
    store.attach(session)
    session.close()

    start = time.perf_counter()
    resumed = store.resume(session.id)
    elapsed = time.perf_counter() - start
    resumed.session.close()

    assert len(resumed.session) == 5_000
    with capsys.disabled():
        print(f"\n[bench] load + resume of 5,000 messages: {elapsed * 1000:.0f} ms")
    assert elapsed <= 0.5


def test_a_10000_message_session_fits_in_tens_of_megabytes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    store = SessionStore()
    session = _long_session(10_000)
    store.attach(session)
    session.close()
    size = store.find(session.id).stat().st_size

    tracemalloc.start()
    try:
        loaded = store.load(session.id)
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert len(loaded.session) == 10_000
    with capsys.disabled():
        print(
            f"\n[bench] 10,000 messages: transcript {size / 1e6:.1f} MB, "
            f"in memory {current / 1e6:.1f} MB (peak while loading {peak / 1e6:.1f} MB)"
        )
    assert current < 8 * size
