"""Conversation messages: the one vocabulary every provider, tool and session speaks.

This fixes the concept document's §5.3: a message is more than ``role`` and text.
Assistant messages carry ``tool_calls``; tool messages answer one call by
``tool_call_id``; content is plain text or a list of typed parts, so images and
reasoning (with the provider's opaque signature, which Anthropic and the OpenAI
Responses API require to be sent back verbatim) travel through history intact.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

Role = Literal["system", "user", "assistant", "tool"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TextPart(_Model):
    """Plain text."""

    type: Literal["text"] = "text"
    text: str


class ImagePart(_Model):
    """An image, either inline (base64 ``data``) or by ``url``.

    Exactly one of the two is set, so providers never have to guess which to send.
    """

    type: Literal["image"] = "image"
    media_type: str = "image/png"
    data: str | None = None
    url: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.data is None) == (self.url is None):
            raise ValueError("an image part needs exactly one of 'data' (base64) or 'url'")
        return self


class ReasoningPart(_Model):
    """The model's reasoning, kept so it can be shown and, where required, sent back.

    ``signature`` is Anthropic's thinking signature; ``encrypted_content`` is the
    OpenAI Responses API's opaque reasoning item; ``redacted`` marks reasoning the
    provider withheld (its ciphertext, if any, is in ``encrypted_content``). tau never
    interprets these fields, it only returns them to the provider that produced them.
    """

    type: Literal["reasoning"] = "reasoning"
    text: str = ""
    signature: str | None = None
    encrypted_content: str | None = None
    item_id: str | None = None
    redacted: bool = False


ContentPart = Annotated[TextPart | ImagePart | ReasoningPart, Field(discriminator="type")]


class ToolCall(_Model):
    """One tool call requested by the model.

    ``raw_arguments`` is exactly what the model sent. When it is not a JSON object,
    ``arguments`` is empty and ``parse_error`` says why, so the loop can answer the
    model with an error result instead of crashing or guessing.
    """

    id: str
    name: str
    arguments: dict[str, JsonValue] = Field(default_factory=dict)
    raw_arguments: str = ""
    parse_error: str | None = None

    @classmethod
    def from_raw(cls, id: str, name: str, raw_arguments: str) -> ToolCall:
        """Build a call from the model's raw argument text, recording a parse failure."""
        text = raw_arguments.strip()
        if not text:
            return cls(id=id, name=name, arguments={}, raw_arguments=raw_arguments)
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            return cls(
                id=id,
                name=name,
                raw_arguments=raw_arguments,
                parse_error=f"arguments are not valid JSON: {exc.msg} at position {exc.pos}",
            )
        if not isinstance(parsed, dict):
            return cls(
                id=id,
                name=name,
                raw_arguments=raw_arguments,
                parse_error=f"arguments must be a JSON object, got {type(parsed).__name__}",
            )
        return cls(id=id, name=name, arguments=parsed, raw_arguments=raw_arguments)


class ToolResult(_Model):
    """What a tool gives back: text and/or structured content, images, an error flag.

    An error is a result, not an exception: the model reads ``text`` and can fix its
    call. ``structured`` is for clients that can use machine-readable output (MCP's
    ``structuredContent``); providers send ``text``.
    """

    text: str = ""
    structured: dict[str, JsonValue] | None = None
    images: list[ImagePart] = Field(default_factory=list)
    is_error: bool = False

    @classmethod
    def error(cls, text: str) -> ToolResult:
        return cls(text=text, is_error=True)


class Message(_Model):
    """One entry of a conversation, for any role.

    Invariants are checked on construction so a malformed history fails where it is
    built, not later as an HTTP 400 from a provider: only assistant messages have
    ``tool_calls``, and tool messages always name the call they answer.
    """

    role: Role
    content: str | list[ContentPart] = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    tool_call_id: str | None = None
    name: str | None = None
    is_error: bool = False

    @model_validator(mode="after")
    def _role_rules(self) -> Self:
        if self.tool_calls and self.role != "assistant":
            raise ValueError("only assistant messages can carry tool_calls")
        if self.role == "tool" and not self.tool_call_id:
            raise ValueError("a tool message must name the call it answers (tool_call_id)")
        if self.role != "tool" and (self.tool_call_id is not None or self.is_error):
            raise ValueError("tool_call_id and is_error belong to tool messages only")
        return self

    @classmethod
    def system(cls, text: str) -> Message:
        return cls(role="system", content=text)

    @classmethod
    def user(cls, content: str | list[ContentPart]) -> Message:
        return cls(role="user", content=content)

    @classmethod
    def assistant(
        cls, content: str | list[ContentPart] = "", tool_calls: list[ToolCall] | None = None
    ) -> Message:
        return cls(role="assistant", content=content, tool_calls=tool_calls or [])

    @classmethod
    def tool(cls, call: ToolCall, result: ToolResult) -> Message:
        """The answer to ``call``; images in the result become image parts."""
        content: str | list[ContentPart] = result.text
        if result.images:
            content = [TextPart(text=result.text), *result.images]
        return cls(
            role="tool",
            content=content,
            tool_call_id=call.id,
            name=call.name,
            is_error=result.is_error,
        )

    @property
    def parts(self) -> list[ContentPart]:
        """The content as parts, whichever form it was given in."""
        if isinstance(self.content, str):
            return [TextPart(text=self.content)] if self.content else []
        return list(self.content)

    @property
    def text(self) -> str:
        """All text parts joined; reasoning and images are left out."""
        if isinstance(self.content, str):
            return self.content
        return "".join(p.text for p in self.content if isinstance(p, TextPart))

    @property
    def reasoning(self) -> str:
        return "".join(p.text for p in self.parts if isinstance(p, ReasoningPart))
