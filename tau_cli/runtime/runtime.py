"""The runtime a UI holds: submit a prompt, watch its events, steer it while it works.

``RuntimeClient`` (in ``client``, re-exported here) is the interface every front
end uses (TUI, REPL, one-shot ``tau run``, the ACP server); ``Runtime`` is the
in-process implementation.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

from tau_cli.core import Event, ModelCapabilities
from tau_cli.runtime.client import RuntimeClient
from tau_cli.runtime.events import ModeChanged, TurnFinished
from tau_cli.runtime.loop import AgentLoop
from tau_cli.runtime.settings import PermissionMode
from tau_cli.tools import PermissionMode as ToolsPermissionMode

Clock = Callable[[], datetime]

__all__ = ["Runtime", "RuntimeClient"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Runtime:
    """The in-process runtime: one session, one loop, one event stream."""

    def __init__(self, loop: AgentLoop, *, clock: Clock = _utc_now) -> None:
        self._loop = loop
        self._clock = clock
        self._seq = itertools.count(1)
        self._task: asyncio.Task[TurnFinished] | None = None

    @property
    def session_id(self) -> str:
        return self._loop.session.id

    @property
    def loop(self) -> AgentLoop:
        return self._loop

    @property
    def capabilities(self) -> ModelCapabilities:
        return self._loop.capabilities

    async def submit(self, prompt: str) -> AsyncIterator[Event]:
        if self._task is not None and not self._task.done():
            raise RuntimeError("a turn is already running; inject() or cancel() it")
        queue: asyncio.Queue[Event] = asyncio.Queue()

        async def emit(event: object) -> None:
            assert isinstance(event, Event)
            queue.put_nowait(self._stamp(event))

        async def turn() -> TurnFinished:
            finished = await self._loop.run_turn(prompt, emit)
            await emit(finished)
            return finished

        self._task = asyncio.create_task(turn())
        try:
            while True:
                getter = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait(
                    {getter, self._task}, return_when=asyncio.FIRST_COMPLETED
                )
                if getter in done:
                    event = getter.result()
                    yield event
                    if isinstance(event, TurnFinished):
                        return
                    continue
                getter.cancel()
                self._task.result()  # re-raises a crash of the loop itself
                while not queue.empty():
                    event = queue.get_nowait()
                    yield event
                    if isinstance(event, TurnFinished):
                        return
                return
        finally:
            if not self._task.done():
                self._task.cancel()
                await asyncio.gather(self._task, return_exceptions=True)

    def inject(self, text: str) -> None:
        self._loop.injections.put_nowait(text)

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def set_mode(self, mode: PermissionMode) -> None:
        self._loop.policy.mode = ToolsPermissionMode.parse(mode)
        self._loop.session.record_event({"type": "mode_changed", "mode": mode})

    def mode_event(self, mode: PermissionMode) -> Event:
        return self._stamp(ModeChanged(mode=mode))

    async def aclose(self) -> None:
        self.cancel()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
        await self._loop.tool_context.session.close()
        await self._loop.provider.aclose()
        self._loop.session.close()

    def _stamp(self, event: Event) -> Event:
        return event.stamped(seq=next(self._seq), session_id=self.session_id, time=self._clock())
