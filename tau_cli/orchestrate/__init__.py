"""tau's orchestration: agents that message each other, and workflows as graphs.

The ``Hub`` lets named handlers (functions or agents) talk by point-to-point send,
request-response and publish/subscribe, over bounded inboxes inside one event loop.
``State`` is immutable and made of typed channels whose reducers (``replace``,
``append``, ``merge``) fold each write.
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

__all__ = [
    "Channel",
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
    "Reducer",
    "RequestTimeout",
    "State",
    "StateError",
    "StateSchema",
    "StepLimitExceeded",
    "UnknownRecipient",
    "Update",
    "append",
    "merge",
    "replace",
]
