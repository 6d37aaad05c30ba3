"""tau's orchestration: agents that message each other, and workflows as graphs.

The ``Hub`` lets named handlers (functions or agents) talk by point-to-point send,
request-response and publish/subscribe, over bounded inboxes inside one event loop.
"""

from tau_cli.orchestrate._errors import (
    CheckpointError,
    DuplicateName,
    GraphError,
    HandlerFailed,
    HubClosed,
    HubError,
    InboxFull,
    NodeFailed,
    OrchestrateError,
    RequestTimeout,
    StateError,
    StepLimitExceeded,
    UnknownRecipient,
)
from tau_cli.orchestrate._hub import Envelope, Handler, Hub, HubAgent

__all__ = [
    "CheckpointError",
    "DuplicateName",
    "Envelope",
    "GraphError",
    "Handler",
    "HandlerFailed",
    "Hub",
    "HubAgent",
    "HubClosed",
    "HubError",
    "InboxFull",
    "NodeFailed",
    "OrchestrateError",
    "RequestTimeout",
    "StateError",
    "StepLimitExceeded",
    "UnknownRecipient",
]
