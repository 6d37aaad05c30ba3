"""Subagents: a focused job in a fresh context, its events nested under the task call."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tau_cli.core import ConfigError
from tau_cli.runtime.events import ToolFinished, ToolStarted, TurnFinished
from tau_cli.runtime.subagents import load_agent_definitions
from tau_cli.testing import ScriptedModelServer

from .loop_helpers import collect, make_repo, runtime_for, turns


def task(agent: str, prompt: str, call_id: str) -> dict[str, object]:
    return {
        "id": call_id,
        "name": "task",
        "arguments": {"agent": agent, "description": "look around", "prompt": prompt},
    }


async def test_an_explorer_subagent_reports_back_with_a_fresh_context(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    script = turns(
        {"tool_calls": [task("explorer", "Where is add defined?", "t1")]},
        # the child: its own system prompt, only read-only tools, none of the parent's chat
        {
            "expect": {"system_contains": "read-only explorer", "tools": ["read", "glob", "grep"]},
            "tool_calls": [
                {"name": "grep", "arguments": {"pattern": "def add", "path": str(repo)}}
            ],
        },
        {
            "expect": {"last_tool_result_contains": "calc.py"},
            "text": "add is defined in calc.py:1.",
        },
        # the parent again
        {"expect": {"last_tool_result_contains": "calc.py:1"}, "text": "It is in calc.py."},
    )
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server)
        events = await collect(runtime, "find add")
        await runtime.aclose()

    end = events[-1]
    assert isinstance(end, TurnFinished) and end.reason == "completed"
    child_request = server.requests[1].json()
    assert [m["role"] for m in child_request["messages"]] == ["system", "user"]
    assert {t["function"]["name"] for t in child_request["tools"]} == {"read", "glob", "grep"}
    nested = [e for e in events if e.parent_id == "t1"]
    assert any(isinstance(e, ToolStarted) and e.call.name == "grep" for e in nested)
    assert all(e.session_id == runtime.session_id for e in events)
    parent_results = [e for e in events if isinstance(e, ToolFinished) and e.parent_id is None]
    assert parent_results[0].result.text == "add is defined in calc.py:1."


async def test_two_subagents_run_in_parallel(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    script = turns(
        {"tool_calls": [task("explorer", "job one", "a"), task("explorer", "job two", "b")]},
        {"delay": "600ms", "text": "report"},
        {"delay": "600ms", "text": "report"},
        {"text": "Both done."},
    )
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server)
        started = time.monotonic()
        events = await collect(runtime, "do two things")
        elapsed = time.monotonic() - started
        await runtime.aclose()

    end = events[-1]
    assert isinstance(end, TurnFinished) and end.reason == "completed"
    assert elapsed < 1.1  # one after the other would take at least 1.2 s
    finished = {e.call_id: e.result.text for e in events if isinstance(e, ToolFinished)}
    assert finished == {"a": "report", "b": "report"}


async def test_an_unknown_agent_is_an_error_the_model_can_fix(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    script = turns(
        {"tool_calls": [task("wizard", "do magic", "w")]},
        {"expect": {"last_tool_result_contains": "explorer, general-purpose"}, "text": "ok"},
    )
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server)
        events = await collect(runtime, "magic")
        await runtime.aclose()
    assert isinstance(events[-1], TurnFinished) and events[-1].reason == "completed"


def test_project_agent_definitions(tmp_path: Path) -> None:
    folder = tmp_path / "agents"
    folder.mkdir()
    (folder / "reviewer.md").write_text(
        "---\nname: reviewer\ndescription: Reviews a diff.\ntools: Read, Grep\n"
        "model: ollama:qwen3:8b\n---\n"
        "You review code. Be terse.\n"
    )
    (reviewer,) = load_agent_definitions(folder)
    assert reviewer.name == "reviewer"
    assert reviewer.tools == ("read", "grep")  # Claude Code names are accepted
    assert reviewer.model == "ollama:qwen3:8b"
    assert reviewer.system_prompt == "You review code. Be terse."

    (folder / "broken.md").write_text("---\nname: broken\n---\nno description\n")
    with pytest.raises(ConfigError, match="needs 'name' and 'description'"):
        load_agent_definitions(folder)
