"""tau's runtime events as ACP ``session/update`` notifications: the one place they meet.

Everything tau tells an ACP client passes through ``EventMapper``: text and
reasoning deltas become message and thought chunks, an assistant message's tool
calls become ``tool_call`` entries (pending until the permission check), tool
progress and results become ``tool_call_update``s with diffs and file locations,
the todo list and the approved plan's checklist become ``plan`` entries, and a
mode switch becomes ``current_mode_update``. ``replay`` turns a saved
conversation into the same updates, so a loaded session looks as it did live.

Events without an ACP counterpart (notices, compaction, skill activation) come
back as ``Extension`` notifications under ``_tau/``, which other clients ignore.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from acp.schema import (
    AgentMessageChunk,
    AgentPlanUpdate,
    AgentThoughtChunk,
    AvailableCommandsUpdate,
    ContentToolCallContent,
    CurrentModeUpdate,
    FileEditToolCallContent,
    ImageContentBlock,
    PermissionOption,
    PlanEntry,
    TextContentBlock,
    ToolCallLocation,
    ToolCallProgress,
    ToolCallStart,
    ToolCallUpdate,
    UsageUpdate,
    UserMessageChunk,
)
from pydantic import JsonValue

from tau_cli.core import (
    Event,
    ImagePart,
    Message,
    PermissionRequest,
    ReasoningDelta,
    SkillActivated,
    TextDelta,
    ToolCall,
    ToolResult,
)
from tau_cli.runtime.events import (
    AssistantMessage,
    Compacted,
    Injected,
    ModeChanged,
    Notice,
    ToolFinished,
    ToolProgress,
    ToolStarted,
    TurnFinished,
)

SessionUpdate = (
    AgentMessageChunk
    | AgentThoughtChunk
    | UserMessageChunk
    | ToolCallStart
    | ToolCallProgress
    | AgentPlanUpdate
    | AvailableCommandsUpdate
    | CurrentModeUpdate
    | UsageUpdate
)


@dataclass(frozen=True)
class Extension:
    """A ``_tau/...`` notification for what ACP has no update for."""

    method: str
    params: dict[str, JsonValue]


Outgoing = SessionUpdate | Extension

_KINDS = {
    "read": "read",
    "write": "edit",
    "edit": "edit",
    "glob": "search",
    "grep": "search",
    "bash": "execute",
    "bash_output": "execute",
    "web_fetch": "fetch",
    "todo": "think",
    "update_plan": "think",
    "propose_plan": "switch_mode",
    "enter_plan_mode": "switch_mode",
}
_PATH_KEYS = ("file_path", "path")
_STEP = re.compile(r"^\s*[-*] \[( |x|X)\] (.*)$")
_APPROVED_PLAN = re.compile(r'^<approved-plan path="([^"]+)">')
_RESULT_LIMIT = 4000
"""Characters of a tool's output shown in the editor (the model sees all of it)."""


def tool_kind(name: str) -> str:
    """ACP's kind of a tau tool, which editors use to pick an icon."""
    return _KINDS.get(name, "other")


def tool_title(call: ToolCall) -> str:
    """One line naming what the call does: ``bash: pytest -q``, ``edit calc.py``."""
    args = call.arguments
    for key in ("command", *_PATH_KEYS, "pattern", "url", "title"):
        value = args.get(key)
        if isinstance(value, str) and value:
            return f"{call.name}: {value.splitlines()[0][:120]}"
    return call.name


def _text(value: str) -> TextContentBlock:
    return TextContentBlock(type="text", text=value)


def _text_content(value: str) -> ContentToolCallContent:
    return ContentToolCallContent(type="content", content=_text(value))


@dataclass
class EventMapper:
    """Turns one session's runtime events into ACP updates, remembering what it needs.

    ``cwd`` resolves relative paths for locations and diffs; ``read_file`` reads a
    file's current text (None when absent), so an edit's diff can show the whole
    file before and after.
    """

    cwd: Path
    read_file: Callable[[Path], str | None]
    context_window: int = 128_000
    plan_path: Path | None = None
    todos: list[dict[str, Any]] = field(default_factory=list)
    _calls: dict[str, ToolCall] = field(default_factory=dict)
    _before: dict[str, tuple[Path, str | None]] = field(default_factory=dict)

    def map(self, event: Event) -> list[Outgoing]:
        """The ACP updates for one runtime event (often none, sometimes several)."""
        if isinstance(event, TextDelta):
            return [
                AgentMessageChunk(session_update="agent_message_chunk", content=_text(event.text))
            ]
        if isinstance(event, ReasoningDelta):
            if not event.text:
                return []
            return [
                AgentThoughtChunk(session_update="agent_thought_chunk", content=_text(event.text))
            ]
        if isinstance(event, AssistantMessage):
            return [self._announce(call) for call in event.message.tool_calls]
        if isinstance(event, ToolStarted):
            return [self._started(event.call)]
        if isinstance(event, ToolProgress):
            if not event.message:
                return []
            return [
                ToolCallProgress(
                    session_update="tool_call_update",
                    tool_call_id=event.call_id,
                    content=[_text_content(event.message)],
                )
            ]
        if isinstance(event, ToolFinished):
            return self._finished(event.call_id, event.result)
        if isinstance(event, Injected):
            return [
                UserMessageChunk(session_update="user_message_chunk", content=_text(event.text))
            ]
        if isinstance(event, ModeChanged):
            return [
                CurrentModeUpdate(session_update="current_mode_update", current_mode_id=event.mode)
            ]
        if isinstance(event, TurnFinished):
            return [self.usage(event.usage.prompt_tokens, event.usage.cost)]
        if isinstance(event, Notice):
            return [Extension("_tau/notice", {"level": event.level, "message": event.message})]
        if isinstance(event, Compacted):
            return [
                Extension(
                    "_tau/compacted",
                    {
                        "strategy": event.strategy,
                        "tokensBefore": event.tokens_before,
                        "tokensAfter": event.tokens_after,
                    },
                )
            ]
        if isinstance(event, SkillActivated):
            return [Extension("_tau/skill_activated", {"name": event.name, "reason": event.reason})]
        return []

    def usage(self, used: int, cost: float | None = None) -> UsageUpdate:
        from acp.schema import Cost

        return UsageUpdate(
            session_update="usage_update",
            used=used,
            size=self.context_window,
            cost=Cost(amount=cost, currency="USD") if cost is not None else None,
        )

    def permission_call(self, request: PermissionRequest) -> ToolCallUpdate:
        """The tool call a ``session/request_permission`` asks about, with its diff."""
        call = self._calls.get(request.tool_call_id) or ToolCall(
            id=request.tool_call_id, name=request.tool_name, arguments=request.arguments
        )
        content: list[Any] = []
        change = self._proposed_change(call)
        if change is not None:
            path, old, new = change
            content.append(
                FileEditToolCallContent(type="diff", path=str(path), old_text=old, new_text=new)
            )
        elif request.diff:
            content.append(_text_content(request.diff))
        if request.reason:
            content.append(_text_content(request.reason))
        locations = self._locations(call) or [
            ToolCallLocation(path=str(self._resolve(p))) for p in request.locations
        ]
        return ToolCallUpdate(
            tool_call_id=request.tool_call_id,
            title=request.summary or tool_title(call),
            kind=tool_kind(request.tool_name),
            status="pending",
            raw_input=dict(request.arguments),
            content=content or None,
            locations=locations or None,
            # a tau client rebuilds the exact request (summary, rule, diff) from this
            field_meta={"tau": {"request": request.model_dump(mode="json")}},
        )

    def replay(self, messages: Sequence[Message]) -> list[Outgoing]:
        """A saved conversation as the updates a client would have seen live."""
        out: list[Outgoing] = []
        results = {m.tool_call_id: m for m in messages if m.role == "tool"}
        for message in messages:
            if message.role == "user":
                if message.text:
                    out.append(
                        UserMessageChunk(
                            session_update="user_message_chunk", content=_text(message.text)
                        )
                    )
                out += [
                    UserMessageChunk(
                        session_update="user_message_chunk",
                        content=ImageContentBlock(
                            type="image", data=part.data, mime_type=part.media_type
                        ),
                    )
                    for part in message.parts
                    if isinstance(part, ImagePart) and part.data is not None
                ]
            elif message.role == "assistant":
                if message.reasoning:
                    out.append(
                        AgentThoughtChunk(
                            session_update="agent_thought_chunk", content=_text(message.reasoning)
                        )
                    )
                if message.text:
                    out.append(
                        AgentMessageChunk(
                            session_update="agent_message_chunk", content=_text(message.text)
                        )
                    )
                for call in message.tool_calls:
                    answer = results.get(call.id)
                    self._calls[call.id] = call
                    out.append(
                        ToolCallStart(
                            session_update="tool_call",
                            tool_call_id=call.id,
                            title=tool_title(call),
                            kind=tool_kind(call.name),
                            status="failed" if answer is None or answer.is_error else "completed",
                            raw_input=dict(call.arguments),
                            locations=self._locations(call) or None,
                            content=[_text_content(_clip(answer.text))] if answer else None,
                        )
                    )
                    if call.name == "todo" and answer is not None and not answer.is_error:
                        self.todos = _todos_of(call)
            elif message.role == "system":
                found = _APPROVED_PLAN.match(message.text)
                if found:
                    self.plan_path = Path(found.group(1))
        plan = self.plan()
        if plan is not None:
            out.append(plan)
        return out

    def plan(self) -> AgentPlanUpdate | None:
        """The todo list followed by the approved plan's checklist (None when both are empty)."""
        entries = [
            PlanEntry(content=str(t.get("content", "")), priority="medium", status=t["status"])
            for t in self.todos
            if t.get("status") in ("pending", "in_progress", "completed") and t.get("content")
        ]
        for done, step in self._plan_steps():
            entries.append(
                PlanEntry(
                    content=step, priority="medium", status="completed" if done else "pending"
                )
            )
        if not entries:
            return None
        return AgentPlanUpdate(session_update="plan", entries=entries)

    def approved_plan(self, messages: Sequence[Message]) -> None:
        """Note the newest approved plan pinned among ``messages`` (system messages)."""
        for message in messages:
            found = _APPROVED_PLAN.match(message.text)
            if found:
                self.plan_path = Path(found.group(1))

    def _plan_steps(self) -> list[tuple[bool, str]]:
        if self.plan_path is None:
            return []
        text = self.read_file(self.plan_path)
        if text is None:
            return []
        return [
            (m.group(1) != " ", m.group(2).strip())
            for m in map(_STEP.match, text.splitlines())
            if m
        ]

    def _announce(self, call: ToolCall) -> ToolCallStart:
        self._calls[call.id] = call
        return ToolCallStart(
            session_update="tool_call",
            tool_call_id=call.id,
            title=tool_title(call),
            kind=tool_kind(call.name),
            status="pending",
            raw_input=dict(call.arguments),
            locations=self._locations(call) or None,
            field_meta={"tau": {"tool": call.name}},
        )

    def _started(self, call: ToolCall) -> ToolCallProgress:
        self._calls[call.id] = call
        content: list[Any] | None = None
        change = self._proposed_change(call)
        if change is not None:
            path, old, new = change
            self._before[call.id] = (path, old)
            content = [
                FileEditToolCallContent(type="diff", path=str(path), old_text=old, new_text=new)
            ]
        return ToolCallProgress(
            session_update="tool_call_update",
            tool_call_id=call.id,
            status="in_progress",
            content=content,
            field_meta={"tau": {"tool": call.name}},
        )

    def _finished(self, call_id: str, result: ToolResult) -> list[Outgoing]:
        call = self._calls.get(call_id)
        content: list[Any] = []
        before = self._before.pop(call_id, None)
        if before is not None and not result.is_error:
            path, old = before
            new = self.read_file(path)
            if new is not None:
                content.append(
                    FileEditToolCallContent(type="diff", path=str(path), old_text=old, new_text=new)
                )
        if result.text:
            content.append(_text_content(_clip(result.text)))
        out: list[Outgoing] = [
            ToolCallProgress(
                session_update="tool_call_update",
                tool_call_id=call_id,
                status="failed" if result.is_error else "completed",
                content=content or None,
                raw_output={"text": _clip(result.text), "isError": result.is_error},
            )
        ]
        if call is None or result.is_error:
            return out
        if call.name == "todo":
            self.todos = _todos_of(call)
        elif call.name not in ("propose_plan", "update_plan"):
            return out
        plan = self.plan()
        if plan is not None:
            out.append(plan)
        return out

    def _resolve(self, value: str) -> Path:
        path = Path(value)
        return path if path.is_absolute() else self.cwd / path

    def _locations(self, call: ToolCall) -> list[ToolCallLocation]:
        for key in _PATH_KEYS:
            value = call.arguments.get(key)
            if isinstance(value, str) and value:
                line = call.arguments.get("offset")
                return [
                    ToolCallLocation(
                        path=str(self._resolve(value)),
                        line=line if isinstance(line, int) and line >= 0 else None,
                    )
                ]
        return []

    def _proposed_change(self, call: ToolCall) -> tuple[Path, str | None, str] | None:
        """For write and edit: the file, its text now, and its text after the call."""
        if call.name not in ("write", "edit"):
            return None
        raw = call.arguments.get("file_path") or call.arguments.get("path")
        if not isinstance(raw, str) or not raw:
            return None
        path = self._resolve(raw)
        old = self.read_file(path)
        if call.name == "write":
            content = call.arguments.get("content")
            return (path, old, content) if isinstance(content, str) else None
        find, replace = call.arguments.get("old_string"), call.arguments.get("new_string")
        if old is None or not isinstance(find, str) or not isinstance(replace, str):
            return None
        if find not in old:
            return None
        count = -1 if call.arguments.get("replace_all") is True else 1
        return path, old, old.replace(find, replace, count)


def permission_options(request: PermissionRequest) -> list[PermissionOption]:
    """The choices an editor shows for a tool call: once, always (with the rule), deny."""
    options = [PermissionOption(option_id="allow_once", name="Allow once", kind="allow_once")]
    if request.suggested_rule:
        options += [
            PermissionOption(
                option_id="allow_session",
                name=f"Allow {request.suggested_rule} for this session",
                kind="allow_always",
            ),
            PermissionOption(
                option_id="allow_always",
                name=f"Always allow {request.suggested_rule} in this project",
                kind="allow_always",
            ),
        ]
    options.append(PermissionOption(option_id="deny", name="Deny", kind="reject_once"))
    return options


def _todos_of(call: ToolCall) -> list[dict[str, Any]]:
    todos = call.arguments.get("todos")
    if not isinstance(todos, list):
        return []
    return [dict(t) for t in todos if isinstance(t, dict)]


def _clip(text: str) -> str:
    if len(text) <= _RESULT_LIMIT:
        return text
    return text[:_RESULT_LIMIT] + f"\n… ({len(text) - _RESULT_LIMIT} more characters)"
