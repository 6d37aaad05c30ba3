"""Optional auto-commit: one commit in the user's own git repository per turn that changed files.

Off by default (``auto_commit`` in settings). Checkpoints already know which files
a turn changed; this commits exactly those, with the turn's prompt as the message,
and nothing else the user had staged. It never commits while the repository is in
the middle of a merge, rebase, cherry-pick, revert or bisect: the user is resolving
something, and a commit then would land in the wrong place.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from tau_cli.core import TauError

IN_PROGRESS = (
    ("MERGE_HEAD", "a merge"),
    ("rebase-merge", "a rebase"),
    ("rebase-apply", "a rebase"),
    ("CHERRY_PICK_HEAD", "a cherry-pick"),
    ("REVERT_HEAD", "a revert"),
    ("BISECT_LOG", "a bisect"),
)
"""Files git keeps while an operation is unfinished, and what each means."""

_TIMEOUT = 60.0


class AutoCommitError(TauError):
    """The turn's files could not be committed; the files themselves are untouched."""


class AutoCommitter:
    """Commits a turn's changed files in the git repository holding ``project``."""

    def __init__(self, project: Path) -> None:
        self.project = project.resolve()
        self._git = shutil.which("git")

    def commit(self, paths: Sequence[str], prompt: str) -> str:
        """Commit ``paths`` (relative to the project) with a message naming ``prompt``.

        Returns:
            One line for the user naming the new commit.

        Raises:
            AutoCommitError: no git, not a repository, an operation in progress, or
                git refused (no identity configured, a hook said no...).
        """
        if not paths:
            raise AutoCommitError("nothing changed")
        busy = self.operation_in_progress()
        if busy is not None:
            raise AutoCommitError(f"the repository is in the middle of {busy}; finish it first")
        title = " ".join(prompt.split())[:72] or "(empty prompt)"
        self._run("add", "--all", "--", *paths)
        # With paths, commit takes only those: whatever else the user staged stays staged.
        self._run("commit", "--quiet", "-m", f"tau: {title}", "--", *paths)
        commit = self._run("rev-parse", "--short", "HEAD").strip()
        noun = "file" if len(paths) == 1 else "files"
        return f"committed {len(paths)} {noun} as {commit}: tau: {title}"

    def operation_in_progress(self) -> str | None:
        """What unfinished git operation the repository is in, if any."""
        asked = [arg for name, _ in IN_PROGRESS for arg in ("--git-path", name)]
        found = self._run("rev-parse", *asked)
        for (_, what), path in zip(IN_PROGRESS, found.splitlines(), strict=True):
            if (self.project / path).exists():
                return what
        return None

    def _run(self, *args: str) -> str:
        if self._git is None:
            raise AutoCommitError("git is not installed")
        command = [self._git, *args]
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_EDITOR": "true"}
        try:
            done = subprocess.run(
                command,
                cwd=self.project,
                capture_output=True,
                text=True,
                timeout=_TIMEOUT,
                check=False,
                env=env,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise AutoCommitError(f"git did not run: {exc}") from exc
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines()
            raise AutoCommitError(said[-1] if said else f"git exited with {done.returncode}")
        return done.stdout
