"""tau's orchestration: agents that message each other, and workflows as graphs.

The ``Hub`` lets named handlers (functions or agents) talk by point-to-point send,
request-response and publish/subscribe, over bounded inboxes inside one event loop.
``State`` is immutable and made of typed channels whose reducers (``replace``,
``append``, ``merge``) fold each write. A ``StateGraph`` wires nodes (any callable
or object with ``run``) with edges, conditional edges and joins into a ``Workflow``
whose runs report typed events to an ``Observer`` and can be checkpointed and
resumed. ``Chain``, ``Parallel``, ``Conditional`` and ``ForEach`` are the common
shapes as ready-made nodes; ``Ask`` makes a hub participant (an agent) a step, and
``SubWorkflow`` a whole workflow.
"""

from tau_cli.orchestrate._ask import Ask
from tau_cli.orchestrate._checkpoint import (
    Checkpoint,
    CheckpointStore,
    JsonCheckpointStore,
    MemoryCheckpointStore,
    RunStatus,
)
from tau_cli.orchestrate._errors import (
    CheckpointError,
    DuplicateName,
    GraphError,
    HandlerFailed,
    HubClosed,
    HubError,
    InboxFull,
    NodeFailed,
    ObserverFailed,
    OrchestrateError,
    RequestTimeout,
    StateError,
    StepLimitExceeded,
    UnknownRecipient,
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
from tau_cli.orchestrate._graph import END, START, Router, StateGraph
from tau_cli.orchestrate._hub import Envelope, Handler, Hub, HubAgent
from tau_cli.orchestrate._node import Node, NodeFunction, NodeObject, NodeResult
from tau_cli.orchestrate._patterns import Chain, Conditional, ForEach, Parallel
from tau_cli.orchestrate._run import RunResult, Workflow
from tau_cli.orchestrate._state import (
    Channel,
    Reducer,
    State,
    StateSchema,
    Update,
    append,
    merge,
    replace,
)
from tau_cli.orchestrate._subworkflow import SubWorkflow

__all__ = [
    "END",
    "START",
    "Ask",
    "Chain",
    "Channel",
    "Checkpoint",
    "CheckpointError",
    "CheckpointStore",
    "Conditional",
    "DuplicateName",
    "Envelope",
    "ForEach",
    "GraphError",
    "Handler",
    "HandlerFailed",
    "Hub",
    "HubAgent",
    "HubClosed",
    "HubError",
    "InboxFull",
    "JsonCheckpointStore",
    "MemoryCheckpointStore",
    "Node",
    "NodeErrored",
    "NodeFailed",
    "NodeFinished",
    "NodeFunction",
    "NodeObject",
    "NodeResult",
    "NodeStarted",
    "Observer",
    "ObserverFailed",
    "OrchestrateError",
    "Parallel",
    "Reducer",
    "RequestTimeout",
    "Router",
    "RunResult",
    "RunStatus",
    "State",
    "StateChanged",
    "StateError",
    "StateGraph",
    "StateSchema",
    "StepLimitExceeded",
    "SubWorkflow",
    "UnknownRecipient",
    "Update",
    "Workflow",
    "WorkflowEvent",
    "WorkflowFinished",
    "WorkflowInterrupted",
    "WorkflowStarted",
    "append",
    "merge",
    "replace",
]
