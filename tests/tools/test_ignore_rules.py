"""Which files the search tools see: git's answer, on rules that nest, negate and anchor.

The walk settles what depends on a folder once per folder and screens a path against
all the rules of a .gitignore with one regular expression; these tests hold that
shortcut to what ``git ls-files --cached --others --exclude-standard`` lists.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pathspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tau_cli.core import ToolCall
from tau_cli.tools import LocalEnvironment, ToolContext, ToolRegistry
from tau_cli.tools.builtin import GlobTool
from tau_cli.tools.builtin._ignore import _screen, visible_files

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

# The usual Python .gitignore: most rules name a file or folder anywhere in the tree.
_PYTHON_RULES = """\
__pycache__/
*.py[cod]
*.so
build/
dist/
*.egg-info/
.tox/
.coverage
.coverage.*
.cache
htmlcov/
.pytest_cache/
.mypy_cache/
*.log
.env
.venv
venv/
node_modules/
"""

RULES = {
    ".gitignore": _PYTHON_RULES + "!important.log\n/out\n**/cache/**\n!cache/keep.txt\n*.tmp\n",
    "sub/.gitignore": "!*.log\nsecret*\n!secret-ok.txt\n",
    "sub/deep/.gitignore": "*.txt\n!readme.txt\n",
    "pkg/.gitignore": "/local-only.md\nbuild/\n",
    "vendor/.gitignore": "lib/**\n!keep.txt\n",
}

FILES = [
    "a.log",
    "important.log",
    "app.py",
    "app.pyc",
    "pkg/__pycache__/mod.cpython-311.pyc",
    "pkg/mod.py",
    "pkg/local-only.md",
    "pkg/inner/local-only.md",
    "pkg/build/gen.py",
    "build/out.py",
    "out/a.txt",
    "src/out/a.txt",
    "node_modules/left-pad/index.js",
    "src/node_modules/dep/index.js",
    "cache/data.bin",
    "cache/keep.txt",
    "src/cache/data.bin",
    "sub/b.log",
    "sub/deep/c.log",
    "sub/secret.txt",
    "sub/secret-ok.txt",
    "sub/deep/secret-2.md",
    "sub/deep/notes.txt",
    "sub/deep/readme.txt",
    "docs/draft.tmp",
    "docs/guide.md",
    ".hidden/tool.py",
    ".venv/lib/site.py",
    "venv/bin/python",
    "logs/build/x.md",
    "excluded-by-repo.md",
    "vendor/lib/keep.txt",
    "vendor/lib/drop.txt",
    "vendor/lib/sub/keep.txt",
]


@pytest.fixture
def repo(workdir: Path) -> Path:
    for relative in FILES:
        path = workdir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{relative}\n")
    for relative, text in RULES.items():
        (workdir / relative).write_text(text)
    _git(workdir, "init", "-q")
    (workdir / ".git" / "info").mkdir(exist_ok=True)
    (workdir / ".git" / "info" / "exclude").write_text("excluded-by-repo.md\n")
    return workdir


def _git(root: Path, *args: str) -> list[str]:
    env = {"PATH": os.environ["PATH"], "HOME": str(root), "GIT_CONFIG_NOSYSTEM": "1"}
    completed = subprocess.run(
        ["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    return completed.stdout.split("\0")[:-1]


def _git_lists(root: Path, folder: Path) -> list[str]:
    listed = _git(folder, "ls-files", "-z", "-co", "--exclude-standard")
    return sorted(str(folder / path) for path in listed)


@needs_git
@pytest.mark.parametrize("folder", [".", "sub", "sub/deep", "pkg", "src", "vendor"])
async def test_the_files_searched_are_the_files_git_lists(repo: Path, folder: str) -> None:
    start = repo / folder
    found = await visible_files(LocalEnvironment(str(repo)), str(start))
    assert found == _git_lists(repo, start)


@needs_git
async def test_the_example_tree_exercises_every_kind_of_rule(repo: Path) -> None:
    listed = {os.path.relpath(path, repo) for path in _git_lists(repo, repo)}
    assert {"important.log", "sub/b.log", "sub/deep/c.log"} <= listed  # negations
    assert {"sub/secret-ok.txt", "sub/deep/readme.txt", "cache/keep.txt"} <= listed
    assert {"src/out/a.txt", "pkg/inner/local-only.md", ".hidden/tool.py"} <= listed
    for ignored in ("a.log", "out/a.txt", "pkg/local-only.md", "sub/deep/notes.txt"):
        assert ignored not in listed
    for ignored in ("src/node_modules/dep/index.js", "cache/data.bin", "logs/build/x.md"):
        assert ignored not in listed
    assert "excluded-by-repo.md" not in listed
    assert "vendor/lib/keep.txt" in listed  # lib/** ignores what is in lib, not lib
    assert not {"vendor/lib/drop.txt", "vendor/lib/sub/keep.txt"} & listed


@needs_git
async def test_glob_lists_git_s_files_newest_first_ties_by_path(repo: Path) -> None:
    expected = _git_lists(repo, repo)
    for index, path in enumerate(expected):
        stamp = 1_700_000_000 + index // 3  # three files share each time
        os.utime(path, (stamp, stamp))
    context = ToolContext(environment=LocalEnvironment(str(repo)))
    call = ToolCall(id="g", name="glob", arguments={"pattern": "**"})
    result = await ToolRegistry([GlobTool()]).run(call, context)
    newest_first = sorted(expected, key=lambda path: (-os.stat(path).st_mtime, path))
    assert result.text.splitlines() == newest_first
    assert os.stat(newest_first[-1]).st_mtime == os.stat(newest_first[-3]).st_mtime


@needs_git
async def test_a_file_under_a_folder_whose_contents_are_ignored_can_be_re_included(
    workdir: Path,
) -> None:
    (workdir / ".gitignore").write_text("cache/**\n!cache/keep.txt\n")
    (workdir / "cache").mkdir()
    (workdir / "cache" / "keep.txt").write_text("kept\n")
    (workdir / "cache" / "data.bin").write_text("dropped\n")
    _git(workdir, "init", "-q")
    found = await visible_files(LocalEnvironment(str(workdir)), str(workdir))
    assert (
        found
        == _git_lists(workdir, workdir)
        == [
            str(workdir / ".gitignore"),
            str(workdir / "cache" / "keep.txt"),
        ]
    )


async def test_glob_keeps_the_newest_and_counts_the_rest(workdir: Path) -> None:
    for index in range(230):
        path = workdir / f"f{index:03}.txt"
        path.write_text("x")
        os.utime(path, (1_700_000_000 + index, 1_700_000_000 + index))
    context = ToolContext(environment=LocalEnvironment(str(workdir)))
    call = ToolCall(id="g", name="glob", arguments={"pattern": "*.txt"})
    lines = (await ToolRegistry([GlobTool()]).run(call, context)).text.splitlines()
    assert lines[:200] == [str(workdir / f"f{index:03}.txt") for index in range(229, 29, -1)]
    assert lines[200] == "[30 more files match; use a narrower pattern or path.]"
    assert len(lines) == 201


async def test_glob_finds_the_newest_wherever_they_are_in_a_large_listing(
    workdir: Path,
) -> None:
    files = 2_500
    stamps = {}
    for index in range(files):
        path = workdir / f"d{index % 7}" / f"f{index:04}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text("x")
        stamp = 1_700_000_000 + (index * 7_919) % 1_250  # two files share each time
        os.utime(path, (stamp, stamp))
        stamps[str(path)] = stamp
    context = ToolContext(environment=LocalEnvironment(str(workdir)))
    call = ToolCall(id="g", name="glob", arguments={"pattern": "**/*.txt"})
    lines = (await ToolRegistry([GlobTool()]).run(call, context)).text.splitlines()
    assert lines[:200] == sorted(stamps, key=lambda path: (-stamps[path], path))[:200]
    assert lines[200] == f"[{files - 200} more files match; use a narrower pattern or path.]"


_RULE_LINES = st.sampled_from(
    [*_PYTHON_RULES.splitlines(), "/out", "**/cache/**", "docs/*.md", "!keep.log", "a/**/b"]
)
_SEGMENTS = st.sampled_from(
    ["build", "a.log", "keep.log", "node_modules", "out", "cache", "docs", "x.md", "a", "b"]
) | st.sampled_from([".venv", "venv", "mod.pyc", "__pycache__", "pkg.egg-info", ".coverage.1"])


@given(
    lines=st.lists(_RULE_LINES, min_size=1, max_size=12),
    path=st.lists(_SEGMENTS, min_size=1, max_size=5).map("/".join),
    is_dir=st.booleans(),
)
def test_the_screen_matches_exactly_where_a_rule_does(
    lines: list[str], path: str, is_dir: bool
) -> None:
    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    screen = _screen(spec)
    assert screen is not None
    relative = path + ("/" if is_dir else "")
    some_rule = any(
        p.regex.match(relative) is not None for p in spec.patterns if p.include is not None
    )
    assert (screen.match(relative) is not None) == some_rule
