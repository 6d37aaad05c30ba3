"""The one error this package raises: a memory file tau cannot use.

``tau_cli.memory`` imports nothing from tau (not even core), so it cannot raise
core's ``ConfigError``; callers translate at their seam. The message names the
file and, where known, the line, so it can be shown to the user as is.
"""

from __future__ import annotations

from pathlib import Path


class MemoryFileError(Exception):
    """A memory, progress, feature or note file is malformed or unreadable."""

    def __init__(self, path: Path | str, detail: str, *, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.detail = detail
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {detail}")
