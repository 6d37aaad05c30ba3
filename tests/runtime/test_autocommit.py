"""Auto-commit: the turn's files, and only those, become one commit in the user's repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tau_cli.runtime.autocommit import AutoCommitError, AutoCommitter


def git(repo: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise AssertionError(done.stderr)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "--quiet", "-b", "main")
    git(root, "config", "user.name", "Test User")
    git(root, "config", "user.email", "test@example.invalid")
    (root / "kept.txt").write_text("kept\n")
    (root / "doomed.txt").write_text("doomed\n")
    (root / "edited.txt").write_text("old\n")
    git(root, "add", ".")
    git(root, "commit", "--quiet", "-m", "start")
    return root


def _conflict(repo: Path) -> None:
    """Two branches changing the same line of ``edited.txt`` differently."""
    git(repo, "checkout", "--quiet", "-b", "other")
    (repo / "edited.txt").write_text("theirs\n")
    git(repo, "commit", "--quiet", "-am", "theirs")
    git(repo, "checkout", "--quiet", "main")
    (repo / "edited.txt").write_text("ours\n")
    git(repo, "commit", "--quiet", "-am", "ours")


def test_the_turns_files_become_one_commit_naming_the_prompt(repo: Path) -> None:
    (repo / "new.txt").write_text("new\n")
    (repo / "edited.txt").write_text("new content\n")
    (repo / "doomed.txt").unlink()
    (repo / "kept.txt").write_text("the user's own staged edit\n")
    git(repo, "add", "kept.txt")

    said = AutoCommitter(repo).commit(
        ["new.txt", "edited.txt", "doomed.txt"], "Add   a new file\nand more"
    )

    assert git(repo, "log", "-1", "--format=%s").strip() == "tau: Add a new file and more"
    assert said.startswith("committed 3 files as ")
    shown = git(repo, "show", "--name-status", "--format=", "HEAD").split("\n")
    assert sorted(line for line in shown if line) == [
        "A\tnew.txt",
        "D\tdoomed.txt",
        "M\tedited.txt",
    ]
    # What the user staged is still staged, and not in tau's commit.
    assert git(repo, "diff", "--cached", "--name-only").split() == ["kept.txt"]
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "2"


def test_no_commit_in_the_middle_of_a_merge(repo: Path) -> None:
    _conflict(repo)
    git(repo, "merge", "other", check=False)
    head = git(repo, "rev-parse", "HEAD")
    (repo / "new.txt").write_text("new\n")
    with pytest.raises(AutoCommitError, match="middle of a merge"):
        AutoCommitter(repo).commit(["new.txt"], "during the merge")
    assert git(repo, "rev-parse", "HEAD") == head
    assert "new.txt" not in git(repo, "diff", "--cached", "--name-only")


def test_no_commit_in_the_middle_of_a_rebase(repo: Path) -> None:
    _conflict(repo)
    git(repo, "rebase", "other", check=False)
    (repo / "new.txt").write_text("new\n")
    with pytest.raises(AutoCommitError, match="middle of a rebase"):
        AutoCommitter(repo).commit(["new.txt"], "during the rebase")
    assert AutoCommitter(repo).operation_in_progress() == "a rebase"


def test_outside_a_repository_it_says_so(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a\n")
    with pytest.raises(AutoCommitError, match="not a git repository"):
        AutoCommitter(tmp_path).commit(["a.txt"], "anything")


def test_a_clean_repository_is_in_no_operation(repo: Path) -> None:
    assert AutoCommitter(repo).operation_in_progress() is None
