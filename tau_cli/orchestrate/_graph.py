"""StateGraph: the builder for workflows of nodes, edges, branches and joins.

Wiring mistakes are found by ``compile()``, before anything runs: an edge to a node
that does not exist, a node with no way out, a graph with no entry. The compiled
``Workflow`` (see ``_run``) is what executes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from tau_cli.orchestrate._errors import GraphError
from tau_cli.orchestrate._node import Node
from tau_cli.orchestrate._state import State, StateSchema

if TYPE_CHECKING:
    from tau_cli.orchestrate._run import Workflow

START = "__start__"
"""The virtual node a run begins at: edges from it name the entry nodes."""
END = "__end__"
"""The virtual node a branch finishes at."""

RouteResult = str | Sequence[str]
Router = Callable[[State], Awaitable[RouteResult] | RouteResult]
"""Chooses where to go after a node: a key (or node name), or several to fan out."""


@dataclass(frozen=True, slots=True)
class Branch:
    """A conditional edge: ``router`` picks the next nodes, through ``destinations``."""

    source: str
    router: Router
    destinations: Mapping[str, str] | None


@dataclass(frozen=True, slots=True)
class Join:
    """A target that runs once every one of ``sources`` has finished."""

    sources: tuple[str, ...]
    target: str

    @property
    def key(self) -> str:
        """How checkpoints name this join's progress."""
        return f"{'+'.join(self.sources)}>{self.target}"


class StateGraph:
    """Describe a workflow: nodes, and the edges that say what runs after what.

        graph = StateGraph(schema)
        graph.add_node("draft", draft).add_node("review", review)
        graph.set_entry("draft").add_edge("draft", "review")
        graph.add_conditional_edges("review", verdict, {"accept": END, "revise": "draft"})
        workflow = graph.compile(step_limit=10)

    Several edges out of one node run their targets side by side in the next step;
    ``add_edge(["a", "b"], "c")`` makes ``c`` wait until both ``a`` and ``b`` finished.
    """

    def __init__(self, schema: StateSchema) -> None:
        self.schema = schema
        self._nodes: dict[str, Node] = {}
        self._edges: list[tuple[str, str]] = []
        self._joins: list[Join] = []
        self._branches: list[Branch] = []

    def add_node(self, name: str, node: Node) -> Self:
        """Add a step named ``name``; ``node`` is any callable or object with ``run``."""
        if name in (START, END) or not name:
            raise GraphError(f"{name!r} cannot name a node")
        if name in self._nodes:
            raise GraphError(f"there is already a node named {name!r}")
        self._nodes[name] = node
        return self

    def add_edge(self, source: str | Sequence[str], target: str) -> Self:
        """Run ``target`` after ``source``; after all of them when ``source`` is a list."""
        if target == START:
            raise GraphError("no edge can lead back to START")
        if isinstance(source, str):
            if source == END:
                raise GraphError("no edge can leave END")
            self._edges.append((source, target))
            return self
        sources = tuple(source)
        if not sources or START in sources or END in sources:
            raise GraphError("a join needs one or more nodes as its sources")
        self._joins.append(Join(sources, target))
        return self

    def add_conditional_edges(
        self,
        source: str,
        router: Router,
        destinations: Mapping[str, str] | Sequence[str] | None = None,
    ) -> Self:
        """After ``source``, call ``router`` with the state to choose where to go.

        ``destinations`` maps what the router returns to node names (or END); a list
        just names the allowed targets. Without it the router returns node names.
        """
        if source == END:
            raise GraphError("no edge can leave END")
        mapping: Mapping[str, str] | None
        if destinations is None or isinstance(destinations, Mapping):
            mapping = destinations
        else:
            mapping = {name: name for name in destinations}
        self._branches.append(Branch(source, router, mapping))
        return self

    def set_entry(self, *names: str) -> Self:
        """Begin every run at ``names`` (side by side when more than one)."""
        for name in names:
            self.add_edge(START, name)
        return self

    def set_finish(self, *names: str) -> Self:
        """Let the run end after ``names``."""
        for name in names:
            self.add_edge(name, END)
        return self

    def compile(
        self,
        *,
        step_limit: int = 25,
        node_timeout: float | None = None,
        interrupt_before: Sequence[str] = (),
    ) -> Workflow:
        """Check the wiring and return a runnable ``Workflow``.

        Args:
            step_limit: the most steps a run may take; a cycle that goes on longer
                stops with ``StepLimitExceeded``.
            node_timeout: seconds a node may take before it fails with a
                ``TimeoutError`` (as ``NodeFailed``'s cause); None waits forever.
            interrupt_before: nodes before which a run pauses for a person's input.
        """
        from tau_cli.orchestrate._run import Workflow

        if step_limit < 1:
            raise GraphError("step_limit must be at least 1")
        if node_timeout is not None and node_timeout <= 0:
            raise GraphError("node_timeout must be a positive number of seconds")
        self._check()
        for name in interrupt_before:
            self._known(name, "interrupt_before")
        return Workflow(
            schema=self.schema,
            nodes=dict(self._nodes),
            edges=list(self._edges),
            joins=list(self._joins),
            branches=list(self._branches),
            step_limit=step_limit,
            node_timeout=node_timeout,
            interrupt_before=frozenset(interrupt_before),
            fingerprint=self._fingerprint(),
        )

    def _check(self) -> None:
        if not any(s == START for s, _ in self._edges) and not any(
            b.source == START for b in self._branches
        ):
            raise GraphError("the graph has no entry: call set_entry() or add_edge(START, ...)")
        for source, target in self._edges:
            self._known(source, "an edge")
            self._known(target, "an edge")
        for join in self._joins:
            for name in (*join.sources, join.target):
                self._known(name, "a join")
        for branch in self._branches:
            self._known(branch.source, "a conditional edge")
            for target in (branch.destinations or {}).values():
                self._known(target, f"the conditional edge from {branch.source!r}")
        leaving = {s for s, _ in self._edges} | {b.source for b in self._branches}
        leaving |= {name for join in self._joins for name in join.sources}
        for name in self._nodes:
            if name not in leaving:
                raise GraphError(
                    f"node {name!r} has no way out; add an edge from it (to END to finish)"
                )

    def _known(self, name: str, where: str) -> None:
        if name not in self._nodes and name not in (START, END):
            known = ", ".join(self._nodes) or "none yet"
            raise GraphError(f"{where} names {name!r}, which is not a node (nodes: {known})")

    def _fingerprint(self) -> str:
        shape = {
            "channels": sorted(self.schema.channels),
            "nodes": sorted(self._nodes),
            "edges": sorted(self._edges),
            "joins": sorted(join.key for join in self._joins),
            "branches": sorted(
                [b.source, sorted((b.destinations or {}).items())] for b in self._branches
            ),
        }
        return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()[:16]
