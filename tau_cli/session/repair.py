"""Keeping a transcript valid to send: every tool call answered, no stray results.

Providers reject a history in which an assistant's tool call has no result (or a
result answers no call). That happens in ordinary use: Esc while a tool runs, a
crash between a call and its result, a stream cut mid-call. tau answers such calls
with a synthesized *interrupted* error result, on cancel and on resume, so the
model learns what happened and the next request is accepted.
"""

from __future__ import annotations

from collections.abc import Sequence

from tau_cli.core import Message, ToolCall, ToolResult

INTERRUPTED = (
    "Interrupted: this tool call was stopped before it finished (the user cancelled "
    "or tau exited), so there is no result. Run it again if it is still needed."
)
"""The text of a synthesized result for a call that never got its own."""


def interrupted_result(call: ToolCall) -> Message:
    """The tool message that stands in for ``call``'s missing result."""
    return Message.tool(call, ToolResult.error(INTERRUPTED))


def pending_calls(messages: Sequence[Message]) -> list[ToolCall]:
    """Calls of the last assistant message that have no result yet, in call order.

    Only the trailing group can be pending: results follow their call directly, so
    once anything else is appended, earlier calls are either answered or orphaned
    (and ``repaired`` handles orphans).
    """
    answered: set[str] = set()
    for message in reversed(messages):
        if message.role == "tool" and message.tool_call_id is not None:
            answered.add(message.tool_call_id)
            continue
        if message.role == "assistant" and message.tool_calls:
            return [call for call in message.tool_calls if call.id not in answered]
        return []
    return []


def repaired(messages: Sequence[Message]) -> list[Message]:
    """``messages`` with every call answered right after it and stray results dropped.

    A missing result gets an interrupted one at the end of its call's group; a tool
    message that answers no call of the assistant message just before it (or
    answers one twice) is dropped. A valid history comes back unchanged.
    """
    out: list[Message] = []
    open_calls: list[ToolCall] = []
    answered: set[str] = set()

    def close_group() -> None:
        out.extend(interrupted_result(c) for c in open_calls if c.id not in answered)
        open_calls.clear()
        answered.clear()

    for message in messages:
        if message.role == "tool":
            ids = {c.id for c in open_calls}
            if message.tool_call_id in ids and message.tool_call_id not in answered:
                answered.add(message.tool_call_id or "")
                out.append(message)
            continue
        close_group()
        out.append(message)
        if message.role == "assistant":
            open_calls.extend(message.tool_calls)
    close_group()
    return out


def orphans(messages: Sequence[Message]) -> list[str]:
    """Why ``messages`` would be rejected: one line per unanswered call or stray result."""
    problems: list[str] = []
    open_ids: list[str] = []
    answered: set[str] = set()
    for index, message in enumerate(messages):
        if message.role == "tool":
            if message.tool_call_id not in open_ids or message.tool_call_id in answered:
                problems.append(f"message {index}: result for unknown call {message.tool_call_id}")
            answered.add(message.tool_call_id or "")
            continue
        problems.extend(f"call {c} has no result" for c in open_ids if c not in answered)
        open_ids = [c.id for c in message.tool_calls]
        answered = set()
    problems.extend(f"call {c} has no result" for c in open_ids if c not in answered)
    return problems
