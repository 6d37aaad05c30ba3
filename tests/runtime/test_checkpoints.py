"""``CheckpointStore``: exact snapshots of a project outside its own git, and rewinds."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tau_cli.runtime.checkpoints import CheckpointError, CheckpointStore, FileChange
from tau_cli.runtime.paths import has_project_marker, project_root


def tree(root: Path) -> dict[str, tuple[str, bytes | str, int]]:
    """Every entry but ``.git``: its kind, its bytes (or link target) and its mode."""
    found: dict[str, tuple[str, bytes | str, int]] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if ".git" in rel.parts:
            continue
        if path.is_symlink():
            found[str(rel)] = ("link", os.readlink(path), 0)
        elif path.is_file():
            found[str(rel)] = ("file", path.read_bytes(), path.stat().st_mode & 0o111)
        else:
            found[str(rel)] = ("dir", b"", 0)
    return found


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / "run.sh").write_text("#!/bin/sh\n")
    (root / "run.sh").chmod(0o755)
    (root / "thing").write_text("a file that becomes a folder\n")
    (root / "folder").mkdir()
    (root / "folder" / "inside.txt").write_text("a folder that becomes a file\n")
    (root / "link").symlink_to("run.sh")
    return root


def test_kinds_modes_and_links_come_back_exactly(project: Path, tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path / "tau-home", "s1", project)
    before = tree(project)
    store.record("reshape everything")

    (project / "run.sh").chmod(0o644)
    (project / "thing").unlink()
    (project / "thing").mkdir()
    (project / "thing" / "nested.txt").write_text("new\n")
    (project / "folder" / "inside.txt").unlink()
    (project / "folder").rmdir()
    (project / "folder").write_text("now a file\n")
    (project / "link").unlink()
    (project / "link").symlink_to("thing")
    assert tree(project) != before

    rewound = store.rewind(1)
    assert tree(project) == before
    assert rewound.deleted == ["folder", "thing/nested.txt"]
    assert store.turns()[0].prompt == "reshape everything"
    assert list((project / ".git").iterdir()) == []


def test_changes_since_the_checkpoint_count_lines(project: Path, tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path / "tau-home", "s1", project)
    assert store.changes() == []
    store.record("edit")
    (project / "run.sh").write_text("#!/bin/sh\necho one\necho two\n")
    (project / "blob.bin").write_bytes(b"\x00\xff\x00")
    assert store.changes() == [FileChange("blob.bin", None, None), FileChange("run.sh", 2, 0)]


def test_an_unknown_turn_names_the_ones_there_are(project: Path, tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path / "tau-home", "s1", project)
    with pytest.raises(CheckpointError, match="has: none"):
        store.rewind(1)
    store.record("one")
    store.record("two")
    with pytest.raises(
        CheckpointError, match=r"no checkpoint for turn 5 \(this session has: 1, 2\)"
    ):
        store.rewind(5)


def _recorded(store: CheckpointStore) -> list[str]:
    listing = subprocess.run(
        ["git", "--git-dir", str(store.git_dir), "ls-tree", "-r", "--name-only", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    )
    return listing.stdout.split()


def test_a_tau_home_inside_the_project_is_not_snapshotted(project: Path) -> None:
    # A dotfiles repository as $HOME, or TAU_HOME pointed into the project: each
    # checkpoint would otherwise record the checkpoints before it, without end.
    store = CheckpointStore(project / "state" / "tau", "s1", project)
    store.record("one")
    store.record("two")
    recorded = _recorded(store)
    assert "run.sh" in recorded
    assert not [name for name in recorded if name.startswith("state/")]


def test_home_holding_only_tau_home_is_no_project(isolated_home: Path, tmp_path: Path) -> None:
    (isolated_home / ".tau").mkdir()
    assert not has_project_marker(isolated_home)
    assert project_root(isolated_home) == isolated_home.resolve()
    own = tmp_path / "own"
    (own / ".tau").mkdir(parents=True)
    assert has_project_marker(own)
    (isolated_home / ".git").mkdir()
    assert has_project_marker(isolated_home)  # a home that is a repository is one


def test_a_store_made_before_the_rule_stops_recording_tau_home_at_its_next_checkpoint(
    project: Path,
) -> None:
    store = CheckpointStore(project / "state" / "tau", "s1", project)
    store.record("one")
    (store.git_dir / "info" / "exclude").write_text("")  # as an older tau left it
    (project / "state" / "tau" / "notes.txt").write_text("tau's own\n")
    store.record("two")
    assert not [name for name in _recorded(store) if name.startswith("state/")]
