"""An MCP ``CallToolResult`` as tau's ``ToolResult``, with nothing silently dropped.

Text blocks become text; images (and image blobs inside embedded resources) become image
parts the model can see; text resources are inlined under a header naming their URI;
what a model cannot read (audio, binary blobs, resource links) is described in a line so
the model knows it exists. ``structuredContent`` is kept as ``structured`` and, when a
server sent no text, shown as JSON. Results larger than the limit keep their head and tail
with a note of what was cut, like built-in tool output.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from tau_cli.core import ImagePart, ToolResult

if TYPE_CHECKING:
    from mcp import types

DEFAULT_MAX_CHARS = 40_000
"""About 10k tokens: enough for real answers, small enough not to drown the context."""


def to_tool_result(
    result: types.CallToolResult, *, max_chars: int = DEFAULT_MAX_CHARS
) -> ToolResult:
    """Map every kind of content block of ``result`` into one ``ToolResult``."""
    texts: list[str] = []
    images: list[ImagePart] = []
    for block in result.content:
        _add_block(block, texts, images)
    structured = result.structuredContent
    if structured is not None and not texts:
        texts.append(json.dumps(structured, ensure_ascii=False, indent=2))
    note = ""
    if structured is not None and len(json.dumps(structured)) > max_chars:
        structured = None  # too large to carry whole; the text (or its JSON) is cut below
        note = "[structured content omitted: larger than the result limit]\n"
    text = note + cut_middle("\n".join(texts), max_chars - len(note))
    return ToolResult(text=text, structured=structured, images=images, is_error=result.isError)


def cut_middle(text: str, max_chars: int) -> str:
    """``text`` itself, or its head and tail around a note of how much was left out.

    The tail matters as much as the head: errors and summaries tend to come last.
    """
    if len(text) <= max_chars:
        return text
    keep = max(max_chars - 200, 0)
    head, tail = text[: keep // 2], text[len(text) - keep // 2 :]
    cut = len(text) - len(head) - len(tail)
    lines = text.count("\n", len(head), len(text) - len(tail))
    note = f"\n\n[... {cut} characters ({lines} lines) cut from the middle of this result ...]\n\n"
    return head + note + tail


def _add_block(block: Any, texts: list[str], images: list[ImagePart]) -> None:
    kind = getattr(block, "type", None)
    if kind == "text":
        texts.append(block.text)
    elif kind == "image":
        images.append(ImagePart(media_type=block.mimeType, data=block.data))
    elif kind == "audio":
        texts.append(f"[audio ({block.mimeType}, {_decoded_size(block.data)} bytes) not shown]")
    elif kind == "resource_link":
        described = f": {block.description}" if block.description else ""
        texts.append(f"[resource link {block.name} <{block.uri}>{described}]")
    elif kind == "resource":
        add_resource_contents(block.resource, texts, images)
    else:
        texts.append(f"[unsupported content block {kind!r} not shown]")


def add_resource_contents(resource: Any, texts: list[str], images: list[ImagePart]) -> None:
    """Inline a text resource under a header; show an image; describe other binaries."""
    mime = resource.mimeType or "application/octet-stream"
    text = getattr(resource, "text", None)
    if text is not None:
        texts.append(f"[resource {resource.uri} ({mime})]\n{text}")
        return
    blob: str = resource.blob
    if mime.startswith("image/"):
        images.append(ImagePart(media_type=mime, data=blob))
        texts.append(f"[resource {resource.uri}: image shown]")
        return
    texts.append(
        f"[resource {resource.uri} ({mime}, {_decoded_size(blob)} bytes) binary, not shown]"
    )


def _decoded_size(data: str) -> int:
    try:
        return len(base64.b64decode(data, validate=False))
    except ValueError:
        return len(data)
