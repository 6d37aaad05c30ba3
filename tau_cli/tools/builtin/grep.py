"""``grep``: search file contents by regular expression, through ripgrep when it is there.

Both paths give the same results: ripgrep runs with the flags that make it list the
files ``glob`` lists (hidden files included, ``.gitignore`` honoured inside or outside
a git repository), and the pure-Python path reads those files itself.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal
from weakref import WeakKeyDictionary

from pydantic import ConfigDict, Field

from tau_cli.core import ToolResult
from tau_cli.tools._globbing import compile_glob
from tau_cli.tools.base import ToolContext
from tau_cli.tools.builtin._base import Arguments, BuiltinTool
from tau_cli.tools.builtin._ignore import visible_files
from tau_cli.tools.environment import Environment

DEFAULT_HEAD_LIMIT = 250
_BATCH = 512
_RG_OUTPUT_LIMIT = 32_000_000
"""Bytes of ripgrep output read; far beyond what head_limit lets through to the model."""
_SNIFF = 8192

FILE_TYPES: dict[str, tuple[str, ...]] = {
    "py": ("*.py", "*.pyi"),
    "js": ("*.js", "*.jsx", "*.mjs", "*.cjs"),
    "ts": ("*.ts", "*.tsx", "*.mts", "*.cts"),
    "rust": ("*.rs",),
    "go": ("*.go",),
    "java": ("*.java",),
    "kotlin": ("*.kt", "*.kts"),
    "c": ("*.c", "*.h"),
    "cpp": ("*.cpp", "*.cc", "*.cxx", "*.hpp", "*.hh", "*.hxx", "*.h"),
    "cs": ("*.cs",),
    "rb": ("*.rb",),
    "php": ("*.php",),
    "swift": ("*.swift",),
    "sh": ("*.sh", "*.bash", "*.zsh"),
    "md": ("*.md", "*.markdown"),
    "json": ("*.json",),
    "yaml": ("*.yaml", "*.yml"),
    "toml": ("*.toml",),
    "html": ("*.html", "*.htm"),
    "css": ("*.css", "*.scss", "*.sass", "*.less"),
    "sql": ("*.sql",),
}

OutputMode = Literal["content", "files_with_matches", "count"]


class GrepArguments(Arguments):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    pattern: str = Field(description=r'Regular expression, e.g. "def \w+_test" or "TODO|FIXME".')
    path: str | None = Field(
        default=None, description="Absolute file or folder to search. Default: working directory."
    )
    glob: str | None = Field(
        default=None, description='Only files matching this glob, e.g. "*.py" or "src/**/*.ts".'
    )
    type: str | None = Field(
        default=None, description=f"Only files of a type: {', '.join(sorted(FILE_TYPES))}."
    )
    output_mode: OutputMode = Field(
        default="files_with_matches",
        description='"files_with_matches" (default): paths; "content": matching lines; '
        '"count": matches per file.',
    )
    ignore_case: bool = Field(default=False, alias="-i", description="Case-insensitive search.")
    before: int | None = Field(
        default=None, ge=0, alias="-B", description="Lines of context before each match."
    )
    after: int | None = Field(
        default=None, ge=0, alias="-A", description="Lines of context after each match."
    )
    context: int | None = Field(
        default=None, ge=0, alias="-C", description="Lines of context around each match."
    )
    head_limit: int | None = Field(
        default=None,
        ge=1,
        description=f"Show at most this many results (default {DEFAULT_HEAD_LIMIT}).",
    )


class GrepTool(BuiltinTool[GrepArguments]):
    name = "grep"
    read_only = True
    arguments = GrepArguments
    description = """Search file contents with a regular expression (ripgrep syntax).

- Default output is the list of matching files, newest first; set output_mode "content"
  for the lines (as path:line:text, with -A/-B/-C context) or "count" for counts.
- Files git ignores and binary files are skipped; hidden files are searched.
- Narrow with glob ("*.py", "src/**/*.ts") or type ("py", "ts", "go" ...).
- Escape regex characters for literal text: "interface\\{\\}" finds "interface{}",
  "foo\\.bar\\(" finds "foo.bar(".
- Example: {"pattern": "def load_\\w+", "type": "py", "output_mode": "content", "-C": 2}
- Use this instead of running grep or rg through bash."""

    def __init__(self) -> None:
        self._ripgrep: WeakKeyDictionary[Environment, bool] = WeakKeyDictionary()

    async def run(self, args: GrepArguments, context: ToolContext) -> ToolResult:
        env = context.environment
        target = env.resolve(args.path) if args.path else (context.session.cwd or env.cwd)
        if not await env.exists(target):
            return ToolResult.error(f"The path {target} does not exist.")
        if args.type is not None and args.type not in FILE_TYPES:
            known = ", ".join(sorted(FILE_TYPES))
            return ToolResult.error(f"Unknown type {args.type!r}; use one of {known}, or glob.")
        flags = re.IGNORECASE if args.ignore_case else 0
        try:
            regex = re.compile(args.pattern, flags)
        except re.error as exc:
            return ToolResult.error(
                f"The pattern is not a valid regular expression: {exc}. Escape special "
                "characters such as ( [ { . * + ? with a backslash to match them literally."
            )
        hidden = context.hidden or _nothing_hidden
        if await self._has_ripgrep(env):
            lines = await ripgrep(env, target, args, hidden)
        else:
            lines = await python_grep(env, target, args, regex, hidden)
        if isinstance(lines, ToolResult):
            return lines
        if not lines:
            return ToolResult(text=f"No matches for {args.pattern!r} in {target}.")
        limit = args.head_limit or DEFAULT_HEAD_LIMIT
        text = "\n".join(lines[:limit])
        if len(lines) > limit:
            text += f"\n[{len(lines) - limit} more results; narrow the search or raise head_limit.]"
        return ToolResult(text=text)

    async def _has_ripgrep(self, env: Environment) -> bool:
        known = self._ripgrep.get(env)
        if known is None:
            try:
                result = await env.exec(["rg", "--version"], timeout=10)
                known = result.exit_code == 0
            except (FileNotFoundError, PermissionError):
                known = False
            self._ripgrep[env] = known
        return known


@dataclass(frozen=True, slots=True)
class _Line:
    """One line of content output: a match or a line of context around one."""

    path: str
    number: int
    is_match: bool
    text: str


def _context(args: GrepArguments) -> tuple[int, int]:
    before = args.before if args.before is not None else (args.context or 0)
    after = args.after if args.after is not None else (args.context or 0)
    return before, after


def _nothing_hidden(path: str) -> bool:
    return False


async def ripgrep(
    env: Environment,
    target: str,
    args: GrepArguments,
    hidden: Callable[[str], bool] = _nothing_hidden,
) -> list[str] | ToolResult:
    """Run ripgrep and shape its answer exactly as ``python_grep`` does.

    ``-g`` would override ignore rules in ripgrep, so file types go through
    ``--type-add`` (which respects them) and the glob filter is applied to the output.
    """
    argv = ["rg", "--no-config", "--hidden", "--no-require-git", "--no-ignore-dot"]
    argv += ["--no-ignore-global", "--no-messages", "--color", "never", "--null"]
    argv += ["-g", "!.git"]
    if args.ignore_case:
        argv.append("-i")
    if args.type:
        for pattern in FILE_TYPES[args.type]:
            argv += ["--type-add", f"tau:{pattern}"]
        argv += ["-t", "tau"]
    if args.output_mode == "files_with_matches":
        argv.append("-l")
    elif args.output_mode == "count":
        argv += ["-c", "--with-filename"]
    else:
        before, after = _context(args)
        argv += ["-n", "--with-filename", "--no-heading", "-B", str(before), "-A", str(after)]
    argv += ["-e", args.pattern, "--", target]
    result = await env.exec(argv, merge_stderr=False, timeout=120, output_limit=_RG_OUTPUT_LIMIT)
    if result.exit_code not in (0, 1):
        message = result.stderr.decode(errors="replace").strip()
        return ToolResult.error(f"grep failed: {message or f'exit code {result.exit_code}'}")
    # Past the limit the middle of the output is gone; keep the whole lines of the head.
    output = result.stdout[: _RG_OUTPUT_LIMIT // 2].decode(errors="replace")
    if result.truncated:
        end = "\0" if args.output_mode == "files_with_matches" else "\n"
        output = output[: output.rfind(end) + 1]
    else:
        output = result.stdout.decode(errors="replace")
    is_dir = (await env.stat(target)).kind == "dir"

    def wanted(path: str) -> bool:
        if hidden(path):
            return False
        return not (is_dir and args.glob) or _glob_matches(args.glob or "", _relative(path, target))

    if args.output_mode == "files_with_matches":
        paths = [p for p in output.split("\0") if p.strip("\n")]
        paths = [p.lstrip("\n") for p in paths]
        return await _newest_first(env, [p for p in paths if wanted(p)])
    rows = [line for line in output.split("\n") if "\0" in line]
    if args.output_mode == "count":
        counts = sorted(tuple(row.split("\0", 1)) for row in rows)
        return [f"{path}:{count}" for path, count in counts if wanted(path)]
    lines = []
    for row in rows:
        path, rest = row.split("\0", 1)
        match = _RG_LINE.match(rest)
        if match is not None and wanted(path):
            number, mark, text = match.groups()
            lines.append(_Line(path, int(number), mark == ":", text))
    lines.sort(key=lambda line: (line.path, line.number))
    return _render(lines)


_RG_LINE = re.compile(r"(\d+)([:-])(.*)\Z", re.DOTALL)


async def python_grep(
    env: Environment,
    target: str,
    args: GrepArguments,
    regex: re.Pattern[str],
    hidden: Callable[[str], bool] = _nothing_hidden,
) -> list[str]:
    """The same search in Python, over the files ``glob`` would list."""
    info = await env.stat(target)
    if info.kind == "dir":
        files = _filtered(await visible_files(env, target), target, args)
    else:
        files = [target]
    files = [path for path in files if not hidden(path)]
    found: list[_Line] = []
    counts: list[str] = []
    matched: list[str] = []
    before, after = _context(args)
    # A line can only match if the whole text does (with ^ and $ at line ends), so one
    # search per file rules most files out before they are split into lines.
    whole = re.compile(regex.pattern, regex.flags | re.MULTILINE)
    for start in range(0, len(files), _BATCH):
        batch = files[start : start + _BATCH]
        contents = await env.read_many(batch)
        for file, data in zip(batch, contents, strict=True):
            if data is None or b"\x00" in data:
                continue
            text = data.decode("utf-8", errors="replace")
            if whole.search(text) is None:
                continue
            lines = text.split("\n")
            if lines and lines[-1] == "":
                lines.pop()
            hits = [i for i, line in enumerate(lines) if regex.search(line)]
            if not hits:
                continue
            matched.append(file)
            counts.append(f"{file}:{len(hits)}")
            found.extend(_with_context(file, lines, hits, before, after))
    if args.output_mode == "files_with_matches":
        return await _newest_first(env, matched)
    if args.output_mode == "count":
        return counts
    return _render(found)


def _filtered(files: Sequence[str], root: str, args: GrepArguments) -> list[str]:
    type_globs = FILE_TYPES[args.type] if args.type else ()
    keep = []
    for path in files:
        relative = _relative(path, root)
        if type_globs and not any(_glob_matches(g, relative) for g in type_globs):
            continue
        if args.glob and not _glob_matches(args.glob, relative):
            continue
        keep.append(path)
    return sorted(keep)


def _relative(path: str, root: str) -> str:
    return path[len(root.rstrip("/")) + 1 :]


def _glob_matches(pattern: str, relative: str) -> bool:
    """ripgrep's -g: a pattern without a slash matches the file name at any depth."""
    negate = pattern.startswith("!")
    pattern = pattern.removeprefix("!")
    if "/" in pattern.strip("/"):
        hit = compile_glob(pattern.lstrip("/")).match(relative) is not None
    else:
        hit = compile_glob(pattern).match(os.path.basename(relative)) is not None
    return hit != negate


def _with_context(
    path: str, lines: list[str], hits: list[int], before: int, after: int
) -> list[_Line]:
    shown: dict[int, bool] = {}
    for hit in hits:
        for index in range(max(hit - before, 0), min(hit + after, len(lines) - 1) + 1):
            shown.setdefault(index, False)
        shown[hit] = True
    return [_Line(path, i + 1, shown[i], lines[i]) for i in sorted(shown)]


def _render(lines: Sequence[_Line]) -> list[str]:
    """``path:12:text`` for matches, ``path-13-text`` for context, ``--`` between gaps."""
    with_context = any(not line.is_match for line in lines)
    out: list[str] = []
    previous: _Line | None = None
    for line in lines:
        if (
            with_context
            and previous is not None
            and (line.path != previous.path or line.number != previous.number + 1)
        ):
            out.append("--")
        mark = ":" if line.is_match else "-"
        out.append(f"{line.path}{mark}{line.number}{mark}{line.text}")
        previous = line
    return out


async def _newest_first(env: Environment, paths: Sequence[str]) -> list[str]:
    infos = [info for info in await env.stat_many(paths) if info is not None]
    return [f.path for f in sorted(infos, key=lambda f: (-f.mtime, f.path))]
