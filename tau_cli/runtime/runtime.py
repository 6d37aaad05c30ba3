"""The runtime a UI holds: submit a prompt, watch its events, steer it while it works.

``RuntimeClient`` (in ``client``, re-exported here) is the interface every front
end uses (TUI, REPL, one-shot ``tau run``, the ACP server); ``Runtime`` is the
in-process implementation.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime

from tau_cli.core import Event, ModelCapabilities
from tau_cli.runtime.autocommit import AutoCommitError, AutoCommitter
from tau_cli.runtime.checkpoints import (
    CheckpointError,
    CheckpointStore,
    Rewound,
    summarize_changes,
)
from tau_cli.runtime.client import RuntimeClient, SessionInfo
from tau_cli.runtime.events import ModeChanged, Notice, TurnFinished
from tau_cli.runtime.loop import AgentLoop
from tau_cli.runtime.sessions import SessionSwitcher
from tau_cli.runtime.settings import PermissionMode
from tau_cli.session import Session
from tau_cli.tools import PermissionMode as ToolsPermissionMode

Clock = Callable[[], datetime]

__all__ = ["Runtime", "RuntimeClient"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Runtime:
    """The in-process runtime: one session, one loop, one event stream."""

    def __init__(
        self,
        loop: AgentLoop,
        *,
        clock: Clock = _utc_now,
        closers: Sequence[Callable[[], Awaitable[None]]] = (),
        notices: Sequence[str] = (),
        environment: str = "local",
        checkpoints: CheckpointStore | None = None,
        sessions: SessionSwitcher | None = None,
        auto_commit: AutoCommitter | None = None,
    ) -> None:
        self._loop = loop
        self._sessions = sessions
        self._checkpoints = checkpoints
        self._auto_commit = auto_commit
        self._environment = environment
        self._clock = clock
        self._closers = list(closers)
        self._notices = list(notices)
        """Said once, at the start of the next turn (an MCP server that did not start)."""
        self._seq = itertools.count(1)
        self._task: asyncio.Task[TurnFinished] | None = None

    @property
    def session_id(self) -> str:
        return self._loop.session.id

    def list_sessions(self) -> list[SessionInfo]:
        return self._switcher().list()

    async def new_session(self) -> str:
        switcher = self._switcher()
        await self._loop.end_session("clear")
        return self._switch(switcher.new())

    async def resume_session(self, session_id: str) -> str:
        switcher = self._switcher()
        await self._loop.end_session("resume")
        return self._switch(switcher.resume(session_id))

    async def fork_session(self, at: int | None = None) -> str:
        switcher = self._switcher()
        await self._loop.end_session("resume")
        return self._switch(switcher.fork(self._loop.session.id, at))

    def _switcher(self) -> SessionSwitcher:
        if self._sessions is None:
            raise RuntimeError("this runtime was built without a session store")
        if self._task is not None and not self._task.done():
            raise RuntimeError("a turn is running; cancel it before switching sessions")
        return self._sessions

    def _switch(self, session: Session) -> str:
        """Make ``session`` the conversation the loop works on; the old one is closed."""
        old = self._loop.session
        self._loop.session = session
        self._loop.hooks.session_id = session.id
        self._loop.pinned.clear()
        if old is not session:
            old.close()
        if self._checkpoints is not None:
            self._checkpoints = self._checkpoints.for_session(session.id)
        return session.id

    @property
    def environment(self) -> str:
        """Where tools run, in one line (``local (no sandbox)`` or the sandbox's limits)."""
        return self._environment

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
            # The snapshot runs while the model thinks; tools wait for it before they run.
            before = len(self._loop.session.messages)  # where a rewind cuts the conversation
            snapshot = asyncio.ensure_future(self._checkpoint(prompt, before, emit))
            self._loop.before_tools = snapshot
            try:
                finished = await self._loop.run_turn(prompt, emit)
            finally:
                self._loop.before_tools = None
                await asyncio.shield(snapshot)
            await self._report_changes(emit, prompt)
            await emit(finished)
            return finished

        for notice in self._notices:
            await emit(Notice(level="warning", message=notice))
        self._notices.clear()
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

    async def _checkpoint(
        self, prompt: str, messages: int, emit: Callable[[object], Awaitable[None]]
    ) -> None:
        """Snapshot the project before the turn can change it; a failure only warns."""
        if self._checkpoints is None:
            return
        try:
            await asyncio.to_thread(self._checkpoints.record, prompt, messages)
        except CheckpointError as exc:
            await emit(Notice(level="warning", message=f"no checkpoint for this turn: {exc}"))

    async def _report_changes(
        self, emit: Callable[[object], Awaitable[None]], prompt: str = ""
    ) -> None:
        """Say which files the turn changed, so the user can review them (or undo)."""
        if self._checkpoints is None:
            return
        try:
            changes = await asyncio.to_thread(self._checkpoints.changes)
        except CheckpointError:
            return
        if changes:
            await emit(Notice(level="info", message=summarize_changes(changes)))
        if changes and self._auto_commit is not None:
            await self._commit(emit, [c.path for c in changes], prompt)

    async def _commit(
        self, emit: Callable[[object], Awaitable[None]], paths: list[str], prompt: str
    ) -> None:
        """Commit the turn's files to the user's repository (``auto_commit``); failures warn."""
        assert self._auto_commit is not None
        try:
            done = await asyncio.to_thread(self._auto_commit.commit, paths, prompt)
        except AutoCommitError as exc:
            await emit(Notice(level="warning", message=f"not committed: {exc}"))
            return
        await emit(Notice(level="info", message=done))

    async def undo(self) -> Rewound:
        """Put the files back as they were before the newest turn.

        Raises:
            CheckpointError: checkpoints are off here, or no turn has run yet.
        """
        if self._checkpoints is None:
            raise CheckpointError("checkpoints are off (no git, no project folder, or disabled)")
        found = await asyncio.to_thread(self._checkpoints.turns)
        if not found:
            raise CheckpointError("nothing to undo yet")
        return await asyncio.to_thread(self._checkpoints.rewind, found[-1].turn)

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
        await self._loop.end_session("exit")
        await self._loop.tool_context.session.close()
        await self._loop.provider.aclose()
        for close in self._closers:
            await close()
        self._loop.session.close()

    def _stamp(self, event: Event) -> Event:
        return event.stamped(seq=next(self._seq), session_id=self.session_id, time=self._clock())
