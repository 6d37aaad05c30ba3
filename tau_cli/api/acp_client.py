"""A ``RuntimeClient`` whose runtime is an ACP agent in another process.

``tau --connect "COMMAND"`` starts COMMAND (``tau acp``, ``docker run -i IMAGE tau
acp``, ``ssh host tau acp``, or another ACP agent), speaks ACP over its stdin and
stdout, and hands the TUI this client: the TUI cannot tell it from the
in-process runtime. ACP updates become tau's events again; the agent's
permission questions, plan approvals and clarifying questions go to the
``Interaction`` the UI gave (a tau agent sends tau's own request along in
``_meta``, so the question reads exactly as it does in-process).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import itertools
import logging
import os
import signal
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from acp import PROTOCOL_VERSION, Client, RequestError
from acp.client.connection import ClientSideConnection
from acp.connection import StreamObserver
from acp.schema import (
    AgentMessageChunk,
    AgentThoughtChunk,
    AllowedOutcome,
    ClientCapabilities,
    ContentToolCallContent,
    CurrentModeUpdate,
    DeniedOutcome,
    FileEditToolCallContent,
    Implementation,
    PermissionOption,
    RequestPermissionResponse,
    TextContentBlock,
    ToolCallProgress,
    ToolCallStart,
    ToolCallUpdate,
    UserMessageChunk,
)

from tau_cli._version import __version__
from tau_cli.api.acp_commands import (
    compacted_of,
    completions_of,
    description_of,
    error_of,
    messages_of,
    tool_result_of,
    usage_of,
)
from tau_cli.core import (
    ElicitationRequest,
    ErrorInfo,
    Event,
    Interaction,
    Message,
    PermissionChoice,
    PermissionRequest,
    PlanApprovalRequest,
    QuestionRequest,
    ReasoningDelta,
    TauError,
    TextDelta,
    TokenUsage,
    ToolCall,
    ToolResult,
)
from tau_cli.runtime.client import Completions, RuntimeDescription, SessionInfo
from tau_cli.runtime.events import (
    AssistantMessage,
    Compacted,
    Injected,
    ModeChanged,
    Notice,
    ToolFinished,
    ToolStarted,
    TurnEnd,
    TurnFinished,
    TurnStarted,
)
from tau_cli.runtime.settings import PermissionMode
from tau_cli.runtime.workspace import CommandError

T = TypeVar("T")
_log = logging.getLogger(__name__)
_STOPS: dict[str, TurnEnd] = {
    "end_turn": "completed",
    "max_tokens": "completed",
    "max_turn_requests": "max_iterations",
    "cancelled": "cancelled",
    "refusal": "error",
}
_MODES = ("default", "accept_edits", "plan", "bypass")
_LINE_LIMIT = 50 * 1024 * 1024
_STDERR_LINES = 40
_UNREADABLE = (KeyError, TypeError, ValueError)
"""What reading an answer of the wrong shape raises (pydantic's errors are ValueErrors)."""
_START_SECONDS = 60.0
"""How long an agent may take to start and open a session (a container may pull first)."""


class AgentGone(RuntimeError):
    """The agent process ended or stopped answering."""


class AcpRuntimeClient:
    """``RuntimeClient`` over an ACP agent's stdio (see the module docstring)."""

    def __init__(self, interaction: Interaction, cwd: Path) -> None:
        self._interaction = interaction
        self._cwd = cwd
        self._conn: ClientSideConnection | None = None
        self._process: asyncio.subprocess.Process | None = None
        self._session_id = ""
        self._queue: asyncio.Queue[Event] | None = None
        self._text: list[str] = []
        self._calls: list[ToolCall] = []
        self._names: dict[str, str] = {}
        self._turn: asyncio.Future[Any] | None = None
        self._seq = itertools.count(1)
        self._background: set[asyncio.Task[Any]] = set()
        self._context: contextvars.Context | None = None
        self.stderr: collections.deque[str] = collections.deque(maxlen=_STDERR_LINES)
        """The agent's last lines on stderr, for telling the user why it failed."""
        self.agent: Implementation | None = None
        self.extensions = False
        """The agent answers tau's ``_tau/`` methods."""
        self.mode: PermissionMode = "default"
        self._known_sessions: list[SessionInfo] = []
        self._messages: list[Message] = []
        self._usage = TokenUsage()
        self._description = RuntimeDescription(model="", environment="")

    @classmethod
    async def start(
        cls,
        command: Sequence[str],
        *,
        cwd: Path,
        interaction: Interaction,
        environ: Mapping[str, str] | None = None,
        observers: Sequence[StreamObserver] = (),
    ) -> AcpRuntimeClient:
        """Start ``command``, initialize ACP and open a session working in ``cwd``.

        ``observers`` see every message on the wire, both ways (a trace, a schema check).

        Raises:
            AgentGone: the command could not start or did not speak ACP.
        """
        client = cls(interaction, cwd)
        try:
            process = await asyncio.create_subprocess_exec(
                *command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=cwd,
                env=dict(os.environ if environ is None else environ),
                limit=_LINE_LIMIT,
                start_new_session=True,  # its own process group: Ctrl+C here is ours
            )
        except OSError as exc:
            raise AgentGone(f"could not start {command[0]!r}: {exc}") from exc
        client._process = process
        assert process.stdin is not None and process.stdout is not None
        client._spawn(client._read_stderr())
        # The SDK looks each method up when the agent calls it and answers "method not
        # found" for those a client lacks (terminals, files): tau offers neither.
        client._conn = ClientSideConnection(
            cast(Client, client), process.stdin, process.stdout, observers=list(observers)
        )
        try:
            await asyncio.wait_for(client._open(), _START_SECONDS)
        except TimeoutError as exc:
            await client.aclose()
            raise AgentGone(
                f"{command[0]!r} did not answer ACP's initialize within {_START_SECONDS:g}s"
            ) from exc
        except BaseException:
            await client.aclose()
            raise
        return client

    async def _open(self) -> None:
        conn = self._connection()
        try:
            ready = await conn.initialize(
                protocol_version=PROTOCOL_VERSION,
                client_capabilities=ClientCapabilities(field_meta={"tau": {"extensions": True}}),
                client_info=Implementation(name="tau", title="tau", version=__version__),
            )
            self.agent = ready.agent_info
            meta = ready.agent_capabilities.field_meta if ready.agent_capabilities else None
            tau = (meta or {}).get("tau")
            self.extensions = isinstance(tau, dict) and tau.get("extensions") is True
            session = await conn.new_session(cwd=str(self._cwd), mcp_servers=[])
        except RequestError as exc:
            raise AgentGone(self._why(exc)) from exc
        except ConnectionError as exc:
            raise AgentGone(await self._exit_story()) from exc
        self._session_id = session.session_id
        if session.modes is not None and session.modes.current_mode_id in _MODES:
            self.mode = session.modes.current_mode_id  # type: ignore[assignment]
        with contextlib.suppress(RequestError):
            await self.sessions()
        await self._refresh()

    # RuntimeClient --------------------------------------------------------------

    @property
    def session_id(self) -> str:
        return self._session_id

    async def submit(self, prompt: str) -> AsyncIterator[Event]:
        if self._turn is not None and not self._turn.done():
            raise RuntimeError("a turn is already running; inject() or cancel() it")
        conn = self._connection()
        queue: asyncio.Queue[Event] = asyncio.Queue()
        self._queue, self._text, self._calls = queue, [], []
        self._context = contextvars.copy_context()
        yield self._stamp(TurnStarted(prompt=prompt))
        turn = asyncio.ensure_future(
            conn.prompt(
                session_id=self._session_id,
                prompt=[TextContentBlock(type="text", text=prompt)],
            )
        )
        self._turn = turn
        try:
            while not turn.done():
                getter = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait({getter, turn}, return_when=asyncio.FIRST_COMPLETED)
                if getter in done:
                    yield getter.result()
                else:
                    getter.cancel()
            # Updates sent just before the answer are handled by tasks that may not
            # have run yet: let them, then take what they queued.
            for _ in range(5):
                await asyncio.sleep(0)
            while not queue.empty():
                yield queue.get_nowait()
            for event in self._end_of_step():
                yield event
            before, session = self._usage, self._session_id
            await self._refresh()
            finished = self._finished(turn)
            if session == self._session_id:
                finished = finished.model_copy(update={"usage": _spent(before, self._usage)})
            yield self._stamp(finished)
        finally:
            self._queue = None
            if not turn.done():
                self.cancel()
                turn.cancel()
                await asyncio.gather(turn, return_exceptions=True)

    def inject(self, text: str) -> None:
        self._spawn(
            self._connection().ext_notification(
                "tau/inject", {"sessionId": self._session_id, "text": text}
            )
        )

    def cancel(self) -> None:
        if self._conn is not None and self._turn is not None and not self._turn.done():
            self._spawn(self._conn.cancel(session_id=self._session_id))

    async def set_mode(self, mode: PermissionMode) -> None:
        await self._connection().set_session_mode(mode_id=mode, session_id=self._session_id)
        self.mode = mode

    def list_sessions(self) -> list[SessionInfo]:
        """The sessions as last fetched (at connect, and after each switch)."""
        return list(self._known_sessions)

    async def sessions(self) -> list[SessionInfo]:
        """The agent's saved sessions for this folder, newest first."""
        found = await self._connection().list_sessions(cwd=str(self._cwd))
        infos = [
            SessionInfo(
                id=s.session_id,
                title=s.title or "",
                updated_at=_parse_time(s.updated_at),
                message_count=_meta_count(s.field_meta),
            )
            for s in found.sessions
        ]
        self._known_sessions = sorted(infos, key=lambda s: s.updated_at, reverse=True)
        return self._known_sessions

    async def new_session(self) -> str:
        made = await self._connection().new_session(cwd=str(self._cwd), mcp_servers=[])
        self._session_id = made.session_id
        with contextlib.suppress(RequestError):
            await self.sessions()
        await self._refresh()
        return made.session_id

    async def resume_session(self, session_id: str) -> str:
        await self._connection().load_session(
            cwd=str(self._cwd), session_id=session_id, mcp_servers=[]
        )
        self._session_id = session_id
        await self._refresh()
        return session_id

    async def fork_session(self, at: int | None = None) -> str:
        if not self.extensions:
            raise RuntimeError("this agent cannot fork a session (ACP has no standard way)")
        answer = await self._connection().ext_method(
            "tau/fork", {"sessionId": self._session_id, "at": at}
        )
        self._session_id = str(answer["sessionId"])
        await self._refresh()
        return self._session_id

    def messages(self) -> Sequence[Message]:
        """The conversation as last fetched (at connect, after each turn and switch)."""
        return list(self._messages)

    def usage(self) -> TokenUsage:
        """This session's tokens as last fetched (at connect, after each turn and switch)."""
        return self._usage

    def describe(self) -> RuntimeDescription:
        """The model, rules, MCP servers and memory as last fetched."""
        return self._description

    async def completions(self) -> Completions:
        if not self.extensions:
            return Completions()
        return await self._command("completions", "complete", completions_of)

    async def set_model(self, model: str) -> None:
        await self._command("set_model", "switch models", dict, model=model)
        await self._refresh()

    async def compact(self, focus: str | None = None) -> Compacted | None:
        compacted = await self._command("compact", "compact", compacted_of, focus=focus)
        await self._refresh()
        return compacted

    async def run_shell(self, command: str) -> ToolResult:
        result = await self._command("run_shell", "run commands", tool_result_of, command=command)
        await self._refresh()
        return result

    async def undo(self) -> str:
        return await self._command("undo", "undo", lambda answer: str(answer["undone"]))

    async def remember(self, note: str) -> str:
        return await self._command(
            "remember", "remember notes", lambda answer: str(answer["file"]), note=note
        )

    async def _command(
        self, method: str, doing: str, read: Callable[[dict[str, Any]], T], **params: Any
    ) -> T:
        """One of tau's command extensions, its answer ``read``; its errors come back as
        tau's own, and an answer that cannot be read is one too (never a traceback)."""
        if not self.extensions:
            raise CommandError(f"this agent cannot {doing} (ACP has no standard way)")
        try:
            answer = await self.call_extension(method, **params)
        except RequestError as exc:
            raise error_of(exc) from exc
        try:
            return read(answer)
        except _UNREADABLE as exc:
            raise TauError(
                f"the agent's answer to _tau/{method} was not understood: {exc}"
            ) from exc

    async def _refresh(self) -> None:
        """Fetch what ``messages``, ``usage`` and ``describe`` answer without waiting.

        A failure keeps what was known: the conversation itself goes on regardless.
        """
        if not self.extensions:
            return
        session = self._session_id
        try:
            messages, usage, description = await asyncio.gather(
                self.call_extension("messages"),
                self.call_extension("usage"),
                self.call_extension("describe"),
            )
            read = messages_of(messages), usage_of(usage), description_of(description)
        except (RequestError, ConnectionError, TauError, RuntimeError, *_UNREADABLE) as exc:
            _log.debug("could not refresh the session's state: %s", exc)
            return
        if session == self._session_id:
            self._messages, self._usage, self._description = read

    async def aclose(self) -> None:
        """Close the connection, then give the agent two seconds to exit before stopping it."""
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
        process = self._process
        if process is not None and process.returncode is None:
            if process.stdin is not None:
                with contextlib.suppress(Exception):
                    process.stdin.close()
            try:
                await asyncio.wait_for(process.wait(), 2)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), 2)
                except TimeoutError:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    await process.wait()
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)

    async def call_extension(self, method: str, **params: Any) -> dict[str, Any]:
        """One of tau's ``_tau/`` methods for this session (``permission_rules`` ...)."""
        return await self._connection().ext_method(
            f"tau/{method}", {"sessionId": self._session_id, **params}
        )

    # acp.Client: what the agent asks of us ----------------------------------------

    async def session_update(self, session_id: str, update: Any, **_: Any) -> None:
        if session_id != self._session_id or self._queue is None:
            return
        for event in self._events_of(update):
            self._queue.put_nowait(self._stamp(event))

    async def request_permission(
        self, options: list[PermissionOption], session_id: str, tool_call: ToolCallUpdate, **_: Any
    ) -> RequestPermissionResponse:
        request = _request_of(tool_call)
        decision = await self._in_turn(self._interaction.request_permission(request))
        wanted = {
            PermissionChoice.ALLOW_ONCE: ("allow_once", "allow_once"),
            PermissionChoice.ALLOW_SESSION: ("allow_session", "allow_once"),
            PermissionChoice.ALLOW_ALWAYS: ("allow_always", "allow_always"),
            PermissionChoice.DENY: ("deny", "reject_once"),
        }[decision.choice]
        chosen = next((o for o in options if o.option_id == wanted[0]), None) or next(
            (o for o in options if o.kind == wanted[1]), None
        )
        if chosen is None:
            return RequestPermissionResponse(outcome=DeniedOutcome(outcome="cancelled"))
        said = {"feedback": decision.feedback} if decision.feedback else {}
        return RequestPermissionResponse(
            outcome=AllowedOutcome(outcome="selected", option_id=chosen.option_id),
            field_meta={"tau": said} if said else None,
        )

    async def ext_method(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        body = {k: v for k, v in params.items() if k != "sessionId"}
        if method == "tau/approve_plan":
            plan = await self._in_turn(
                self._interaction.approve_plan(PlanApprovalRequest.model_validate(body))
            )
            return {
                "approved": plan.approved,
                "modeAfter": plan.mode_after,
                "feedback": plan.feedback,
            }
        if method == "tau/ask":
            answer = await self._in_turn(
                self._interaction.ask(QuestionRequest.model_validate(body))
            )
            return answer.model_dump(mode="json")
        if method == "tau/elicit":
            reply = await self._in_turn(
                self._interaction.elicit(ElicitationRequest.model_validate(body))
            )
            return reply.model_dump(mode="json")
        raise RequestError.method_not_found(f"_{method}")

    async def ext_notification(self, method: str, params: dict[str, Any]) -> None:
        if method == "tau/notice" and self._queue is not None:
            level = params.get("level")
            self._queue.put_nowait(
                self._stamp(
                    Notice(
                        level=level if level in ("info", "warning", "error") else "info",
                        message=str(params.get("message", "")),
                    )
                )
            )

    def on_connect(self, conn: Any) -> None:
        return None

    # ACP updates back into tau's events ---------------------------------------

    def _events_of(self, update: Any) -> list[Event]:
        if isinstance(update, AgentMessageChunk):
            text = _block_text(update.content)
            self._text.append(text)
            return [TextDelta(text=text)] if text else []
        if isinstance(update, AgentThoughtChunk):
            return [ReasoningDelta(text=_block_text(update.content))]
        if isinstance(update, UserMessageChunk):
            return [Injected(text=_block_text(update.content))]
        if isinstance(update, ToolCallStart):
            call = self._call_of(update)
            self._calls.append(call)
            if update.status in ("in_progress", "completed", "failed"):
                return [*self._end_of_step(), *self._progress(update, call)]
            return []
        if isinstance(update, ToolCallProgress):
            return self._progress(update, self._call_of(update))
        if isinstance(update, CurrentModeUpdate) and update.current_mode_id in _MODES:
            self.mode = update.current_mode_id  # type: ignore[assignment]
            return [ModeChanged(mode=self.mode)]
        return []

    def _progress(self, update: ToolCallStart | ToolCallProgress, call: ToolCall) -> list[Event]:
        events: list[Event] = []
        if update.status == "in_progress":
            events += self._end_of_step()
            events.append(ToolStarted(call=call, summary=update.title or _title(call)))
        elif update.status in ("completed", "failed"):
            events.append(
                ToolFinished(
                    call_id=call.id,
                    result=ToolResult(
                        text=_result_text(update), is_error=update.status == "failed"
                    ),
                )
            )
        return events

    def _end_of_step(self) -> list[Event]:
        """The assistant message the streamed text and announced calls made up, once."""
        if not self._text and not self._calls:
            return []
        message = Message.assistant("".join(self._text), list(self._calls))
        self._text, self._calls = [], []
        return [AssistantMessage(message=message)]

    def _call_of(self, update: ToolCallStart | ToolCallProgress) -> ToolCall:
        name = _meta_tool(update.field_meta) or self._names.get(update.tool_call_id)
        name = name or str(update.kind or "tool")
        self._names[update.tool_call_id] = name
        arguments = update.raw_input if isinstance(update.raw_input, dict) else {}
        return ToolCall(id=update.tool_call_id, name=name, arguments=arguments)

    # plumbing -----------------------------------------------------------------

    def _finished(self, turn: asyncio.Future[Any]) -> TurnFinished:
        error = turn.exception()
        if error is not None:
            return TurnFinished(
                reason="error", error=ErrorInfo(kind="acp", message=self._why(error))
            )
        stop = str(turn.result().stop_reason)
        reason = _STOPS.get(stop, "completed")
        if reason == "error":
            return TurnFinished(
                reason="error", error=ErrorInfo(kind="refusal", message="the agent refused")
            )
        return TurnFinished(reason=reason)

    def _why(self, error: BaseException) -> str:
        if isinstance(error, RequestError) and isinstance(error.data, dict):
            details = error.data.get("details")
            if details:
                return f"{error}: {details}"
        if isinstance(error, ConnectionError) and self.stderr:
            return f"the agent stopped: {self.stderr[-1]}"
        return str(error) or type(error).__name__

    async def _exit_story(self) -> str:
        """Why the agent went away: its exit code and its last words on stderr."""
        process = self._process
        code = None
        if process is not None:
            with contextlib.suppress(TimeoutError):
                code = await asyncio.wait_for(process.wait(), 2)
        said = f": {self.stderr[-1]}" if self.stderr else ""
        if code is None:
            return f"the agent closed the connection{said}"
        return f"the agent exited with code {code} before answering{said}"

    def _connection(self) -> ClientSideConnection:
        if self._conn is None:
            raise AgentGone("not connected to an agent")
        return self._conn

    def _stamp(self, event: Event) -> Event:
        return event.stamped(
            seq=next(self._seq), session_id=self._session_id, time=datetime.now(UTC)
        )

    async def _in_turn(self, question: Coroutine[Any, Any, T]) -> T:
        """Ask in the context of the code that submitted the turn, as in-process.

        The agent's requests arrive on the connection's own tasks; a UI's
        ``Interaction`` may rely on context its caller set (Textual's active app).
        """
        if self._context is None:
            return await question
        return await asyncio.create_task(question, context=self._context.copy())

    def _spawn(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        task.add_done_callback(_forget)

    async def _read_stderr(self) -> None:
        assert self._process is not None and self._process.stderr is not None
        async for line in self._process.stderr:
            self.stderr.append(line.decode("utf-8", "replace").rstrip())


def _spent(before: TokenUsage, after: TokenUsage) -> TokenUsage:
    """What a turn added to the session's tokens (and cost, when priced)."""
    cost = after.cost
    if cost is not None and before.cost is not None:
        cost = max(cost - before.cost, 0.0)
    return TokenUsage(
        prompt_tokens=max(after.prompt_tokens - before.prompt_tokens, 0),
        completion_tokens=max(after.completion_tokens - before.completion_tokens, 0),
        reasoning_tokens=max(after.reasoning_tokens - before.reasoning_tokens, 0),
        cached_tokens=max(after.cached_tokens - before.cached_tokens, 0),
        cost=cost,
    )


def _forget(task: asyncio.Task[Any]) -> None:
    """A background send that failed (the agent is gone) is not worth a warning."""
    if not task.cancelled() and task.exception() is not None:
        _log.debug("background send failed: %s", task.exception())


def _request_of(tool_call: ToolCallUpdate) -> PermissionRequest:
    """tau's request back from its ``_meta``; built from the ACP fields for other agents."""
    meta = (tool_call.field_meta or {}).get("tau")
    if isinstance(meta, dict) and isinstance(meta.get("request"), dict):
        with contextlib.suppress(ValueError):
            return PermissionRequest.model_validate(meta["request"])
    arguments = tool_call.raw_input if isinstance(tool_call.raw_input, dict) else {}
    diff = next(
        (c for c in tool_call.content or [] if isinstance(c, FileEditToolCallContent)), None
    )
    return PermissionRequest(
        tool_call_id=tool_call.tool_call_id,
        tool_name=str(tool_call.kind or "tool"),
        arguments=arguments,
        summary=tool_call.title or "a tool call",
        diff=_plain_diff(diff) if diff is not None else None,
        locations=[loc.path for loc in tool_call.locations or []],
    )


def _plain_diff(diff: FileEditToolCallContent) -> str:
    import difflib

    return "".join(
        difflib.unified_diff(
            (diff.old_text or "").splitlines(keepends=True),
            diff.new_text.splitlines(keepends=True),
            fromfile=diff.path,
            tofile=diff.path,
        )
    )


def _meta_tool(meta: dict[str, Any] | None) -> str | None:
    tau = (meta or {}).get("tau")
    name = tau.get("tool") if isinstance(tau, dict) else None
    return name if isinstance(name, str) else None


def _meta_count(meta: dict[str, Any] | None) -> int:
    tau = (meta or {}).get("tau")
    count = tau.get("messages") if isinstance(tau, dict) else None
    return count if isinstance(count, int) else 0


def _block_text(block: Any) -> str:
    return block.text if isinstance(block, TextContentBlock) else ""


def _result_text(update: ToolCallStart | ToolCallProgress) -> str:
    output = update.raw_output
    if isinstance(output, dict) and isinstance(output.get("text"), str):
        return str(output["text"])
    return "\n".join(
        _block_text(c.content)
        for c in update.content or []
        if isinstance(c, ContentToolCallContent)
    )


def _title(call: ToolCall) -> str:
    return call.name


def _parse_time(value: str | None) -> datetime:
    if value:
        with contextlib.suppress(ValueError):
            return datetime.fromisoformat(value)
    return datetime.fromtimestamp(0, UTC)
