"""The bash parser sees every simple command, however the line is put together."""

from __future__ import annotations

import os
import subprocess
import tempfile

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


_PROGRAMS = ("git", "ls", "cat", "npm", "make", "grep", "wc")
# Each program logs its argv in one write (O_APPEND keeps it whole even when the
# commands of a pipeline run at the same time), fields split by \x1f.
_LOG_ONE_WRITE = 'local r; r=$(printf "%s\\037" {name} "$@"); printf "%s\\n" "$r" >> "$TAU_LOG"'
_LOGGING_FUNCTIONS = "".join(
    f"{name}() {{ {_LOG_ONE_WRITE.format(name=name)}; }}\n" for name in _PROGRAMS
)


_TRICKY_ARGS = st.lists(
    st.sampled_from(
        ["src", "-l", "'a;b'", '"c|d"', "e\\ f", "x#y", "#note", "\\\n", "'&&'", "$'t\\tu'"]
    ),
    max_size=3,
)


@st.composite
def shell_lines(draw: st.DrawFn) -> str:
    """Lines mixing every way bash strings commands together, including line breaks."""
    parts = []
    for index in range(draw(st.integers(1, 6))):
        words = [draw(st.sampled_from(_PROGRAMS)), *draw(_TRICKY_ARGS)]
        text = draw(_WRAPS).format(" ".join(words))
        if index:
            separator = draw(
                st.sampled_from([";", "&&", "||", "|", "\n", "&", "|\n", "&&\n", " ;\n\n"])
            )
            text = f"{separator} {text}" if not separator.startswith("\n") else separator + text
        parts.append(text)
    return " ".join(parts)


@given(shell_lines())
def test_every_command_bash_runs_is_one_the_analysis_found(line: str) -> None:
    """Bash itself is the oracle: what it executes must be among what rules are shown."""
    with tempfile.TemporaryDirectory() as folder:
        log = os.path.join(folder, "log")
        script = f"{_LOGGING_FUNCTIONS}\n{line}\nwait\n"
        subprocess.run(
            ["bash", "-c", script],
            env={"PATH": os.environ["PATH"], "TAU_LOG": log},
            cwd=folder,
            capture_output=True,
            timeout=20,
            check=False,
        )
        ran = set()
        if os.path.exists(log):
            with open(log, "rb") as f:
                for entry in f.read().decode().split("\n"):
                    if entry:
                        ran.add(tuple(entry.split("\x1f")[:-1]))
    analysed = analyze(line).commands

    def seen(words: tuple[str, ...]) -> bool:
        # a word whose value only bash knows ($'...') stands for any value
        for command in analysed:
            if len(command.words) != len(words):
                continue
            pairs = zip(command.words, words, command.literal, strict=True)
            if all(a == b or not fixed for a, b, fixed in pairs):
                return True
        return False

    missing = [words for words in ran if not seen(words)]
    assert missing == [], line
