"""The runtime a UI holds: submit a prompt, watch its events, steer it while it works.

``RuntimeClient`` (in ``client``, re-exported here) is the interface every front
end uses (TUI, REPL, one-shot ``tau run``, the ACP server); ``Runtime`` is the
in-process implementation.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tau_cli.core import (
    ErrorInfo,
    Event,
    ImagePart,
    Message,
    ModelCapabilities,
    TokenUsage,
    ToolResult,
)
from tau_cli.runtime.autocommit import AutoCommitError, AutoCommitter
from tau_cli.runtime.checkpoints import (
    CheckpointError,
    CheckpointStore,
    Rewound,
    summarize_changes,
)
from tau_cli.runtime.client import (
    Completions,
    RuntimeClient,
    RuntimeDescription,
    SessionInfo,
)
from tau_cli.runtime.events import Compacted, ModeChanged, Notice, TurnFinished
from tau_cli.runtime.loop import AgentLoop
from tau_cli.runtime.mentions import attach, project_files
from tau_cli.runtime.sessions import SessionSwitcher
from tau_cli.runtime.settings import PermissionMode
from tau_cli.runtime.workspace import CommandError, Workspace
from tau_cli.session import ContextBudget, Session
from tau_cli.tools import PermissionMode as ToolsPermissionMode

Clock = Callable[[], datetime]
FILE_LISTING_SECONDS = 3.0
"""How long ``completions`` may spend listing the project's files."""

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
        workspace: Workspace | None = None,
    ) -> None:
        self._loop = loop
        self._workspace = workspace
        self._sessions = sessions
        self._checkpoints = checkpoints
        self._notes: list[str] = []
        """``#`` notes taken since the newest checkpoint, which an undo must not take back."""
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
        self._loop.policy.revoke()  # a skill's grant belongs to the session it was made in
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

    async def submit(
        self, prompt: str, *, images: Sequence[ImagePart] = ()
    ) -> AsyncIterator[Event]:
        """Run ``prompt`` (with ``images``, for a model that sees them) as one turn."""
        if self._task is not None and not self._task.done():
            raise RuntimeError("a turn is already running; inject() or cancel() it")
        queue: asyncio.Queue[Event] = asyncio.Queue()

        async def emit(event: object) -> None:
            assert isinstance(event, Event)
            queue.put_nowait(self._stamp(event))

        async def turn() -> TurnFinished:
            try:
                text = await self._expand(prompt)
            except CommandError as exc:
                failed = TurnFinished(
                    reason="error", error=ErrorInfo(kind="command", message=str(exc))
                )
                await emit(failed)
                return failed
            # The snapshot runs while the model thinks; tools wait for it before they run.
            before = len(self._loop.session.messages)  # where a rewind cuts the conversation
            snapshot = asyncio.ensure_future(self._checkpoint(prompt, before, emit))
            self._loop.before_tools = snapshot
            context = self._loop.prompt_context
            self._loop.prompt_context = await self._attachments(text, context, emit)
            try:
                finished = await self._loop.run_turn(text, emit, images)
            finally:
                self._loop.prompt_context = context
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
                if not queue.empty():  # a streamed answer queues thousands: no wait for each
                    event = queue.get_nowait()
                    yield event
                    if isinstance(event, TurnFinished):
                        return
                    continue
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

    async def _expand(self, prompt: str) -> str:
        """An MCP prompt command becomes that prompt's messages; anything else stays."""
        if self._workspace is None:
            return prompt
        messages = await self._workspace.expand_prompt_command(prompt, self._loop.interaction)
        if messages is None:
            return prompt
        if not messages:
            raise CommandError(f"{prompt.split()[0]} gave no messages")
        *earlier, last = messages
        if last.role != "user":
            earlier, last = messages, Message.user("Go on.")
        self._loop.session.extend(earlier)
        return last.text

    async def _attachments(
        self,
        prompt: str,
        context: Callable[[str], list[tuple[str, Event]]] | None,
        emit: Callable[[object], Awaitable[None]],
    ) -> Callable[[str], list[tuple[str, Event]]] | None:
        """``@`` mentions' content, added to the prompt's message by the loop."""
        if self._workspace is None or "@" not in prompt:
            return context
        mcp = self._workspace.mcp
        found = await attach(
            prompt,
            self._loop.tool_context.environment,
            hidden=self._loop.policy.read_denied,
            read_resource=mcp.read_resource if mcp is not None else None,
            resource_servers=[s.name for s in mcp.statuses()] if mcp is not None else (),
        )
        for item in found:
            if item.problem is not None:
                await emit(
                    Notice(level="warning", message=f"not attached: {item.mention} {item.problem}")
                )
        added = [
            (a.text, Notice(level="info", message=f"attached {a.mention}"))
            for a in found
            if a.text is not None
        ]
        if not added:
            return context

        def with_attachments(text: str) -> list[tuple[str, Event]]:
            return [*added, *(context(text) if context is not None else [])]

        return with_attachments

    async def _checkpoint(
        self, prompt: str, messages: int, emit: Callable[[object], Awaitable[None]]
    ) -> None:
        """Snapshot the project before the turn can change it; a failure only warns."""
        if self._checkpoints is None:
            return
        taken = len(self._notes)  # a note taken while the snapshot runs may miss it
        try:
            await asyncio.to_thread(self._checkpoints.record, prompt, messages)
            del self._notes[:taken]  # the snapshot holds these now
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

    async def undo(self) -> str:
        """Put the files back as they were before the newest turn; says what changed back.

        Raises:
            CheckpointError: checkpoints are off here, or no turn has run yet.
        """
        if self._checkpoints is None:
            raise CheckpointError("checkpoints are off (no git, no project folder, or disabled)")
        found = await asyncio.to_thread(self._checkpoints.turns)
        if not found:
            raise CheckpointError("nothing to undo yet")
        notes = await asyncio.to_thread(
            _NotesKept.before_rewind, self._notes, self._note_target, self._checkpoints.project
        )
        rewound = await asyncio.to_thread(self._checkpoints.rewind, found[-1].turn)
        if notes is None:
            return _describe_rewind(rewound)
        # A note is the user's, not the turn's: the rewind took it out, so put it back.
        untouched = await asyncio.to_thread(notes.put_back)
        if untouched:  # only the notes had changed the file: it was not really restored
            rewound = Rewound([n for n in rewound.restored if n != notes.relative], rewound.deleted)
        kept = "note" if len(self._notes) == 1 else f"{len(self._notes)} notes"
        return f"{_describe_rewind(rewound)}; kept your {kept} in {notes.target.name}"

    # What the user's commands ask of the runtime ------------------------------

    def messages(self) -> Sequence[Message]:
        return self._loop.session.messages

    def usage(self) -> TokenUsage:
        return self._loop.session.usage

    def describe(self) -> RuntimeDescription:
        workspace = self._need_workspace()
        return RuntimeDescription(
            model=workspace.model,
            environment=self._environment,
            rules=workspace.rules(self._loop.policy.rules, self._loop.policy.grants),
            mcp_servers=workspace.mcp_servers(),
            memory=workspace.describe_memory() if workspace.describe_memory is not None else "",
        )

    async def completions(self) -> Completions:
        workspace = self._need_workspace()
        commands = [*workspace.skill_commands(), *await workspace.prompt_commands()]
        return Completions(
            commands=commands,
            files=await self._files(),
            resources=await workspace.resource_mentions(),
        )

    async def _files(self) -> list[str]:
        """The project's files for ``@`` completion; a tree too big to list in a moment
        (a home folder) offers none rather than keep the user waiting."""
        listing = project_files(self._loop.tool_context.environment, self._loop.policy)
        try:
            return await asyncio.wait_for(listing, FILE_LISTING_SECONDS)
        except TimeoutError:
            return []

    async def set_model(self, model: str) -> None:
        workspace = self._need_workspace()
        if workspace.provider_for is None:
            raise CommandError("this runtime cannot switch models")
        self._idle("switching the model")
        try:
            provider, capabilities = workspace.provider_for(model)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        old = self._loop.provider
        self._loop.provider = provider
        self._loop.capabilities = capabilities
        self._loop.context.budget = ContextBudget.for_model(capabilities)
        self._loop.session.set_model(model)
        workspace.model = model
        await old.aclose()

    async def compact(self, focus: str | None = None) -> Compacted | None:
        self._idle("compacting")
        loop = self._loop
        await loop.hooks.run("PreCompact", {"trigger": "manual", "custom_instructions": focus})
        tools = loop.registry.definitions(lambda t: loop.policy.offers(t.name, t.read_only))
        entry = await loop.context.compact(
            loop.session,
            pinned=loop.pinned,
            tools=tools if loop.native_tools else (),
            focus=focus,
        )
        if entry is None:
            return None
        event = Compacted(
            strategy=entry.strategy,
            tokens_before=entry.tokens_before,
            tokens_after=entry.tokens_after,
        )
        return event.stamped(seq=next(self._seq), session_id=self.session_id, time=self._clock())

    async def run_shell(self, command: str) -> ToolResult:
        self._idle("running a command")
        bash = self._loop.registry.get("bash")
        if bash is None:
            raise CommandError("this runtime has no shell tool")
        result = await bash.execute({"command": command}, self._loop.tool_context)
        self._loop.session.append(
            Message.user(f"I ran a shell command myself:\n$ {command}\n{result.text}".rstrip())
        )
        return result

    async def remember(self, note: str) -> str:
        from tau_cli.memory import remember

        target = self._note_target()
        await asyncio.to_thread(remember, target, note)
        self._notes.append(note)
        return target.name

    def _note_target(self) -> Path:
        from tau_cli.memory import memory_targets

        workspace = self._need_workspace()
        return memory_targets(workspace.cwd, workspace.tau_home)["project"]

    def _need_workspace(self) -> Workspace:
        if self._workspace is None:
            raise CommandError("this runtime was built without its workspace")
        return self._workspace

    def _idle(self, doing: str) -> None:
        if self._task is not None and not self._task.done():
            raise CommandError(f"a turn is running; stop it (Esc) before {doing}")

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


@dataclass(frozen=True)
class _NotesKept:
    """``#`` notes to write back after an undo, and the memory file as it was before."""

    notes: tuple[str, ...]
    target: Path
    relative: str
    """The memory file as the rewind names it (relative to the project)."""
    before: str | None

    @classmethod
    def before_rewind(
        cls, notes: list[str], target: Callable[[], Path], project: Path
    ) -> _NotesKept | None:
        if not notes:
            return None
        path = target()
        before = path.read_text(encoding="utf-8") if path.exists() else None
        try:
            relative = path.resolve().relative_to(project).as_posix()
        except ValueError:  # outside the snapshots: the rewind cannot take them out
            return None
        return cls(tuple(notes), path, relative, before)

    def put_back(self) -> bool:
        """Write the notes again; whether the file ends as it was before the undo."""
        from tau_cli.memory import remember

        if self._now() == self.before:  # not in the snapshots (ignored): the rewind left it
            return True
        for note in self.notes:
            remember(self.target, note)
        return self._now() == self.before

    def _now(self) -> str | None:
        return self.target.read_text(encoding="utf-8") if self.target.exists() else None


def _describe_rewind(rewound: Rewound) -> str:
    changed = [f"restored {n}" for n in rewound.restored] + [
        f"deleted {n}" for n in rewound.deleted
    ]
    return ", ".join(changed) or "nothing had changed"
