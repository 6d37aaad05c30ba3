"""``Ask``: a graph node that puts a question to a hub participant.

This is how agents registered on a ``Hub`` take part in a ``StateGraph``: the graph
decides the order, the hub carries the messages, and the participant's answer is
written into the state. A participant that fails or does not answer in time fails
the node, with the hub's error as the cause.
"""

from __future__ import annotations

from collections.abc import Callable

from tau_cli.orchestrate._hub import Hub
from tau_cli.orchestrate._state import State, Update


class Ask:
    """Ask ``to`` on ``hub`` with a message built from the state; write what it answers.

    Args:
        hub: the hub ``to`` is registered on.
        to: the participant's name.
        message: builds the request from the state.
        write: a channel name to store the answer in, or a function turning the
            answer into writes.
        timeout: seconds to wait for the answer; the hub's default when None.
        sender: the name the participant sees as the sender.
    """

    def __init__(
        self,
        hub: Hub,
        to: str,
        message: Callable[[State], object],
        write: str | Callable[[object], Update],
        *,
        timeout: float | None = None,
        sender: str | None = None,
    ) -> None:
        self.hub = hub
        self.to = to
        self.message = message
        self.write = write
        self.timeout = timeout
        self.sender = sender

    async def run(self, state: State) -> Update:
        """The participant's answer, as writes."""
        answer = await self.hub.request(
            self.to, self.message(state), sender=self.sender, timeout=self.timeout
        )
        if isinstance(self.write, str):
            return {self.write: answer}
        return self.write(answer)
