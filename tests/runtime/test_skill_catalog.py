"""Which skills a session offers: the project's and the user's, and tau's own as settings say."""

from __future__ import annotations

from pathlib import Path

import pytest

from tau_cli.runtime.settings import Settings
from tau_cli.runtime.skill_catalog import load_skill_catalog
from tau_cli.skills import SHIPPED_SKILLS_DIR

SHIPPED = {p.parent.name for p in SHIPPED_SKILLS_DIR.glob("*/SKILL.md")}
CONTRIBUTING = {name for name in SHIPPED if name.endswith("-dev")}


def _project(tmp_path: Path) -> Path:
    skill = tmp_path / "project" / ".tau" / "skills" / "release"
    skill.mkdir(parents=True)
    (skill / "SKILL.md").write_text(
        "---\nname: release\ndescription: Cut a release of this project.\n---\nSteps.\n"
    )
    return tmp_path / "project"


def test_by_default_a_project_gets_the_usage_skills_but_not_tau_contributors_ones(
    tmp_path: Path,
) -> None:
    catalog = load_skill_catalog(Settings(), _project(tmp_path), tmp_path / "home")

    assert CONTRIBUTING and "tau-core" in SHIPPED
    assert set(catalog.skills) == {"release"} | (SHIPPED - CONTRIBUTING)


@pytest.mark.parametrize(("choice", "expected"), [("all", SHIPPED), ("none", set())])
def test_the_setting_offers_all_of_tau_s_skills_or_none(
    tmp_path: Path, choice: str, expected: set[str]
) -> None:
    settings = Settings.model_validate({"skills": {"shipped": choice}})
    catalog = load_skill_catalog(settings, _project(tmp_path), tmp_path / "home")

    assert set(catalog.skills) == {"release"} | expected
