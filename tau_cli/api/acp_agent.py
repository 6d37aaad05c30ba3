"""tau as an ACP agent: sessions, prompts, modes and tau's own extensions.

One ``AcpAgent`` serves one client connection. Each ACP session is a tau
runtime of its own (its folder, its MCP servers, its conversation); the ACP
session id is tau's session id, so ``session/load`` resumes a transcript saved
by any tau front end. Events reach the client through ``EventMapper``; decisions
come back through ``AcpInteraction``.

Request errors are ``RequestError``s, which the SDK turns into JSON-RPC error
responses; nothing a client sends ends the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from acp import PROTOCOL_VERSION, RequestError
from acp.schema import (
    AgentCapabilities,
    AvailableCommand,
    AvailableCommandsUpdate,
    ClientCapabilities,
    CurrentModeUpdate,
    FileSystemCapabilities,
    HttpMcpServer,
    Implementation,
    InitializeResponse,
    ListSessionsResponse,
    LoadSessionResponse,
    McpCapabilities,
    McpServerStdio,
    NewSessionResponse,
    PromptCapabilities,
    PromptResponse,
    SessionCapabilities,
    SessionListCapabilities,
    SessionMode,
    SessionModeState,
    SetSessionModeResponse,
    SseMcpServer,
    StopReason,
)
from acp.schema import SessionInfo as AcpSessionInfo
from pydantic import JsonValue

from tau_cli._version import __version__
from tau_cli.api.acp_commands import AGENT_COMMANDS, run_agent_command
from tau_cli.api.acp_files import EditorFiles, FileClient
from tau_cli.api.acp_interaction import AcpInteraction, PermissionAsker
from tau_cli.api.acp_mapping import EventMapper, Extension, Outgoing
from tau_cli.api.acp_prompt import Prompt, no_vision, read_prompt
from tau_cli.core import TauError, TokenUsage
from tau_cli.runtime.builder import Launch, build_runtime
from tau_cli.runtime.events import ToolFinished, TurnFinished
from tau_cli.runtime.interaction import NonInteractive
from tau_cli.runtime.paths import tau_home
from tau_cli.runtime.runtime import Runtime
from tau_cli.runtime.settings_loader import ResolvedSettings
from tau_cli.session import SessionNotFound, SessionStore
from tau_cli.skills import default_roots, discover_skills
from tau_cli.tools import Environment

if TYPE_CHECKING:
    from tau_cli.mcp import McpManager

_log = logging.getLogger(__name__)

MODES = (
    ("default", "Ask", "Ask before edits and commands that are not allowed by a rule."),
    ("accept_edits", "Accept edits", "Edit files in the project without asking."),
    ("plan", "Plan", "Only read and explore, then propose a plan for approval."),
    ("bypass", "Bypass", "Run every tool without asking (deny rules still apply)."),
)
_STOP_REASONS: dict[str, StopReason] = {
    "completed": "end_turn",
    "cancelled": "cancelled",
    "max_iterations": "max_turn_requests",
    "repeated_failure": "end_turn",
    "stopped_by_hook": "end_turn",
}

LoadSettings = Callable[[Path], ResolvedSettings]
"""Settings for a session working in a folder (the CLI's flags applied)."""


class SessionClient(PermissionAsker, FileClient, Protocol):
    """The part of the SDK's agent-side connection the agent uses."""

    async def session_update(self, session_id: str, update: Any, **kwargs: Any) -> None: ...

    async def ext_notification(self, method: str, params: dict[str, Any]) -> None: ...


@dataclass
class _Session:
    runtime: Runtime
    mapper: EventMapper
    resolved: ResolvedSettings
    mcp: McpManager | None = None
    turn: asyncio.Task[PromptResponse] | None = None
    last_usage: TokenUsage = field(default_factory=TokenUsage)
    cost: float = 0.0
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


class AcpAgent:
    """The ``acp.Agent`` that ``tau acp`` serves over stdio."""

    def __init__(self, load_settings: LoadSettings, *, environ: dict[str, str] | None = None):
        self._load_settings = load_settings
        self._environ = environ
        self._client: SessionClient | None = None
        self._extensions = False
        self._fs = FileSystemCapabilities()
        self._sessions: dict[str, _Session] = {}
        self._background: set[asyncio.Task[None]] = set()

    def on_connect(self, conn: Any) -> None:
        self._client = conn

    async def initialize(
        self,
        protocol_version: int,
        client_capabilities: ClientCapabilities | None = None,
        client_info: Implementation | None = None,
        **kwargs: Any,
    ) -> InitializeResponse:
        meta = (client_capabilities.field_meta if client_capabilities else None) or {}
        tau = meta.get("tau")
        self._extensions = isinstance(tau, dict) and tau.get("extensions") is True
        if client_capabilities is not None and client_capabilities.fs is not None:
            self._fs = client_capabilities.fs
        return InitializeResponse(
            protocol_version=min(protocol_version, PROTOCOL_VERSION),
            agent_capabilities=AgentCapabilities(
                load_session=True,
                prompt_capabilities=PromptCapabilities(
                    image=True, audio=False, embedded_context=True
                ),
                mcp_capabilities=McpCapabilities(http=True, sse=True),
                session_capabilities=SessionCapabilities(list=SessionListCapabilities()),
                field_meta={"tau": {"extensions": True}},
            ),
            agent_info=Implementation(name="tau", title="tau", version=__version__),
            auth_methods=[],
        )

    async def authenticate(self, method_id: str, **kwargs: Any) -> None:
        raise RequestError.invalid_params({"details": "tau needs no authentication"})

    async def new_session(
        self,
        cwd: str,
        mcp_servers: list[Any] | None = None,
        additional_directories: list[str] | None = None,
        **kwargs: Any,
    ) -> NewSessionResponse:
        folders = [cwd, *(additional_directories or [])]
        session = await self._open(cwd, mcp_servers or [], resume=None, folders=folders)
        session_id = session.runtime.session_id
        self._later(self._after_open(session_id, session))
        return NewSessionResponse(session_id=session_id, modes=self._modes(session))

    async def load_session(
        self,
        cwd: str,
        session_id: str,
        mcp_servers: list[Any] | None = None,
        additional_directories: list[str] | None = None,
        **kwargs: Any,
    ) -> LoadSessionResponse:
        if session_id in self._sessions:
            await self._close(session_id)
        folders = [cwd, *(additional_directories or [])]
        session = await self._open(cwd, mcp_servers or [], resume=session_id, folders=folders)
        messages = session.runtime.loop.session.messages
        for update in session.mapper.replay(messages):
            await self._send(session_id, update)
        self._later(self._after_open(session_id, session))
        return LoadSessionResponse(modes=self._modes(session))

    async def list_sessions(
        self, cwd: str | None = None, cursor: str | None = None, **kwargs: Any
    ) -> ListSessionsResponse:
        folder = Path(cwd) if cwd else None
        store = SessionStore()
        found = store.list(folder) if folder is not None else store.list()
        return ListSessionsResponse(
            sessions=[
                AcpSessionInfo(
                    session_id=s.id,
                    cwd=str(getattr(s, "cwd", "") or folder or ""),
                    title=s.title or None,
                    updated_at=s.updated_at.isoformat(),
                    field_meta={"tau": {"messages": s.message_count}},
                )
                for s in found
            ]
        )

    async def set_session_mode(
        self, mode_id: str, session_id: str, **kwargs: Any
    ) -> SetSessionModeResponse:
        session = self._session(session_id)
        if mode_id not in {m[0] for m in MODES}:
            known = ", ".join(m[0] for m in MODES)
            raise RequestError.invalid_params({"details": f"unknown mode {mode_id!r}; use {known}"})
        await session.runtime.set_mode(mode_id)  # type: ignore[arg-type]
        await self._send(
            session_id,
            CurrentModeUpdate(session_update="current_mode_update", current_mode_id=mode_id),
        )
        return SetSessionModeResponse()

    async def prompt(self, prompt: list[Any], session_id: str, **kwargs: Any) -> PromptResponse:
        session = self._session(session_id)
        if session.turn is not None and not session.turn.done():
            raise RequestError.invalid_request(
                {"details": "a prompt is already running in this session; cancel it first"}
            )
        asked = read_prompt(prompt)
        if asked.images and not session.runtime.capabilities.vision:
            raise no_vision(session.runtime.describe().model)
        session.turn = asyncio.ensure_future(self._run_turn(session_id, session, asked))
        return await session.turn

    async def cancel(self, session_id: str, **kwargs: Any) -> None:
        session = self._sessions.get(session_id)
        if session is not None:
            session.runtime.cancel()

    async def ext_method(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """tau's extensions; the SDK passes the method without its leading underscore."""
        session_id = params.get("sessionId")
        if method == "tau/fork" and isinstance(session_id, str):
            return await self._fork(session_id, params.get("at"))
        handler = _EXTENSIONS.get(method)
        command = AGENT_COMMANDS.get(method)
        if handler is None and command is None:
            raise RequestError.method_not_found(f"_{method}")
        if not isinstance(session_id, str):
            raise RequestError.invalid_params({"details": "sessionId is required"})
        session = self._session(session_id)
        if command is not None:
            return await run_agent_command(command, session.runtime, params)
        assert handler is not None
        return handler(self, session, params)

    async def ext_notification(self, method: str, params: dict[str, Any]) -> None:
        """``_tau/inject``: text typed while the agent works, for the model's next step."""
        session = self._sessions.get(str(params.get("sessionId")))
        text = params.get("text")
        if method == "tau/inject" and session is not None and isinstance(text, str):
            session.runtime.inject(text)
        else:
            _log.info("ignored extension notification %s", method)

    async def _fork(self, session_id: str, at: object) -> dict[str, Any]:
        """``_tau/fork``: continue in a copy of the conversation (its first ``at`` messages)."""
        session = self._session(session_id)
        if at is not None and (not isinstance(at, int) or at < 0):
            raise RequestError.invalid_params({"details": "at must be a message count"})
        try:
            forked = await session.runtime.fork_session(at)
        except (TauError, RuntimeError) as exc:
            raise RequestError.invalid_request({"details": str(exc)}) from exc
        self._sessions[forked] = self._sessions.pop(session_id)
        return {"sessionId": forked}

    async def aclose(self) -> None:
        for session_id in list(self._sessions):
            await self._close(session_id)

    async def _run_turn(self, session_id: str, session: _Session, asked: Prompt) -> PromptResponse:
        finished: TurnFinished | None = None
        async for event in session.runtime.submit(asked.text, images=asked.images):
            if isinstance(event, ToolFinished):  # a plan approved by this call is pinned now
                session.mapper.approved_plan(session.runtime.loop.pinned)
            for update in session.mapper.map(event):
                await self._send(session_id, update)
            if isinstance(event, TurnFinished):
                finished = event
                session.last_usage = event.usage
                session.cost += event.usage.cost or 0.0
        if finished is None or finished.reason == "error":
            message = finished.error.message if finished and finished.error else "the turn failed"
            raise RequestError.internal_error({"details": message})
        return PromptResponse(stop_reason=_STOP_REASONS[finished.reason])

    async def _open(
        self, cwd: str, servers: list[Any], *, resume: str | None, folders: list[str]
    ) -> _Session:
        folder = Path(cwd)
        if not folder.is_absolute() or not folder.is_dir():
            raise RequestError.invalid_params({"details": f"cwd {cwd!r} is not an absolute folder"})
        try:
            resolved = _with_servers(self._load_settings(folder), servers)
        except TauError as exc:
            raise RequestError.invalid_params({"details": str(exc)}) from exc
        holder: list[_Session] = []
        interaction = AcpInteraction(
            self._connection(),
            lambda: holder[0].runtime.session_id,
            lambda: holder[0].mapper,
            extensions=self._extensions,
        )
        editor_files: list[EditorFiles] = []

        def through_editor(inner: Environment) -> Environment:
            files = EditorFiles(
                inner,
                self._connection(),
                lambda: holder[0].runtime.session_id,
                roots=folders,
                read=bool(self._fs.read_text_file),
                write=bool(self._fs.write_text_file),
            )
            editor_files.append(files)
            return files

        uses_editor = bool(self._fs.read_text_file or self._fs.write_text_file)
        launch = Launch(
            cwd=folder,
            interaction=interaction,
            resume=resume,
            wrap_environment=through_editor if uses_editor else None,
        )
        manager: McpManager | None = None
        notices: list[str] = []
        if resolved.settings.mcp_servers or _has_mcp_files(resolved, self._env()):
            from tau_cli.runtime.mcp_wiring import start_mcp

            manager, notices = await start_mcp(
                resolved, interaction, self._env(), approvals=NonInteractive()
            )
        try:
            runtime = build_runtime(
                resolved, launch, environ=self._env(), mcp=manager, notices=notices
            )
        except TauError as exc:
            if manager is not None:
                await manager.aclose()
            if isinstance(exc, SessionNotFound):
                raise RequestError.resource_not_found(resume) from exc
            raise RequestError.invalid_params({"details": str(exc)}) from exc
        mapper = EventMapper(
            cwd=folder,
            read_file=_text_as_seen(editor_files[0] if editor_files else None),
            context_window=runtime.capabilities.context_window,
        )
        session = _Session(runtime=runtime, mapper=mapper, resolved=resolved, mcp=manager)
        holder.append(session)
        self._sessions[runtime.session_id] = session
        return session

    def _later(self, work: Awaitable[None]) -> None:
        """Send ``work``'s updates right after the response being written now.

        The response takes the connection's write lock before this task first runs,
        and the lock is first come, first served, so the client knows the session
        before its first update arrives.
        """

        async def run() -> None:
            try:
                await work
            except Exception:
                _log.exception("could not send session updates")

        task = asyncio.create_task(run())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _after_open(self, session_id: str, session: _Session) -> None:
        commands = [
            AvailableCommand(name=name, description=description)
            for name, description in _skill_commands(session.resolved, self._env())
        ]
        await self._send(
            session_id,
            AvailableCommandsUpdate(
                session_update="available_commands_update", available_commands=commands
            ),
        )

    def _modes(self, session: _Session) -> SessionModeState:
        return SessionModeState(
            current_mode_id=session.runtime.loop.policy.mode.value,
            available_modes=[
                SessionMode(id=mode, name=name, description=text) for mode, name, text in MODES
            ],
        )

    async def _send(self, session_id: str, update: Outgoing) -> None:
        client = self._connection()
        if isinstance(update, Extension):
            await client.ext_notification(
                update.method.removeprefix("_"), {"sessionId": session_id, **update.params}
            )
        else:
            await client.session_update(session_id=session_id, update=update)

    def _connection(self) -> SessionClient:
        if self._client is None:
            raise RequestError.internal_error({"details": "no client connection"})
        return self._client

    def _session(self, session_id: str) -> _Session:
        session = self._sessions.get(session_id)
        if session is None:
            raise RequestError.resource_not_found(session_id)
        return session

    async def _close(self, session_id: str) -> None:
        session = self._sessions.pop(session_id)
        session.runtime.cancel()
        with contextlib.suppress(Exception):
            await session.runtime.aclose()

    def _env(self) -> dict[str, str]:
        return dict(os.environ) if self._environ is None else self._environ


def _with_servers(resolved: ResolvedSettings, servers: list[Any]) -> ResolvedSettings:
    """The settings with the client's MCP servers added (they win over same-named ones)."""
    if not servers:
        return resolved
    added: dict[str, dict[str, JsonValue]] = {}
    for server in servers:
        if isinstance(server, McpServerStdio):
            added[server.name] = {
                "command": server.command,
                "args": list(server.args),
                "env": {e.name: e.value for e in server.env},
            }
        elif isinstance(server, HttpMcpServer | SseMcpServer):
            added[server.name] = {
                "type": server.type,
                "url": server.url,
                "headers": {h.name: h.value for h in server.headers},
            }
        else:
            raise RequestError.invalid_params({"details": "unsupported MCP server transport"})
    settings = resolved.settings.model_copy(
        update={"mcp_servers": {**resolved.settings.mcp_servers, **added}}
    )
    return dataclasses.replace(resolved, settings=settings)


def _has_mcp_files(resolved: ResolvedSettings, env: dict[str, str]) -> bool:
    root = resolved.project_root
    candidates = [tau_home(env) / "mcp.json", root / ".mcp.json", root / ".tau" / "mcp.json"]
    return any(path.is_file() for path in candidates)


def _skill_commands(resolved: ResolvedSettings, env: dict[str, str]) -> list[tuple[str, str]]:
    configured = [Path(p).expanduser() for p in resolved.settings.skills.paths]
    catalog = discover_skills(default_roots(resolved.project_root, tau_home(env), configured))
    return [(s.name, s.description) for s in catalog.skills.values()]


def _text_as_seen(files: EditorFiles | None) -> Callable[[Path], str | None]:
    """A file's text for an edit's diff: the editor's, as the model read it, else the disk's."""

    def read(path: Path) -> str | None:
        seen = files.text_seen(str(path)) if files is not None else None
        return seen if seen is not None else _read_text(path)

    return read


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


# --- tau's extension methods (``_tau/...``) ---------------------------------------


def _rules(agent: AcpAgent, session: _Session, params: dict[str, Any]) -> dict[str, Any]:
    policy = session.runtime.loop.policy
    return {"mode": policy.mode.value, **policy.rules, "granted": policy.grants}


def _add_rule(agent: AcpAgent, session: _Session, params: dict[str, Any]) -> dict[str, Any]:
    rule, behavior = params.get("rule"), params.get("behavior", "allow")
    if not isinstance(rule, str) or behavior not in ("allow", "ask", "deny"):
        raise RequestError.invalid_params(
            {"details": "give 'rule' (e.g. 'Bash(npm test:*)') and 'behavior' allow/ask/deny"}
        )
    try:
        session.runtime.loop.policy.add_rule(rule, behavior)
    except (TauError, ValueError) as exc:
        raise RequestError.invalid_params({"details": str(exc)}) from exc
    return _rules(agent, session, params)


def _skills(agent: AcpAgent, session: _Session, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "skills": [
            {"name": name, "description": description}
            for name, description in _skill_commands(session.resolved, agent._env())
        ]
    }


def _mcp_servers(agent: AcpAgent, session: _Session, params: dict[str, Any]) -> dict[str, Any]:
    if session.mcp is None:
        return {"servers": []}
    return {"servers": [s.model_dump(mode="json") for s in session.mcp.statuses()]}


def _context(agent: AcpAgent, session: _Session, params: dict[str, Any]) -> dict[str, Any]:
    runtime = session.runtime
    return {
        "sessionId": runtime.session_id,
        "messages": len(runtime.loop.session.messages),
        "contextWindow": runtime.capabilities.context_window,
        "lastTurn": session.last_usage.model_dump(mode="json"),
        "cost": session.cost,
        "mode": runtime.loop.policy.mode.value,
        "environment": runtime.environment,
    }


_EXTENSIONS: dict[str, Callable[[AcpAgent, _Session, dict[str, Any]], dict[str, Any]]] = {
    "tau/permission_rules": _rules,
    "tau/permission_rules/add": _add_rule,
    "tau/skills": _skills,
    "tau/mcp_servers": _mcp_servers,
    "tau/context": _context,
}
