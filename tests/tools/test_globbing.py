"""The one glob dialect shared by the glob tool, environments and permission rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tau_cli.tools._globbing import any_depth_name, compile_glob, split_literal_prefix

CASES = [
    ("*.py", "a.py", True),
    ("*.py", "src/a.py", False),
    ("**/*.py", "a.py", True),
    ("**/*.py", "src/deep/a.py", True),
    ("src/**", "src/a/b/c.txt", True),
    ("src/**", "srcx/a.txt", False),
    ("src/**/test_*.py", "src/test_a.py", True),
    ("src/**/test_*.py", "src/x/y/test_a.py", True),
    ("?.txt", "a.txt", True),
    ("?.txt", "ab.txt", False),
    ("[ab].txt", "b.txt", True),
    ("[!ab].txt", "b.txt", False),
    ("*.{ts,tsx}", "x.tsx", True),
    ("*.{ts,tsx}", "x.js", False),
    ("{src,lib}/**/*.{js,{c,m}js}", "lib/a/b.mjs", True),
    ("weird name [1].txt", "weird name [1].txt", False),  # [1] is a class, as in a shell
    ("a+b(c).txt", "a+b(c).txt", True),  # regex characters are literal
    ("*", ".hidden", True),
]


@pytest.mark.parametrize(("pattern", "path", "matches"), CASES)
def test_patterns_mean_what_a_shell_user_expects(pattern: str, path: str, matches: bool) -> None:
    assert (compile_glob(pattern).match(path) is not None) is matches


def test_literal_folders_are_split_off_so_they_can_be_walked_to() -> None:
    assert split_literal_prefix("src/app/**/*.py") == ("src/app", "**/*.py")
    assert split_literal_prefix("*.py") == ("", "*.py")
    assert split_literal_prefix("docs/guide.md") == ("docs", "guide.md")


def test_patterns_that_only_name_the_file_are_recognised() -> None:
    assert any_depth_name("**") == "*"
    assert any_depth_name("**/*.py") == "*.py"
    assert any_depth_name("**/{*.py,.gitignore}") == "{*.py,.gitignore}"
    for pattern in ("*.py", "src/**/*.py", "**/src/*.py", "**/a[/]b", "**/a**b", "**/{a,b/c}"):
        assert any_depth_name(pattern) is None, pattern


_PIECES = st.sampled_from(
    ["*", "?", "a", "b", ".py", "{a,b}", "{*.py,c}", "[ab]", "[!a]", "**", "/"]
)
_NAMES = st.sampled_from(["a", "b", "ab", "a.py", "b.py", ".py", "c", "a/b", "x"])


@given(
    tail=st.lists(_PIECES, max_size=4).map("".join),
    path=st.lists(_NAMES, min_size=1, max_size=4).map("/".join),
)
def test_a_name_pattern_matches_a_path_exactly_when_it_matches_the_file_name(
    tail: str, path: str
) -> None:
    pattern = "**/" + tail
    name = any_depth_name(pattern)
    if name is None:
        return  # says something about folders: matched on the whole path
    by_path = compile_glob(pattern).match(path) is not None
    assert by_path == (compile_glob(name).match(path.rsplit("/", 1)[-1]) is not None)
