"""``SubWorkflow``: a whole workflow run as one step of another.

The inner workflow keeps its own schema; two small functions translate between the
outer state and the inner one. The inner run is not checkpointed on its own: if the
outer run is interrupted while it runs, the whole inner run is repeated on resume,
exactly like any other node that had not finished.
"""

from __future__ import annotations

from collections.abc import Callable

from tau_cli.orchestrate._events import Observer
from tau_cli.orchestrate._run import Workflow
from tau_cli.orchestrate._state import State, Update


class SubWorkflow:
    """Run ``workflow`` as a node.

    Args:
        workflow: the inner workflow.
        input: builds the inner run's input from the outer state.
        output: turns the inner run's final state into writes to the outer state.
        observer: receives the inner run's events (their ``run_id`` is the inner
            run's own).
    """

    def __init__(
        self,
        workflow: Workflow,
        *,
        input: Callable[[State], Update],
        output: Callable[[State], Update],
        observer: Observer | None = None,
    ) -> None:
        self.workflow = workflow
        self.input = input
        self.output = output
        self.observer = observer

    async def run(self, state: State) -> Update:
        """The writes ``output`` makes of the inner run's final state."""
        result = await self.workflow.run(self.input(state), observer=self.observer)
        return self.output(result.state)
