"""``@path`` imports: nesting, cycles, depth, trust and what is not an import."""

from __future__ import annotations

from pathlib import Path

from memory_helpers import words, write

from tau_cli.memory import BootstrapOptions, load_bootstrap


def test_imports_follow_their_importer_relative_to_its_folder(repo: Path) -> None:
    write(repo / "TAU.md", "See @docs/guide.md for style.")
    write(repo / "docs" / "guide.md", "Guide. Also @./naming.md and @../CHANGES.txt")
    write(repo / "docs" / "naming.md", "Names.")
    write(repo / "CHANGES.txt", "Changes.")

    memory = load_bootstrap(repo, words)

    assert [(s.label, s.imported_by) for s in memory.sources] == [
        ("TAU.md", None),
        ("docs/guide.md", "TAU.md"),
        ("docs/naming.md", "docs/guide.md"),
        ("CHANGES.txt", "docs/guide.md"),
    ]
    assert memory.warnings == []


def test_code_mentions_and_addresses_are_not_imports(repo: Path) -> None:
    write(
        repo / "TAU.md",
        "Ask @alice or mail ops@example.com.\n"
        "Run `cat @inline/code.md` to see.\n"
        "```\n@fenced/code.md\n```\n"
        "~~~md\n@tilde/fence.md\n~~~\n",
    )
    for name in ("inline/code.md", "fenced/code.md", "tilde/fence.md", "example.com"):
        write(repo / name, "must not load")

    memory = load_bootstrap(repo, words)

    assert [s.label for s in memory.sources] == ["TAU.md"]
    assert memory.warnings == []


def test_a_file_imported_twice_loads_once(repo: Path) -> None:
    write(repo / "TAU.md", "@a.md @b.md")
    write(repo / "a.md", "@shared.md")
    write(repo / "b.md", "@shared.md")
    write(repo / "shared.md", "shared")

    memory = load_bootstrap(repo, words)

    assert [s.label for s in memory.sources] == ["TAU.md", "a.md", "shared.md", "b.md"]
    assert memory.warnings == []


def test_a_source_imported_earlier_is_not_repeated(repo: Path) -> None:
    write(repo / "TAU.md", "Also read @AGENTS.md")
    write(repo / "AGENTS.md", "agents")

    memory = load_bootstrap(repo, words)

    assert [(s.label, s.kind) for s in memory.sources] == [
        ("TAU.md", "project"),
        ("AGENTS.md", "import"),
    ]


def test_a_cycle_is_reported_and_broken(repo: Path) -> None:
    write(repo / "TAU.md", "@a.md")
    write(repo / "a.md", "first\n@b.md")
    write(repo / "b.md", "@a.md")

    memory = load_bootstrap(repo, words)

    assert [s.label for s in memory.sources] == ["TAU.md", "a.md", "b.md"]
    assert [str(w) for w in memory.warnings] == [
        "b.md:1: import cycle a.md -> b.md -> a.md; @a.md is skipped"
    ]


def test_a_file_importing_itself_is_a_cycle(repo: Path) -> None:
    write(repo / "TAU.md", "line\n@TAU.md")

    memory = load_bootstrap(repo, words)

    assert [s.label for s in memory.sources] == ["TAU.md"]
    assert [str(w) for w in memory.warnings] == [
        "TAU.md:2: import cycle TAU.md -> TAU.md; @TAU.md is skipped"
    ]


def test_imports_nest_five_levels_and_no_deeper(repo: Path) -> None:
    write(repo / "TAU.md", "@l1.md")
    for level in range(1, 7):
        write(repo / f"l{level}.md", f"level {level} @l{level + 1}.md")

    memory = load_bootstrap(repo, words)

    assert [s.label for s in memory.sources] == ["TAU.md", *(f"l{i}.md" for i in range(1, 6))]
    assert [str(w) for w in memory.warnings] == [
        "l5.md:1: @l6.md is nested deeper than 5 imports and is not loaded"
    ]


def test_a_missing_import_is_reported_with_its_line(repo: Path) -> None:
    write(repo / "TAU.md", "one\ntwo @docs/gone.md\n")
    (repo / "folder.d").mkdir()
    write(repo / "AGENTS.md", "@folder.d")

    memory = load_bootstrap(repo, words)

    assert [str(w) for w in memory.warnings] == [
        "TAU.md:2: @docs/gone.md does not exist",
        "AGENTS.md:1: @folder.d is a folder, not a file",
    ]


def test_imports_from_outside_the_repository_need_a_trusted_workspace(
    repo: Path, tmp_path: Path
) -> None:
    write(tmp_path / "outside.md", "outside rules")
    write(repo / "TAU.md", "@../outside.md")

    untrusted = load_bootstrap(repo, words)
    trusted = load_bootstrap(repo, words, BootstrapOptions(trusted=True))

    assert [s.label for s in untrusted.sources] == ["TAU.md"]
    assert [str(w) for w in untrusted.warnings] == [
        "TAU.md:1: @../outside.md is outside the repository and is loaded only in a "
        "trusted workspace"
    ]
    assert [s.label for s in trusted.sources] == ["TAU.md", str(tmp_path / "outside.md")]
    assert "outside rules" in trusted.render()


def test_a_symlink_cannot_smuggle_an_outside_file_in(repo: Path, tmp_path: Path) -> None:
    write(tmp_path / "secret.md", "api key")
    (repo / "innocent.md").symlink_to(tmp_path / "secret.md")
    write(repo / "TAU.md", "@innocent.md")

    memory = load_bootstrap(repo, words)

    assert "api key" not in memory.render()
    assert "outside the repository" in memory.warnings[0].message


def test_home_imports_are_outside_the_repository_too(repo: Path, isolated_home: Path) -> None:
    write(isolated_home / ".ssh" / "id.md", "private key")
    write(repo / "TAU.md", "@~/.ssh/id.md")

    memory = load_bootstrap(repo, words)

    assert "private key" not in memory.render()
    assert memory.warnings[0].line == 1


def test_user_memory_may_import_from_its_own_folder(repo: Path, tau_home: Path) -> None:
    write(tau_home / "TAU.md", "@style/python.md\n@../elsewhere.md")
    write(tau_home / "style" / "python.md", "use ruff")
    write(tau_home.parent / "elsewhere.md", "not mine to share")

    memory = load_bootstrap(repo, words, BootstrapOptions(tau_home=tau_home))

    assert [s.label for s in memory.sources] == ["~/.tau/TAU.md", "~/.tau/style/python.md"]
    assert [str(w) for w in memory.warnings] == [
        "~/.tau/TAU.md:2: @../elsewhere.md is outside ~/.tau and is loaded only in a "
        "trusted workspace"
    ]


def test_the_common_agents_md_symlink_and_import_load_the_text_once(repo: Path) -> None:
    write(repo / "AGENTS.md", "shared rules")
    (repo / "CLAUDE.md").symlink_to(repo / "AGENTS.md")
    write(repo / "TAU.md", "@AGENTS.md\n@CLAUDE.md")

    memory = load_bootstrap(repo, words)

    assert memory.render().count("shared rules") == 1
    assert memory.warnings == []
