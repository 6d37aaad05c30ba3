"""The environment facts in the system prompt: where, when, and the repository's state."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

from tau_cli.runtime.system_prompt import environment_facts

NOW = datetime(2026, 3, 14, 9, 26, tzinfo=UTC)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def _repo(root: Path) -> Path:
    root.mkdir()
    _git(root, "init", "--quiet", "-b", "trunk")
    _git(root, "config", "user.name", "Test User")
    _git(root, "config", "user.email", "test@example.invalid")
    return root


def _commit(repo: Path, name: str) -> None:
    (repo / name).write_text(f"{name}\n")
    _git(repo, "add", name)
    _git(repo, "commit", "--quiet", "-m", name)


def _git_line(cwd: Path) -> str | None:
    lines = [line for line in environment_facts(cwd, NOW).splitlines() if "Git" in line]
    return lines[0] if lines else None


def test_the_facts_name_the_folder_and_the_date(tmp_path: Path) -> None:
    facts = environment_facts(tmp_path, NOW)
    assert f"Working directory: {tmp_path}" in facts
    assert "Date: 2026-03-14" in facts


def test_outside_a_repository_there_is_no_git_line(tmp_path: Path) -> None:
    assert _git_line(tmp_path) is None


def test_a_clean_tree_names_its_branch(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    _commit(repo, "a.txt")
    assert _git_line(repo) == "Git branch: trunk; working tree clean"


def test_changed_files_are_listed(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    _commit(repo, "a.txt")
    (repo / "a.txt").write_text("changed\n")
    (repo / "new.txt").write_text("new\n")
    assert _git_line(repo) == "Git branch: trunk; 2 changed file(s): a.txt, new.txt"


def test_more_than_ten_changes_are_counted_not_listed(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    for i in range(12):
        (repo / f"f{i:02}.txt").write_text("x\n")
    line = _git_line(repo)
    assert line is not None
    assert line.startswith("Git branch: trunk; 12 changed file(s): f00.txt, f01.txt")
    assert line.endswith("f09.txt and 2 more")


def test_a_repository_without_commits_names_the_branch_to_be(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    assert _git_line(repo) == "Git branch: trunk; working tree clean"


def test_a_detached_head_reads_head(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    _commit(repo, "a.txt")
    _commit(repo, "b.txt")
    _git(repo, "checkout", "--quiet", "HEAD~1")
    assert _git_line(repo) == "Git branch: HEAD; working tree clean"


def test_a_branch_with_an_upstream_is_named_alone(tmp_path: Path) -> None:
    upstream = _repo(tmp_path / "upstream")
    _commit(upstream, "a.txt")
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "--quiet", str(upstream), str(clone))
    _git(clone, "config", "user.name", "Test User")
    _git(clone, "config", "user.email", "test@example.invalid")
    _commit(clone, "b.txt")  # one ahead: the header reads "trunk...origin/trunk [ahead 1]"
    assert _git_line(clone) == "Git branch: trunk; working tree clean"
