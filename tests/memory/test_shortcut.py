"""The ``#`` shortcut appends a line to a chosen memory file."""

from __future__ import annotations

from pathlib import Path

import pytest
from memory_helpers import words, write

from tau_cli.memory import (
    BootstrapOptions,
    load_bootstrap,
    memory_targets,
    parse_memory_shortcut,
    remember,
)


@pytest.mark.parametrize(
    ("prompt", "note"),
    [
        ("# always run tests with -q", "always run tests with -q"),
        ("#use uv,\n  not pip", "use uv, not pip"),
        ("#", None),
        ("#   ", None),
        ("fix the #3 bug", None),
        (" # leading space is an ordinary prompt", None),
    ],
)
def test_only_prompts_starting_with_hash_are_notes(prompt: str, note: str | None) -> None:
    assert parse_memory_shortcut(prompt) == note


def test_targets_are_the_project_local_and_user_files(repo: Path, tau_home: Path) -> None:
    (repo / "src").mkdir()

    targets = memory_targets(repo / "src", tau_home)

    assert targets == {
        "project": repo.resolve() / "TAU.md",
        "local": repo.resolve() / ".tau" / "TAU.local.md",
        "user": tau_home / "TAU.md",
    }
    assert "user" not in memory_targets(repo, None)


def test_a_remembered_note_is_in_the_next_bootstrap(repo: Path, tau_home: Path) -> None:
    write(repo / "TAU.md", "# Project\nexisting line without newline")
    targets = memory_targets(repo, tau_home)

    remember(targets["project"], "always run tests with -q")
    remember(targets["local"], "my editor is vim")
    remember(targets["user"], "answer briefly")

    assert (repo / "TAU.md").read_text() == (
        "# Project\nexisting line without newline\n- always run tests with -q\n"
    )
    assert (repo / ".tau" / "TAU.local.md").read_text() == "- my editor is vim\n"
    rendered = load_bootstrap(repo, words, BootstrapOptions(tau_home=tau_home)).render()
    assert "- answer briefly" in rendered
    assert "- my editor is vim" in rendered


def test_an_empty_note_is_refused_and_writes_nothing(repo: Path) -> None:
    with pytest.raises(ValueError, match="nothing to remember"):
        remember(repo / "TAU.md", "  \n ")
    assert not (repo / "TAU.md").exists()


def test_the_personal_file_is_git_ignored_when_first_created(repo: Path) -> None:
    write(repo / ".tau" / ".gitignore", "settings.local.yaml")
    local = memory_targets(repo, None)["local"]

    remember(local, "one")
    remember(local, "two")

    assert (repo / ".tau" / ".gitignore").read_text() == "settings.local.yaml\nTAU.local.md\n"
    assert local.read_text() == "- one\n- two\n"


def test_an_existing_ignore_entry_is_not_repeated(repo: Path) -> None:
    write(repo / ".tau" / ".gitignore", "TAU.local.md\n")

    remember(memory_targets(repo, None)["local"], "note")

    assert (repo / ".tau" / ".gitignore").read_text() == "TAU.local.md\n"
