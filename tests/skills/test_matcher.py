"""The matcher, measured on a table written before it (tests/skills/matcher_table.py)."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest
from matcher_table import TABLE
from skills_helpers import CATALOG, make_skill

from tau_cli.skills import SkillMatcher, SkillRoot, discover_skills


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    return SkillMatcher(discover_skills([SkillRoot(CATALOG, "project")]).skills.values())


def test_the_table_is_large_enough_to_mean_something() -> None:
    assert len(TABLE) >= 30
    assert sum(1 for _, expected in TABLE if not expected) >= 10


def test_precision_and_recall_on_the_table(matcher: SkillMatcher) -> None:
    true_pos = false_pos = false_neg = 0
    wrong: list[str] = []
    for prompt, expected in TABLE:
        got = {m.skill.name for m in matcher.match(prompt)}
        true_pos += len(got & expected)
        false_pos += len(got - expected)
        false_neg += len(expected - got)
        if got != expected:
            wrong.append(f"{prompt!r}: got {sorted(got)}, expected {sorted(expected)}")
    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / (true_pos + false_neg)

    report = f"precision {precision:.2f}, recall {recall:.2f}; misses: {wrong}"
    assert false_pos == 0, report  # a false match costs context on every such prompt
    assert recall >= 0.9, report


def test_descriptions_alone_still_never_match_falsely() -> None:
    """Skills written for Claude have no triggers; the matcher must stay safe for them."""
    skills = discover_skills([SkillRoot(CATALOG, "project")]).skills.values()
    matcher = SkillMatcher(dataclasses.replace(s, triggers=()) for s in skills)
    true_pos = false_pos = expected_total = 0
    for prompt, expected in TABLE:
        got = {m.skill.name for m in matcher.match(prompt)}
        true_pos += len(got & expected)
        false_pos += len(got - expected)
        expected_total += len(expected)

    assert false_pos == 0
    assert true_pos / expected_total >= 0.8


@pytest.mark.parametrize(
    ("prompt", "name"), [("/pdf-forms w9.pdf", "pdf-forms"), ("  /git-release", "git-release")]
)
def test_an_explicit_command_picks_exactly_that_skill(
    matcher: SkillMatcher, prompt: str, name: str
) -> None:
    (match,) = matcher.match(prompt)

    assert (match.skill.name, match.reason, match.score) == (name, "command", math.inf)


def test_commands_that_are_not_skills_match_nothing(matcher: SkillMatcher) -> None:
    assert matcher.match("/help") == []
    assert matcher.match("/pdf-forms-extra") == []


def test_a_match_says_which_trigger_fired(matcher: SkillMatcher) -> None:
    (match,) = matcher.match("please bump version and push")

    assert match.skill.name == "git-release"
    assert match.reason == "trigger"
    assert match.matched == ("bump version",)


def test_two_distinctive_description_terms_match_without_a_trigger(tmp_path: Path) -> None:
    make_skill(tmp_path, "k8s", "name: k8s\ndescription: Roll out Kubernetes deployments.\n")
    make_skill(tmp_path, "ci", "name: ci\ndescription: Configure GitHub Actions deployments.\n")
    matcher = SkillMatcher(discover_skills([SkillRoot(tmp_path, "x")]).skills.values())

    (match,) = matcher.match("roll the kubernetes deployment back")
    single = matcher.match("kubernetes is confusing")
    shared_only = matcher.match("list the deployments")

    assert (match.skill.name, match.reason) == ("k8s", "description")
    assert match.matched == ("deployment", "kubernete", "roll")
    assert single == []
    assert shared_only == []


def test_results_are_ranked_and_limited(matcher: SkillMatcher) -> None:
    prompt = "pytest fixture for the pdf export in the excel sheet with a docker image"

    everything = matcher.match(prompt, limit=10)
    top = matcher.match(prompt, limit=2)

    assert len(everything) == 4
    assert [m.score for m in everything] == sorted((m.score for m in everything), reverse=True)
    assert top == everything[:2]
    assert matcher.match(prompt, limit=0) == []


def test_no_skills_match_nothing() -> None:
    assert SkillMatcher([]).match("fill the pdf form") == []
