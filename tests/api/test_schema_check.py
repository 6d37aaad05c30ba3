"""The schema check the ACP tests rely on rejects what ACP does not allow."""

from __future__ import annotations

import jsonschema
import pytest
from acp.connection import StreamDirection, StreamEvent

from .conftest import SchemaRecorder


def update(body: dict[str, object]) -> StreamEvent:
    message = {
        "jsonrpc": "2.0",
        "method": "session/update",
        "params": {"sessionId": "s1", "update": body},
    }
    return StreamEvent(StreamDirection.INCOMING, message)


def test_a_well_formed_tool_call_passes() -> None:
    wire = SchemaRecorder()
    wire(update({"sessionUpdate": "tool_call", "toolCallId": "c1", "title": "read: a.py"}))
    assert wire.updates("tool_call")[0]["toolCallId"] == "c1"


@pytest.mark.parametrize(
    "body",
    [
        {"sessionUpdate": "tool_call", "title": "no id"},
        {"sessionUpdate": "tool_call", "toolCallId": "c1", "title": "t", "status": "running"},
        {"sessionUpdate": "plan", "entries": [{"content": "x", "status": "pending"}]},
        {"sessionUpdate": "agent_message_chunk", "content": {"text": "no type"}},
    ],
)
def test_a_malformed_update_is_caught_even_if_an_sdk_would_accept_it(
    body: dict[str, object],
) -> None:
    with pytest.raises(jsonschema.ValidationError):
        SchemaRecorder()(update(body))


def test_a_result_is_checked_against_the_response_of_the_method_asked() -> None:
    wire = SchemaRecorder()
    asked = {"jsonrpc": "2.0", "id": 7, "method": "session/new", "params": {}}
    wire(StreamEvent(StreamDirection.OUTGOING, asked))
    with pytest.raises(jsonschema.ValidationError):
        wire(StreamEvent(StreamDirection.INCOMING, {"jsonrpc": "2.0", "id": 7, "result": {}}))


def test_a_failure_is_kept_for_the_end_of_the_test_as_the_sdk_swallows_it() -> None:
    wire = SchemaRecorder()
    with pytest.raises(jsonschema.ValidationError):  # the SDK logs this and goes on
        wire(update({"sessionUpdate": "tool_call", "title": "no id"}))
    with pytest.raises(AssertionError, match="tau sent what ACP does not allow"):
        wire.check()
