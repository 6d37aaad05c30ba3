"""The bash parser sees every simple command, however the line is put together."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tau_cli.tools._shell import analyze

_WORDS = st.sampled_from(["git", "ls", "cat", "npm", "echo", "make", "grep", "wc"])
_ARGS = st.lists(
    st.sampled_from(["-l", "src", "status", "README.md", "'a b'", '"x y"', "test:unit"]),
    max_size=3,
)
_SEPARATORS = st.sampled_from([" ; ", " && ", " || ", " | ", "\n", " & "])
_WRAPS = st.sampled_from(
    ["{}", "({})", "{{ {}; }}", "if true; then {}; fi", "while false; do {}; done", "! {}"]
)


@st.composite
def command_lines(draw: st.DrawFn) -> tuple[str, list[tuple[str, ...]]]:
    commands = draw(st.lists(st.tuples(_WORDS, _ARGS), min_size=1, max_size=5))
    line = ""
    expected: list[tuple[str, ...]] = []
    for index, (name, arguments) in enumerate(commands):
        text = " ".join([name, *arguments])
        line += (draw(_SEPARATORS) if index else "") + draw(_WRAPS).format(text)
        unquoted = [a.strip("'\"") for a in arguments]
        expected.append((name, *unquoted))
    return line, expected


@given(command_lines())
def test_every_simple_command_is_found_with_its_words_unquoted(
    case: tuple[str, list[tuple[str, ...]]],
) -> None:
    line, expected = case
    analysis = analyze(line)
    found = [c.words for c in analysis.commands if c.words and c.words != ("true",)]
    found = [w for w in found if w != ("false",)]
    assert sorted(found) == sorted(expected), line
    assert analysis.risks == [], line


@given(command_lines(), st.sampled_from(["$(rm -rf x)", "`rm -rf x`", "<(rm -rf x)"]))
def test_a_substitution_anywhere_is_seen_and_flagged(
    case: tuple[str, list[tuple[str, ...]]], substitution: str
) -> None:
    line, _ = case
    analysis = analyze(f"{line} {substitution}")
    assert ("rm", "-rf", "x") in [c.words for c in analysis.commands]
    assert analysis.risks


def test_a_line_the_grammar_would_join_to_the_previous_one_stays_its_own_command() -> None:
    # tree-sitter-bash 0.25 reads the second line as arguments of `cat`; bash does not.
    analysis = analyze("ls | grep x | cat README.md\nrm -rf build || true")
    assert [c.words for c in analysis.commands] == [
        ("ls",),
        ("grep", "x"),
        ("cat", "README.md"),
        ("rm", "-rf", "build"),
        ("true",),
    ]


def test_quoted_newlines_and_escapes_keep_their_value() -> None:
    (command,) = analyze('echo "two\nlines" "a \\"quote\\"" \'$raw\'').commands
    assert command.words == ("echo", "two\nlines", 'a "quote"', "$raw")
    assert all(command.literal)
