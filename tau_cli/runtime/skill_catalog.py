"""The skills a session offers: discovery over the usual folders, as the settings choose.

The ``-dev`` skills shipped with tau are for people working on tau; in tau's own
checkout they come from the repository's ``skills/`` folder anyway, so elsewhere they
are left out unless ``skills.shipped: all`` asks for them. Each offered skill costs its
description in every prompt.
"""

from __future__ import annotations

from pathlib import Path

from tau_cli.runtime.settings import Settings
from tau_cli.skills import SkillCatalog, default_roots, discover_skills

_CONTRIBUTING = "-dev"


def load_skill_catalog(settings: Settings, project_root: Path, home: Path | None) -> SkillCatalog:
    """The skills in effect for ``project_root``, shipped ones filtered by ``skills.shipped``."""
    configured = [Path(p).expanduser() for p in settings.skills.paths]
    choice = settings.skills.shipped
    roots = default_roots(project_root, home, configured, shipped=choice != "none")
    catalog = discover_skills(roots)
    if choice == "usage":
        catalog.skills = {
            name: skill
            for name, skill in catalog.skills.items()
            if not (skill.scope == "shipped" and name.endswith(_CONTRIBUTING))
        }
    return catalog


def left_out(settings: Settings) -> str | None:
    """A line saying which shipped skills the settings leave out, for ``tau skills list``."""
    if settings.skills.shipped == "all":
        return None
    if settings.skills.shipped == "none":
        return "The skills shipped with tau are left out (skills.shipped: none)."
    return (
        "The contributing (-dev) skills shipped with tau are left out; "
        "skills.shipped: all offers them."
    )
