"""SKILL.md parsing, and levels 2 and 3: instructions and confined resources."""

from __future__ import annotations

from pathlib import Path

import pytest
from skills_helpers import CATALOG, make_skill

from tau_cli.core import ConfigError
from tau_cli.skills import Skill, SkillResourceError, parse_skill


def test_a_skill_is_read_from_its_frontmatter() -> None:
    skill = parse_skill(CATALOG / "security-review", scope="project")

    assert skill.name == "security-review"
    assert skill.description.startswith("Review code for security vulnerabilities")
    assert skill.triggers == ("security review", "vulnerability", "vulnerabilities", "cve")
    assert skill.metadata == {"owner": "appsec", "version": "2"}
    assert skill.scope == "project"
    assert skill.folder == CATALOG / "security-review"
    assert skill.path.read_bytes()[skill.body_offset :].startswith(b"Check inputs")
    assert {skill, parse_skill(CATALOG / "security-review", scope="project")} == {skill}


def test_a_claude_agent_skill_works_unchanged(tmp_path: Path) -> None:
    folder = make_skill(
        tmp_path,
        "pdf",
        "name: pdf\n"
        "description: >\n  Extract text and tables from PDF files.\n  Use when working with PDFs.\n"
        "license: Complete terms in LICENSE.txt\n"
        "allowed-tools: Bash(python:*) Read Write\n"
        "version: 1.2.0\n"
        "disable-model-invocation: false\n",
    )

    skill = parse_skill(folder / "SKILL.md")

    assert skill.description == (
        "Extract text and tables from PDF files. Use when working with PDFs."
    )
    assert skill.allowed_tools == ("Bash(python:*)", "Read", "Write")
    assert skill.license == "Complete terms in LICENSE.txt"
    assert skill.triggers == ()


def test_list_forms_and_when_to_use_are_accepted(tmp_path: Path) -> None:
    folder = make_skill(
        tmp_path,
        "deploy",
        "name: deploy\ndescription: Deploy the app.\ntriggers: ship it\n"
        "allowed-tools: [Read, Bash]\nwhen_to_use: When the user\n  asks to deploy.\n",
    )

    skill = parse_skill(folder)

    assert skill.triggers == ("ship it",)
    assert skill.allowed_tools == ("Read", "Bash")
    assert skill.when_to_use == "When the user asks to deploy."


def test_allowed_tools_keep_a_specifier_with_spaces_as_one_entry(tmp_path: Path) -> None:
    folder = make_skill(
        tmp_path,
        "release",
        "name: release\ndescription: Cut a release.\n"
        "allowed-tools: Bash(git log:*) Read, Bash(git tag -l:*),Edit(docs/**)\n",
    )

    skill = parse_skill(folder)

    assert skill.allowed_tools == ("Bash(git log:*)", "Read", "Bash(git tag -l:*)", "Edit(docs/**)")


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("# no frontmatter\n", 1, "must start with YAML frontmatter"),
        ("---\nname: x\ndescription: [broken\n---\n", 4, "not valid YAML"),
        ("---\ndescription: no name\n---\n", 1, "needs a 'name'"),
        ("---\nname: PDF Tools\ndescription: d\n---\n", 2, "'name' must be lowercase"),
        ("---\nname: -pdf\ndescription: d\n---\n", 2, "'name' must be lowercase"),
        ("---\nname: pdf--tools\ndescription: d\n---\n", 2, "'name' must be lowercase"),
        ("---\nname: " + "a" * 65 + "\ndescription: d\n---\n", 2, "at most 64"),
        ("---\nname: 42\ndescription: d\n---\n", 2, "'name' must be lowercase"),
        ("---\nname: x\n---\n", 1, "needs a 'description'"),
        ("---\nname: x\ndescription: '  '\n---\n", 3, "needs a 'description'"),
        ("---\nname: x\ndescription: " + "d" * 1025 + "\n---\n", 3, "the limit is 1024"),
        ("---\nname: x\ndescription: d\ntriggers: {a: 1}\n---\n", 4, "'triggers' must be"),
        ("---\nname: x\ndescription: d\nmetadata: [1]\n---\n", 4, "'metadata' must be"),
        ("---\nname: x\ndescription: d\nlicense: [MIT]\n---\n", 4, "'license' must be"),
        ("---\nname: x\ndescription: d\nname: y\n---\n", 4, "repeats the key 'name'"),
        ("---\nname: x\ndescription: d\n", 1, "no closing '---'"),
        (
            "---\nname: x\ndescription: d\nallowed-tools: Bash(git log:* Read\n---\n",
            4,
            "unbalanced parentheses",
        ),
        ("---\nname: x\ndescription: d\nallowed-tools: Read)\n---\n", 4, "unbalanced"),
        (
            "---\nname: x\ndescription: d\nallowed-tools: Bash (git log)\n---\n",
            4,
            "entry '(git log)' is not a tool name or tool(specifier)",
        ),
        (
            "---\nname: x\ndescription: d\nallowed-tools:\n  - Read\n  - Read Write\n---\n",
            4,
            "entry 'Read Write' is not a tool name",
        ),
        ("---\nname: x\ndescription: d\nallowed-tools: {Read: 1}\n---\n", 4, "text or a list"),
    ],
)
def test_bad_frontmatter_is_an_error_naming_file_and_line(
    tmp_path: Path, content: str, line: int, message: str
) -> None:
    path = tmp_path / "x" / "SKILL.md"
    path.parent.mkdir()
    path.write_text(content)

    with pytest.raises(ConfigError) as caught:
        parse_skill(path)

    assert caught.value.path == str(path)
    assert caught.value.line == line
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"{path}:{line}: ")


def test_instructions_are_the_body_read_on_demand() -> None:
    skill = parse_skill(CATALOG / "git-release")

    instructions = skill.instructions()

    assert instructions.text == ("1. Bump the version. 2. Update CHANGELOG.md. 3. Tag. 4. Push.")
    assert not instructions.truncated


def test_oversized_instructions_are_cut_with_a_visible_notice(tmp_path: Path) -> None:
    body = "".join(f"step {i}\n" for i in range(5_000))
    skill = parse_skill(make_skill(tmp_path, "big", "name: big\ndescription: d\n", body))

    instructions = skill.instructions(max_chars=100)

    assert instructions.truncated
    assert instructions.text.startswith("step 0\nstep 1\n")
    assert "step 4999" not in instructions.text
    assert instructions.text.endswith("[tau: the rest of SKILL.md was cut at 100 characters]")


def test_a_body_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    folder = make_skill(tmp_path, "x", "name: x\ndescription: d\n", "ok\n")
    with (folder / "SKILL.md").open("ab") as handle:
        handle.write(b"caf\xe9\n")
    skill = parse_skill(folder)

    with pytest.raises(ConfigError, match=r"SKILL\.md:6: is not UTF-8 text"):
        skill.instructions()


def test_resources_are_the_other_files_of_the_folder() -> None:
    skill = parse_skill(CATALOG / "pdf-forms")

    assert skill.resources() == ["reference/fields.md", "scripts/fill.py"]
    assert skill.read_resource("reference/fields.md").startswith("# Field types")
    assert skill.read_resource("./scripts/../reference/fields.md").startswith("# Field types")


@pytest.fixture
def confined(tmp_path: Path) -> Skill:
    (tmp_path / "secret.txt").write_text("api key")
    folder = make_skill(tmp_path / "skills", "demo", "name: demo\ndescription: d\n")
    (folder / "notes.md").write_text("notes")
    (folder / "leak.md").symlink_to(tmp_path / "secret.txt")
    (folder / "leakdir").symlink_to(tmp_path)
    (folder / "inside.md").symlink_to(folder / "notes.md")
    (folder / "sub").mkdir()
    return parse_skill(folder)


@pytest.mark.parametrize(
    ("request_path", "message"),
    [
        ("../../secret.txt", "is outside the skill's folder"),
        ("sub/../../../secret.txt", "is outside the skill's folder"),
        ("leak.md", "is outside the skill's folder"),
        ("leakdir/secret.txt", "is outside the skill's folder"),
        ("/etc/passwd", "give a path relative to the skill's folder"),
        ("", "give a path relative to the skill's folder"),
        ("missing.md", "there is no file 'missing.md'"),
        ("sub", "there is no file 'sub'"),
    ],
)
def test_a_resource_path_cannot_leave_the_skill_folder(
    confined: Skill, request_path: str, message: str
) -> None:
    with pytest.raises(SkillResourceError, match=message):
        confined.read_resource(request_path)


def test_symlinks_that_stay_inside_are_served_and_listed(confined: Skill) -> None:
    assert confined.read_resource("inside.md") == "notes"
    assert confined.resources() == ["inside.md", "notes.md"]


def test_a_binary_resource_is_refused_with_a_reason(tmp_path: Path) -> None:
    folder = make_skill(tmp_path, "x", "name: x\ndescription: d\n")
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00")

    with pytest.raises(SkillResourceError, match=r"logo\.png is not UTF-8 text"):
        parse_skill(folder).read_resource("logo.png")
