"""Which files git would show: ``.gitignore`` files (nested), ``.git/info/exclude``.

The glob and grep tools list what ``git ls-files --cached --others --exclude-standard``
would, so the model is not flooded with ``node_modules`` or build output. Rules are
read through the Environment; matching uses ``pathspec``, whose gitignore dialect
follows git's own tests.
"""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pathspec

from tau_cli.tools._globbing import compile_glob, split_literal_prefix
from tau_cli.tools.environment import Environment

SKIP_DIRS = frozenset({".git"})


@dataclass
class IgnoreRules:
    """The gitignore specs that apply under one root, by the folder they sit in."""

    specs: list[tuple[str, pathspec.GitIgnoreSpec]] = field(default_factory=list)
    _dirs: dict[str, bool] = field(default_factory=dict)
    _screens: list[re.Pattern[str] | None] = field(default_factory=list)

    def ignored(self, path: str) -> bool:
        """Whether ``path`` (absolute) is ignored, itself or through a parent folder."""
        folder = os.path.dirname(path)
        if self._dir_ignored(folder):
            return True
        return self._decide(path, is_dir=False)

    def _dir_ignored(self, folder: str) -> bool:
        known = self._dirs.get(folder)
        if known is not None:
            return known
        parent = os.path.dirname(folder)
        result = False
        if parent != folder and any(folder.startswith(base + "/") for base, _ in self.specs):
            result = self._dir_ignored(parent) or self._decide(folder, is_dir=True)
        self._dirs[folder] = result
        return result

    def _decide(self, path: str, *, is_dir: bool) -> bool:
        if not self._screens:
            self._screens = [_screen(spec) for _, spec in self.specs]
        decision = False
        for (base, spec), screen in zip(self.specs, self._screens, strict=True):
            # shallow to deep: deeper files have the last word
            if not path.startswith(base + "/"):
                continue
            relative = path[len(base) + 1 :] + ("/" if is_dir else "")
            if screen is not None and screen.match(relative) is None:
                continue  # no pattern of this file matches: it has no say
            include = spec.check_file(relative).include
            if include is not None:
                decision = include
        return decision


_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


def _screen(spec: pathspec.GitIgnoreSpec) -> re.Pattern[str] | None:
    """One regular expression matching wherever any pattern of ``spec`` matches.

    Most files match no rule at all; one union match in C settles those, where
    ``check_file`` tries the patterns one by one. ``None`` when the patterns are not
    plain regular expressions, and every path then goes to ``check_file``.
    """
    sources = []
    for pattern in spec.patterns:
        regex = getattr(pattern, "regex", None)
        if pattern.include is None:
            continue  # a blank line or a comment
        if not isinstance(regex, re.Pattern) or "(?P=" in regex.pattern:
            return None
        sources.append(_NAMED_GROUP.sub("(?:", regex.pattern))
    try:
        return re.compile("|".join(f"(?:{source})" for source in sources) or r"(?!)")
    except re.error:
        return None


async def visible_files(env: Environment, root: str, pattern: str = "**") -> list[str]:
    """Files under ``root`` matching ``pattern`` that git would not ignore, sorted."""
    matches, rule_files = await _walk_once(env, root, pattern)
    rules = await load_rules(env, root, rule_files)
    return [path for path in matches if not rules.ignored(path)]


async def _walk_once(env: Environment, root: str, pattern: str) -> tuple[list[str], list[str]]:
    """The files matching ``pattern`` and every ``.gitignore`` under ``root``.

    A pattern that walks the whole tree anyway (no literal leading folders) finds the
    rule files in the same walk: two walks of a large tree at once cost twice the
    time, since they share one interpreter.
    """
    if split_literal_prefix(pattern)[0] or pattern.startswith("/") or not _balanced(pattern):
        matches, rule_files = await asyncio.gather(
            env.glob(pattern, root, skip_dirs=SKIP_DIRS),
            env.glob("**/.gitignore", root, skip_dirs=SKIP_DIRS),
        )
        return matches, rule_files
    found = await env.glob(f"{{{pattern},**/.gitignore}}", root, skip_dirs=SKIP_DIRS)
    wanted = compile_glob(pattern)
    matches, rule_files = [], []
    for path in found:
        if os.path.basename(path) != ".gitignore":
            matches.append(path)  # it did not match the second alternative
            continue
        rule_files.append(path)
        if wanted.match(os.path.relpath(path, root)):
            matches.append(path)
    return matches, rule_files


def _balanced(pattern: str) -> bool:
    """Whether the braces of ``pattern`` pair up, so it nests inside ``{...,...}``."""
    depth = 0
    for ch in pattern:
        depth += ch == "{"
        depth -= ch == "}"
        if depth < 0:
            return False
    return depth == 0


async def load_rules(env: Environment, root: str, files: list[str]) -> IgnoreRules:
    """The rules from ``.gitignore`` files above and below ``root``, and the repo's exclude."""
    sources: list[str] = [f for f in files if os.path.basename(f) == ".gitignore"]
    repo = await _repository_root(env, root)
    if repo is not None:
        folder = root
        while folder != repo:
            folder = os.path.dirname(folder)
            sources.append(os.path.join(folder, ".gitignore"))
        sources.insert(0, os.path.join(repo, ".git", "info", "exclude"))  # lowest precedence
    specs: list[tuple[str, pathspec.GitIgnoreSpec]] = []
    for source in sources:
        try:
            text = await env.read_text(source, encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError, UnicodeDecodeError):
            continue
        base = os.path.dirname(source)
        if source.endswith(os.path.join(".git", "info", "exclude")):
            base = os.path.dirname(os.path.dirname(base))
        import pathspec  # on the first search, not at start-up (~25 ms)

        specs.append((base, pathspec.GitIgnoreSpec.from_lines(text.splitlines())))
    specs.sort(key=lambda item: item[0].count("/"))
    return IgnoreRules(specs)


async def _repository_root(env: Environment, start: str) -> str | None:
    folder = start
    while True:
        if await env.exists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
