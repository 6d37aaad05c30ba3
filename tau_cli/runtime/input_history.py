"""What the user typed at tau's prompt in a project, kept across restarts.

The TUI and the plain REPL read and write the same file, so Up brings back a line
typed in either. One JSON string per line (a multi-line prompt stays one entry);
the file is private to the user (0600), since prompts can hold anything.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from pathlib import Path

DEFAULT_LIMIT = 1000
"""Entries loaded (and, on rewrite, kept): enough to scroll back, small to read."""


class InputHistory:
    """The prompts sent in one project, oldest first; ``path=None`` keeps them in memory."""

    def __init__(self, path: Path | None = None, *, limit: int = DEFAULT_LIMIT) -> None:
        self.path = path
        self.limit = limit
        self.entries: list[str] = self._load() if path is not None else []

    @classmethod
    def for_project(cls, root: Path, tau_home: Path) -> InputHistory:
        """The history of the project at ``root``, under ``tau_home/history``."""
        return cls(tau_home / "history" / f"{_key(root)}.jsonl")

    def add(self, text: str) -> None:
        """Remember ``text`` (a repeat of the newest entry is kept once).

        A history that cannot be written (a read-only home, say) still works for
        this run: losing recall is better than losing the prompt being sent.
        """
        if not text.strip() or (self.entries and self.entries[-1] == text):
            return
        self.entries.append(text)
        if self.path is None:
            return
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(descriptor, "a", encoding="utf-8") as f:
                f.write(json.dumps(text, ensure_ascii=False) + "\n")
            if len(self.entries) > 2 * self.limit:
                self._rewrite()

    def _load(self) -> list[str]:
        assert self.path is not None
        try:
            lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return []
        entries: list[str] = []
        for line in lines[-self.limit :]:
            with contextlib.suppress(ValueError):
                value = json.loads(line)
                if isinstance(value, str) and value:
                    entries.append(value)
        return entries

    def _rewrite(self) -> None:
        """Keep the file from growing without end: only the newest ``limit`` stay."""
        assert self.path is not None
        self.entries = self.entries[-self.limit :]
        temporary = self.path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(e, ensure_ascii=False) + "\n" for e in self.entries)
        temporary.replace(self.path)


def _key(root: Path) -> str:
    """A file name per project: its folder's name (readable) and a hash of its path (unique)."""
    path = root.expanduser().resolve()
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", path.name).strip("-.") or "root"
    return f"{name[:40]}-{hashlib.sha256(str(path).encode()).hexdigest()[:12]}"
