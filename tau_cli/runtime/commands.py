"""What a user can type besides a prompt: slash commands, ``!command`` and ``#note``.

One table and one interpreter for every front end: the TUI and the plain REPL each
pass what was typed to ``interpret`` with their ``RuntimeClient`` and draw the
``Outcome`` their own way (a notice, a picker, plain text). Nothing here prints or
prompts. Skills (``/skill-name``) and MCP prompts (``/mcp__server__prompt``) are not
run here: they go to the runtime as prompts, which expands them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Literal

from tau_cli.core import TauError, TokenUsage, ToolResult
from tau_cli.runtime.client import RuntimeClient, SessionInfo
from tau_cli.runtime.settings import PermissionMode


@dataclass(frozen=True)
class Command:
    """A built-in slash command, as completion lists and ``/help`` show it."""

    name: str
    summary: str
    usage: str = ""
    """What follows the name, as a hint (``[focus]``, ``MODE``)."""


COMMANDS: tuple[Command, ...] = (
    Command("/help", "commands and keys"),
    Command("/clear", "start a new conversation (the old one stays in /sessions)"),
    Command("/compact", "condense older context now", "[focus]"),
    Command("/plan", "plan mode: read-only exploration, then a plan to approve"),
    Command("/mode", "default, accept_edits or plan (Shift+Tab steps through them)", "MODE"),
    Command("/model", "show the model, or switch to another", "[provider:model]"),
    Command("/permissions", "the permission rules in force and where each was set"),
    Command("/memory", "the memory files loaded here and what they cost"),
    Command("/skills", "the skills available here"),
    Command("/mcp", "MCP servers: status, tools, recent errors"),
    Command("/sessions", "earlier conversations in this project"),
    Command("/resume", "continue an earlier conversation", "[id]"),
    Command("/undo", "put the files back as they were before the last turn"),
    Command("/cost", "tokens and cost of this conversation"),
    Command("/quit", "leave"),
)
"""The built-in commands, in the order ``/help`` lists them."""

_ALIASES = {"/exit": "/quit"}
INPUT_HELP = (
    "!COMMAND  run a shell command yourself; tau sees it and its output\n"
    "#NOTE     remember NOTE in the project's memory file\n"
    "@PATH     attach a file (@server:uri: an MCP resource)"
)

Action = Literal["show", "quit", "cleared", "resumed", "pick_session", "mode", "model", "shell"]


@dataclass(frozen=True)
class Outcome:
    """What a command did, for the front end to draw."""

    action: Action = "show"
    text: str = ""
    level: Literal["info", "warning", "error"] = "info"
    mode: PermissionMode | None = None
    """The mode switched to (``mode``)."""
    sessions: Sequence[SessionInfo] = field(default_factory=tuple)
    """What to pick from (``pick_session``)."""
    command: str = ""
    result: ToolResult | None = None
    """The shell command's result (``shell``)."""


def command_name(text: str) -> str | None:
    """The command ``text`` starts with (``/mode`` for ``/mode plan``), or None.

    ``/etc/hosts is wrong`` is a message that starts with a path, not a command.
    """
    if not text.startswith("/"):
        return None
    name = text.split(maxsplit=1)[0]
    if len(name) < 2 or "/" in name[1:]:
        return None
    return _ALIASES.get(name, name)


async def interpret(
    client: RuntimeClient,
    text: str,
    *,
    modes: Sequence[PermissionMode],
    extra: Collection[str] = (),
    keys: str = "",
) -> Outcome | None:
    """Run ``text`` if it is a command, ``!command`` or ``#note``; None: it is a prompt.

    Args:
        client: the runtime the command acts on.
        text: what the user typed (stripped).
        modes: the modes ``/mode`` accepts here.
        extra: the runtime's own commands (skills, MCP prompts): they are prompts.
        keys: the front end's keys, for ``/help``.
    """
    try:
        if text.startswith("!") and text[1:].strip():
            command = text[1:].strip()
            return Outcome("shell", command=command, result=await client.run_shell(command))
        if text.startswith("#") and text[1:].strip():
            where = await client.remember(text[1:])
            return Outcome(text=f"remembered in {where}")
        name = command_name(text)
        if name is None or name in extra:
            return None
        argument = text[len(text.split(maxsplit=1)[0]) :].strip()
        if name == "/help":
            return Outcome(text="\n".join(filter(None, [help_text(extra), keys])))
        return await _builtin(client, name, argument, modes)
    except (TauError, RuntimeError, ValueError) as exc:
        return Outcome(text=str(exc), level="error")


async def _builtin(
    client: RuntimeClient, name: str, argument: str, modes: Sequence[PermissionMode]
) -> Outcome:
    match name:
        case "/quit":
            return Outcome("quit")
        case "/plan" | "/mode":
            mode = "plan" if name == "/plan" else argument
            if mode not in modes:
                return Outcome(text=f"usage: /mode {'|'.join(modes)}", level="warning")
            await client.set_mode(mode)  # type: ignore[arg-type]  # checked against modes
            return Outcome("mode", text=f"mode: {mode}", mode=mode)  # type: ignore[arg-type]
        case "/clear":
            session = await client.new_session()
            return Outcome("cleared", text=f"new conversation {session}")
        case "/compact":
            compacted = await client.compact(argument or None)
            if compacted is None:
                return Outcome(text="nothing to compact yet")
            return Outcome(
                text=f"context compacted: {compacted.tokens_before:,} → "
                f"{compacted.tokens_after:,} tokens"
            )
        case "/model":
            if argument:
                await client.set_model(argument)
                return Outcome("model", text=f"model: {argument}")
            return Outcome(text=f"model: {client.describe().model}")
        case "/cost":
            return Outcome(text=cost_text(client.usage()))
        case "/permissions":
            return Outcome(text=_rules(client))
        case "/mcp":
            return Outcome(text=_servers(client))
        case "/memory":
            return Outcome(text=client.describe().memory or "no memory files are loaded")
        case "/skills":
            return Outcome(text=await _skills(client))
        case "/sessions" | "/resume":
            if argument:
                session = await client.resume_session(_session_id(client, argument))
                return Outcome("resumed", text=f"resumed {session}")
            sessions = client.list_sessions()
            if not sessions:
                return Outcome(text="no saved conversations in this project yet")
            return Outcome("pick_session", text=sessions_text(sessions), sessions=sessions)
        case "/undo":
            return Outcome(text=f"undone: {await client.undo()}")
    return Outcome(text=f"unknown command {name}; /help lists them", level="warning")


def help_text(extra: Collection[str] = ()) -> str:
    width = max(len(c.name) + len(c.usage) + 1 for c in COMMANDS)
    lines = [f"{f'{c.name} {c.usage}'.strip():<{width}}  {c.summary}" for c in COMMANDS]
    if extra:
        lines.append("also: " + " ".join(sorted(extra)))
    lines.append(INPUT_HELP)
    return "\n".join(lines)


def cost_text(usage: TokenUsage) -> str:
    parts = [
        f"{usage.total_tokens:,} tokens: {usage.prompt_tokens:,} in "
        f"({usage.cached_tokens:,} cached), {usage.completion_tokens:,} out"
    ]
    if usage.reasoning_tokens:
        parts.append(f"{usage.reasoning_tokens:,} of them reasoning")
    parts.append(f"cost ${usage.cost:.4f}" if usage.cost is not None else "no prices configured")
    return " · ".join(parts)


def sessions_text(sessions: Sequence[SessionInfo]) -> str:
    lines = [
        f"{i:>2}. {s.updated_at:%Y-%m-%d %H:%M}  {s.message_count:>4} messages  "
        f"{s.title or '(untitled)'}  [{s.id}]"
        for i, s in enumerate(sessions, 1)
    ]
    return "\n".join(lines)


def _session_id(client: RuntimeClient, argument: str) -> str:
    """An id, or the number a session list gave it."""
    if argument.isdigit():
        sessions = client.list_sessions()
        if 1 <= int(argument) <= len(sessions):
            return sessions[int(argument) - 1].id
    return argument


def _rules(client: RuntimeClient) -> str:
    rules = client.describe().rules
    if not rules:
        return "no permission rules: every action that needs a question asks"
    width = max(len(r.rule) for r in rules)
    return "\n".join(f"{r.kind:<5}  {r.rule:<{width}}  {r.source}" for r in rules)


def _servers(client: RuntimeClient) -> str:
    servers = client.describe().mcp_servers
    if not servers:
        return "no MCP servers are configured (tau mcp add, or .mcp.json)"
    lines = []
    for s in servers:
        tools = f"{s.tool_count} tool{'s' if s.tool_count != 1 else ''}"
        line = f"{s.name}  {s.transport}  {s.state}  {tools}"
        if s.error:
            line += f"  ({s.error})"
        lines.append(line)
        lines.extend(f"    {tail}" for tail in s.stderr_tail.splitlines()[-5:])
    return "\n".join(lines)


async def _skills(client: RuntimeClient) -> str:
    skills = [c for c in (await client.completions()).commands if c.source == "skill"]
    if not skills:
        return "no skills found (.tau/skills, ~/.tau/skills, skills/)"
    width = max(len(s.name) for s in skills)
    return "\n".join(f"{s.name:<{width}}  {s.description}" for s in skills)
