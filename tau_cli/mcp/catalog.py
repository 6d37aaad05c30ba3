"""What MCP servers offer besides tools: resources and prompts, in tau's terms.

Resources reach the model through two read-only tools (``mcp__list_resources`` and
``mcp__read_resource``) and the user through ``@server:uri`` mentions; prompts become
slash commands named ``/mcp__<server>__<prompt>``. The manager does the talking; this
module holds the shapes and the mapping into core types.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from tau_cli.core import (
    ContentPart,
    ImagePart,
    Message,
    TauError,
    TextPart,
    ToolDefinition,
    ToolResult,
)
from tau_cli.mcp.results import add_resource_contents, cut_middle

if TYPE_CHECKING:
    from mcp import types

    from tau_cli.mcp._connection import ProgressCallback

_MENTION = re.compile(r"^@([A-Za-z0-9_-]{1,40}):(\S+)$")


class McpServerError(TauError):
    """An MCP server could not answer a request made for the user (a resource, a prompt)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ResourceInfo(_Frozen):
    server: str
    uri: str
    name: str
    description: str = ""
    mime_type: str | None = None

    @property
    def mention(self) -> str:
        """How a user refers to it in a message: ``@server:uri``."""
        return f"@{self.server}:{self.uri}"


class PromptArgumentInfo(_Frozen):
    name: str
    description: str = ""
    required: bool = False


class PromptInfo(_Frozen):
    server: str
    name: str
    description: str = ""
    arguments: list[PromptArgumentInfo] = Field(default_factory=list)

    @property
    def command(self) -> str:
        """The slash command that runs it: ``/mcp__<server>__<prompt>``."""
        return f"/mcp__{self.server}__{self.name}"


def parse_mention(token: str) -> tuple[str, str] | None:
    """``("server", "uri")`` for a ``@server:uri`` token, else ``None``."""
    match = _MENTION.match(token)
    return (match.group(1), match.group(2)) if match else None


def resource_info(server: str, resource: types.Resource) -> ResourceInfo:
    return ResourceInfo(
        server=server,
        uri=str(resource.uri),
        name=resource.name,
        description=resource.description or "",
        mime_type=resource.mimeType,
    )


def prompt_info(server: str, prompt: types.Prompt) -> PromptInfo:
    arguments = [
        PromptArgumentInfo(name=a.name, description=a.description or "", required=bool(a.required))
        for a in prompt.arguments or []
    ]
    return PromptInfo(
        server=server, name=prompt.name, description=prompt.description or "", arguments=arguments
    )


def resource_result(result: types.ReadResourceResult, *, max_chars: int) -> ToolResult:
    texts: list[str] = []
    images: list[ImagePart] = []
    for contents in result.contents:
        add_resource_contents(contents, texts, images)
    return ToolResult(text=cut_middle("\n".join(texts), max_chars), images=images)


def prompt_messages(result: types.GetPromptResult) -> list[Message]:
    """The prompt's messages as conversation messages (text, images, inlined resources)."""
    messages = []
    for item in result.messages:
        texts: list[str] = []
        images: list[ImagePart] = []
        content: Any = item.content
        if content.type == "text":
            texts.append(content.text)
        elif content.type == "image":
            images.append(ImagePart(media_type=content.mimeType, data=content.data))
        elif content.type == "resource":
            add_resource_contents(content.resource, texts, images)
        else:
            texts.append(f"[{content.type} content not shown]")
        body: str | list[ContentPart] = "\n".join(texts)
        if images:
            body = [TextPart(text=body), *images]
        messages.append(Message.user(body) if item.role == "user" else Message.assistant(body))
    return messages


class _ResourceSource(Protocol):
    async def list_resources(self, server: str | None = None) -> list[ResourceInfo]: ...

    async def read_resource(self, server: str, uri: str) -> ToolResult: ...


class ListResourcesTool:
    """``mcp__list_resources``: what the configured servers offer to read."""

    read_only = True

    def __init__(self, source: _ResourceSource) -> None:
        self._source = source
        self.definition = ToolDefinition(
            name="mcp__list_resources",
            description=(
                "List the resources (files, records, documents) MCP servers offer. "
                "Read one with mcp__read_resource."
            ),
            parameters={
                "type": "object",
                "properties": {
                    "server": {"type": "string", "description": "Only this server's resources."}
                },
            },
        )

    @property
    def name(self) -> str:
        return self.definition.name

    async def call(
        self,
        arguments: Mapping[str, Any],
        *,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> ToolResult:
        server = arguments.get("server")
        try:
            found = await self._source.list_resources(server if isinstance(server, str) else None)
        except McpServerError as exc:
            return ToolResult.error(str(exc))
        if not found:
            return ToolResult(text="No MCP resources are available.")
        lines = [
            f"{r.server} {r.uri} — {r.name}" + (f": {r.description}" if r.description else "")
            for r in found
        ]
        return ToolResult(text="\n".join(lines))


class ReadResourceTool:
    """``mcp__read_resource``: one resource's contents, by server and URI."""

    read_only = True

    def __init__(self, source: _ResourceSource) -> None:
        self._source = source
        self.definition = ToolDefinition(
            name="mcp__read_resource",
            description="Read one resource of an MCP server (see mcp__list_resources).",
            parameters={
                "type": "object",
                "properties": {
                    "server": {"type": "string", "description": "The server's name."},
                    "uri": {"type": "string", "description": "The resource's URI."},
                },
                "required": ["server", "uri"],
            },
        )

    @property
    def name(self) -> str:
        return self.definition.name

    async def call(
        self,
        arguments: Mapping[str, Any],
        *,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> ToolResult:
        server, uri = arguments.get("server"), arguments.get("uri")
        if not isinstance(server, str) or not isinstance(uri, str):
            return ToolResult.error("mcp__read_resource needs 'server' and 'uri' strings")
        try:
            return await self._source.read_resource(server, uri)
        except McpServerError as exc:
            return ToolResult.error(str(exc))
