"""Which skills may grant their ``allowed-tools``, and how an entry becomes a rule."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tau_cli.core import ConfigError
from tau_cli.runtime.skill_grants import SkillGrants
from tau_cli.session import Session
from tau_cli.skills import Skill, parse_skill
from tau_cli.tools import LocalEnvironment, PermissionPolicy, Rule


def skill(scope: str, *tools: str) -> Skill:
    return Skill("release", "Cut a release.", Path("/skills/release"), scope, allowed_tools=tools)


def grants(tmp_path: Path, trusted: bool) -> SkillGrants:
    policy = PermissionPolicy(LocalEnvironment(str(tmp_path)))
    session = Session(cwd=tmp_path)
    return SkillGrants(policy, trusted=trusted, session=lambda: session)


@pytest.mark.parametrize(
    ("scope", "trusted", "grants_rules"),
    [
        ("user", False, True),
        ("shipped", False, True),
        ("configured", False, True),
        ("project", True, True),
        ("repository", True, True),
        ("claude", True, True),
        ("project", False, False),
        ("repository", False, False),
        ("claude", False, False),
        ("checked", True, False),  # a scope tau does not know never grants
    ],
)
def test_only_skills_the_user_chose_grant(
    tmp_path: Path, scope: str, trusted: bool, grants_rules: bool
) -> None:
    made = grants(tmp_path, trusted)
    notice = made.activate(skill(scope, "Bash(git log:*)", "Read"))
    expected = {"skill release": ["bash(git log:*)", "read"]} if grants_rules else {}
    assert made.policy.grants == expected
    assert notice is not None
    assert notice.level == ("info" if grants_rules else "warning")


def test_a_skill_without_allowed_tools_grants_and_says_nothing(tmp_path: Path) -> None:
    made = grants(tmp_path, trusted=False)
    assert made.activate(skill("project")) is None
    assert made.policy.grants == {}


def test_activating_again_neither_grants_twice_nor_repeats_the_notice(tmp_path: Path) -> None:
    trusted = grants(tmp_path, trusted=True)
    assert trusted.activate(skill("project", "Read")) is not None
    assert trusted.activate(skill("project", "Read")) is None
    untrusted = grants(tmp_path, trusted=False)
    assert untrusted.activate(skill("project", "Read")) is not None
    assert untrusted.activate(skill("project", "Read")) is None


_NAME = st.text(st.sampled_from("abcXYZ019_*.-"), min_size=1, max_size=8)
_SPECIFIER = st.text(st.sampled_from("ab :*/.~-()"), max_size=12)
_ENTRY = st.one_of(
    _NAME,
    st.builds(lambda n, s: f"{n}({s})", _NAME, _SPECIFIER),
    st.text(st.sampled_from("ab(): *,"), min_size=1, max_size=12),
)


@given(st.lists(_ENTRY, min_size=1, max_size=4))
def test_every_entry_a_skill_file_accepts_is_a_permission_rule(entries: list[str]) -> None:
    """Parsing SKILL.md and parsing rules are two steps; they must never disagree in
    the direction that would leave an accepted entry without a rule."""
    as_list = "\n".join(f"  - {e!r}" for e in entries)
    as_text = repr(" ".join(entries))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "SKILL.md"
        for value in (f"\n{as_list}", f" {as_text}"):
            path.write_text(f"---\nname: x\ndescription: d\nallowed-tools:{value}\n---\n")
            try:
                parsed = parse_skill(path)
            except ConfigError:
                continue
            for entry in parsed.allowed_tools:
                Rule.parse(entry)


def test_an_entry_the_rule_grammar_rejects_is_left_out_and_named(tmp_path: Path) -> None:
    made = grants(tmp_path, trusted=True)
    notice = made.activate(skill("user", "Read", "Bash(git log"))
    assert made.policy.grants == {"skill release": ["read"]}
    assert notice is not None and notice.level == "warning"
    assert notice.message.endswith("not understood, so not granted: Bash(git log")

    alone = grants(tmp_path, trusted=True)
    notice = alone.activate(skill("user", "Bash(git log"))
    assert alone.policy.grants == {}
    assert notice is not None and "grants nothing" in notice.message
