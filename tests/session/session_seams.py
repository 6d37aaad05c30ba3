"""Deterministic time and ids: the seams ``Session`` takes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class StepClock:
    """A clock that moves one second forward every time it is read."""

    def __init__(self, start: datetime = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        current = self.now
        self.now += timedelta(seconds=1)
        return current


class CountingIds:
    """Ids ``s1``, ``s2``, ... in order."""

    def __init__(self, prefix: str = "s") -> None:
        self.prefix = prefix
        self.issued = 0

    def __call__(self) -> str:
        self.issued += 1
        return f"{self.prefix}{self.issued}"
