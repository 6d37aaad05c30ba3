"""Running a compiled graph: steps, parallel branches, joins, limits and checkpoints.

A run moves in steps. Every node of a step runs concurrently on the same state; when
all have finished, their writes are folded in node-name order (so the outcome does
not depend on timing), then the edges of each finished node choose the next step.
A step may not start once ``step_limit`` steps have run.

With a checkpoint store, the run is saved at its start, whenever a node finishes,
after every step, and when it pauses or ends. ``resume`` continues from the latest
save, running only the nodes of the open step that had not finished.
"""

from __future__ import annotations

import asyncio
import inspect
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Literal

from tau_cli.core import ErrorInfo
from tau_cli.orchestrate._checkpoint import Checkpoint, CheckpointStore, RunStatus
from tau_cli.orchestrate._errors import (
    CheckpointError,
    GraphError,
    NodeFailed,
    ObserverFailed,
    StepLimitExceeded,
)
from tau_cli.orchestrate._events import (
    NodeErrored,
    NodeFinished,
    NodeStarted,
    Observer,
    StateChanged,
    WorkflowEvent,
    WorkflowFinished,
    WorkflowInterrupted,
    WorkflowStarted,
)
from tau_cli.orchestrate._graph import END, START, Branch, Join
from tau_cli.orchestrate._mermaid import render_mermaid
from tau_cli.orchestrate._node import Node, call_node
from tau_cli.orchestrate._state import State, StateSchema, Update


@dataclass(frozen=True, slots=True)
class RunResult:
    """How a run ended: ``finished``, or ``interrupted`` before the nodes in ``next``."""

    run_id: str
    status: Literal["finished", "interrupted"]
    state: State
    steps: int
    next: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Run:
    run_id: str
    state: State
    step: int = 0
    next: list[str] = field(default_factory=list)
    done: dict[str, list[Update]] = field(default_factory=dict)
    waiting: dict[str, set[str]] = field(default_factory=dict)
    released: bool = False


@dataclass(slots=True)
class _Context:
    observer: Observer | None
    store: CheckpointStore | None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def emit(self, event: WorkflowEvent) -> None:
        if self.observer is None:
            return
        try:
            outcome = self.observer(event)
            if inspect.isawaitable(outcome):
                await outcome
        except Exception as exc:
            raise ObserverFailed(event.type, exc) from exc


class Workflow:
    """A checked, runnable graph. Build one with ``StateGraph.compile()``."""

    def __init__(
        self,
        *,
        schema: StateSchema,
        nodes: dict[str, Node],
        edges: list[tuple[str, str]],
        joins: list[Join],
        branches: list[Branch],
        step_limit: int,
        node_timeout: float | None,
        interrupt_before: frozenset[str],
        fingerprint: str,
    ) -> None:
        self.schema = schema
        self.step_limit = step_limit
        self.node_timeout = node_timeout
        self.fingerprint = fingerprint
        self.interrupt_before = interrupt_before
        self._nodes = nodes
        self._targets: dict[str, list[str]] = {}
        for source, target in edges:
            self._targets.setdefault(source, []).append(target)
        self._joins = joins
        self._branches: dict[str, list[Branch]] = {}
        for branch in branches:
            self._branches.setdefault(branch.source, []).append(branch)

    @property
    def nodes(self) -> list[str]:
        """The node names, in the order they were added."""
        return list(self._nodes)

    def to_mermaid(self) -> str:
        """The graph as a Mermaid flowchart, for ``tau workflow show`` and docs.

        Plain edges are solid, conditional edges dotted and labelled with the
        router's key, joins drawn from all their sources with ``&``.
        """
        return render_mermaid(list(self._nodes), self._targets, self._joins, self._branches)

    async def run(
        self,
        input: Update | None = None,
        *,
        run_id: str | None = None,
        checkpoints: CheckpointStore | None = None,
        observer: Observer | None = None,
    ) -> RunResult:
        """Run from the entry nodes to the end (or to an interrupt).

        Raises:
            NodeFailed: a node raised (an ``ExceptionGroup`` of them if several
                failed in one step); finished siblings' writes are checkpointed.
            StepLimitExceeded: the run needed more than ``step_limit`` steps.
            StateError: a write did not fit its channel, or parallel branches wrote
                one replace channel.
            ObserverFailed: the observer raised.
            GraphError: a router raised, or chose something that is not a node.
            CheckpointError: the store could not save the run, or ``run_id``
                already has a checkpoint (resume it instead).
        """
        run_id = run_id or uuid.uuid4().hex
        context = _Context(observer, checkpoints)
        if checkpoints is not None and await checkpoints.load(run_id) is not None:
            raise CheckpointError(f"run {run_id!r} already exists; resume it instead")
        run = _Run(run_id, self.schema.initial(input))
        await context.emit(WorkflowStarted(run_id=run_id))
        run.next = await self._after(START, run.state)
        await self._save(run, context, "running")
        return await self._drive(run, context)

    async def resume(
        self,
        run_id: str,
        *,
        checkpoints: CheckpointStore,
        input: Update | None = None,
        observer: Observer | None = None,
    ) -> RunResult:
        """Continue ``run_id`` from its latest checkpoint.

        ``input`` is written into the state first: the answer a person gives to a
        run that paused at an interrupt. A finished run returns its result again.
        """
        checkpoint = await checkpoints.load(run_id)
        if checkpoint is None:
            raise CheckpointError(f"there is no checkpoint for run {run_id!r}")
        if checkpoint.graph != self.fingerprint:
            raise CheckpointError(
                f"run {run_id!r} was made by a differently wired graph; it cannot resume here"
            )
        run = _Run(
            run_id,
            self.schema.load(checkpoint.state),
            step=checkpoint.step,
            next=list(checkpoint.next),
            done={
                name: [self.schema.load_update(w) for w in writes]
                for name, writes in checkpoint.done.items()
            },
            waiting={key: set(names) for key, names in checkpoint.waiting.items()},
            released=checkpoint.released or checkpoint.status == "interrupted",
        )
        if checkpoint.status == "finished":
            return RunResult(run_id, "finished", run.state, run.step)
        context = _Context(observer, checkpoints)
        if input:
            run.state = run.state.apply(input)
        await context.emit(WorkflowStarted(run_id=run_id, resumed=True, step=run.step))
        await self._save(run, context, "running")
        return await self._drive(run, context)

    async def _drive(self, run: _Run, context: _Context) -> RunResult:
        while run.next:
            paused = sorted(self.interrupt_before.intersection(run.next))
            if paused and not run.released and not run.done:
                if context.store is None:
                    raise GraphError(
                        f"the run paused before {', '.join(paused)} but has no checkpoint "
                        "store to resume from; pass checkpoints= to run()"
                    )
                await self._save(run, context, "interrupted")
                await context.emit(
                    WorkflowInterrupted(run_id=run.run_id, step=run.step, before=paused)
                )
                return RunResult(run.run_id, "interrupted", run.state, run.step, list(run.next))
            if run.step >= self.step_limit:
                raise StepLimitExceeded(self.step_limit, run.next)
            await self._step(run, context)
        await self._save(run, context, "finished")
        await context.emit(WorkflowFinished(run_id=run.run_id, steps=run.step))
        return RunResult(run.run_id, "finished", run.state, run.step)

    async def _step(self, run: _Run, context: _Context) -> None:
        step = run.step + 1
        todo = [name for name in run.next if name not in run.done]
        outcomes = await asyncio.gather(
            *(self._run_node(run, name, step, context) for name in todo),
            return_exceptions=True,
        )
        failures: list[NodeFailed] = []
        for name, outcome in zip(todo, outcomes, strict=True):
            if isinstance(outcome, _Abort):
                raise outcome.error
            if isinstance(outcome, Exception):
                failure = NodeFailed(name, step, outcome)
                failure.__cause__ = outcome
                failures.append(failure)
            elif isinstance(outcome, BaseException):
                raise outcome
        if len(failures) == 1:
            raise failures[0]
        if failures:
            raise ExceptionGroup(f"{len(failures)} nodes failed at step {step}", failures)

        before = run.state
        finished = sorted(run.next)
        run.state = before.merge_branches([run.done[name] for name in finished])
        following: list[str] = []
        for name in finished:
            following.extend(self._targets.get(name, []))
            for branch in self._branches.get(name, []):
                following.extend(await self._route(branch, run.state))
            for join in self._joins:
                if name in join.sources:
                    run.waiting.setdefault(join.key, set()).add(name)
        for join in self._joins:
            if run.waiting.get(join.key, set()) >= set(join.sources):
                following.append(join.target)
                run.waiting.pop(join.key)
        run.step = step
        run.next = sorted(set(following) - {END})
        run.done = {}
        run.released = False
        await self._save(run, context, "running")
        changed = run.state.changed(before)
        if changed:
            dumped = run.state.dump()
            values = {name: dumped.get(name) for name in changed}
            await context.emit(StateChanged(run_id=run.run_id, step=step, values=values))

    async def _run_node(self, run: _Run, name: str, step: int, context: _Context) -> None:
        await _aborting(context.emit(NodeStarted(run_id=run.run_id, node=name, step=step)))
        try:
            writes = await self._call(name, run.state)
            writes = [self.schema.check(update) for update in writes]
        except Exception as exc:
            error = ErrorInfo(kind=type(exc).__name__, message=str(exc))
            errored = NodeErrored(run_id=run.run_id, node=name, step=step, error=error)
            await _aborting(context.emit(errored))
            raise
        async with context.lock:
            run.done[name] = writes
            await _aborting(self._save(run, context, "running"))
        channels = sorted({channel for update in writes for channel in update})
        finished = NodeFinished(run_id=run.run_id, node=name, step=step, channels=channels)
        await _aborting(context.emit(finished))

    async def _call(self, name: str, state: State) -> list[Update]:
        async with asyncio.timeout(self.node_timeout) as limit:
            try:
                return await call_node(self._nodes[name], state, name=name)
            except asyncio.CancelledError:
                if limit.expired():
                    raise TimeoutError(
                        f"no result within the node timeout of {self.node_timeout:g}s"
                    ) from None
                raise

    async def _after(self, source: str, state: State) -> list[str]:
        following = list(self._targets.get(source, []))
        for branch in self._branches.get(source, []):
            following.extend(await self._route(branch, state))
        return sorted(set(following) - {END})

    async def _route(self, branch: Branch, state: State) -> list[str]:
        try:
            chosen = branch.router(state)
            if inspect.isawaitable(chosen):
                chosen = await chosen
        except Exception as exc:
            where = "the start" if branch.source == START else repr(branch.source)
            raise GraphError(
                f"the router after {where} failed: {type(exc).__name__}: {exc}"
            ) from exc
        keys = [chosen] if isinstance(chosen, str) else list(chosen)
        targets = []
        for key in keys:
            target = self._destination(branch, key)
            targets.append(target)
        return targets

    def _destination(self, branch: Branch, key: object) -> str:
        where = "the start" if branch.source == START else repr(branch.source)
        if branch.destinations is not None:
            if isinstance(key, str) and key in branch.destinations:
                return branch.destinations[key]
            allowed = ", ".join(map(repr, branch.destinations))
            raise GraphError(f"the router after {where} chose {key!r}; expected one of {allowed}")
        if isinstance(key, str) and (key in self._nodes or key == END):
            return key
        raise GraphError(f"the router after {where} chose {key!r}, which is not a node")

    async def _save(self, run: _Run, context: _Context, status: RunStatus) -> None:
        if context.store is None:
            return
        checkpoint = Checkpoint(
            run_id=run.run_id,
            graph=self.fingerprint,
            status=status,
            step=run.step,
            state=run.state.dump(),
            next=list(run.next),
            done={
                name: [self.schema.dump_update(update) for update in writes]
                for name, writes in run.done.items()
            },
            waiting={key: sorted(names) for key, names in run.waiting.items()},
            released=run.released,
        )
        try:
            await context.store.save(checkpoint)
        except CheckpointError:
            raise
        except Exception as exc:
            raise CheckpointError(
                f"could not save run {run.run_id!r}: {type(exc).__name__}: {exc}"
            ) from exc


class _Abort(Exception):
    """Carries an observer or store failure out of a node task, so it is not blamed
    on the node."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


async def _aborting(work: Awaitable[None]) -> None:
    try:
        await work
    except Exception as exc:
        raise _Abort(exc) from exc
