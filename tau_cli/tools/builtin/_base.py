"""What every built-in tool shares: typed arguments, absolute paths, file freshness."""

from __future__ import annotations

import difflib
import functools
import os
from abc import ABC, abstractmethod
from typing import Any, ClassVar, Generic, TypeVar, cast

from pydantic import BaseModel, ConfigDict, JsonValue, ValidationError

from tau_cli.core import ToolDefinition, ToolResult
from tau_cli.tools.base import FileStamp, ToolContext
from tau_cli.tools.environment import FileInfo


class Arguments(BaseModel):
    """Base of each tool's argument model; unknown arguments are refused by the schema."""

    model_config = ConfigDict(extra="forbid")


A = TypeVar("A", bound=Arguments)


class BuiltinTool(ABC, Generic[A]):
    """A tool whose arguments are a pydantic model and whose text is written once here."""

    name: ClassVar[str]
    description: ClassVar[str]
    arguments: ClassVar[type[Arguments]]
    read_only: ClassVar[bool] = False

    @property
    def definition(self) -> ToolDefinition:
        return _definition(type(self))

    async def execute(self, arguments: dict[str, JsonValue], context: ToolContext) -> ToolResult:
        try:
            parsed = self.arguments.model_validate(arguments)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in exc.errors()
            )
            return ToolResult.error(f"Invalid arguments for {self.name}: {problems}")
        return await self.run(cast(A, parsed), context)

    @abstractmethod
    async def run(self, args: A, context: ToolContext) -> ToolResult:
        """Do the work with typed arguments."""


@functools.cache
def _definition(tool: type[BuiltinTool[Any]]) -> ToolDefinition:
    """Built once per tool class: the schema is checked against every call's arguments."""
    return ToolDefinition.from_model(tool.name, tool.description, tool.arguments)


def absolute_path(path: str, context: ToolContext) -> str | ToolResult:
    """The normalised path, or an error telling the model to send an absolute one."""
    if not os.path.isabs(path):
        guess = context.environment.resolve(path)
        return ToolResult.error(
            f"file_path must be an absolute path, got {path!r}. "
            f"If you meant the file in the working directory, use {guess!r}."
        )
    return os.path.normpath(path)


async def missing_file(path: str, context: ToolContext) -> ToolResult:
    """The error for a path that does not exist, naming similar files that do."""
    env = context.environment
    folder, name = os.path.split(path)
    try:
        siblings = [os.path.basename(i.path) for i in await env.list_dir(folder)]
    except (FileNotFoundError, NotADirectoryError):
        return ToolResult.error(f"File not found: {path} (the folder {folder} does not exist).")
    close = difflib.get_close_matches(name, siblings, n=3, cutoff=0.5)
    close += [s for s in siblings if s.lower() == name.lower() and s not in close]
    hint = ""
    if close:
        hint = " Did you mean " + " or ".join(os.path.join(folder, c) for c in close) + "?"
    return ToolResult.error(f"File not found: {path}.{hint}")


def stamp(info: FileInfo) -> FileStamp:
    return FileStamp(mtime=info.mtime, size=info.size)


async def freshness_error(path: str, context: ToolContext, verb: str) -> ToolResult | None:
    """Refuse to change a file the model has not read, or that changed since it did."""
    env = context.environment
    real = await env.realpath(path)
    seen = context.session.read_files.get(real)
    if seen is None:
        return ToolResult.error(
            f"Read {path} with the read tool before you {verb} it, so you change what is "
            "really there."
        )
    current = stamp(await env.stat(real))
    if current != seen:
        return ToolResult.error(
            f"{path} changed on disk since you read it (by the user or another program). "
            "Read it again, then retry."
        )
    return None


async def remember(path: str, context: ToolContext) -> None:
    """Record the file as the model now knows it."""
    env = context.environment
    real = await env.realpath(path)
    context.session.read_files[real] = stamp(await env.stat(real))
