"""Driving ``tau acp`` as an editor would: a real process, the ACP SDK's client side,
the scripted model server on 127.0.0.1, and every message tau sends checked
against ACP's published JSON Schema.

``acp-schema-v1.json`` is ACP's schema as published (``schema/v1/schema.json`` of
the ``@agentclientprotocol/sdk`` 2.4.0 package, Apache-2.0). The Python SDK
ships only models generated from it, which accept more than the schema allows,
so the raw messages are validated here, each against the definition its method
names, not only against the loose union of all messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from acp import PROTOCOL_VERSION, spawn_agent_process
from acp.client.connection import ClientSideConnection
from acp.connection import StreamDirection, StreamEvent
from acp.schema import (
    AllowedOutcome,
    ClientCapabilities,
    DeniedOutcome,
    FileSystemCapabilities,
    PermissionOption,
    RequestPermissionResponse,
    ToolCallUpdate,
)

from tau_cli.testing import ScriptedModelServer

pytest.register_assert_rewrite("tau_cli.tools.contract")  # EditorFiles passes the contract

TAU = str(Path(sys.executable).with_name("tau"))
_SCHEMA = json.loads((Path(__file__).parent / "acp-schema-v1.json").read_text())
_RESULTS = {
    "initialize": "InitializeResponse",
    "session/new": "NewSessionResponse",
    "session/load": "LoadSessionResponse",
    "session/list": "ListSessionsResponse",
    "session/prompt": "PromptResponse",
    "session/set_mode": "SetSessionModeResponse",
}
_PARAMS = {
    "session/update": "SessionNotification",
    "session/request_permission": "RequestPermissionRequest",
    "fs/read_text_file": "ReadTextFileRequest",
    "fs/write_text_file": "WriteTextFileRequest",
}


_ANY_MESSAGE = jsonschema.Draft202012Validator(_SCHEMA)
_BY_DEFINITION: dict[str, jsonschema.Draft202012Validator] = {}


def _check(definition: str, value: Any) -> None:
    """Validate ``value`` against one of the schema's definitions (validators cached)."""
    validator = _BY_DEFINITION.get(definition)
    if validator is None:
        schema = {"$ref": f"#/$defs/{definition}", "$defs": _SCHEMA["$defs"]}
        validator = _BY_DEFINITION[definition] = jsonschema.Draft202012Validator(schema)
    validator.validate(value)


class SchemaRecorder:
    """Sees every raw message on the wire and validates what the agent sent.

    The SDK logs and swallows what an observer raises, so each failure is also kept in
    ``problems``; ``check`` (run as each test's connection closes) fails the test with them.
    """

    def __init__(self) -> None:
        self.sent_by_tau: list[dict[str, Any]] = []
        self.problems: list[str] = []
        self._asked: dict[Any, str] = {}

    def __call__(self, event: StreamEvent) -> None:
        try:
            self._record(event)
        except (jsonschema.ValidationError, AssertionError) as exc:
            self.problems.append(f"{str(exc).splitlines()[0]} in {event.message}")
            raise

    def check(self) -> None:
        assert not self.problems, "tau sent what ACP does not allow:\n" + "\n".join(self.problems)

    def _record(self, event: StreamEvent) -> None:
        message = event.message
        if event.direction is StreamDirection.OUTGOING:
            if "method" in message and "id" in message:
                self._asked[message["id"]] = message["method"]
            return
        self.sent_by_tau.append(message)
        _ANY_MESSAGE.validate(message)
        method = message.get("method")
        if method is not None:
            if method in _PARAMS:
                _check(_PARAMS[method], message["params"])
            else:
                assert method.startswith("_tau/"), f"tau sent an unknown method {method}"
        elif "error" in message:
            _check("Error", message["error"])
        else:
            asked = self._asked.get(message["id"], "")
            if asked in _RESULTS:
                _check(_RESULTS[asked], message["result"])
            else:
                assert asked.startswith("_tau/"), f"a result for an unknown request {asked}"

    def updates(self, kind: str | None = None) -> list[dict[str, Any]]:
        found = [
            m["params"]["update"] for m in self.sent_by_tau if m.get("method") == "session/update"
        ]
        return [u for u in found if kind is None or u["sessionUpdate"] == kind]


@dataclass
class Editor:
    """The ACP client's side: answers permission questions from a list, records the rest."""

    answers: list[str] = field(default_factory=list)
    """Option ids to pick, in order; "cancelled" answers with the cancelled outcome."""
    asked: list[tuple[ToolCallUpdate, list[PermissionOption]]] = field(default_factory=list)
    notifications: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    plan_answers: list[dict[str, Any]] = field(default_factory=list)
    permission_asked: asyncio.Event = field(default_factory=asyncio.Event)

    async def request_permission(
        self, options: list[PermissionOption], session_id: str, tool_call: ToolCallUpdate, **_: Any
    ) -> RequestPermissionResponse:
        self.asked.append((tool_call, options))
        self.permission_asked.set()
        answer = self.answers.pop(0) if self.answers else "cancelled"
        if answer == "cancelled":
            return RequestPermissionResponse(outcome=DeniedOutcome(outcome="cancelled"))
        return RequestPermissionResponse(
            outcome=AllowedOutcome(outcome="selected", option_id=answer)
        )

    async def session_update(self, session_id: str, update: Any, **_: Any) -> None:
        return None

    async def ext_method(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "tau/approve_plan" and self.plan_answers:
            return self.plan_answers.pop(0)
        return {}

    async def ext_notification(self, method: str, params: dict[str, Any]) -> None:
        self.notifications.append((method, params))


@dataclass
class Attached:
    conn: ClientSideConnection
    editor: Editor
    wire: SchemaRecorder
    process: asyncio.subprocess.Process


def model_env(server: ScriptedModelServer) -> dict[str, str]:
    return {
        "HOME": os.environ["HOME"],
        "TAU_HOME": os.environ["TAU_HOME"],
        "PATH": os.environ["PATH"],
        "TAU_MODEL": "openai:scripted-model",
        "OPENAI_BASE_URL": f"{server.url}/v1",
        "OPENAI_API_KEY": "sk-test-0000000000000000",
    }


@contextlib.asynccontextmanager
async def tau_acp(
    server: ScriptedModelServer,
    cwd: Path,
    *args: str,
    editor: Editor | None = None,
    extensions: bool = False,
    fs: FileSystemCapabilities | None = None,
) -> AsyncIterator[Attached]:
    """``tau acp`` started and initialized, as an editor starts it.

    ``fs`` is the file system capabilities the editor advertises (none by default).
    """
    editor = editor or Editor()
    wire = SchemaRecorder()
    async with spawn_agent_process(
        editor, TAU, *args, "acp", env=model_env(server), cwd=cwd, observers=[wire]
    ) as (conn, process):
        capabilities = ClientCapabilities(
            fs=fs or FileSystemCapabilities(),
            field_meta={"tau": {"extensions": True}} if extensions else None,
        )
        await asyncio.wait_for(
            conn.initialize(protocol_version=PROTOCOL_VERSION, client_capabilities=capabilities),
            30,
        )
        yield Attached(conn, editor, wire, process)
    wire.check()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / "calc.py").write_text("def add(a, b):\n    return a - b\n")
    return root
