"""Loading a triggered skill into a request, the skill tool, and the UI event."""

from __future__ import annotations

from pathlib import Path

import pytest
from skills_helpers import CATALOG, make_skill

from tau_cli.core import EstimatingTokenCounter
from tau_cli.skills import (
    SkillActivated,
    SkillCatalog,
    SkillResourceError,
    SkillRoot,
    activate,
    discover_skills,
    render_instructions,
    skill_tool_definition,
    use_skill,
)


@pytest.fixture(scope="module")
def catalog() -> SkillCatalog:
    return discover_skills([SkillRoot(CATALOG, "project")])


def test_instructions_name_the_skill_and_list_its_resources(catalog: SkillCatalog) -> None:
    skill = catalog.skills["pdf-forms"]

    text = render_instructions(skill)

    assert text.startswith(f'<skill-instructions name="pdf-forms" folder="{skill.folder}">\n')
    assert "# PDF forms\n\nUse `scripts/fill.py FORM.pdf VALUES.json`" in text
    assert text.endswith(
        "read one with the skill tool's 'resource' argument):\n"
        "- reference/fields.md\n- scripts/fill.py\n</skill-instructions>"
    )


def test_a_skill_without_resources_lists_none(catalog: SkillCatalog) -> None:
    text = render_instructions(catalog.skills["git-release"])

    assert "Resources" not in text
    assert text == (
        f'<skill-instructions name="git-release" folder="{CATALOG / "git-release"}">\n'
        "1. Bump the version. 2. Update CHANGELOG.md. 3. Tag. 4. Push.\n"
        "</skill-instructions>"
    )


def test_the_skill_tool_loads_instructions_or_one_resource(catalog: SkillCatalog) -> None:
    assert use_skill(catalog, "pdf-forms") == render_instructions(catalog.skills["pdf-forms"])
    assert use_skill(catalog, "pdf-forms", "scripts/fill.py") == (
        'import sys\n\nprint("filling", sys.argv[1])\n'
    )


def test_the_skill_tool_refuses_unknown_skills_and_escaping_paths(
    catalog: SkillCatalog,
) -> None:
    with pytest.raises(SkillResourceError, match="there is no skill 'nope'; available: api-docs"):
        use_skill(catalog, "nope")
    with pytest.raises(SkillResourceError, match="outside the skill's folder"):
        use_skill(catalog, "pdf-forms", "../git-release/SKILL.md")
    with pytest.raises(SkillResourceError, match="none are installed"):
        use_skill(SkillCatalog(), "pdf-forms")


def test_the_tool_definition_offers_exactly_the_installed_skills(catalog: SkillCatalog) -> None:
    definition = skill_tool_definition(catalog)

    assert definition.name == "skill"
    properties = definition.parameters["properties"]
    assert isinstance(properties, dict)
    name = properties["name"]
    assert isinstance(name, dict)
    assert name["enum"] == sorted(catalog.skills)
    assert definition.parameters["required"] == ["name"]


def test_the_event_round_trips_as_json(tmp_path: Path) -> None:
    skill = discover_skills([SkillRoot(CATALOG, "p")]).skills["api-docs"]
    text = render_instructions(skill)
    event = SkillActivated(
        name=skill.name,
        reason="matcher",
        tokens=EstimatingTokenCounter().count_text(text),
    )

    again = SkillActivated.model_validate_json(event.model_dump_json())

    assert again == event
    assert again.type == "skill_activated"
    assert again.tokens > 0


def test_activating_gives_the_text_and_the_event_that_announces_it(
    catalog: SkillCatalog,
) -> None:
    skill = catalog.skills["pytest-fixtures"]

    text, event = activate(skill, "command", EstimatingTokenCounter().count_text)

    assert text == render_instructions(skill)
    assert (event.name, event.reason, event.truncated) == ("pytest-fixtures", "command", False)
    assert event.tokens == EstimatingTokenCounter().count_text(text)


def test_a_huge_body_reaches_the_request_cut(tmp_path: Path) -> None:
    make_skill(tmp_path, "huge", "name: huge\ndescription: d\n", "line\n" * 100_000)
    catalog = discover_skills([SkillRoot(tmp_path, "p")])

    text = use_skill(catalog, "huge")
    _, event = activate(catalog.skills["huge"], "tool", len)

    assert len(text) < 60_000
    assert "[tau: the rest of SKILL.md was cut at 50000 characters]" in text
    assert event.truncated
    assert event.tokens == len(text)
