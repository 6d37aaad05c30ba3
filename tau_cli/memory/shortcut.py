"""The ``#`` shortcut: a prompt starting with ``#`` is a line to remember.

Claude Code users type ``# always run tests with -q`` to add a rule to memory
without a round trip through the model. The UI parses the prompt, asks which file
(``memory_targets``) and calls ``remember``; nothing here prompts or prints.
"""

from __future__ import annotations

from pathlib import Path

from tau_cli.memory._files import append_text
from tau_cli.memory.bootstrap import LOCAL_MEMORY_FILE, MEMORY_FILE, find_repo_root


def parse_memory_shortcut(prompt: str) -> str | None:
    """The note a ``#`` prompt carries, on one line; ``None`` for any other prompt.

    ``#`` alone (or with only spaces after it) carries nothing and gives ``None`` too,
    so the UI can treat it as an ordinary prompt.
    """
    if not prompt.startswith("#"):
        return None
    note = " ".join(prompt[1:].split())
    return note or None


def memory_targets(cwd: Path, tau_home: Path | None) -> dict[str, Path]:
    """The files a ``#`` note can go to, by the name a UI offers them under.

    ``project`` is shared with the team through git, ``local`` stays on this machine,
    ``user`` applies to every project.
    """
    root = find_repo_root(cwd)
    targets = {"project": root / MEMORY_FILE, "local": root / LOCAL_MEMORY_FILE}
    if tau_home is not None:
        targets["user"] = tau_home / MEMORY_FILE
    return targets


def remember(path: Path, note: str) -> None:
    """Append ``note`` as a list item to the memory file at ``path``, creating it.

    Creating the personal ``TAU.local.md`` also lists it in ``.tau/.gitignore``, so
    the first ``#`` note meant for this machine alone is not committed by accident.

    Raises:
        ValueError: the note is empty.
    """
    line = " ".join(note.split())
    if not line:
        raise ValueError("there is nothing to remember: the note is empty")
    if path.name == LOCAL_MEMORY_FILE.name and not path.exists():
        _ignore(path)
    append_text(path, f"- {line}\n")


def _ignore(path: Path) -> None:
    ignore_file = path.parent / ".gitignore"
    listed = ignore_file.read_text(encoding="utf-8").splitlines() if ignore_file.exists() else []
    if path.name not in (entry.strip() for entry in listed):
        append_text(ignore_file, f"{path.name}\n")
