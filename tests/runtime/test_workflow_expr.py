"""The expression language of workflow files: what it reads, what it refuses."""

from __future__ import annotations

import shlex
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tau_cli.runtime.workflow_expr import Expression, ExpressionError, Template

STATE = {
    "verdict": "Looks good. APPROVED",
    "drafts": ["first", "second"],
    "scores": {"clarity": 4},
    "rounds": 2,
    "done": False,
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("'APPROVED' in verdict", True),
        ("'REJECTED' not in verdict and len(drafts) < 3", True),
        ("len(drafts) >= 3 or rounds == 2", True),
        ("drafts[-1]", "second"),
        ("scores['clarity'] > 3", True),
        ("startswith(lower(verdict), 'looks')", True),
        ("done == false and not done", True),
        ("rounds + 1", 3),
        ("1 < rounds < 3", True),
        ("verdict == null", False),
        ("int('7') - rounds", 5),
        ("'again: ' + verdict if rounds < 3 else 'stop'", "again: Looks good. APPROVED"),
        ("[rounds, done]", [2, False]),
    ],
)
def test_conditions_read_the_state(source: str, expected: object) -> None:
    assert Expression.parse(source).evaluate(STATE) == expected


def test_an_expression_names_the_channels_it_reads() -> None:
    expression = Expression.parse("'OK' in verdict and len(drafts) < limit")
    assert expression.names == {"verdict", "drafts", "limit"}


@pytest.mark.parametrize(
    "source",
    [
        "verdict.__class__",
        "().__class__.__bases__[0].__subclasses__()",
        "__import__('os').system('true')",
        "(lambda: 1)()",
        "[x for x in drafts]",
        "open('/etc/passwd')",
        "drafts[0:1]",
        "len(*drafts)",
        "rounds * 1000000",
        "f'{verdict}'",
    ],
)
def test_anything_beyond_the_allow_list_is_refused_when_parsed(source: str) -> None:
    with pytest.raises(ExpressionError):
        Expression.parse(source)


def test_an_unknown_function_is_named_with_the_ones_there_are() -> None:
    with pytest.raises(ExpressionError, match=r"no function 'eval'.*len"):
        Expression.parse("eval(verdict)")


def test_syntax_errors_and_empty_conditions_say_so() -> None:
    with pytest.raises(ExpressionError, match="cannot read"):
        Expression.parse("verdict ==")
    with pytest.raises(ExpressionError, match="empty"):
        Expression.parse("  ")


def test_failures_on_the_state_name_the_expression() -> None:
    with pytest.raises(ExpressionError, match="'missing' has no value yet"):
        Expression.parse("missing == 1").evaluate(STATE)
    with pytest.raises(ExpressionError, match=r"'drafts\[5\]'.*IndexError"):
        Expression.parse("drafts[5]").evaluate(STATE)
    with pytest.raises(ExpressionError, match="TypeError"):
        Expression.parse("verdict < rounds").evaluate(STATE)


def test_templates_fill_text_as_is_and_other_values_as_json() -> None:
    template = Template.parse("Draft {{ drafts[-1] }} of {{len(drafts)}}; scores {{ scores }}.")
    assert template.names == {"drafts", "scores"}
    assert template.render(STATE) == 'Draft second of 2; scores {"clarity": 4}.'


def test_single_braces_are_plain_text_so_prompts_can_show_code() -> None:
    text = 'Return JSON like {"ok": true} for {{ rounds }} rounds; def f(): return {}'
    assert Template.parse(text).render(STATE) == text.replace("{{ rounds }}", "2")


@settings(max_examples=30, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40))
def test_a_shell_template_passes_any_value_as_one_argument(value: str) -> None:
    command = Template.parse("printf '%s' {{ value }}").render({"value": value}, quote=shlex.quote)
    printed = subprocess.run(["bash", "-c", command], capture_output=True, check=True, timeout=10)
    assert printed.stdout.decode("utf-8") == value
