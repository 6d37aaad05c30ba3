"""Graph nodes that need the runtime: a whole tau agent, and a shell step.

``orchestrate`` runs any object with ``run(state)``; it never imports the runtime.
These adapters are the other half: ``RuntimeNode`` fills a prompt from the state,
runs one turn of a freshly opened runtime (its own session, tools, model and
permission rules), forwards the turn's events, and writes the final answer;
``ShellNode`` runs one command through an ``Environment`` (so a sandbox confines
it as it confines the agent's own commands) and writes what it printed.

A node opens a new runtime each time it runs instead of keeping one across a loop:
everything it needs to know comes from the state, which is what checkpoints hold,
so a run resumed in another process behaves exactly like one that never stopped.
"""

from __future__ import annotations

import shlex
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tau_cli.core import Event, TauError
from tau_cli.orchestrate import State, Update
from tau_cli.runtime.client import RuntimeClient
from tau_cli.runtime.events import AssistantMessage, TurnFinished
from tau_cli.runtime.workflow_expr import Template
from tau_cli.tools import Environment

OpenRuntime = Callable[[], Awaitable[RuntimeClient]]
"""Opens a fresh runtime for one run of an agent node; the node closes it."""
EventSink = Callable[[Event], Awaitable[None]]
"""Receives the events of the work a node does (an agent's turn)."""
Prompt = Template | Callable[[State], str]


class AgentStopped(TauError):
    """An agent node's turn ended without completing (a limit, an error, a hook)."""


class ShellStepFailed(TauError):
    """A shell step exited with a non-zero status (or timed out) and nothing caught it."""


def _render(prompt: Prompt, state: State, quote: Callable[[str], str] | None = None) -> str:
    if isinstance(prompt, Template):
        return prompt.render(state, quote=quote)
    return prompt(state)


class RuntimeNode:
    """A tau runtime as a graph node: one turn per run, its answer written to the state.

    Args:
        open_runtime: opens the runtime for one run (``open_runtime`` of the builder,
            with the node's model and tools); it is closed when the turn ends.
        prompt: a ``Template`` over the state's channels, or a function of the state.
        output: turns the final answer into writes (``{"draft": answer}``).
        events: receives every event of the turn as it happens.
    """

    def __init__(
        self,
        open_runtime: OpenRuntime,
        prompt: Prompt,
        *,
        output: Callable[[str], Update],
        events: EventSink | None = None,
    ) -> None:
        self._open = open_runtime
        self.prompt = prompt
        self.output = output
        self.events = events

    async def run(self, state: State) -> Update:
        """Run the turn; raises ``AgentStopped`` unless it completed."""
        prompt = _render(self.prompt, state)
        runtime = await self._open()
        answer = ""
        finished: TurnFinished | None = None
        try:
            async for event in runtime.submit(prompt):
                if isinstance(event, AssistantMessage):
                    answer = event.message.text
                elif isinstance(event, TurnFinished):
                    finished = event
                if self.events is not None:
                    await self.events(event)
        finally:
            await runtime.aclose()
        if finished is None or finished.reason != "completed":
            reason = "no end of turn" if finished is None else finished.reason.replace("_", " ")
            detail = f": {finished.error.message}" if finished and finished.error else ""
            raise AgentStopped(f"the agent stopped before answering ({reason}{detail})")
        return self.output(answer)


@dataclass(frozen=True)
class ShellOutcome:
    """What a shell step did: its exit status and what it printed (stderr merged in)."""

    exit_code: int
    output: str


class ShellNode:
    """One shell command as a graph node.

    Placeholders in a ``Template`` command are shell-quoted as they are filled, so a
    value from the state (a model's answer, a user's input) is always one argument,
    never shell syntax.

    Args:
        environment: where the command runs (``bash -c``), local or sandboxed.
        command: a ``Template`` or a function of the state.
        output: turns the outcome into writes.
        check: a non-zero exit fails the node (``ShellStepFailed``); when False the
            outcome is written either way, for a condition to look at.
        timeout: seconds before the command's process group is killed.
    """

    def __init__(
        self,
        environment: Environment,
        command: Prompt,
        *,
        output: Callable[[ShellOutcome], Update],
        check: bool = True,
        timeout: float | None = None,
    ) -> None:
        self.environment = environment
        self.command = command
        self.output = output
        self.check = check
        self.timeout = timeout

    async def run(self, state: State) -> Update:
        command = _render(self.command, state, quote=shlex.quote)
        result = await self.environment.exec(["bash", "-c", command], timeout=self.timeout)
        text = result.stdout.decode("utf-8", errors="replace").rstrip("\n")
        if result.timed_out:
            raise ShellStepFailed(f"{command!r} did not finish within {self.timeout:g}s")
        code = result.exit_code if result.exit_code is not None else -1
        if code != 0 and self.check:
            tail = "\n".join(text.splitlines()[-5:])
            shown = f":\n{tail}" if tail else ""
            raise ShellStepFailed(f"{command!r} exited with status {code}{shown}")
        return self.output(ShellOutcome(code, text))
