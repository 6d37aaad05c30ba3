"""Checkpoints: the project's files as they were before each turn, and rewinding to them.

Before a turn may change anything, the project is snapshotted into a shadow git
repository under ``$TAU_HOME/checkpoints/<session id>`` (``--git-dir`` there,
``--work-tree`` the project), never into the user's own ``.git``: their history,
index and hooks are untouched. Files the project's ``.gitignore`` excludes are not
recorded. Snapshotting whole turns, not single files, is what lets a rewind undo
what a shell command did as exactly as what ``edit`` and ``write`` did.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tau_cli.core import TauError

_GIT_CONFIG = (
    "-c", "core.hooksPath=/dev/null",
    "-c", "commit.gpgsign=false",
    "-c", "user.name=tau",
    "-c", "user.email=tau@localhost",
    "-c", "core.autocrlf=false",
)  # fmt: skip
_TIMEOUT = 120.0


class CheckpointError(TauError):
    """A checkpoint could not be recorded or restored (git missing, unknown turn...)."""


@dataclass(frozen=True)
class Checkpoint:
    turn: int
    """1 for the state before the session's first turn, and so on."""
    commit: str
    prompt: str = ""
    """The start of the prompt that turn began with."""
    messages: int | None = None
    """How many messages the conversation held before the turn."""


@dataclass(frozen=True)
class FileChange:
    """One file a turn changed; line counts are None for binary files."""

    path: str
    added: int | None
    removed: int | None


def summarize_changes(changes: list[FileChange]) -> str:
    """One line for the user: ``changed 2 files (+3 -1): a.py, b.txt``."""
    added = sum(c.added or 0 for c in changes)
    removed = sum(c.removed or 0 for c in changes)
    names = ", ".join(c.path for c in changes[:5])
    more = f" and {len(changes) - 5} more" if len(changes) > 5 else ""
    noun = "file" if len(changes) == 1 else "files"
    return f"changed {len(changes)} {noun} (+{added} -{removed}): {names}{more}"


@dataclass(frozen=True)
class Rewound:
    """What a rewind changed in the project."""

    restored: list[str]
    """Files written back to their earlier content (changed or deleted since)."""
    deleted: list[str]
    """Files created since, removed again."""


class CheckpointStore:
    """One session's checkpoints of one project folder."""

    def __init__(self, tau_home: Path, session_id: str, project: Path) -> None:
        self.tau_home = tau_home
        self.git_dir = tau_home / "checkpoints" / session_id
        self.project = project.resolve()
        self._git = shutil.which("git")

    def for_session(self, session_id: str) -> CheckpointStore:
        """The same project's checkpoints for another session."""
        return CheckpointStore(self.tau_home, session_id, self.project)

    @property
    def available(self) -> bool:
        """Whether git is installed; without it no checkpoint is taken."""
        return self._git is not None

    def record(self, prompt: str = "", messages: int | None = None) -> Checkpoint:
        """Snapshot the project as the state before the next turn.

        Args:
            prompt: the turn's prompt, to label the checkpoint.
            messages: how many messages the conversation held before the turn, so a
                rewind can take the conversation back too.
        """
        if not self.git_dir.exists():
            self.git_dir.mkdir(parents=True)
            self._run("init", "--quiet")
        self._exclude_tau_home()
        turn = len(self.turns()) + 1
        self._run("add", "--all", "--", ".")
        title = " ".join(prompt.split())[:72]
        message = f"turn {turn}: {title}"
        if messages is not None:
            message += f"\n\nmessages: {messages}"
        self._run("commit", "--quiet", "--allow-empty", "-m", message)
        return Checkpoint(turn, self._run("rev-parse", "HEAD").strip(), title, messages)

    def _exclude_tau_home(self) -> None:
        """Keep ``TAU_HOME`` out of the snapshots when it lies inside the project.

        Otherwise every checkpoint would record the checkpoints (and sessions) taken
        so far, and the store would grow without end.
        """
        try:
            inside = self.tau_home.resolve().relative_to(self.project)
        except ValueError:
            return
        # A project that is TAU_HOME itself keeps its own files, not the store's.
        patterns = [f"/{inside.as_posix()}/"] if inside.parts else ["/checkpoints/", "/sessions/"]
        exclude = self.git_dir / "info" / "exclude"
        listed = exclude.read_text(encoding="utf-8").splitlines() if exclude.exists() else []
        missing = [p for p in patterns if p not in listed]
        if missing:  # stores made before this rule get it on their next checkpoint
            exclude.parent.mkdir(parents=True, exist_ok=True)
            with exclude.open("a", encoding="utf-8") as file:
                file.write("".join(f"{p}\n" for p in missing))

    def turns(self) -> list[Checkpoint]:
        """Every checkpoint, oldest first."""
        if not (self.git_dir / "HEAD").exists():
            return []
        try:
            log = self._run("log", "--format=%H%x1f%s%x1f%b%x1e", "--first-parent", "HEAD")
        except CheckpointError:
            return []  # no commit yet
        found = []
        for record in reversed(log.split("\x1e")):
            if not record.strip():
                continue
            commit, subject, body = record.strip("\n").split("\x1f", 2)
            number, colon, prompt = subject.removeprefix("turn ").partition(":")
            if subject.startswith("turn ") and colon and number.isdigit():
                count = body.strip().removeprefix("messages: ")
                messages = int(count) if count.isdigit() else None
                found.append(Checkpoint(int(number), commit, prompt.strip(), messages))
        return found

    def changes(self) -> list[FileChange]:
        """What changed in the project since the newest checkpoint, by file."""
        if not self.turns():
            return []
        self._run("add", "--all", "--", ".")
        numstat = self._run("diff", "--cached", "--numstat", "--no-renames", "-z", "HEAD")
        found = []
        for entry in numstat.split("\0"):
            if entry:
                added, removed, name = entry.split("\t", 2)
                found.append(
                    FileChange(
                        name,
                        int(added) if added.isdigit() else None,
                        int(removed) if removed.isdigit() else None,
                    )
                )
        return found

    def rewind(self, turn: int) -> Rewound:
        """Put the project's files back as they were before ``turn``.

        The current state is snapshotted first (as an unnumbered checkpoint), so what
        a rewind overwrites is still in the store.
        """
        target = next((c for c in self.turns() if c.turn == turn), None)
        if target is None:
            known = ", ".join(str(c.turn) for c in self.turns()) or "none"
            raise CheckpointError(f"no checkpoint for turn {turn} (this session has: {known})")
        self._run("add", "--all", "--", ".")
        self._run("commit", "--quiet", "--allow-empty", "-m", f"before rewinding to turn {turn}")
        changes = self._run("diff", "--name-status", "--no-renames", "-z", target.commit, "HEAD")
        fields = changes.split("\0")
        restored, deleted = [], []
        for status, name in zip(fields[0::2], fields[1::2], strict=False):
            if status == "A":
                deleted.append(name)
            elif name:
                restored.append(name)
        for name in deleted:
            path = self.project / name
            path.unlink(missing_ok=True)
            _remove_empty_parents(path.parent, self.project)
        if restored:
            self._run("checkout", target.commit, "--", *restored)
        # The shadow index follows the files, so the next turn's snapshot is exact.
        self._run("read-tree", target.commit)
        return Rewound(restored=sorted(restored), deleted=sorted(deleted))

    def _run(self, *args: str) -> str:
        if self._git is None:
            raise CheckpointError("checkpoints need git, which is not installed")
        env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "HOME": os.environ.get("HOME", ""),
            "GIT_DIR": str(self.git_dir),
            "GIT_WORK_TREE": str(self.project),
            "GIT_CONFIG_NOSYSTEM": "1",
            "LC_ALL": "C",
        }
        try:
            done = subprocess.run(
                [self._git, *_GIT_CONFIG, *args],
                cwd=self.project,
                env=env,
                capture_output=True,
                timeout=_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise CheckpointError(f"git {args[0]} failed: {exc}") from exc
        if done.returncode != 0:
            message = done.stderr.decode(errors="replace").strip()
            raise CheckpointError(f"git {args[0]} failed: {message}")
        return done.stdout.decode(errors="surrogateescape")


def _remove_empty_parents(folder: Path, stop: Path) -> None:
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
