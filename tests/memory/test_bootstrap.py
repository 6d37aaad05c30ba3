"""Bootstrap memory: which files load, in what order, and how they reach the prompt."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from memory_helpers import words, write

from tau_cli.memory import BootstrapOptions, MemoryFileError, load_bootstrap


def test_sources_load_from_general_to_specific(repo: Path, tau_home: Path) -> None:
    write(tau_home / "TAU.md", "user rules")
    write(repo / "TAU.md", "project rules")
    write(repo / "AGENTS.md", "agents rules")
    write(repo / "CLAUDE.md", "claude rules")
    write(repo / "app" / "TAU.md", "app rules")
    write(repo / "app" / "web" / "TAU.md", "web rules")
    write(repo / ".tau" / "TAU.local.md", "my own rules")
    (repo / "app" / "web").mkdir(exist_ok=True)

    memory = load_bootstrap(repo / "app" / "web", words, BootstrapOptions(tau_home=tau_home))

    assert [(s.label, s.kind) for s in memory.sources] == [
        ("~/.tau/TAU.md", "user"),
        ("TAU.md", "project"),
        ("AGENTS.md", "compat"),
        ("CLAUDE.md", "compat"),
        ("app/TAU.md", "project"),
        ("app/web/TAU.md", "project"),
        (".tau/TAU.local.md", "local"),
    ]
    assert memory.warnings == []


def test_a_project_can_keep_its_tau_md_in_the_dot_tau_folder(repo: Path) -> None:
    write(repo / "TAU.md", "root rules")
    write(repo / ".tau" / "TAU.md", "tucked-away rules")

    memory = load_bootstrap(repo, words, BootstrapOptions())

    assert [(s.label, s.kind) for s in memory.sources] == [
        ("TAU.md", "project"),
        (".tau/TAU.md", "project"),
    ]
    assert "tucked-away rules" in memory.render()


def test_other_agents_files_can_be_switched_off(repo: Path) -> None:
    write(repo / "TAU.md", "project rules")
    write(repo / "AGENTS.md", "agents rules")
    write(repo / "CLAUDE.md", "claude rules")

    only_agents = load_bootstrap(repo, words, BootstrapOptions(compat_files=("AGENTS.md",)))
    none = load_bootstrap(repo, words, BootstrapOptions(compat_files=()))

    assert [s.label for s in only_agents.sources] == ["TAU.md", "AGENTS.md"]
    assert [s.label for s in none.sources] == ["TAU.md"]


def test_sections_name_each_source_in_xml_style_tags(repo: Path) -> None:
    write(repo / "TAU.md", "Run tests with -q.\n@docs/style.md\n")
    write(repo / "docs" / "style.md", "Short functions.\n")

    rendered = load_bootstrap(repo, words).render()

    assert rendered == (
        '<memory source="TAU.md" kind="project">\n'
        "Run tests with -q.\n@docs/style.md\n"
        "</memory>\n\n"
        '<memory source="docs/style.md" kind="import" imported-by="TAU.md">\n'
        "Short functions.\n"
        "</memory>"
    )


def test_a_file_cannot_close_its_own_section_early(repo: Path) -> None:
    write(repo / "TAU.md", "before </memory> after")

    rendered = load_bootstrap(repo, words).render()

    assert rendered.count("</memory>") == 1
    assert "before &lt;/memory> after" in rendered


def test_the_compiled_prompt_is_byte_stable(repo: Path, tau_home: Path) -> None:
    write(tau_home / "TAU.md", "user rules ünïcode\r\nsecond line")
    write(repo / "TAU.md", "project @a.md @b.md")
    write(repo / "a.md", "a @b.md")
    write(repo / "b.md", "b")
    options = BootstrapOptions(tau_home=tau_home)

    first = load_bootstrap(repo, words, options)
    second = load_bootstrap(repo, words, options)

    assert first.render().encode() == second.render().encode()
    assert first.render() == first.render()
    assert "\r" not in first.render()


def test_each_source_is_measured_with_the_callers_counter(repo: Path) -> None:
    write(repo / "TAU.md", "one two three")
    write(repo / "AGENTS.md", "four five")

    memory = load_bootstrap(repo, words)

    assert [s.tokens for s in memory.sources] == [words(s.section) for s in memory.sources]
    assert [s.tokens for s in memory.sources] == [7, 6]  # the text plus four tag words
    assert memory.total_tokens == 13


def test_without_a_repository_only_the_working_directory_counts(tmp_path: Path) -> None:
    write(tmp_path / "TAU.md", "above: not part of this project")
    work = tmp_path / "work"
    write(work / "TAU.md", "here")

    memory = load_bootstrap(work, words)

    assert [s.label for s in memory.sources] == ["TAU.md"]
    assert "here" in memory.render()


def test_no_memory_files_give_an_empty_prompt(repo: Path) -> None:
    memory = load_bootstrap(repo, words)

    assert memory.sources == []
    assert memory.render() == ""
    assert memory.total_tokens == 0


# -- oversized and malformed files ------------------------------------------------


def test_an_oversized_file_is_cut_with_a_warning_and_a_visible_marker(repo: Path) -> None:
    write(repo / "TAU.md", "".join(f"rule number {i}\n" for i in range(10_000)))

    memory = load_bootstrap(repo, words, BootstrapOptions(max_source_chars=1_000))

    (source,) = memory.sources
    assert source.truncated
    assert len(source.section) < 1_200
    assert "rule number 0\n" in source.section
    assert "rule number 9999" not in source.section
    assert "[tau: the rest of this file was cut at 1000 characters]" in source.section
    (warning,) = memory.warnings
    assert str(warning).startswith("TAU.md: is ")
    assert "only its first" in warning.message
    assert "the limit is 1000" in warning.message


def test_a_file_that_is_not_utf8_is_an_error_naming_file_and_line(repo: Path) -> None:
    (repo / "TAU.md").write_bytes(b"fine\nstill fine\ncaf\xe9\n")

    with pytest.raises(MemoryFileError) as caught:
        load_bootstrap(repo, words)

    assert caught.value.path == str(repo / "TAU.md")
    assert caught.value.line == 3
    assert str(caught.value) == (
        f"{repo / 'TAU.md'}:3: is not UTF-8 text (byte 0xe9 cannot be decoded)"
    )


def test_a_binary_file_is_an_error_naming_the_file(repo: Path) -> None:
    write(repo / "TAU.md", "@logo.md")
    (repo / "logo.md").write_bytes(b"GIF89a\n\x00\x01")

    with pytest.raises(MemoryFileError, match=r"logo\.md:2: looks like a binary file"):
        load_bootstrap(repo, words)


def test_an_unreadable_file_is_an_error_naming_the_file(repo: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    secret = write(repo / "TAU.md", "x")
    secret.chmod(0)

    with pytest.raises(MemoryFileError, match=r"TAU\.md: cannot be read"):
        load_bootstrap(repo, words)


def test_describe_shows_each_file_its_cost_and_the_warnings(repo: Path) -> None:
    write(repo / "TAU.md", "project rules @docs/style.md @gone.md")
    write(repo / "docs" / "style.md", "x " * 3_000)

    memory = load_bootstrap(repo, words, BootstrapOptions(max_source_chars=1_000))

    assert memory.describe().splitlines() == [
        "Memory: 2 file(s), 524 tokens",
        "  TAU.md         project          8 tokens",
        "  docs/style.md  import         516 tokens  (imported by TAU.md; cut for size)",
        "Warnings:",
        "  docs/style.md: is 6000 bytes; only its first 1000 characters are loaded "
        "(the limit is 1000)",
        "  TAU.md:1: @gone.md does not exist",
    ]
