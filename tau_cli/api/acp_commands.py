"""The user's commands over ACP: tau's ``_tau/`` methods behind ``/model``, ``/compact``,
``!command``, ``#note``, ``/undo``, ``/cost`` and the rest.

Both sides live here so the wire format is written once: ``AGENT_COMMANDS`` are the
agent's handlers (each calls the session's ``Runtime`` and answers JSON), and the
``*_of`` functions turn those answers back into the ``RuntimeClient`` types.

An error meant for the user (``CommandError``: a turn is running, a bad model name;
``CheckpointError``: nothing to undo) goes back as a JSON-RPC error that names its
type, and ``error_of`` raises the same type on the client, so the TUI shows the
same sentence whether the runtime is in-process or behind ``tau --connect``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

from acp import RequestError

from tau_cli.core import Message, TauError, TokenUsage, ToolResult
from tau_cli.runtime.checkpoints import CheckpointError
from tau_cli.runtime.client import (
    CommandInfo,
    Completions,
    McpServerInfo,
    RuleInfo,
    RuntimeDescription,
)
from tau_cli.runtime.events import Compacted
from tau_cli.runtime.runtime import Runtime
from tau_cli.runtime.workspace import CommandError

__all__ = [
    "AGENT_COMMANDS",
    "compacted_of",
    "completions_of",
    "description_of",
    "error_of",
    "messages_of",
    "run_agent_command",
    "tool_result_of",
    "usage_of",
]

_USER_ERRORS: dict[str, type[TauError]] = {
    "CommandError": CommandError,
    "CheckpointError": CheckpointError,
}
"""The errors a command may end with that the client raises as themselves."""

AgentCommand = Callable[[Runtime, dict[str, Any]], Awaitable[dict[str, Any]]]


async def _messages(runtime: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    return {"messages": [m.model_dump(mode="json") for m in runtime.messages()]}


async def _usage(runtime: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    return {"usage": runtime.usage().model_dump(mode="json")}


async def _describe(runtime: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    return dataclasses.asdict(runtime.describe())


async def _completions(runtime: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    return dataclasses.asdict(await runtime.completions())


async def _set_model(runtime: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    await runtime.set_model(_text(params, "model"))
    return {"model": runtime.describe().model}


async def _compact(runtime: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    focus = params.get("focus")
    if focus is not None and not isinstance(focus, str):
        raise RequestError.invalid_params({"details": "focus must be text"})
    compacted = await runtime.compact(focus)
    return {"compacted": compacted.model_dump(mode="json") if compacted is not None else None}


async def _run_shell(runtime: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    result = await runtime.run_shell(_text(params, "command"))
    return {"result": result.model_dump(mode="json")}


async def _undo(runtime: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    return {"undone": await runtime.undo()}


async def _remember(runtime: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    return {"file": await runtime.remember(_text(params, "note"))}


def _text(params: dict[str, Any], key: str) -> str:
    value = params.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RequestError.invalid_params({"details": f"{key} is required"})
    return value


AGENT_COMMANDS: dict[str, AgentCommand] = {
    "tau/messages": _messages,
    "tau/usage": _usage,
    "tau/describe": _describe,
    "tau/completions": _completions,
    "tau/set_model": _set_model,
    "tau/compact": _compact,
    "tau/run_shell": _run_shell,
    "tau/undo": _undo,
    "tau/remember": _remember,
}
"""The agent's handlers, by method (as the SDK passes it, without the leading ``_``)."""


async def run_agent_command(
    command: AgentCommand, runtime: Runtime, params: dict[str, Any]
) -> dict[str, Any]:
    """Run ``command``; tau's own errors become JSON-RPC errors that name their type."""
    try:
        return await command(runtime, params)
    except TauError as exc:
        name = type(exc).__name__
        data = {"details": str(exc), "tau": {"error": name if name in _USER_ERRORS else "TauError"}}
        if name in _USER_ERRORS:
            raise RequestError.invalid_request(data) from exc
        raise RequestError.internal_error(data) from exc


def error_of(error: RequestError) -> TauError:
    """The error a command's JSON-RPC error stands for, with the agent's own words."""
    data = error.data if isinstance(error.data, dict) else {}
    tau = data.get("tau")
    name = tau.get("error") if isinstance(tau, dict) else None
    details = data.get("details")
    message = str(details) if details else str(error)
    return _USER_ERRORS.get(str(name), TauError)(message)


def messages_of(answer: dict[str, Any]) -> list[Message]:
    return [Message.model_validate(m) for m in answer.get("messages") or []]


def usage_of(answer: dict[str, Any]) -> TokenUsage:
    return TokenUsage.model_validate(answer.get("usage") or {})


def description_of(answer: dict[str, Any]) -> RuntimeDescription:
    return RuntimeDescription(
        model=str(answer.get("model", "")),
        environment=str(answer.get("environment", "")),
        rules=[RuleInfo(**r) for r in answer.get("rules") or []],
        mcp_servers=[McpServerInfo(**s) for s in answer.get("mcp_servers") or []],
        memory=str(answer.get("memory", "")),
    )


def completions_of(answer: dict[str, Any]) -> Completions:
    return Completions(
        commands=[
            CommandInfo(**{**c, "arguments": tuple(c.get("arguments") or ())})
            for c in answer.get("commands") or []
        ],
        files=[str(f) for f in answer.get("files") or []],
        resources=[str(r) for r in answer.get("resources") or []],
    )


def compacted_of(answer: dict[str, Any]) -> Compacted | None:
    raw = answer.get("compacted")
    return Compacted.model_validate(raw) if raw is not None else None


def tool_result_of(answer: dict[str, Any]) -> ToolResult:
    return ToolResult.model_validate(answer.get("result") or {})
