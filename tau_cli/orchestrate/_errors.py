"""The errors orchestration raises, all under core's ``TauError``.

    TauError
    └── OrchestrateError              anything the hub or a graph raises on purpose
        ├── HubError                  a message could not be delivered or answered
        │   ├── UnknownRecipient      no handler is registered under that name
        │   ├── DuplicateName         a name is already registered
        │   ├── InboxFull             a bounded inbox stayed full past the put timeout
        │   ├── RequestTimeout        a request got no reply in time
        │   ├── HubClosed             the hub is closed, or closed before replying
        │   └── HandlerFailed         a handler raised; the original is ``__cause__``
        ├── StateError                an update names an unknown channel, has the wrong
        │                             type, or writes one replace-channel twice at once
        └── GraphError                a graph is wired wrongly (found at compile time)
            ├── StepLimitExceeded     a run took more steps than its limit (a cycle
            │                         that did not converge)
            ├── NodeFailed            a node raised; the original is ``__cause__``
            ├── ObserverFailed        the run's observer raised; the original is ``__cause__``
            └── CheckpointError       a stored run cannot be resumed

Each error names what went wrong in words a workflow author can act on.
"""

from __future__ import annotations

from tau_cli.core import TauError


class OrchestrateError(TauError):
    """Root of everything the hub and the graph runner raise on purpose."""


class HubError(OrchestrateError):
    """A message could not be delivered or answered."""


class UnknownRecipient(HubError):
    """Nothing is registered under the name a message was addressed to."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"no handler is registered as {name!r}")


class DuplicateName(HubError):
    """A second handler tried to take a name that is already registered."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"a handler is already registered as {name!r}")


class InboxFull(HubError):
    """A recipient's bounded inbox stayed full for longer than the put timeout."""

    def __init__(self, name: str, timeout: float) -> None:
        self.name = name
        self.timeout = timeout
        super().__init__(f"the inbox of {name!r} stayed full for {timeout:g}s")


class RequestTimeout(HubError):
    """A request was not answered within its timeout."""

    def __init__(self, name: str, timeout: float) -> None:
        self.name = name
        self.timeout = timeout
        super().__init__(f"{name!r} did not answer within {timeout:g}s")


class HubClosed(HubError):
    """The hub no longer accepts messages, or closed before a request was answered."""


class HandlerFailed(HubError):
    """A handler raised while processing a message; the original is ``__cause__``."""

    def __init__(self, name: str, error: BaseException) -> None:
        self.name = name
        self.error = error
        super().__init__(f"{name!r} failed: {type(error).__name__}: {error}")


class StateError(OrchestrateError):
    """An update cannot be applied to a state."""


class GraphError(OrchestrateError):
    """A graph is wired wrongly, or a run of it cannot go on."""


class StepLimitExceeded(GraphError):
    """A run needed more steps than its limit allows, usually a cycle that never ends."""

    def __init__(self, limit: int, pending: list[str]) -> None:
        self.limit = limit
        self.pending = pending
        super().__init__(
            f"the run reached its limit of {limit} steps with {', '.join(pending)} still "
            "to run; raise step_limit if the cycle is meant to go on longer"
        )


class NodeFailed(GraphError):
    """A node raised; the original exception is ``__cause__``."""

    def __init__(self, node: str, step: int, error: BaseException) -> None:
        self.node = node
        self.step = step
        self.error = error
        super().__init__(f"node {node!r} failed at step {step}: {type(error).__name__}: {error}")


class ObserverFailed(GraphError):
    """The observer raised while receiving an event; the original is ``__cause__``.

    A run stops when its observer fails: progress nobody can see is a bug to fix.
    """

    def __init__(self, event_type: str, error: BaseException) -> None:
        self.event_type = event_type
        self.error = error
        super().__init__(
            f"the observer failed on a {event_type} event: {type(error).__name__}: {error}"
        )


class CheckpointError(GraphError):
    """A stored run is missing, unreadable, or belongs to a different graph."""
