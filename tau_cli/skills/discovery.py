"""Finding skills in the configured folders, and reporting the ones that are broken.

Folders are searched in precedence order; when two hold a skill of the same name the
earlier one wins and the later one is reported, never silently dropped:

1. ``.tau/skills/`` in the project;
2. ``$TAU_HOME/skills/``, the user's own;
3. the project's ``skills/``;
4. ``.claude/skills/`` in the project, so Claude skills work as they are;
5. folders named in settings;
6. the skills shipped with tau.

Each skill is a sub-folder holding ``SKILL.md``. Only frontmatter is read here, so
discovery costs a few kilobytes per skill however large the bodies are.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from tau_cli.core import ConfigError
from tau_cli.skills.skill import MAX_INSTRUCTION_CHARS, SKILL_FILE, Skill, parse_skill

SHIPPED_SKILLS_DIR = Path(__file__).parent / "shipped"
"""The skills that come with tau; they lose to any skill of the same name."""


@dataclass(frozen=True)
class SkillRoot:
    """A folder whose sub-folders are skills, and the scope name shown for them."""

    path: Path
    scope: str


@dataclass(frozen=True)
class SkillDiagnostic:
    """Why a skill was skipped (``error``) or what is odd about one (``warning``)."""

    path: Path
    message: str
    severity: Literal["error", "warning"] = "error"
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else str(self.path)
        return f"{self.severity}: {where}: {self.message}"


@dataclass
class SkillCatalog:
    """The skills in effect, by name, and what discovery had to say."""

    skills: dict[str, Skill] = field(default_factory=dict)
    diagnostics: list[SkillDiagnostic] = field(default_factory=list)

    def get(self, name: str) -> Skill | None:
        return self.skills.get(name)

    def render_index(self) -> str:
        """Level 1: every skill's name and description, for the system prompt.

        Sorted by name, so the bytes do not change while the installed skills do not.
        """
        if not self.skills:
            return ""
        lines = ["<available-skills>"]
        for name in sorted(self.skills):
            skill = self.skills[name]
            lines.append(f'<skill name="{name}">{html.escape(skill.description)}</skill>')
        lines.append("</available-skills>")
        return "\n".join(lines)

    def index_tokens(self, count_tokens: Callable[[str], int]) -> int:
        """What level 1 costs in the prompt, by the caller's counting function."""
        return count_tokens(self.render_index())


def default_roots(
    project_root: Path,
    tau_home: Path | None,
    configured: Sequence[Path] = (),
    *,
    shipped: bool = True,
) -> list[SkillRoot]:
    """The folders searched for skills, highest precedence first.

    Run in the home folder, the project's ``.tau/skills`` is the user's own; it is
    then listed once, as the user's, since the scope decides what a skill may grant.
    """
    project = project_root / ".tau" / "skills"
    user = tau_home / "skills" if tau_home is not None else None
    roots = []
    if user is None or project.resolve() != user.resolve():
        roots.append(SkillRoot(project, "project"))
    if user is not None:
        roots.append(SkillRoot(user, "user"))
    roots.append(SkillRoot(project_root / "skills", "repository"))
    roots.append(SkillRoot(project_root / ".claude" / "skills", "claude"))
    roots.extend(SkillRoot(path, "configured") for path in configured)
    if shipped:
        roots.append(SkillRoot(SHIPPED_SKILLS_DIR, "shipped"))
    return roots


def discover_skills(roots: Iterable[SkillRoot]) -> SkillCatalog:
    """Parse every skill under ``roots``; broken ones become diagnostics, not errors."""
    catalog = SkillCatalog()
    seen_roots: set[Path] = set()
    for root in roots:
        resolved = root.path.resolve()
        if resolved in seen_roots or not root.path.exists():
            continue
        seen_roots.add(resolved)
        if not root.path.is_dir():
            catalog.diagnostics.append(
                SkillDiagnostic(root.path, "is not a folder, so no skills load from it")
            )
            continue
        for skill, problems in _scan(root):
            catalog.diagnostics.extend(problems)
            if skill is None:
                continue
            winner = catalog.skills.get(skill.name)
            if winner is not None:
                catalog.diagnostics.append(
                    SkillDiagnostic(
                        skill.path,
                        f"skill '{skill.name}' is hidden by the one in {winner.path} "
                        f"({winner.scope}), which takes precedence",
                        "warning",
                    )
                )
                continue
            catalog.skills[skill.name] = skill
    return catalog


def check_skills(path: Path) -> tuple[list[Skill], list[SkillDiagnostic]]:
    """Validate one skill (its folder or SKILL.md) or every skill in a folder of skills.

    This is ``tau skills check PATH``: nothing is hidden by precedence, everything is
    reported.
    """
    if path.is_file() or (path / SKILL_FILE).is_file():
        one, its_problems = _parse(path if path.is_file() else path / SKILL_FILE, "checked")
        return ([one] if one else []), its_problems
    if not path.is_dir():
        return [], [SkillDiagnostic(path, "is neither a skill nor a folder of skills")]
    skills: list[Skill] = []
    problems: list[SkillDiagnostic] = []
    for skill, found in _scan(SkillRoot(path, "checked")):
        problems.extend(found)
        if skill is not None:
            skills.append(skill)
    if not skills and not problems:
        problems.append(SkillDiagnostic(path, f"holds no sub-folder with a {SKILL_FILE}"))
    return skills, problems


def _scan(root: SkillRoot) -> Iterable[tuple[Skill | None, list[SkillDiagnostic]]]:
    try:
        folders = sorted(root.path.iterdir())
    except OSError as exc:
        reason = exc.strerror or str(exc)
        yield None, [SkillDiagnostic(root.path, f"cannot be listed ({reason}), so no skills load")]
        return
    for folder in folders:
        if folder.is_dir() and (folder / SKILL_FILE).is_file():
            yield _parse(folder / SKILL_FILE, root.scope)


def _parse(path: Path, scope: str) -> tuple[Skill | None, list[SkillDiagnostic]]:
    try:
        skill = parse_skill(path, scope=scope)
    except ConfigError as exc:
        return None, [SkillDiagnostic(path, f"skipped: {exc.detail}", "error", exc.line)]
    problems: list[SkillDiagnostic] = []
    if skill.name != path.parent.name:
        problems.append(
            SkillDiagnostic(
                path,
                f"the name '{skill.name}' differs from its folder '{path.parent.name}'; "
                "Agent Skills expects them to match",
                "warning",
            )
        )
    if skill.body_bytes > MAX_INSTRUCTION_CHARS:
        problems.append(
            SkillDiagnostic(
                path,
                f"the body is {skill.body_bytes} bytes; only its first {MAX_INSTRUCTION_CHARS} "
                "characters load when the skill is used",
                "warning",
            )
        )
    return skill, problems
