"""What a graph node is: anything that takes the state and returns writes.

A node is either a callable ``(state) -> writes`` (async or not) or an object with a
``run(state)`` method, so a plain function, an agent wrapper or a whole runtime can
stand in a graph without inheriting from anything here. Writes are a mapping of
channel to value, a list of such mappings applied in order, or None for no change.

A plain (non-async) node runs on the event loop itself, so it should be quick; work
that waits (a model call, a process) belongs in an async node.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Mapping, Sequence
from typing import Protocol, runtime_checkable

from tau_cli.orchestrate._errors import GraphError
from tau_cli.orchestrate._state import State, Update

NodeResult = Update | Sequence[Update] | None
"""What a node returns: one write, several in order, or nothing."""


class NodeFunction(Protocol):
    """A node that is called with the state."""

    def __call__(self, state: State, /) -> Awaitable[NodeResult] | NodeResult:
        """Read ``state`` and return the writes to make."""
        ...


@runtime_checkable
class NodeObject(Protocol):
    """A node that is an object, such as an agent: its ``run`` gets the state."""

    def run(self, state: State, /) -> Awaitable[NodeResult] | NodeResult:
        """Read ``state`` and return the writes to make."""
        ...


Node = NodeFunction | NodeObject
"""Anything a graph can run as a step."""


async def call_node(node: Node, state: State, *, name: str) -> list[Update]:
    """Run ``node`` on ``state`` and return its writes as a list, in order."""
    result = node.run(state) if isinstance(node, NodeObject) else node(state)
    if inspect.isawaitable(result):
        result = await result
    return _as_writes(result, name)


def _as_writes(result: object, name: str) -> list[Update]:
    if result is None:
        return []
    if isinstance(result, Mapping):
        return [result]
    if (
        isinstance(result, Sequence)
        and not isinstance(result, str | bytes)
        and all(isinstance(item, Mapping) for item in result)
    ):
        return list(result)
    raise GraphError(
        f"node {name!r} returned {type(result).__name__}; a node returns a mapping of "
        "channel to value, a list of such mappings, or None"
    )
