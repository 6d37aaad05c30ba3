"""An ACP prompt as tau takes it: its text, and its images for a model that can see them.

Text blocks are the prompt; links to files become ``@path`` mentions (the runtime
attaches them, under the same rules as typed ones); embedded text resources are
quoted in full. Images (pasted or dropped into an editor) become image parts of the
prompt's user message. What tau cannot pass on (audio, other binary resources, an
image no model accepts, images for a model not declared able to see them) is
refused with a sentence saying why: the prompt is not run without it, so nothing
the user sent is quietly lost.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from acp import RequestError
from acp.schema import (
    AudioContentBlock,
    BlobResourceContents,
    EmbeddedResourceContentBlock,
    ImageContentBlock,
    ResourceContentBlock,
    TextContentBlock,
    TextResourceContents,
)

from tau_cli.core import ImagePart

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
"""What every provider tau speaks to accepts."""
MAX_IMAGE_BYTES = 5_000_000
"""The smallest per-image limit among those providers (Anthropic's)."""


@dataclass(frozen=True)
class Prompt:
    text: str
    images: list[ImagePart] = field(default_factory=list)


def read_prompt(blocks: list[Any]) -> Prompt:
    """The prompt's text and images.

    Raises:
        RequestError: an image no model takes, or a prompt with nothing in it.
    """
    parts: list[str] = []
    images: list[ImagePart] = []
    for block in blocks:
        if isinstance(block, TextContentBlock):
            parts.append(block.text)
        elif isinstance(block, ResourceContentBlock):
            uri = block.uri
            parts.append(f"@{uri.removeprefix('file://')}" if uri.startswith("file://") else uri)
        elif isinstance(block, EmbeddedResourceContentBlock):
            resource = block.resource
            if isinstance(resource, TextResourceContents):
                parts.append(f'<file uri="{resource.uri}">\n{resource.text}\n</file>')
            elif _is_image(resource.mime_type) and isinstance(resource, BlobResourceContents):
                images.append(_image(resource.blob, resource.mime_type or "", resource.uri))
            else:
                kind = resource.mime_type or "binary data"
                raise _refused(f"{resource.uri} is {kind}; tau takes text and images")
        elif isinstance(block, ImageContentBlock):
            images.append(_image(block.data, block.mime_type, block.uri))
        elif isinstance(block, AudioContentBlock):
            raise _refused("tau does not take audio in a prompt; send text or images")
    text = "\n".join(parts)
    if not text.strip() and not images:
        raise _refused("the prompt has no text")
    return Prompt(text=text, images=images)


def no_vision(model: str) -> RequestError:
    """The refusal of a prompt with images for a model not declared able to see them."""
    return _refused(
        f"{model} is not set up to see images, so the prompt was not sent. If the model "
        f"can see them, declare it in settings: models: {{{model!r}: "
        "{capabilities: {vision: true}}}; or send the prompt without the image."
    )


def _is_image(mime_type: str | None) -> bool:
    return mime_type is not None and mime_type.startswith("image/")


def _image(data: str, mime_type: str, uri: str | None) -> ImagePart:
    name = uri or "an image"
    if mime_type not in IMAGE_TYPES:
        accepted = ", ".join(sorted(IMAGE_TYPES))
        raise _refused(f"{name} is {mime_type or 'of no type'}; models take {accepted}")
    try:
        size = len(base64.b64decode(data, validate=True))
    except (binascii.Error, ValueError):
        raise _refused(f"{name} is not valid base64 data") from None
    if size > MAX_IMAGE_BYTES:
        raise _refused(
            f"{name} has {size:,} bytes, more than the {MAX_IMAGE_BYTES:,} a model accepts; "
            "send a smaller copy"
        )
    return ImagePart(media_type=mime_type, data=data)


def _refused(details: str) -> RequestError:
    return RequestError.invalid_params({"details": details})
