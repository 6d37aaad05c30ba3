"""Fixtures for session tests."""

from __future__ import annotations

import pytest
from session_seams import CountingIds, StepClock


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def ids() -> CountingIds:
    return CountingIds()
