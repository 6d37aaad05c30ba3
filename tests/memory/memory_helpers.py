"""Helpers for the memory tests: a counting function and a file writer."""

from __future__ import annotations

from pathlib import Path

import pytest


def words(text: str) -> int:
    """A counting function of our own: any ``Callable[[str], int]`` will do."""
    return len(text.split())


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def bytes_read() -> int:
    """Bytes this process has read so far (Linux's ``rchar``), to prove what was not read."""
    io = Path("/proc/self/io")
    if not io.exists():
        pytest.skip("needs /proc/self/io to count the bytes read")
    for line in io.read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("/proc/self/io has no rchar line")
