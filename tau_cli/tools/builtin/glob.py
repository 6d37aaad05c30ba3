"""``glob``: find files by name pattern, newest first, skipping what git ignores."""

from __future__ import annotations

import os
from operator import attrgetter

from pydantic import Field

from tau_cli.core import ToolResult
from tau_cli.tools.base import ToolContext
from tau_cli.tools.builtin._base import Arguments, BuiltinTool
from tau_cli.tools.builtin._ignore import visible_files
from tau_cli.tools.environment import Environment, FileInfo

MAX_RESULTS = 200


class GlobArguments(Arguments):
    pattern: str = Field(description='Glob pattern, e.g. "**/*.py" or "src/**/*.{ts,tsx}".')
    path: str | None = Field(
        default=None,
        description="Absolute folder to search in. Default: the working directory.",
    )


class GlobTool(BuiltinTool[GlobArguments]):
    name = "glob"
    read_only = True
    arguments = GlobArguments
    description = f"""Find files whose path matches a glob pattern; newest first.

- `*` matches within one folder, `**` across folders, `{{a,b}}` either; patterns are
  relative to path. Example: {{"pattern": "src/**/*.test.ts"}}.
- Files git ignores (.gitignore, .git/info/exclude) and the .git folder are left out, as
  `git ls-files --cached --others --exclude-standard` would; hidden files are included.
- Returns absolute paths, most recently modified first, at most {MAX_RESULTS}; narrow the
  pattern if you hit the limit. To search file contents use grep."""

    async def run(self, args: GlobArguments, context: ToolContext) -> ToolResult:
        env = context.environment
        root = env.resolve(args.path) if args.path else (context.session.cwd or env.cwd)
        try:
            info = await env.stat(root)
        except FileNotFoundError:
            return ToolResult.error(f"The folder {root} does not exist.")
        if info.kind != "dir":
            return ToolResult.error(f"{root} is a file; give the folder to search in as path.")
        pattern = args.pattern
        if os.path.isabs(pattern):
            pattern = os.path.relpath(pattern, root)
        paths = await visible_files(env, root, pattern)
        if context.hidden is not None:
            paths = [path for path in paths if not context.hidden(path)]
        files, count = await _newest(env, sorted(paths), MAX_RESULTS)
        if not count:
            return ToolResult(text=f"No files match {args.pattern!r} in {root}.")
        shown = [f.path for f in files]
        if count > MAX_RESULTS:
            shown.append(
                f"[{count - MAX_RESULTS} more files match; use a narrower pattern or path.]"
            )
        return ToolResult(text="\n".join(shown))


_STAT_BATCH = 1000
"""Files stat-ed per round trip to the environment."""


async def _newest(env: Environment, paths: list[str], limit: int) -> tuple[list[FileInfo], int]:
    """The ``limit`` most recently modified files of ``paths`` (ties by path), and how many
    of ``paths`` still exist.

    Batch by batch, keeping only the newest so far: 50,000 records alive at once outlive
    the young generations of the garbage collector, and the full collections they set
    off cost a seventh of the whole search. ``paths`` must be sorted: those kept from
    earlier batches sort before the next batch, so one stable sort on the time alone
    leaves ties in path order (a sort on built (-mtime, path) tuples costs three times).
    """
    newest: list[FileInfo] = []
    count = 0
    for start in range(0, len(paths), _STAT_BATCH):
        batch = await env.stat_many(paths[start : start + _STAT_BATCH])
        found = [info for info in batch if info is not None]
        count += len(found)
        newest += found
        newest.sort(key=attrgetter("mtime"), reverse=True)
        del newest[limit:]
    return newest, count
