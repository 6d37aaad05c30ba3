"""A skill's ``allowed-tools``: what may run without asking while the skill is active.

A skill becomes active when its instructions enter the conversation: the model loads
it with the ``skill`` tool, the user types ``/skill-name``, or a prompt matches it (a
trigger phrase or its description). From then until this session ends its
``allowed-tools`` are allow rules, granted to the policy under the source
``skill NAME``: they add to what runs unasked and restrict nothing. They are read
and matched exactly as settings' allow rules, so deny and ask rules, plan mode and
everything the matcher guards (compound commands, ``..``, symlinks) still hold.

Only skills the user chose may grant: their own (``~/.tau/skills``), folders named
in settings, the skills shipped with tau, and a project's skills once the project
folder is trusted. A project skill in an untrusted folder grants nothing, and the
user is told so once, with the skill's name.

A grant belongs to the session it was made in. It is recorded there (a
``skill_granted`` event, for the audit trail) but never read back: a resumed,
forked or new session starts with the settings' rules only, and the skill grants
again when it is activated again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import JsonValue

from tau_cli.core import ConfigError
from tau_cli.runtime.events import Notice
from tau_cli.session import Session
from tau_cli.skills import Skill
from tau_cli.tools import PermissionPolicy, Rule

TRUSTED_SCOPES = frozenset({"user", "configured", "shipped"})
"""Skill folders the user chose, whose skills grant wherever tau runs."""
PROJECT_SCOPES = frozenset({"project", "repository", "claude"})
"""Skill folders inside the project, whose skills grant only in a trusted folder."""


def may_grant(skill: Skill, *, trusted: bool) -> bool:
    """Whether ``skill``'s ``allowed-tools`` take effect where the project folder is
    ``trusted`` (or not)."""
    if skill.scope in TRUSTED_SCOPES:
        return True
    return skill.scope in PROJECT_SCOPES and trusted


def grant_source(skill: Skill) -> str:
    """The source a skill's grant is filed under (shown by ``/permissions``)."""
    return f"skill {skill.name}"


@dataclass
class SkillGrants:
    """Turns an activated skill's ``allowed-tools`` into session-long allow rules.

    Args:
        policy: where the rules are granted.
        trusted: whether the project folder is trusted.
        session: the session in force now (a grant is recorded there).
    """

    policy: PermissionPolicy
    trusted: bool
    session: Callable[[], Session]
    _refused: set[str] = field(default_factory=set)

    def activate(self, skill: Skill) -> Notice | None:
        """Grant ``skill``'s ``allowed-tools``; what the user should be told, if anything."""
        if not skill.allowed_tools:
            return None
        listed = " ".join(skill.allowed_tools)
        if not may_grant(skill, trusted=self.trusted):
            if skill.name in self._refused:
                return None
            self._refused.add(skill.name)
            return Notice(
                level="warning",
                message=f"skill '{skill.name}' asks to use {listed} without asking, but it "
                f"comes from a project folder you have not trusted ({skill.path}), so it "
                "grants nothing: those tools ask as usual (tau trust to trust the folder)",
            )
        source = grant_source(skill)
        if source in self.policy.grants:
            return None
        rules, broken = _parse(skill.allowed_tools)
        if not rules:
            return Notice(
                level="warning",
                message=f"skill '{skill.name}' grants nothing: {listed} is not understood",
            )
        self.policy.grant(source, rules)
        recorded: list[JsonValue] = list(rules)
        self.session().record_event(
            {
                "type": "skill_granted",
                "skill": skill.name,
                "path": str(skill.path),
                "rules": recorded,
            }
        )
        message = (
            f"skill '{skill.name}' may use {', '.join(rules)} without asking "
            "for the rest of this session"
        )
        if broken:
            message += f"; not understood, so not granted: {', '.join(broken)}"
        return Notice(level="warning" if broken else "info", message=message)


def _parse(entries: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """The entries as permission rules (``bash(git log:*)``), and any that are not.

    Parsing a SKILL.md already refused malformed entries; this only keeps a rule the
    permission grammar would reject (should the two ever differ) from blocking the rest.
    """
    rules: list[str] = []
    broken: list[str] = []
    for entry in entries:
        try:
            rules.append(str(Rule.parse(entry)))
        except ConfigError:
            broken.append(entry)
    return rules, broken
