"""Sub-folder TAU.md files load when a tool first touches their folder."""

from __future__ import annotations

from pathlib import Path

from memory_helpers import words, write

from tau_cli.memory import load_bootstrap, remember


def test_a_subfolder_loads_on_first_touch_and_only_once(repo: Path) -> None:
    write(repo / "TAU.md", "root")
    write(repo / "lib" / "TAU.md", "lib rules @notes.md")
    write(repo / "lib" / "notes.md", "lib notes")
    write(repo / "lib" / "core" / "TAU.md", "core rules")
    write(repo / "lib" / "core" / "x.py", "")
    memory = load_bootstrap(repo, words)
    assert [s.label for s in memory.sources] == ["TAU.md"]

    added = memory.touch(repo / "lib" / "core" / "x.py")
    again = memory.touch(repo / "lib" / "core")

    assert [(s.label, s.kind) for s in added] == [
        ("lib/TAU.md", "subfolder"),
        ("lib/notes.md", "import"),
        ("lib/core/TAU.md", "subfolder"),
    ]
    assert again == []
    assert [s.label for s in memory.sources] == [
        "TAU.md",
        "lib/TAU.md",
        "lib/notes.md",
        "lib/core/TAU.md",
    ]


def test_touching_appends_so_the_earlier_prompt_stays_a_prefix(repo: Path) -> None:
    write(repo / "TAU.md", "root")
    write(repo / "lib" / "TAU.md", "lib rules")
    memory = load_bootstrap(repo, words)
    before = memory.render()

    memory.touch(Path("lib"))

    assert memory.render().startswith(before + "\n\n")
    assert memory.render().endswith(
        '<memory source="lib/TAU.md" kind="subfolder">\nlib rules\n</memory>'
    )


def test_a_sibling_of_the_working_directory_loads_on_touch(repo: Path) -> None:
    write(repo / "app" / "TAU.md", "app")
    write(repo / "docs" / "TAU.md", "docs")
    memory = load_bootstrap(repo / "app", words)

    added = memory.touch(Path("../docs/index.md"))

    assert [s.label for s in memory.sources] == ["app/TAU.md", "docs/TAU.md"]
    assert [s.label for s in added] == ["docs/TAU.md"]


def test_touching_outside_the_repository_loads_nothing(repo: Path, tmp_path: Path) -> None:
    write(tmp_path / "elsewhere" / "TAU.md", "not this project")
    memory = load_bootstrap(repo, words)

    assert memory.touch(tmp_path / "elsewhere" / "file.txt") == []
    assert memory.sources == []


def test_folders_on_the_way_to_the_working_directory_are_not_loaded_twice(repo: Path) -> None:
    write(repo / "TAU.md", "root")
    write(repo / "app" / "TAU.md", "app")
    memory = load_bootstrap(repo / "app", words)

    assert memory.touch(repo / "app" / "main.py") == []
    assert memory.touch(repo) == []
    assert [s.label for s in memory.sources] == ["TAU.md", "app/TAU.md"]


def test_reloading_picks_up_edits_and_keeps_touched_folders(repo: Path) -> None:
    write(repo / "TAU.md", "root")
    write(repo / "lib" / "TAU.md", "lib rules")
    memory = load_bootstrap(repo, words)
    memory.touch(repo / "lib")
    remember(repo / "TAU.md", "new rule")

    fresh = memory.reload()

    assert [s.label for s in fresh.sources] == ["TAU.md", "lib/TAU.md"]
    assert "- new rule" in fresh.render()
    assert "- new rule" not in memory.render()
