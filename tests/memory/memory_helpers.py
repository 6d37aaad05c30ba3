"""Helpers for the memory tests: a counting function and a file writer."""

from __future__ import annotations

from pathlib import Path


def words(text: str) -> int:
    """A counting function of our own: any ``Callable[[str], int]`` will do."""
    return len(text.split())


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
