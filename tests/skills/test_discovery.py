"""Discovery across the configured folders: precedence, duplicates, broken skills."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from skills_helpers import CATALOG, bytes_read, make_skill

from tau_cli.core import EstimatingTokenCounter
from tau_cli.skills import (
    SHIPPED_SKILLS_DIR,
    SkillRoot,
    check_skills,
    default_roots,
    discover_skills,
)


def test_folders_are_searched_in_precedence_order(tmp_path: Path, tau_home: Path) -> None:
    roots = default_roots(tmp_path, tau_home, [tmp_path / "team-skills"])

    assert [(r.path, r.scope) for r in roots] == [
        (tmp_path / ".tau" / "skills", "project"),
        (tau_home / "skills", "user"),
        (tmp_path / "skills", "repository"),
        (tmp_path / ".claude" / "skills", "claude"),
        (tmp_path / "team-skills", "configured"),
        (SHIPPED_SKILLS_DIR, "shipped"),
    ]
    assert SkillRoot(SHIPPED_SKILLS_DIR, "shipped") not in default_roots(
        tmp_path, None, shipped=False
    )


def test_in_the_home_folder_the_users_skills_are_the_users_not_the_projects(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    (home / ".tau" / "skills").mkdir(parents=True)

    roots = default_roots(home, home / ".tau", shipped=False)

    assert [(r.path, r.scope) for r in roots][:1] == [(home / ".tau" / "skills", "user")]
    assert [r.scope for r in roots].count("project") == 0


def test_the_same_name_resolves_by_precedence_with_a_warning(
    tmp_path: Path, tau_home: Path
) -> None:
    make_skill(tmp_path / ".tau" / "skills", "deploy", "name: deploy\ndescription: project\n")
    make_skill(tau_home / "skills", "deploy", "name: deploy\ndescription: user\n")
    make_skill(tau_home / "skills", "lint", "name: lint\ndescription: user lint\n")
    make_skill(tmp_path / ".claude" / "skills", "lint", "name: lint\ndescription: claude\n")

    catalog = discover_skills(default_roots(tmp_path, tau_home, shipped=False))

    assert {n: (s.description, s.scope) for n, s in catalog.skills.items()} == {
        "deploy": ("project", "project"),
        "lint": ("user lint", "user"),
    }
    assert [(d.severity, d.path) for d in catalog.diagnostics] == [
        ("warning", tau_home / "skills" / "deploy" / "SKILL.md"),
        ("warning", tmp_path / ".claude" / "skills" / "lint" / "SKILL.md"),
    ]
    assert "skill 'deploy' is hidden by the one in" in catalog.diagnostics[0].message
    assert "(project), which takes precedence" in catalog.diagnostics[0].message


def test_bad_skills_are_skipped_with_file_line_and_reason(tmp_path: Path) -> None:
    make_skill(tmp_path, "good", "name: good\ndescription: fine\n")
    make_skill(tmp_path, "broken", "name: broken\ndescription: [oops\n")
    make_skill(tmp_path, "nameless", "description: who am I\n")
    make_skill(tmp_path, "Shouty", "name: Shouty\ndescription: d\n")
    (tmp_path / "not-a-skill").mkdir()
    (tmp_path / "README.md").write_text("not a skill either")

    catalog = discover_skills([SkillRoot(tmp_path, "configured")])

    assert list(catalog.skills) == ["good"]
    assert [str(d) for d in catalog.diagnostics] == [
        f"error: {tmp_path / 'Shouty' / 'SKILL.md'}:2: skipped: 'name' must be lowercase "
        "letters, digits and single hyphens, at most 64 characters (got 'Shouty')",
        f"error: {tmp_path / 'broken' / 'SKILL.md'}:4: skipped: the frontmatter is not valid "
        "YAML: did not find expected ',' or ']'",
        f"error: {tmp_path / 'nameless' / 'SKILL.md'}:1: skipped: the frontmatter needs a 'name'",
    ]


def test_a_name_that_differs_from_its_folder_is_kept_with_a_warning(tmp_path: Path) -> None:
    make_skill(tmp_path, "old-folder", "name: new-name\ndescription: d\n")

    catalog = discover_skills([SkillRoot(tmp_path, "configured")])

    assert list(catalog.skills) == ["new-name"]
    (warning,) = catalog.diagnostics
    assert warning.severity == "warning"
    assert "differs from its folder 'old-folder'" in warning.message


def test_missing_folders_are_fine_and_a_file_in_their_place_is_reported(
    tmp_path: Path,
) -> None:
    (tmp_path / "skills-file").write_text("oops")

    catalog = discover_skills(
        [SkillRoot(tmp_path / "absent", "project"), SkillRoot(tmp_path / "skills-file", "user")]
    )

    assert catalog.skills == {}
    assert [str(d) for d in catalog.diagnostics] == [
        f"error: {tmp_path / 'skills-file'}: is not a folder, so no skills load from it"
    ]


def test_the_shipped_skills_are_valid() -> None:
    skills, problems = check_skills(SHIPPED_SKILLS_DIR)

    assert problems == []
    assert "writing-skills" in [s.name for s in skills]


def test_check_reports_everything_for_one_skill_or_a_folder(tmp_path: Path) -> None:
    make_skill(tmp_path, "a", "name: a\ndescription: d\n")
    make_skill(tmp_path, "b", "name: a\ndescription: same name, not hidden here\n")
    bad = make_skill(tmp_path, "c", "name: c\n")

    all_skills, all_problems = check_skills(tmp_path)
    one, one_problems = check_skills(bad)
    by_file, _ = check_skills(tmp_path / "a" / "SKILL.md")

    assert [s.name for s in all_skills] == ["a", "a"]
    assert [d.severity for d in all_problems] == ["warning", "error"]
    assert one == []
    assert "needs a 'description'" in one_problems[0].message
    assert [s.name for s in by_file] == ["a"]


def test_check_explains_paths_that_hold_no_skill(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()

    assert "holds no sub-folder with a SKILL.md" in str(check_skills(tmp_path / "empty")[1][0])
    assert "is neither a skill" in str(check_skills(tmp_path / "nowhere")[1][0])


def test_level_one_lists_every_name_and_description_stably(tmp_path: Path) -> None:
    make_skill(tmp_path, "zeta", "name: zeta\ndescription: Last <b>&</b> least\n")
    make_skill(tmp_path, "alpha", "name: alpha\ndescription: First.\n")

    catalog = discover_skills([SkillRoot(tmp_path, "project")])

    assert catalog.render_index() == (
        "<available-skills>\n"
        '<skill name="alpha">First.</skill>\n'
        '<skill name="zeta">Last &lt;b&gt;&amp;&lt;/b&gt; least</skill>\n'
        "</available-skills>"
    )
    assert discover_skills([SkillRoot(tmp_path, "project")]).render_index() == (
        catalog.render_index()
    )
    assert discover_skills([]).render_index() == ""


def test_an_oversized_body_is_kept_with_a_warning(tmp_path: Path) -> None:
    make_skill(tmp_path, "long", "name: long\ndescription: d\n", "x\n" * 40_000)

    catalog = discover_skills([SkillRoot(tmp_path, "project")])

    assert "long" in catalog.skills
    (warning,) = catalog.diagnostics
    assert "the body is 80000 bytes; only its first 50000 characters load" in warning.message


def test_a_hundred_skills_cost_little_and_no_body_is_read(tmp_path: Path) -> None:
    """Level 1 is all that discovery touches, even with 5 MB bodies (sparse files here)."""
    root = tmp_path / "skills"
    for i in range(100):
        folder = make_skill(
            root,
            f"skill-{i:03}",
            f"name: skill-{i:03}\n"
            f"description: Handle task family {i} - generate, check and explain the reports "
            f"and files of kind {i} when the user asks about them.\n"
            f"triggers: [family {i}]\n",
            "",
        )
        with (folder / "SKILL.md").open("r+b") as handle:
            handle.truncate(5 * 1024 * 1024)

    before = bytes_read()
    catalog = discover_skills([SkillRoot(root, "project")])
    read = bytes_read() - before

    assert len(catalog.skills) == 100
    assert read < 1024 * 1024, f"discovery read {read} bytes"
    tokens = catalog.index_tokens(EstimatingTokenCounter().count_text)
    assert tokens < 100 * 50, f"level 1 of 100 skills costs {tokens} tokens"
    assert all(d.severity == "warning" and "5242" in d.message for d in catalog.diagnostics)


def test_the_sample_catalog_loads_cleanly(tmp_path: Path) -> None:
    shutil.copytree(CATALOG, tmp_path / ".claude" / "skills")

    catalog = discover_skills(default_roots(tmp_path, None, shipped=False))

    assert len(catalog.skills) == 10
    assert catalog.diagnostics == []
    assert {s.scope for s in catalog.skills.values()} == {"claude"}


def test_a_folder_that_cannot_be_listed_is_reported(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root lists every folder")
    locked = tmp_path / "locked"
    make_skill(locked, "a", "name: a\ndescription: d\n")
    locked.chmod(0)
    try:
        catalog = discover_skills([SkillRoot(locked, "project")])
    finally:
        locked.chmod(0o755)

    assert catalog.skills == {}
    assert "cannot be listed" in catalog.diagnostics[0].message


def test_an_oversized_frontmatter_is_skipped_without_reading_it_all(tmp_path: Path) -> None:
    make_skill(tmp_path, "ok", "name: ok\ndescription: d\n")
    make_skill(tmp_path, "bloated", "name: bloated\ndescription: d\n" + "pad: x\n" * 20_000)

    catalog = discover_skills([SkillRoot(tmp_path, "project")])

    assert list(catalog.skills) == ["ok"]
    (error,) = catalog.diagnostics
    assert str(error) == (
        f"error: {tmp_path / 'bloated' / 'SKILL.md'}:1: skipped: the frontmatter is larger "
        "than 65536 bytes, or its closing '---' line is missing"
    )
