"""glob against git itself, and grep's ripgrep and pure-Python paths against each other."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tau_cli.core import ToolCall, ToolResult
from tau_cli.tools import (
    LocalEnvironment,
    PermissionPolicy,
    ToolContext,
    ToolRegistry,
    allowed_environment,
)
from tau_cli.tools.builtin import GlobTool, GrepTool

from .conftest import Run

_VENV_BIN = os.path.dirname(sys.executable)
RIPGREP = shutil.which("rg") or shutil.which("rg", path=_VENV_BIN)
needs_ripgrep = pytest.mark.skipif(RIPGREP is None, reason="ripgrep is not installed")
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

TREE = {
    ".gitignore": "build/\n*.log\n!keep.log\n/top-only.txt\ndocs/**/draft-*\n",
    "src/app.py": "import os\n\ndef main():\n    return os.getcwd()  # TODO tidy\n",
    "src/util.py": "def helper():\n    pass\n",
    "src/web/index.ts": "export const main = () => 1;  // TODO\n",
    "src/web/.gitignore": "generated.ts\n",
    "src/web/generated.ts": "export const x = 'TODO generated';\n",
    "src/.hidden.py": "SECRET = 'TODO hidden'\n",
    "build/out.py": "TODO = 'built'\n",
    "nested/build/out.py": "TODO = 'nested build'\n",
    "debug.log": "TODO log\n",
    "keep.log": "TODO keep\n",
    "top-only.txt": "TODO top\n",
    "sub/top-only.txt": "TODO sub\n",
    "docs/guide/draft-1.md": "TODO draft\n",
    "docs/guide/final.md": "# Final\nTODO final\n",
    "data/blob.bin": "TODO\x00binary",
    "README.md": "# Project\nTODO readme\n",
    "weird name [1].txt": "TODO brackets\n",
    "unicode/naïve.py": "# TODO café\n",
}


@pytest.fixture
def tree(workdir: Path) -> Path:
    for relative, content in TREE.items():
        path = workdir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode())
    # Distinct modification times, oldest first in TREE order.
    for index, relative in enumerate(TREE):
        os.utime(workdir / relative, (1_700_000_000 + index, 1_700_000_000 + index))
    return workdir


def _git(root: Path, *args: str) -> str:
    env = {"PATH": os.environ["PATH"], "HOME": str(root), "GIT_CONFIG_NOSYSTEM": "1"}
    completed = subprocess.run(
        ["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    return completed.stdout


async def _glob(context: ToolContext, pattern: str, path: str | None = None) -> list[str]:
    arguments: dict[str, object] = {"pattern": pattern}
    if path:
        arguments["path"] = path
    result = await GlobTool().execute(arguments, context)  # type: ignore[arg-type]
    assert not result.is_error, result.text
    if result.text.startswith("No files match"):
        return []
    return result.text.splitlines()


@needs_git
@pytest.mark.parametrize(
    "pattern",
    ["**", "**/*.py", "src/**/*.ts", "*.log", "**/*.md", "**/.gitignore", "**/*.{py,ts}", "a}{b"],
)
async def test_glob_lists_what_git_ls_files_lists(
    tree: Path, context: ToolContext, pattern: str
) -> None:
    _git(tree, "init", "-q")
    oracle = _git(tree, "ls-files", "-z", "-co", "--exclude-standard").split("\0")[:-1]
    found = await _glob(context, pattern)
    relative = sorted(os.path.relpath(p, tree) for p in found)
    from tau_cli.tools._globbing import compile_glob

    expected = sorted(p for p in oracle if compile_glob(pattern).match(p))
    assert relative == expected
    assert "build/out.py" not in relative and "src/web/generated.ts" not in relative


@needs_git
async def test_glob_in_a_subfolder_honours_the_rules_above_it(
    tree: Path, context: ToolContext
) -> None:
    _git(tree, "init", "-q")
    oracle = _git(tree / "nested", "ls-files", "-z", "-co", "--exclude-standard").split("\0")[:-1]
    found = await _glob(context, "**", str(tree / "nested"))
    assert [os.path.relpath(p, tree / "nested") for p in found] == oracle == []
    assert await _glob(context, "**/*.ts", str(tree / "src")) == [str(tree / "src/web/index.ts")]


async def test_glob_lists_newest_first(tree: Path, context: ToolContext) -> None:
    found = await _glob(context, "**/*.py")
    assert found == [
        str(tree / "unicode/naïve.py"),
        str(tree / "src/.hidden.py"),
        str(tree / "src/util.py"),
        str(tree / "src/app.py"),
    ]


async def test_glob_explains_a_bad_folder_and_an_empty_result(run: Run, tree: Path) -> None:
    missing = await run("glob", pattern="*", path=str(tree / "nope"))
    assert missing.is_error and "does not exist" in missing.text
    empty = await run("glob", pattern="**/*.rs")
    assert not empty.is_error and empty.text.startswith("No files match")


# -- grep ----------------------------------------------------------------------


def _contexts(workdir: Path) -> dict[str, ToolContext]:
    """The same folder seen with and without ripgrep on PATH."""
    base = allowed_environment(os.environ)
    without = {**base, "PATH": "/usr/bin:/bin"}
    contexts = {"python": ToolContext(environment=LocalEnvironment(str(workdir), env=without))}
    if RIPGREP is not None:
        with_rg = {**base, "PATH": f"{os.path.dirname(RIPGREP)}:/usr/bin:/bin"}
        contexts["ripgrep"] = ToolContext(environment=LocalEnvironment(str(workdir), env=with_rg))
    return contexts


async def _grep(context: ToolContext, **arguments: object) -> ToolResult:
    registry = ToolRegistry([GrepTool()])
    call = ToolCall(id="g", name="grep", arguments=arguments)  # type: ignore[arg-type]
    return await registry.run(call, context)


GREP_CASES = [
    {"pattern": "TODO"},
    {"pattern": "TODO", "output_mode": "count"},
    {"pattern": "TODO", "output_mode": "content"},
    {"pattern": "todo", "-i": True, "output_mode": "content"},
    {"pattern": r"def \w+", "type": "py", "output_mode": "content"},
    {"pattern": "TODO", "glob": "*.md"},
    {"pattern": "TODO", "glob": "src/**/*.ts", "output_mode": "content"},
    {"pattern": "main", "output_mode": "content", "-C": 1},
    {"pattern": "os", "path": "src/app.py", "output_mode": "content", "-A": 1},
    {"pattern": "café|brackets", "output_mode": "content"},
    {"pattern": "nothing-matches-this"},
]


@pytest.mark.parametrize("case", GREP_CASES, ids=lambda c: " ".join(map(str, c.values())))
async def test_grep_gives_the_same_results_with_and_without_ripgrep(
    tree: Path, case: dict[str, object]
) -> None:
    contexts = _contexts(tree)
    results = {name: await _grep(ctx, **case) for name, ctx in contexts.items()}
    python = results["python"]
    assert not python.is_error, python.text
    if "ripgrep" not in results:
        pytest.skip("ripgrep is not installed; only the Python path ran")
    assert results["ripgrep"].text == python.text


async def test_grep_skips_ignored_hidden_rules_and_binary_files(tree: Path) -> None:
    result = await _grep(_contexts(tree)["python"], pattern="TODO")
    found = {os.path.relpath(p, tree) for p in result.text.splitlines()}
    assert "src/.hidden.py" in found  # hidden, but not ignored
    assert "keep.log" in found  # re-included by !keep.log
    for ignored in ("build/out.py", "debug.log", "top-only.txt", "data/blob.bin"):
        assert ignored not in found
    assert "sub/top-only.txt" in found  # /top-only.txt is anchored to the root


async def test_grep_content_shows_path_line_and_text(tree: Path) -> None:
    result = await _grep(
        _contexts(tree)["python"], pattern="helper", output_mode="content", path="src"
    )
    assert result.text == f"{tree / 'src/util.py'}:1:def helper():"


async def test_grep_explains_a_bad_regex_and_an_unknown_type(tree: Path) -> None:
    context = _contexts(tree)["python"]
    bad = await _grep(context, pattern="foo(")
    assert bad.is_error and "not a valid regular expression" in bad.text
    unknown = await _grep(context, pattern="x", type="cobol")
    assert unknown.is_error and "Unknown type 'cobol'" in unknown.text


async def test_grep_limits_results_and_says_how_many_more(tree: Path) -> None:
    result = await _grep(_contexts(tree)["python"], pattern="TODO", head_limit=2)
    lines = result.text.splitlines()
    assert len(lines) == 3
    assert lines[2].startswith("[") and "more results" in lines[2]


async def test_files_a_deny_rule_keeps_from_read_are_not_listed_or_searched(
    tree: Path,
) -> None:
    (tree / ".env").write_text("TODO_SECRET=1\n")
    (tree / "secrets").mkdir()
    (tree / "secrets" / "db.txt").write_text("TODO password\n")
    for name, base in _contexts(tree).items():
        policy = PermissionPolicy(base.environment, deny=["Read(./.env)", "Read(./secrets/**)"])
        context = ToolContext(environment=base.environment, hidden=policy.read_denied)
        listed = await _glob(context, "**")
        assert str(tree / ".env") not in listed and str(tree / "secrets/db.txt") not in listed
        assert str(tree / "README.md") in listed
        for mode in ("files_with_matches", "content", "count"):
            result = await _grep(context, pattern="TODO", output_mode=mode)
            assert ".env" not in result.text and "secrets" not in result.text, (name, mode)
            assert "README.md" in result.text
