"""``edit``: replace an exact passage of a file, keeping its encoding and line endings."""

from __future__ import annotations

import re

from pydantic import Field, JsonValue, ValidationError

from tau_cli.core import ToolResult
from tau_cli.tools.base import ToolContext
from tau_cli.tools.builtin._base import (
    Arguments,
    BuiltinTool,
    absolute_path,
    freshness_error,
    missing_file,
    remember,
)
from tau_cli.tools.builtin._text import Decoded, decode
from tau_cli.tools.builtin.write import unified_diff

_MAX_LISTED = 10


class EditArguments(Arguments):
    file_path: str = Field(description="Absolute path of the file to change.")
    old_string: str = Field(description="The exact text to replace (whitespace included).")
    new_string: str = Field(description="The text to put in its place (must differ).")
    replace_all: bool = Field(
        default=False, description="Replace every occurrence instead of exactly one."
    )


class EditTool(BuiltinTool[EditArguments]):
    name = "edit"
    arguments = EditArguments
    description = """Replace an exact passage of a file with new text.

- file_path must be absolute. Read the file first in this session; the edit is refused if
  the file changed on disk since that read.
- old_string must match the file exactly, indentation included, and without the line
  numbers read shows. It must occur once: if it occurs more often, add surrounding lines
  until it is unique, or set replace_all to change every occurrence (e.g. renaming).
- Example: old_string "def load(path):\\n    return open(path).read()" and new_string
  "def load(path):\\n    with open(path) as f:\\n        return f.read()".
- The file keeps its encoding, its line endings (CRLF stays CRLF; write \\n in your strings)
  and whether it ends with a newline. The result shows the diff.
- To create a file, use write."""

    async def run(self, args: EditArguments, context: ToolContext) -> ToolResult:
        prepared = await self._prepare(args, context)
        if isinstance(prepared, ToolResult):
            return prepared
        path, decoded, after, count = prepared
        await context.environment.write_bytes(path, decoded.encode(after))
        await remember(path, context)
        diff = unified_diff(path, decoded.text, after)
        noun = "occurrence" if count == 1 else "occurrences"
        return ToolResult(text=f"Edited {path}: replaced {count} {noun}.\n{diff}")

    async def preview(self, arguments: dict[str, JsonValue], context: ToolContext) -> str | None:
        """The unified diff this edit would make (``None`` if it would fail)."""
        try:
            args = EditArguments.model_validate(arguments)
        except ValidationError:
            return None
        prepared = await self._prepare(args, context)
        if isinstance(prepared, ToolResult):
            return None
        path, decoded, after, _ = prepared
        return unified_diff(path, decoded.text, after)

    async def _prepare(
        self, args: EditArguments, context: ToolContext
    ) -> tuple[str, Decoded, str, int] | ToolResult:
        path = absolute_path(args.file_path, context)
        if isinstance(path, ToolResult):
            return path
        env = context.environment
        if not await env.exists(path):
            return await missing_file(path, context)
        if args.old_string == "":
            return ToolResult.error(
                "old_string is empty. To create a file use write; to add text, quote the "
                "lines around the place it goes and repeat them in new_string."
            )
        if args.old_string == args.new_string:
            return ToolResult.error("old_string and new_string are the same; nothing to change.")
        refusal = await freshness_error(path, context, "edit")
        if refusal is not None:
            return refusal
        decoded = decode(await env.read_bytes(path))
        if decoded is None:
            return ToolResult.error(f"{path} is a binary file; edit only changes text files.")
        old = args.old_string.replace("\r\n", "\n")
        new = args.new_string.replace("\r\n", "\n")
        text = decoded.text
        count = text.count(old)
        if count == 0:
            return ToolResult.error(_not_found(path, text, old))
        if count > 1 and not args.replace_all:
            lines = _match_lines(text, old)
            listed = ", ".join(map(str, lines[:_MAX_LISTED])) + (
                ", ..." if len(lines) > _MAX_LISTED else ""
            )
            return ToolResult.error(
                f"old_string occurs {count} times in {path} (starting on lines {listed}). "
                "Include more surrounding lines to pick one, or set replace_all=true to "
                "replace them all."
            )
        after = text.replace(old, new) if args.replace_all else text.replace(old, new, 1)
        return path, decoded, after, count if args.replace_all else 1


def _match_lines(text: str, old: str) -> list[int]:
    lines = []
    start = text.find(old)
    while start != -1:
        lines.append(text.count("\n", 0, start) + 1)
        start = text.find(old, start + 1)
    return lines


def _not_found(path: str, text: str, old: str) -> str:
    """Say old_string is absent, and where a passage differing only in whitespace is."""
    message = f"old_string was not found in {path}."
    words = old.split()
    if words:
        loose = r"\s+".join(re.escape(w) for w in words)
        match = re.search(loose, text)
        if match is not None:
            line = text.count("\n", 0, match.start()) + 1
            return (
                f"{message} A passage that differs only in whitespace or indentation starts "
                f"on line {line}; copy it exactly as read shows it (without line numbers)."
            )
    return f"{message} Read the file again and copy the passage exactly, indentation included."
