"""Workflow progress as typed events, built on core's ``Event`` base.

A graph run reports to an ``Observer``: the run starting (or resuming), each node
starting, finishing or failing, the channels a step changed, an interrupt, and the
end. The runtime stamps these into its one event stream, so the TUI and
``stream-json`` show workflow progress the same way they show a model's reply.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from pydantic import Field

from tau_cli.core import ErrorInfo, Event


class WorkflowStarted(Event):
    """A run began, or picked up again from a checkpoint (``resumed``) at ``step``."""

    type: Literal["workflow_started"] = "workflow_started"
    run_id: str
    resumed: bool = False
    step: int = 0


class NodeStarted(Event):
    """A node began running in ``step``."""

    type: Literal["node_started"] = "node_started"
    run_id: str
    node: str
    step: int


class NodeFinished(Event):
    """A node returned; ``channels`` are the ones it wrote."""

    type: Literal["node_finished"] = "node_finished"
    run_id: str
    node: str
    step: int
    channels: list[str] = Field(default_factory=list)


class NodeErrored(Event):
    """A node raised (or returned something that is not a write); the run stops."""

    type: Literal["node_errored"] = "node_errored"
    run_id: str
    node: str
    step: int
    error: ErrorInfo


class StateChanged(Event):
    """A step ended and changed these channels; ``values`` are their new JSON values."""

    type: Literal["state_changed"] = "state_changed"
    run_id: str
    step: int
    values: dict[str, Any]


class WorkflowInterrupted(Event):
    """The run paused before ``before`` so a person can look and answer; resume it."""

    type: Literal["workflow_interrupted"] = "workflow_interrupted"
    run_id: str
    step: int
    before: list[str]


class WorkflowFinished(Event):
    """The run reached its end after ``steps`` steps."""

    type: Literal["workflow_finished"] = "workflow_finished"
    run_id: str
    steps: int


WorkflowEvent = Annotated[
    WorkflowStarted
    | NodeStarted
    | NodeFinished
    | NodeErrored
    | StateChanged
    | WorkflowInterrupted
    | WorkflowFinished,
    Field(discriminator="type"),
]
"""Anything a graph run reports to its observer."""

Observer = Callable[[WorkflowEvent], Awaitable[None] | None]
"""Receives each workflow event as it happens; may be a plain or an async function.

An observer that raises stops the run: a broken progress display is a bug to see,
not to hide.
"""
