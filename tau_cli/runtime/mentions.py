"""``@file`` and ``@server:uri`` in a prompt: what they name, and their content for the model.

A user writes ``fix the bug in @src/calc.py`` or ``summarize @docs:file:///guide.md``;
the model gets the prompt as written plus each named file's (or MCP resource's)
content, attached to the same message. A file a deny rule hides from ``read`` is
not attached, and neither is one that is not text; the user is told which and why.
"""

from __future__ import annotations

import os
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from tau_cli.core import ToolResult
from tau_cli.tools import Environment, PermissionPolicy, cut_middle

# The glob tool's listing: what ``git ls-files --cached --others --exclude-standard`` shows.
from tau_cli.tools.builtin._ignore import visible_files

MAX_ATTACHED_CHARS = 100_000
"""One mention's content at most; the middle of a longer file is cut (as tools do)."""

_MENTION = re.compile(r"(?:(?<=\s)|^)@([^\s@]+)")
_RESOURCE = re.compile(r"^([A-Za-z0-9_-]{1,40}):(\S+)$")
_TRAILING = ",.;:!?)]}'\""


MAX_FILES = 20_000
"""Files offered for completion at most (a huge tree is cut, not waited on)."""


async def project_files(environment: Environment, policy: PermissionPolicy) -> list[str]:
    """The files under the working folder git would show, relative, minus denied ones."""
    root = environment.cwd
    found = await visible_files(environment, root)
    relative = [
        os.path.relpath(path, root) for path in found[:MAX_FILES] if not policy.read_denied(path)
    ]
    return sorted(relative)


def find_mentions(prompt: str) -> list[str]:
    """The ``@`` names in ``prompt``, in order, once each, without trailing punctuation."""
    found: dict[str, None] = {}
    for match in _MENTION.finditer(prompt):
        name = match.group(1).rstrip(_TRAILING)
        if name:
            found[name] = None
    return list(found)


def resource_of(mention: str) -> tuple[str, str] | None:
    """``(server, uri)`` when a mention names an MCP resource (``server:uri``)."""
    match = _RESOURCE.match(mention)
    return (match.group(1), match.group(2)) if match else None


@dataclass(frozen=True)
class Attachment:
    """What one mention brought into the prompt (or why it brought nothing)."""

    mention: str
    text: str | None
    """The block the model sees; None when nothing was attached."""
    problem: str | None = None


ReadResource = Callable[[str, str], Awaitable[ToolResult]]


async def attach(
    prompt: str,
    environment: Environment,
    *,
    hidden: Callable[[str], bool] | None = None,
    read_resource: ReadResource | None = None,
    resource_servers: Iterable[str] = (),
) -> list[Attachment]:
    """The content of every ``@`` mention in ``prompt`` that names a file or a resource.

    A mention that names neither (``@everyone``, an e-mail-like word) is left alone:
    it is just text. ``resource_servers`` are the MCP servers whose ``server:uri``
    mentions are read through ``read_resource``.
    """
    servers = set(resource_servers)
    attached: list[Attachment] = []
    for mention in find_mentions(prompt):
        resource = resource_of(mention)
        if resource is not None and resource[0] in servers and read_resource is not None:
            attached.append(await _resource(mention, *resource, read_resource))
            continue
        path = environment.resolve(mention)
        try:
            info = await environment.stat(path)
        except OSError:  # not a path at all (``@everyone``), or gone: plain text
            continue
        if info.kind != "file":
            continue
        if hidden is not None and hidden(path):
            attached.append(Attachment(mention, None, "a deny rule keeps it from being read"))
            continue
        attached.append(await _file(mention, path, environment))
    return attached


async def _file(mention: str, path: str, environment: Environment) -> Attachment:
    try:
        data = await environment.read_bytes(path)
    except OSError as exc:
        return Attachment(mention, None, f"cannot be read: {exc.strerror or exc}")
    if b"\0" in data[:8192]:
        return Attachment(mention, None, "is not a text file")
    text = cut_middle(data.decode("utf-8", errors="replace"), MAX_ATTACHED_CHARS)
    return Attachment(mention, f'<file path="{mention}">\n{text}\n</file>')


async def _resource(mention: str, server: str, uri: str, read: ReadResource) -> Attachment:
    try:
        result = await read(server, uri)
    except Exception as exc:  # a server's failure is the user's to read, not a crash
        return Attachment(mention, None, f"could not be read: {exc}")
    if result.is_error:
        return Attachment(mention, None, f"could not be read: {result.text}")
    text = cut_middle(result.text, MAX_ATTACHED_CHARS)
    return Attachment(mention, f'<resource server="{server}" uri="{uri}">\n{text}\n</resource>')
