"""The one glob dialect shared by the glob tool, environments and permission rules."""

from __future__ import annotations

import pytest

from tau_cli.tools._globbing import compile_glob, split_literal_prefix

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
