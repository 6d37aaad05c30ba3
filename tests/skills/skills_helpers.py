"""Helpers for the skills tests: the sample catalog and a SKILL.md writer."""

from __future__ import annotations

from pathlib import Path

import pytest

CATALOG = Path(__file__).parent / "catalog"
"""Ten realistic skills, with resources in pdf-forms."""


def make_skill(root: Path, folder: str, frontmatter: str, body: str = "Do the thing.\n") -> Path:
    """Write ``root/folder/SKILL.md`` and return the folder."""
    path = root / folder / "SKILL.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{frontmatter}---\n{body}", encoding="utf-8")
    return path.parent


def bytes_read() -> int:
    """Bytes this process has read so far (Linux's ``rchar``), to prove what was not read."""
    io = Path("/proc/self/io")
    if not io.exists():
        pytest.skip("needs /proc/self/io to count the bytes read")
    for line in io.read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("/proc/self/io has no rchar line")
