"""Fixtures for the tool system's tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from pydantic import JsonValue

pytest.register_assert_rewrite("tau_cli.tools.contract")

from tau_cli.core import ToolCall, ToolResult  # noqa: E402
from tau_cli.tools import LocalEnvironment, ToolContext, ToolRegistry  # noqa: E402
from tau_cli.tools.builtin import builtin_tools  # noqa: E402

Run = Callable[..., Awaitable[ToolResult]]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A real, empty project folder (symlinks in its path resolved)."""
    folder = tmp_path.resolve() / "project"
    folder.mkdir()
    return folder


@pytest.fixture
def context(workdir: Path) -> ToolContext:
    return ToolContext(environment=LocalEnvironment(str(workdir)))


@pytest.fixture
def run(context: ToolContext) -> Run:
    """Call a built-in tool the way the model does: through the registry, by name."""
    registry = ToolRegistry(builtin_tools())
    counter = iter(range(1_000_000))

    async def call(tool: str, **arguments: JsonValue) -> ToolResult:
        tool_call = ToolCall(id=f"call_{next(counter)}", name=tool, arguments=arguments)
        return await registry.run(tool_call, context)

    return call
