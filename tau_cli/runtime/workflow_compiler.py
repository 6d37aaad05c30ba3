"""From a workflow file to a runnable ``Workflow``: channels, nodes, edges, conditions.

``compile_workflow`` checks that the names in a file fit together before anything
runs — every edge, start and interrupt names a node, every condition and
placeholder reads a declared channel, every ``writes`` names one that can hold the
result, sub-workflows exist and do not include themselves — and reports the first
misfit as a ``ConfigError`` at its line. It then builds a ``StateGraph`` of
``RuntimeNode``, ``ShellNode`` and ``SubWorkflow`` steps.

Routing: when none of the edges out of a node has a ``when``, all of them are
followed (their targets run side by side). When any has one, the edges are a
choice, tried in file order: the first whose condition holds is followed, an edge
without ``when`` holding always (the "otherwise"); if none holds, that branch
ends. A node with no edges out ends its branch too.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tau_cli.core import ConfigError, Event, TauError
from tau_cli.orchestrate import (
    END,
    Channel,
    GraphError,
    Reducer,
    State,
    StateError,
    StateGraph,
    StateSchema,
    SubWorkflow,
    Update,
    Workflow,
    WorkflowEvent,
    append,
    merge,
    replace,
)
from tau_cli.runtime.client import RuntimeClient
from tau_cli.runtime.workflow_expr import Expression, ExpressionError, Template
from tau_cli.runtime.workflow_nodes import EventSink, RuntimeNode, ShellNode, ShellOutcome
from tau_cli.runtime.workflow_spec import (
    AgentSpec,
    ChannelSpec,
    EdgeSpec,
    NodeSpec,
    WorkflowFile,
    read_workflow_file,
)
from tau_cli.runtime.yaml_lines import KeyPath
from tau_cli.tools import Environment

OpenAgent = Callable[[AgentSpec], Awaitable[RuntimeClient]]
"""Opens a runtime for one run of an agent node, with the node's model and tools."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NODE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_TYPES: dict[str, Any] = {
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "list": list[Any],
    "dict": dict[str, Any],
    "any": Any,
}
_EMPTY: dict[str, Any] = {
    "str": "",
    "int": 0,
    "float": 0.0,
    "bool": False,
    "list": [],
    "dict": {},
    "any": None,
}
_REDUCERS: dict[str, Reducer] = {"replace": replace, "append": append, "merge": merge}
_TEXT_TYPES = ("str", "list", "any")


class UnknownTools(TauError):
    """An agent node names tools the runtime does not have."""

    def __init__(self, names: list[str], available: list[str]) -> None:
        self.names = names
        self.available = available
        super().__init__(
            f"no tool named {', '.join(map(repr, names))} (tools: {', '.join(available)})"
        )


@dataclass
class WorkflowParts:
    """What compiled nodes are made of; the CLI wires these from settings."""

    open_agent: OpenAgent
    environment: Environment
    find: Callable[[str], Path | None]
    """The file of a workflow by name (for workflow nodes), or None."""
    events: EventSink | None = None
    """Receives what nodes do inside (an agent's turn), ``parent_id`` naming the node."""


@dataclass(frozen=True)
class CompiledWorkflow:
    """A checked workflow file and the ``Workflow`` built from it."""

    file: WorkflowFile
    workflow: Workflow
    types: dict[str, str] = field(default_factory=dict)
    """Each channel's declared type name."""

    @property
    def name(self) -> str:
        return self.file.name

    @property
    def output(self) -> str | None:
        return self.file.spec.output

    def inputs_from(self, given: Mapping[str, object]) -> dict[str, Any]:
        """The run's input from ``NAME=VALUE`` pairs, converted to each input's type.

        Inputs left out keep their default (the channel starts with it); an unknown
        input, or a missing one without a default, is a ``ConfigError``."""
        declared = self.file.spec.inputs
        unknown = sorted(set(given) - set(declared))
        if unknown:
            known = ", ".join(declared) or "none"
            raise ConfigError(
                f"{self.name} has no input {', '.join(map(repr, unknown))} (inputs: {known})"
            )
        values: dict[str, Any] = {}
        schema = self.workflow.schema
        for name, spec in declared.items():
            if name in given:
                try:
                    values[name] = schema.channels[name].validate(name, given[name], strict=False)
                except StateError as exc:
                    raise ConfigError(f"input {name!r}: {exc}") from None
            elif spec is None or spec.default is None:
                raise ConfigError(f"{self.name} needs the input {name!r} (--input {name}=...)")
        return values


def compile_workflow(
    file: WorkflowFile, parts: WorkflowParts, *, _including: tuple[str, ...] = ()
) -> CompiledWorkflow:
    """Check ``file``'s names and build its workflow; raises ``ConfigError`` at a line."""
    return _Compiler(file, parts, (*_including, file.name)).compile()


class _Compiler:
    def __init__(self, file: WorkflowFile, parts: WorkflowParts, including: tuple[str, ...]):
        self.file = file
        self.spec = file.spec
        self.parts = parts
        self.including = including
        self.types: dict[str, str] = {}

    def compile(self) -> CompiledWorkflow:
        schema = self._schema()
        graph = StateGraph(schema)
        for name, node in self.spec.nodes.items():
            if not _NODE_NAME.fullmatch(name) or name in ("START", "END", END):
                raise self._error(
                    f"{name!r} cannot name a node (letters, digits, '_' and '-')", ("nodes", name)
                )
            graph.add_node(name, self._node(name, node))
        starts = [self.spec.start] if isinstance(self.spec.start, str) else self.spec.start
        for name in starts:
            self._known_node(name, ("start",))
        graph.set_entry(*starts)
        self._edges(graph)
        for i, name in enumerate(self.spec.interrupt_before):
            self._known_node(name, ("interrupt_before", i))
        if self.spec.output is not None and self.spec.output not in self.types:
            raise self._unknown_channel(self.spec.output, ("output",))
        try:
            workflow = graph.compile(
                step_limit=self.spec.step_limit, interrupt_before=self.spec.interrupt_before
            )
        except GraphError as exc:
            raise ConfigError(str(exc), path=str(self.file.path)) from None
        return CompiledWorkflow(self.file, workflow, dict(self.types))

    def _error(self, message: str, key: KeyPath) -> ConfigError:
        return self.file.error(message, key)

    def _schema(self) -> StateSchema:
        channels: dict[str, Channel] = {}
        declared: list[tuple[str, KeyPath, str, ChannelSpec | None, Any]] = []
        for name, spec in self.spec.inputs.items():
            declared.append(
                (
                    name,
                    ("inputs", name),
                    spec.type if spec is not None else "str",
                    None,
                    spec.default if spec is not None else None,
                )
            )
        for name, spec_of_state in self.spec.state.items():
            if name in self.spec.inputs:
                raise self._error(f"{name!r} is both an input and a state channel", ("state", name))
            declared.append((name, ("state", name), spec_of_state.type, spec_of_state, None))
        for name, key, kind, channel, default in declared:
            if not _NAME.fullmatch(name) or name in ("true", "false", "null", "END"):
                raise self._error(
                    f"{name!r} cannot name a channel (letters, digits and '_'; it is used in "
                    "conditions)",
                    key,
                )
            self.types[name] = kind
            reducer: Reducer
            if channel is None:
                start = _EMPTY[kind] if default is None else default
                reducer = replace
            else:
                explicit = "default" in channel.model_fields_set
                start = channel.default if explicit else _EMPTY[kind]
                reducer = _REDUCERS[channel.reducer]
            try:
                channels[name] = Channel(_TYPES[kind], reducer=reducer, default=start)
            except StateError as exc:
                raise self._error(f"the default does not fit: {exc}", (*key, "default")) from None
        if not channels:
            raise self._error("a workflow needs at least one input or state channel", ())
        return StateSchema(channels)

    def _node(self, name: str, node: NodeSpec) -> Any:
        key: KeyPath = ("nodes", name)
        writes = node.written
        for i, channel in enumerate(writes):
            where = (*key, "writes", i) if isinstance(node.writes, list) else (*key, "writes")
            if channel not in self.types:
                raise self._unknown_channel(channel, where)
            if node.kind != "workflow" and self.types[channel] not in _TEXT_TYPES:
                raise self._error(
                    f"channel {channel!r} holds {self.types[channel]}, but a {node.kind} "
                    "step writes text (use a str, list or any channel)",
                    where,
                )
        events = self._tagged(name)
        if node.agent is not None:
            return self._agent(name, node.agent, writes, events)
        if node.shell is not None:
            return self._shell(name, node, writes)
        assert node.workflow is not None
        return self._subworkflow(name, node, writes, events)

    def _agent(
        self, name: str, agent: AgentSpec, writes: list[str], events: EventSink | None
    ) -> RuntimeNode:
        prompt = self._template(agent.prompt, ("nodes", name, "agent", "prompt"))
        opener = self.parts.open_agent
        tools_key = ("nodes", name, "agent", "tools")

        async def open_runtime() -> RuntimeClient:
            try:
                return await opener(agent)
            except UnknownTools as exc:
                raise self._error(str(exc), tools_key) from None

        return RuntimeNode(open_runtime, prompt, output=self._writer(writes), events=events)

    def _shell(self, name: str, node: NodeSpec, writes: list[str]) -> ShellNode:
        assert node.shell is not None
        command = self._template(node.shell, ("nodes", name, "shell"))
        status = node.status
        if status is not None:
            if status not in self.types:
                raise self._unknown_channel(status, ("nodes", name, "status"))
            if self.types[status] not in ("int", "any"):
                raise self._error(
                    f"channel {status!r} holds {self.types[status]}; an exit status needs int",
                    ("nodes", name, "status"),
                )
        text_writer = self._writer(writes)

        def output(outcome: ShellOutcome) -> Update:
            update = dict(text_writer(outcome.output))
            if status is not None:
                update[status] = outcome.exit_code
            return update

        return ShellNode(
            self.parts.environment,
            command,
            output=output,
            check=status is None,
            timeout=node.timeout,
        )

    def _subworkflow(
        self, name: str, node: NodeSpec, writes: list[str], events: EventSink | None
    ) -> SubWorkflow:
        assert node.workflow is not None
        key: KeyPath = ("nodes", name, "workflow")
        if node.workflow in self.including:
            chain = " -> ".join((*self.including, node.workflow))
            raise self._error(f"workflows include each other in a circle: {chain}", key)
        path = self.parts.find(node.workflow)
        if path is None:
            raise self._error(f"there is no workflow named {node.workflow!r}", key)
        inner = compile_workflow(
            read_workflow_file(path, node.workflow), self.parts, _including=self.including
        )
        templates = {
            field_name: self._template(text, ("nodes", name, "input", field_name))
            for field_name, text in node.input.items()
        }
        declared = inner.file.spec.inputs
        for field_name in templates:
            if field_name not in declared:
                known = ", ".join(declared) or "none"
                raise self._error(
                    f"workflow {node.workflow!r} has no input {field_name!r} (inputs: {known})",
                    ("nodes", name, "input", field_name),
                )
        for field_name, spec in declared.items():
            if field_name not in templates and (spec is None or spec.default is None):
                raise self._error(
                    f"workflow {node.workflow!r} needs the input {field_name!r}",
                    ("nodes", name, "input"),
                )
        if writes and inner.output is None:
            raise self._error(
                f"workflow {node.workflow!r} declares no 'output' channel to write from",
                ("nodes", name, "writes"),
            )
        writer = self._writer(writes)

        def inner_input(state: State) -> Update:
            return inner.inputs_from({k: t.render(state) for k, t in templates.items()})

        def inner_output(state: State) -> Update:
            return writer(state[inner.output]) if inner.output is not None else {}

        async def observe(event: WorkflowEvent) -> None:
            if events is not None:
                await events(event)

        return SubWorkflow(inner.workflow, input=inner_input, output=inner_output, observer=observe)

    def _edges(self, graph: StateGraph) -> None:
        outgoing: dict[str, list[tuple[Expression | None, str, int]]] = {}
        leaving: set[str] = set()
        for i, edge in enumerate(self.spec.edges):
            target = END if edge.to == "END" else edge.to
            if target != END:
                self._known_node(target, ("edges", i, "to"))
            if isinstance(edge.from_, list):
                self._join(graph, edge, i)
                leaving.update(edge.from_)
                continue
            self._known_node(edge.from_, ("edges", i, "from"))
            leaving.add(edge.from_)
            condition = None
            if edge.when is not None:
                condition = self._expression(edge.when, ("edges", i, "when"))
            outgoing.setdefault(edge.from_, []).append((condition, target, i))
        for source, choices in outgoing.items():
            if all(condition is None for condition, _, _ in choices):
                for _, target, _ in choices:
                    graph.add_edge(source, target)  # no condition: all run, side by side
                continue
            # Keyed by what the file calls each target, so a drawn graph says END.
            targets = {_key(t): t for _, t, _ in choices} | {"END": END}
            graph.add_conditional_edges(source, self._router(choices), targets)
        for name in self.spec.nodes:
            if name not in leaving:
                graph.add_edge(name, END)

    def _join(self, graph: StateGraph, edge: EdgeSpec, i: int) -> None:
        assert isinstance(edge.from_, list)
        if edge.when is not None:
            raise self._error(
                "an edge from several nodes (a join) cannot have a condition; put the "
                "condition on an edge out of the node it leads to",
                ("edges", i, "when"),
            )
        if not edge.from_:
            raise self._error("'from' names no node", ("edges", i, "from"))
        for j, source in enumerate(edge.from_):
            self._known_node(source, ("edges", i, "from", j))
        graph.add_edge(edge.from_, END if edge.to == "END" else edge.to)

    def _router(self, choices: list[tuple[Expression | None, str, int]]) -> Callable[[State], str]:
        def route(state: State) -> str:
            for condition, target, i in choices:
                if condition is None:
                    return _key(target)
                try:
                    holds = condition.evaluate(state)
                except ExpressionError as exc:
                    raise self._error(
                        f"the condition failed: {exc}", ("edges", i, "when")
                    ) from None
                if holds:
                    return _key(target)
            return "END"

        return route

    def _writer(self, channels: list[str]) -> Callable[[Any], Update]:
        kinds = [(name, self.types[name]) for name in channels]

        def write(value: Any) -> Update:
            return {
                name: [value] if kind == "list" and not isinstance(value, list) else value
                for name, kind in kinds
            }

        return write

    def _tagged(self, node: str) -> EventSink | None:
        sink = self.parts.events
        if sink is None:
            return None

        async def forward(event: Event) -> None:
            await sink(event.model_copy(update={"parent_id": node}))

        return forward

    def _template(self, text: str, key: KeyPath) -> Template:
        try:
            template = Template.parse(text)
        except ExpressionError as exc:
            raise self._error(str(exc), key) from None
        self._known_channels(template.names, key)
        return template

    def _expression(self, text: str, key: KeyPath) -> Expression:
        try:
            expression = Expression.parse(text)
        except ExpressionError as exc:
            raise self._error(str(exc), key) from None
        self._known_channels(expression.names, key)
        return expression

    def _known_channels(self, names: frozenset[str], key: KeyPath) -> None:
        for name in sorted(names):
            if name not in self.types:
                raise self._unknown_channel(name, key)

    def _unknown_channel(self, name: str, key: KeyPath) -> ConfigError:
        known = ", ".join(self.types) or "none"
        return self._error(f"there is no channel {name!r} (channels: {known})", key)

    def _known_node(self, name: str, key: KeyPath) -> None:
        if name not in self.spec.nodes:
            known = ", ".join(self.spec.nodes)
            hint = " (a run begins at 'start')" if name == "START" else ""
            raise self._error(f"there is no node {name!r} (nodes: {known}){hint}", key)


def _key(target: str) -> str:
    return "END" if target == END else target
