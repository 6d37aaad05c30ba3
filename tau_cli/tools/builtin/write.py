"""``write``: create a file, or replace one the model has read, atomically."""

from __future__ import annotations

import difflib
import os

from pydantic import Field, JsonValue, ValidationError

from tau_cli.core import ToolResult
from tau_cli.tools.base import ToolContext
from tau_cli.tools.builtin._base import (
    Arguments,
    BuiltinTool,
    absolute_path,
    freshness_error,
    remember,
)
from tau_cli.tools.builtin._text import decode

MAX_DIFF_LINES = 400


class WriteArguments(Arguments):
    file_path: str = Field(description="Absolute path of the file to write.")
    content: str = Field(description="The complete new content of the file.")


class WriteTool(BuiltinTool[WriteArguments]):
    name = "write"
    arguments = WriteArguments
    description = """Write a whole file, creating it (and missing parent folders) or replacing it.

- file_path must be absolute, e.g. /home/me/app/docs/notes.md.
- To replace an existing file, read it first in this session; if it changed on disk since,
  read it again. To change part of a file, prefer edit: it sends only the change.
- The write is atomic (a reader never sees half a file) and keeps the file's permissions.
- Content is written exactly as given, as UTF-8; put a newline at the end if the file
  should end with one."""

    async def run(self, args: WriteArguments, context: ToolContext) -> ToolResult:
        path = absolute_path(args.file_path, context)
        if isinstance(path, ToolResult):
            return path
        env = context.environment
        existed = await env.exists(path)
        if existed:
            info = await env.stat(path)
            if info.kind == "dir":
                return ToolResult.error(f"{path} is a folder; give the path of a file inside it.")
            refusal = await freshness_error(path, context, "overwrite")
            if refusal is not None:
                return refusal
        data = args.content.encode()
        await env.write_bytes(path, data)
        await remember(path, context)
        lines = args.content.count("\n") + (not args.content.endswith("\n") and bool(args.content))
        verb = "Replaced" if existed else "Created"
        return ToolResult(text=f"{verb} {path} ({lines} lines, {len(data):,} bytes).")

    async def preview(self, arguments: dict[str, JsonValue], context: ToolContext) -> str | None:
        """The unified diff this write would make, for a permission prompt."""
        try:
            args = WriteArguments.model_validate(arguments)
        except ValidationError:
            return None
        env = context.environment
        before = ""
        if await env.exists(args.file_path):
            decoded = decode(await env.read_bytes(args.file_path))
            before = decoded.text if decoded is not None else "(binary file)\n"
        return unified_diff(args.file_path, before, args.content)


def unified_diff(path: str, before: str, after: str) -> str:
    """A unified diff of ``before`` → ``after``, cut at a readable length."""
    name = os.path.basename(path)
    lines = list(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"a/{name}",
            tofile=f"b/{name}",
            n=2,
        )
    )
    if len(lines) > MAX_DIFF_LINES:
        hidden = len(lines) - MAX_DIFF_LINES
        lines = [*lines[:MAX_DIFF_LINES], f"... ({hidden} more diff lines)\n"]
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
