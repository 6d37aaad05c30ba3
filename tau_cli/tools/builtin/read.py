"""``read``: a file's lines, numbered, a window at a time; images as images."""

from __future__ import annotations

import base64
import os

from pydantic import Field

from tau_cli.core import ImagePart, ToolResult
from tau_cli.tools.base import ToolContext
from tau_cli.tools.builtin._base import (
    Arguments,
    BuiltinTool,
    absolute_path,
    missing_file,
    remember,
)
from tau_cli.tools.builtin._text import decode

DEFAULT_LIMIT = 2000
MAX_LINE_CHARS = 2000
MAX_CHARS = 25_000
"""Text budget of one read, below the registry's cut, so a window ends on a whole line."""
MAX_IMAGE_BYTES = 5_000_000
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}


class ReadArguments(Arguments):
    file_path: str = Field(description="Absolute path of the file, e.g. /home/me/app/src/main.py")
    offset: int | None = Field(
        default=None, ge=1, description="Line number to start at (1-based). Default: 1."
    )
    limit: int | None = Field(
        default=None, ge=1, description=f"How many lines to return. Default: {DEFAULT_LIMIT}."
    )


class ReadTool(BuiltinTool[ReadArguments]):
    name = "read"
    read_only = True
    arguments = ReadArguments
    description = f"""Read a file from the filesystem.

- file_path must be absolute (e.g. /home/me/app/src/main.py), not relative.
- Lines come back numbered like `cat -n` ("    12\\tcode"); the number and tab are not part
  of the file, so leave them out of old_string when you edit.
- Up to {DEFAULT_LIMIT} lines (about {MAX_CHARS:,} characters) per call; for longer files
  pass offset and limit to read the next window, e.g. offset=2001, limit=2000. Lines over
  {MAX_LINE_CHARS} characters are cut.
- PNG, JPEG, GIF and WebP files are returned as images you can see.
- Binary files are refused; a missing file gets a list of similar names.
- Read a file before you edit or overwrite it: edit and write require it.
- To find files use glob; to search contents use grep; to list a folder use bash `ls`."""

    async def run(self, args: ReadArguments, context: ToolContext) -> ToolResult:
        path = absolute_path(args.file_path, context)
        if isinstance(path, ToolResult):
            return path
        env = context.environment
        try:
            info = await env.stat(path)
        except FileNotFoundError:
            return await missing_file(path, context)
        if info.kind == "dir":
            return ToolResult.error(
                f"{path} is a folder, not a file. List it with bash `ls {path}` or find files "
                "in it with glob."
            )
        media_type = IMAGE_TYPES.get(os.path.splitext(path)[1].lower())
        if media_type is not None:
            return await self._image(path, media_type, info.size, context)
        data = await env.read_bytes(path)
        decoded = decode(data)
        if decoded is None:
            return ToolResult.error(
                f"{path} is a binary file ({len(data):,} bytes) and cannot be shown as text. "
                "Inspect it with bash (e.g. `file`, `xxd | head`) if you need to."
            )
        await remember(path, context)
        return ToolResult(text=_numbered(decoded.text, args.offset or 1, args.limit))

    async def _image(
        self, path: str, media_type: str, size: int, context: ToolContext
    ) -> ToolResult:
        if size > MAX_IMAGE_BYTES:
            return ToolResult.error(
                f"{path} is an image of {size:,} bytes, more than the {MAX_IMAGE_BYTES:,} "
                "a model accepts. Make a smaller copy (e.g. with ImageMagick) and read that."
            )
        data = await context.environment.read_bytes(path)
        await remember(path, context)
        image = ImagePart(media_type=media_type, data=base64.b64encode(data).decode("ascii"))
        return ToolResult(text=f"Image {path} ({media_type}, {size:,} bytes)", images=[image])


def _numbered(text: str, offset: int, limit: int | None) -> str:
    if not text:
        return "(the file is empty)"
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the final newline ends the last line; it does not start another
    total = len(lines)
    if offset > total:
        return f"(the file has only {total} lines; offset {offset} is past its end)"
    count = limit or DEFAULT_LIMIT
    window = lines[offset - 1 : offset - 1 + count]
    width = max(6, len(str(offset + len(window))))
    shown: list[str] = []
    used = 0
    for number, line in enumerate(window, start=offset):
        if len(line) > MAX_LINE_CHARS:
            cut = len(line) - MAX_LINE_CHARS
            line = f"{line[:MAX_LINE_CHARS]}... [{cut:,} more characters on this line]"
        entry = f"{number:>{width}}\t{line}"
        used += len(entry) + 1
        if used > MAX_CHARS and shown:
            break
        shown.append(entry)
    last = offset + len(shown) - 1
    if last < total:
        shown.append(
            f"\n[Lines {offset}-{last} of {total}. To continue, read with offset={last + 1}.]"
        )
    return "\n".join(shown)
