"""Structured notes under .tau/notes/ with an index to list and search."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from memory_helpers import write

from tau_cli.memory import HANDOFF_REQUEST, MemoryFileError, NoteStore


def test_a_note_is_a_markdown_file_with_frontmatter(tmp_path: Path) -> None:
    store = NoteStore(tmp_path)

    note = store.write("concepts", "How the cache works", "Entries expire.\n", tags=("cache",))

    assert note.ref == "concepts/how-the-cache-works"
    assert note.path == tmp_path / ".tau" / "notes" / "concepts" / "how-the-cache-works.md"
    assert note.path.read_text() == (
        "---\ntitle: How the cache works\ntags:\n- cache\n---\n\nEntries expire.\n"
    )
    assert store.read("concepts/how-the-cache-works") == (note, "Entries expire.")


def test_notes_are_listed_by_kind_and_indexed(tmp_path: Path) -> None:
    store = NoteStore(tmp_path)
    store.write("sessions", "2026-11-26 hand-off", "Done: parser.")
    store.write("guides", "Release a version", "Tag and push.", tags=("release", "git"))
    store.write("concepts", "Plan mode", "Read-only tools only.")

    assert [n.ref for n in store.notes()] == [
        "concepts/plan-mode",
        "guides/release-a-version",
        "sessions/2026-11-26-hand-off",
    ]
    assert [n.ref for n in store.notes("guides")] == ["guides/release-a-version"]
    assert (tmp_path / ".tau" / "notes" / "INDEX.md").read_text() == (
        "# Notes\n\n"
        "## Concepts\n\n- [Plan mode](concepts/plan-mode.md)\n\n"
        "## Guides\n\n- [Release a version](guides/release-a-version.md) (release, git)\n\n"
        "## Sessions\n\n- [2026-11-26 hand-off](sessions/2026-11-26-hand-off.md)\n"
    )


def test_writing_the_same_title_replaces_the_note(tmp_path: Path) -> None:
    store = NoteStore(tmp_path)
    store.write("guides", "Deploy", "old way")

    store.write("guides", "Deploy", "new way")

    assert len(store.notes()) == 1
    assert store.read("guides/deploy")[1] == "new way"


def test_search_needs_every_word_and_ranks_by_mentions(tmp_path: Path) -> None:
    store = NoteStore(tmp_path)
    store.write("concepts", "Token budget", "The context budget is counted in tokens.\nBudget!")
    store.write("guides", "Compaction", "When the budget is exceeded, compact the context.")
    store.write("reviews", "Parser review", "Fine.", tags=("budget",))

    hits = store.search("Budget context")

    assert [h.note.ref for h in hits] == ["concepts/token-budget", "guides/compaction"]
    assert hits[0].line == 1
    assert hits[0].excerpt == "The context budget is counted in tokens."
    assert [h.note.ref for h in store.search("budget")][-1] == "reviews/parser-review"
    assert store.search("nowhere") == []
    assert store.search("  ") == []


def test_a_note_written_by_hand_without_frontmatter_is_listed(tmp_path: Path) -> None:
    write(tmp_path / ".tau" / "notes" / "guides" / "setup.md", "Install uv.\n")

    (note,) = NoteStore(tmp_path).notes()

    assert (note.ref, note.title, note.tags) == ("guides/setup", "setup", ())


@pytest.mark.parametrize(
    "ref", ["../../secrets", "guides/../../x", "/etc/passwd", "recipes/x", "guides/", "x"]
)
def test_a_note_name_cannot_reach_outside_the_notes_folder(tmp_path: Path, ref: str) -> None:
    with pytest.raises(ValueError, match="is not a note name"):
        NoteStore(tmp_path).read(ref)


def test_missing_notes_and_bad_input_are_clear_errors(tmp_path: Path) -> None:
    store = NoteStore(tmp_path)

    with pytest.raises(ValueError, match="there is no note guides/nothing"):
        store.read("guides/nothing")
    with pytest.raises(ValueError, match="unknown note kind 'recipes'"):
        store.write("recipes", "x", "y")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs at least one letter or digit"):
        store.write("guides", "!!!", "y")
    assert store.notes() == []


def test_a_note_with_bad_frontmatter_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / ".tau" / "notes" / "guides" / "bad.md", "---\ntitle: x\ntags: 3\n---\n")

    with pytest.raises(MemoryFileError) as caught:
        NoteStore(tmp_path).read("guides/bad")

    assert str(caught.value) == f"{path}:3: 'tags' must be a list of text"


def test_a_hand_off_is_a_sessions_note_named_after_its_time(tmp_path: Path) -> None:
    store = NoteStore(tmp_path)
    at = datetime(2026, 11, 26, 3, 4, 5, tzinfo=UTC)

    note = store.write_handoff("Done: parser. Next: loader.", at=at, tags=("parser",))

    assert note.ref == "sessions/hand-off-2026-11-26-030405"
    assert note.tags == ("hand-off", "parser")
    assert store.read(note.ref)[1] == "Done: parser. Next: loader."
    assert HANDOFF_REQUEST.startswith("The session is ending.")
    with pytest.raises(ValueError, match="hand-off note is empty"):
        store.write_handoff(" ", at=at)
