"""The user's commands through ``AcpRuntimeClient`` to a real ``tau acp``: what the TUI
asks of a runtime besides prompts (``/cost``, ``/model``, ``/compact``, ``!command``,
``#note``, ``/undo``, completion), answered over tau's ``_tau/`` methods, with every
message tau sends checked against ACP's schema."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tau_cli.api import AcpRuntimeClient
from tau_cli.core import (
    Event,
    Interaction,
    PermissionChoice,
    PermissionDecision,
    PermissionRequest,
)
from tau_cli.runtime.checkpoints import CheckpointError
from tau_cli.runtime.events import TurnFinished
from tau_cli.runtime.interaction import NonInteractive
from tau_cli.runtime.workspace import CommandError
from tau_cli.testing import ScriptedModelServer

from .conftest import TAU, SchemaRecorder, model_env
from .test_acp_agent import turns


@contextlib.asynccontextmanager
async def connected(
    project: Path,
    script: list[dict[str, Any]],
    *flags: str,
    interaction: Interaction | None = None,
) -> AsyncIterator[tuple[AcpRuntimeClient, SchemaRecorder, ScriptedModelServer]]:
    wire = SchemaRecorder()
    with ScriptedModelServer(turns(*script)) as server:
        client = await AcpRuntimeClient.start(
            [TAU, *flags, "acp"],
            cwd=project,
            interaction=interaction or NonInteractive(),
            environ=model_env(server),
            observers=[wire],
        )
        try:
            yield client, wire, server
        finally:
            await client.aclose()
    wire.check()


async def _turn(client: AcpRuntimeClient, prompt: str) -> list[Event]:
    return [event async for event in client.submit(prompt)]


def _said(client: AcpRuntimeClient) -> list[tuple[str, str]]:
    return [(m.role, m.text) for m in client.messages() if m.role in ("user", "assistant")]


async def test_messages_usage_and_the_model_follow_each_turn_and_session_switch(
    project: Path,
) -> None:
    usage = {"prompt_tokens": 1200, "completion_tokens": 80}
    script = [{"text": "First.", "usage": usage}, {"text": "Other.", "usage": usage}]
    async with connected(project, script) as (client, wire, _):
        described = client.describe()
        assert described.model == "openai:scripted-model"
        assert described.environment.startswith("local")
        assert _said(client) == []
        events = await _turn(client, "hello")
        finished = events[-1]
        assert isinstance(finished, TurnFinished)
        assert finished.usage.total_tokens == 1280  # what the status bar adds up
        assert _said(client) == [("user", "hello"), ("assistant", "First.")]
        assert client.usage().prompt_tokens == 1200
        first = client.session_id

        await client.new_session()
        assert _said(client) == [] and client.usage().total_tokens == 0
        await _turn(client, "another topic")
        await client.resume_session(first)  # a resumed session draws its history
        assert _said(client) == [("user", "hello"), ("assistant", "First.")]
        assert client.usage().completion_tokens == 80

    asked = [m["method"] for m in wire.sent_by_tau if m.get("method")]
    assert all(not m.startswith("_tau/") for m in asked)  # tau answered; it asked nothing


async def test_a_shell_command_a_note_and_completions_over_acp(project: Path) -> None:
    script = [{"expect": {"last_user_contains": "what did it print?"}, "text": "hi, it said."}]
    async with connected(project, script) as (client, _, server):
        result = await client.run_shell("echo hi")
        assert result.text.strip() == "hi" and not result.is_error
        assert _said(client)[-1] == ("user", "I ran a shell command myself:\n$ echo hi\nhi")
        assert await client.remember("tests run with -q") == "TAU.md"
        found = await client.completions()
        await _turn(client, "what did it print?")

    assert (project / "TAU.md").read_text() == "- tests run with -q\n"
    assert "calc.py" in found.files
    users = [m["content"] for m in server.requests[0].json()["messages"] if m["role"] == "user"]
    assert users[0].startswith("I ran a shell command myself:\n$ echo hi")


async def test_switching_models_and_the_errors_a_user_sees(project: Path) -> None:
    script = [{"text": "From the other model."}]
    async with connected(project, script) as (client, wire, server):
        await client.set_model("openai:other-model")
        assert client.describe().model == "openai:other-model"
        with pytest.raises(CommandError, match="not a model reference"):
            await client.set_model("not-a-model")
        with pytest.raises(CheckpointError, match="nothing to undo yet"):
            await client.undo()
        await _turn(client, "hi")

    assert server.requests[0].json()["model"] == "other-model"
    errors = [m["error"] for m in wire.sent_by_tau if "error" in m]
    assert [e["data"]["tau"]["error"] for e in errors] == ["CommandError", "CheckpointError"]


async def test_undo_puts_the_last_turns_files_back(project: Path) -> None:
    script: list[dict[str, Any]] = [
        {"tool_calls": [{"name": "bash", "arguments": {"command": "echo changed > calc.py"}}]},
        {"text": "Changed it."},
    ]
    async with connected(project, script, "--permission-mode", "bypass") as (client, _, _):
        await _turn(client, "change calc")
        assert (project / "calc.py").read_text() == "changed\n"
        said = await client.undo()

    assert said == "restored calc.py"
    assert (project / "calc.py").read_text() == "def add(a, b):\n    return a - b\n"


async def test_compact_condenses_older_turns_over_acp(project: Path) -> None:
    settings = {"models": {"openai:scripted-model": {"capabilities": {"context_window": 16000}}}}
    home = Path(os.environ["TAU_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    (home / "settings.yaml").write_text(yaml.safe_dump(settings))
    long = "word " * 1600
    script = [{"text": long}, {"text": long}, {"text": long}]
    async with connected(project, script) as (client, _, _):
        assert await client.compact() is None  # nothing old enough yet
        for prompt in ("first", "second", "third"):
            await _turn(client, prompt)
        compacted = await client.compact("the adder")
        assert compacted is not None
        assert compacted.tokens_after < compacted.tokens_before
        assert compacted.session_id == client.session_id


class _Hesitant(NonInteractive):
    """Holds a permission question open until released, then refuses."""

    def __init__(self) -> None:
        self.asked = asyncio.Event()
        self.release = asyncio.Event()

    async def request_permission(self, request: PermissionRequest) -> PermissionDecision:
        self.asked.set()
        await self.release.wait()
        return PermissionDecision(choice=PermissionChoice.DENY)


async def test_a_command_while_a_turn_runs_says_to_stop_it_first(project: Path) -> None:
    script: list[dict[str, Any]] = [
        {"tool_calls": [{"name": "bash", "arguments": {"command": "touch made-it"}}]},
        {"text": "Left it."},
    ]
    person = _Hesitant()
    async with connected(project, script, interaction=person) as (client, _, _):
        turn = asyncio.ensure_future(_turn(client, "make a file"))
        await asyncio.wait_for(person.asked.wait(), 30)
        with pytest.raises(CommandError, match=r"a turn is running; stop it \(Esc\) before"):
            await client.run_shell("echo hi")
        with pytest.raises(CommandError, match="before switching the model"):
            await client.set_model("openai:other-model")
        person.release.set()
        events = await asyncio.wait_for(turn, 30)

    finished = events[-1]
    assert isinstance(finished, TurnFinished) and finished.reason == "completed"
    assert client.describe().model == "openai:scripted-model"
    assert not (project / "made-it").exists()
