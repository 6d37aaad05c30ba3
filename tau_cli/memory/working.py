"""Working memory: the hand-off between one session (or context window) and the next.

Long-running work survives a fresh context only if the agent leaves itself a note.
Following Anthropic's guidance on long-running harnesses, ``.tau/memory/`` holds
two files the agent reads first and updates as it goes:

- ``progress.md``: what was done, what is next and the key decisions, as markdown
  sections a person can read and edit too;
- ``features.json``: every feature with a pass/fail status. JSON rather than
  markdown because a model edits it by field, not by rewriting prose, so a feature
  cannot quietly disappear.

The runtime registers the tools that call this API; nothing here knows about tools.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal, get_args

from tau_cli.memory._errors import MemoryFileError
from tau_cli.memory._files import read_text, write_atomic

MEMORY_DIR = Path(".tau") / "memory"

ProgressSection = Literal["done", "next", "decisions"]
FeatureStatus = Literal["pass", "fail"]

_HEADINGS: dict[ProgressSection, str] = {
    "done": "## Done",
    "next": "## Next",
    "decisions": "## Key decisions",
}


@dataclass(frozen=True)
class Feature:
    """One entry of the feature list. New features start out failing."""

    name: str
    description: str = ""
    status: FeatureStatus = "fail"


class WorkingMemory:
    """The progress file and feature list of one project."""

    def __init__(self, project_root: Path) -> None:
        self.folder = project_root / MEMORY_DIR
        self.progress_path = self.folder / "progress.md"
        self.features_path = self.folder / "features.json"

    # -- progress ----------------------------------------------------------------

    def read_progress(self) -> str:
        """The progress file as it is; empty when nothing was recorded yet."""
        if not self.progress_path.exists():
            return ""
        return read_text(self.progress_path).text

    def write_progress(self, text: str) -> None:
        """Replace the whole progress file (the agent rewrites its hand-off)."""
        write_atomic(self.progress_path, text if text.endswith("\n") else text + "\n")

    def append_progress(self, section: ProgressSection, entry: str) -> None:
        """Add ``entry`` as a list item at the end of its section, creating the section.

        Raises:
            ValueError: the section is unknown or the entry is empty.
        """
        if section not in _HEADINGS:
            known = ", ".join(_HEADINGS)
            raise ValueError(f"unknown progress section {section!r}; use one of: {known}")
        item = " ".join(entry.split())
        if not item:
            raise ValueError("the progress entry is empty")
        lines = self.read_progress().splitlines()
        heading = _HEADINGS[section]
        if not any(line.strip().lower() == heading.lower() for line in lines):
            lines = [*_without_trailing_blanks(lines), *([""] if lines else []), heading, ""]
        start = next(i for i, line in enumerate(lines) if line.strip().lower() == heading.lower())
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1
        lines.insert(end, f"- {item}")
        self.write_progress("\n".join(_without_trailing_blanks(lines)) + "\n")

    # -- features ----------------------------------------------------------------

    def features(self) -> list[Feature]:
        """Every feature in the list, in the order they were added.

        Raises:
            MemoryFileError: ``features.json`` is not the list this API writes.
        """
        if not self.features_path.exists():
            return []
        text = read_text(self.features_path).text
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise MemoryFileError(
                self.features_path, f"is not valid JSON: {exc.msg}", line=exc.lineno
            ) from None
        entries = raw.get("features") if isinstance(raw, dict) else None
        if not isinstance(entries, list):
            raise MemoryFileError(self.features_path, 'must be an object with a "features" list')
        return [self._feature(i, entry) for i, entry in enumerate(entries)]

    def set_feature(
        self, name: str, status: FeatureStatus | None = None, description: str | None = None
    ) -> Feature:
        """Add a feature or update its status or description; returns it as stored.

        Raises:
            ValueError: the name is empty or the status is not ``pass`` or ``fail``.
        """
        name = name.strip()
        if not name:
            raise ValueError("a feature needs a name")
        if status is not None and status not in get_args(FeatureStatus):
            raise ValueError(f"a feature's status is 'pass' or 'fail', not {status!r}")
        features = self.features()
        index = next((i for i, f in enumerate(features) if f.name == name), None)
        current = features[index] if index is not None else Feature(name)
        updated = Feature(
            name,
            current.description if description is None else description.strip(),
            current.status if status is None else status,
        )
        if index is None:
            features.append(updated)
        else:
            features[index] = updated
        payload = {"features": [asdict(f) for f in features]}
        write_atomic(self.features_path, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return updated

    def render_features(self) -> str:
        """The list as the agent reads it: one line per feature, and a tally."""
        features = self.features()
        if not features:
            return "No features are listed yet."
        lines = [
            f"[{f.status}] {f.name}" + (f": {f.description}" if f.description else "")
            for f in features
        ]
        passing = sum(f.status == "pass" for f in features)
        return "\n".join([*lines, f"{passing} of {len(features)} features pass."])

    def _feature(self, index: int, entry: object) -> Feature:
        where = f"feature {index + 1}"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise MemoryFileError(self.features_path, f'{where} needs a "name" string')
        status = entry.get("status", "fail")
        if status not in get_args(FeatureStatus):
            raise MemoryFileError(
                self.features_path, f"{where} has status {status!r}; use 'pass' or 'fail'"
            )
        description = entry.get("description", "")
        if not isinstance(description, str):
            raise MemoryFileError(self.features_path, f'{where} has a non-string "description"')
        return Feature(entry["name"], description, status)


def _without_trailing_blanks(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines
