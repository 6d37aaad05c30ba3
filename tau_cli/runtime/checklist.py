"""A plan's checklist: the ``- [ ]`` / ``- [x]`` lines of its markdown, in order.

Apart from the plan tools so a UI can read a plan's steps without loading them.
"""

from __future__ import annotations

import re

STEP = re.compile(r"^(\s*[-*] )\[( |x|X)\] (.*)$")
"""One checklist line: its bullet, its mark and its text."""


def plan_steps(markdown: str) -> list[tuple[bool, str]]:
    """(done, step) for each checklist line of ``markdown``."""
    found = map(STEP.match, markdown.splitlines())
    return [(m.group(2) != " ", m.group(3).strip()) for m in found if m]
