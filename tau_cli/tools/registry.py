"""The registry: which tools exist, what the model is offered, and running its calls.

Whatever goes wrong in a call — an unknown tool, arguments that are not JSON or
do not fit the schema, a denied permission, a timeout, a crash inside the tool —
comes back as ``ToolResult(is_error=True)`` with a message the model can act on.
Only cancellation propagates: it is the user stopping the work, and it reaches
the running tool (whose child process group is then killed).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence

from tau_cli.core import ToolCall, ToolDefinition, ToolResult
from tau_cli.tools._validation import validation_errors
from tau_cli.tools.base import Tool, ToolContext
from tau_cli.tools.shaping import DEFAULT_MAX_CHARS, cut_middle

_log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 660.0
"""Seconds any one call may take: bash's own 10-minute maximum plus a margin."""

Gate = Callable[[ToolCall, Tool], Awaitable[ToolResult | None]]
"""Asked before a call runs; returns ``None`` to let it run or the result to give instead."""


class ToolRegistry:
    """The tools of one agent, by name.

    Args:
        tools: tools to register at once.
        timeout: seconds one call may run before it is cancelled.
        max_output_chars: longer result text is cut in the middle (see ``cut_middle``).
    """

    def __init__(
        self,
        tools: Iterable[Tool] = (),
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_output_chars: int = DEFAULT_MAX_CHARS,
    ) -> None:
        self._tools: dict[str, Tool] = {}
        self.timeout = timeout
        self.max_output_chars = max_output_chars
        for tool in tools:
            self.register(tool)

    def register(self, tool: Tool, *, replace: bool = False) -> None:
        """Add ``tool``; a second tool of the same name is refused unless ``replace``."""
        if tool.name != tool.definition.name:
            raise ValueError(
                f"tool {tool.name!r} describes itself as {tool.definition.name!r}; "
                "the names must match"
            )
        if tool.name in self._tools and not replace:
            raise ValueError(f"a tool named {tool.name!r} is already registered")
        self._tools[tool.name] = tool

    def unregister(self, name: str) -> Tool | None:
        """Remove and return the tool called ``name`` (``None`` if there was none)."""
        return self._tools.pop(name, None)

    def get(self, name: str) -> Tool | None:
        return self._tools.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __iter__(self) -> Iterator[Tool]:
        return iter(list(self._tools.values()))

    def __len__(self) -> int:
        return len(self._tools)

    def definitions(self, offer: Callable[[Tool], bool] | None = None) -> list[ToolDefinition]:
        """What the model is told about, in registration order.

        ``offer`` filters (for example ``PermissionPolicy.offers``: plan mode offers
        read-only tools only, a tool denied outright is not offered at all).
        """
        return [t.definition for t in self._tools.values() if offer is None or offer(t)]

    async def run(
        self,
        call: ToolCall,
        context: ToolContext,
        *,
        gate: Gate | None = None,
        timeout: float | None = None,
    ) -> ToolResult:
        """Run one call to completion; never raises except on cancellation."""
        tool = self._tools.get(call.name)
        if tool is None:
            known = ", ".join(sorted(self._tools)) or "none"
            return ToolResult.error(f"There is no tool named {call.name!r}. Available: {known}.")
        if call.parse_error is not None:
            return ToolResult.error(
                f"The arguments for {call.name} could not be read: {call.parse_error}. "
                "Send the arguments as one JSON object."
            )
        problems = validation_errors(tool.definition.parameters, call.arguments)
        if problems:
            listed = "\n".join(f"- {p}" for p in problems)
            return ToolResult.error(
                f"Invalid arguments for {call.name}:\n{listed}\nFix these and call the tool again."
            )
        if gate is not None:
            refusal = await gate(call, tool)
            if refusal is not None:
                return refusal
        limit = self.timeout if timeout is None else timeout
        context = dataclasses.replace(context, call_id=call.id)
        try:
            result = await asyncio.wait_for(tool.execute(call.arguments, context), limit)
        except TimeoutError:
            return ToolResult.error(
                f"{call.name} did not finish within {limit:g} seconds and was stopped."
            )
        except Exception as exc:
            _log.debug("tool %s failed", call.name, exc_info=True)
            return ToolResult.error(f"{call.name} failed: {_describe(exc)}")
        return self._shape(result)

    async def run_all(
        self,
        calls: Sequence[ToolCall],
        context: ToolContext,
        *,
        gate: Gate | None = None,
    ) -> list[ToolResult]:
        """Run the calls of one model response; results come back in call order.

        Neighbouring read-only calls run concurrently; a call that may change
        something runs alone, after everything before it and before everything after
        it, so a read never races a write the model asked for first.
        """
        results: list[ToolResult | None] = [None] * len(calls)
        batch: list[int] = []

        async def flush() -> None:
            outcomes = await asyncio.gather(
                *(self.run(calls[i], context, gate=gate) for i in batch)
            )
            for index, outcome in zip(batch, outcomes, strict=True):
                results[index] = outcome
            batch.clear()

        for index, call in enumerate(calls):
            tool = self._tools.get(call.name)
            if tool is not None and tool.read_only:
                batch.append(index)
                continue
            await flush()
            results[index] = await self.run(call, context, gate=gate)
        await flush()
        return [r for r in results if r is not None]

    def _shape(self, result: ToolResult) -> ToolResult:
        text = cut_middle(result.text, self.max_output_chars)
        if text is result.text:
            return result
        return result.model_copy(update={"text": text})


def _describe(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror}{where}"
    return f"{type(exc).__name__}: {exc}"
