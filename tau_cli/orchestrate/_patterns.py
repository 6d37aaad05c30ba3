"""Chain, Parallel, Conditional and ForEach: the common workflow shapes as nodes.

Each is itself a node (an object with ``run``), so the shapes nest and sit in a
``StateGraph`` like any other step:

- prompt chaining: ``Chain(outline, draft, polish)``, each seeing the writes before it;
- parallelization: ``Parallel(security_review, style_review)`` on the same state;
- routing: ``Conditional(classify, {"bug": triage, "question": answer})``;
- orchestrator-workers: a planner writes subtasks, ``ForEach(tasks, worker)`` runs
  one worker per subtask side by side;
- evaluator-optimizer: a graph cycle, ``generate -> evaluate`` with a conditional edge
  back to ``generate`` until the evaluator accepts (bounded by the step limit).

Parallel writes are folded in the order the branches were given, and two branches
writing one replace channel is an error, exactly as for parallel graph branches.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from tau_cli.orchestrate._errors import GraphError
from tau_cli.orchestrate._node import Node, NodeResult, call_node
from tau_cli.orchestrate._state import State, Update


class Chain:
    """Run nodes one after another, each on the state the previous writes made."""

    def __init__(self, *nodes: Node) -> None:
        if not nodes:
            raise GraphError("a chain needs at least one node")
        self.nodes = nodes

    async def run(self, state: State) -> list[Update]:
        """The writes of every link, in order."""
        writes: list[Update] = []
        for index, node in enumerate(self.nodes, start=1):
            made = await call_node(node, state, name=f"chain link {index}")
            for update in made:
                state = state.apply(update)
            writes.extend(made)
        return writes


class Parallel:
    """Run nodes side by side on the same state and combine their writes."""

    def __init__(self, *nodes: Node) -> None:
        if not nodes:
            raise GraphError("a parallel block needs at least one node")
        self.nodes = nodes

    async def run(self, state: State) -> list[Update]:
        """Every branch's writes, in the order the branches were given."""
        return await _side_by_side(
            state,
            [
                call_node(node, state, name=f"parallel branch {index}")
                for index, node in enumerate(self.nodes, start=1)
            ],
        )


RouteKey = Callable[[State], Awaitable[str] | str]


class Conditional:
    """Choose one node by what ``route`` returns for the state, and run it.

    Args:
        route: returns a key of ``branches``.
        branches: the nodes to choose from, by key.
        default: runs when the key is not in ``branches``; without it that is an error.
    """

    def __init__(
        self, route: RouteKey, branches: Mapping[str, Node], *, default: Node | None = None
    ) -> None:
        if not branches:
            raise GraphError("a conditional needs at least one branch")
        self.route = route
        self.branches = dict(branches)
        self.default = default

    async def run(self, state: State) -> list[Update]:
        """The chosen node's writes."""
        key = self.route(state)
        if inspect.isawaitable(key):
            key = await key
        node = self.branches.get(key, self.default)
        if node is None:
            allowed = ", ".join(map(repr, self.branches))
            raise GraphError(f"the route chose {key!r}; expected one of {allowed}")
        return await call_node(node, state, name=f"branch {key!r}")


Worker = Callable[[Any, State], Awaitable[NodeResult] | NodeResult]


class ForEach:
    """Run ``worker`` once per item that ``items`` picks from the state, side by side.

    The orchestrator-workers shape: how many workers run is decided at run time by
    the state (usually by an orchestrator node that wrote the subtasks).
    """

    def __init__(self, items: Callable[[State], Sequence[Any]], worker: Worker) -> None:
        self.items = items
        self.worker = worker

    async def run(self, state: State) -> list[Update]:
        """Every worker's writes, in the order of the items."""
        return await _side_by_side(
            state,
            [
                call_node(_Bound(self.worker, item), state, name=f"worker for {item!r:.40}")
                for item in self.items(state)
            ],
        )


class _Bound:
    def __init__(self, worker: Worker, item: object) -> None:
        self._worker = worker
        self._item = item

    def run(self, state: State) -> Awaitable[NodeResult] | NodeResult:
        return self._worker(self._item, state)


async def _side_by_side(state: State, calls: Sequence[Awaitable[list[Update]]]) -> list[Update]:
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    branches: list[list[Update]] = []
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
        branches.append(outcome)
    state.merge_branches(branches)  # refuses two branches writing one replace channel
    return [update for branch in branches for update in branch]
