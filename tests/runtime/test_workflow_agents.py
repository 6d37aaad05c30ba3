"""Agent nodes: a tau runtime per run of a node, over a real model server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tau_cli.orchestrate import Channel, NodeFailed, StateGraph, StateSchema
from tau_cli.runtime.runtime import Runtime
from tau_cli.runtime.workflow_expr import Template
from tau_cli.runtime.workflow_nodes import RuntimeNode
from tau_cli.testing import ScriptedModelServer

from .loop_helpers import runtime_for, turns
from .workflow_helpers import Recorder, runner_for, write_workflow

SUMMARY = """
inputs: {topic: {}}
state: {summary: {}}
output: summary
start: summarize
nodes:
  summarize:
    agent:
      prompt: "Summarize what the notes say about {{ topic }}."
      tools: [read, Grep]
      model: openai:summary-model
    writes: summary
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / "notes.md").write_text("Tides come twice a day.\n")
    return root


def chat_requests(server: ScriptedModelServer) -> list[dict[str, Any]]:
    return [r.json() for r in server.requests if r.path.endswith("/chat/completions")]


async def test_an_agent_node_runs_a_turn_with_its_tools_and_writes_the_answer(
    project: Path,
) -> None:
    write_workflow(project, "summary", SUMMARY)
    script = turns(
        {
            "expect": {"last_user_contains": "about tides", "tools": ["read", "grep"]},
            "tool_calls": [{"name": "read", "arguments": {"file_path": str(project / "notes.md")}}],
        },
        {"expect": {"last_tool_result_contains": "twice a day"}, "text": "Twice a day."},
    )
    events = Recorder()
    async with ScriptedModelServer(script) as server:
        _, result = await runner_for(project, server).start("summary", {"topic": "tides"}, events)
        sent = chat_requests(server)

    assert result.state["summary"] == "Twice a day."
    assert [len(sent), sent[0]["model"]] == [2, "summary-model"]
    offered = [tool["function"]["name"] for tool in sent[0]["tools"]]
    assert sorted(offered) == ["grep", "read"]
    inside = events.types(parent="summarize")
    assert inside[0] == "turn_started" and inside[-1] == "turn_finished"
    assert "tool_started" in inside


async def test_a_tool_the_runtime_lacks_is_named_with_the_file_and_line(project: Path) -> None:
    write_workflow(project, "summary", SUMMARY.replace("[read, Grep]", "[read, telepathy]"))
    async with ScriptedModelServer(turns({"text": "unused"})) as server:
        with pytest.raises(NodeFailed) as caught:
            await runner_for(project, server).start("summary", {"topic": "x"}, Recorder())
        assert chat_requests(server) == []

    message = str(caught.value)
    assert "summary.yaml:9: no tool named 'telepathy'" in message
    assert "read" in message


async def test_an_agent_whose_turn_fails_fails_its_node(project: Path) -> None:
    write_workflow(project, "summary", SUMMARY)
    script = turns({"error": {"status": 400, "message": "model not found"}})
    async with ScriptedModelServer(script) as server:
        with pytest.raises(NodeFailed) as caught:
            await runner_for(project, server).start("summary", {"topic": "x"}, Recorder())

    assert caught.value.node == "summarize"
    assert "the agent stopped before answering (error" in str(caught.value)


async def test_runtimes_are_nodes_of_a_graph_built_in_code(project: Path) -> None:
    schema = StateSchema(
        {
            "question": Channel(str),
            "answer": Channel(str, default=""),
            "check": Channel(str, default=""),
        }
    )
    script = turns(
        {"expect": {"last_user_contains": "Q: two plus two"}, "text": "4"},
        {"expect": {"last_user_contains": "Is 4 right?"}, "text": "yes"},
    )
    opened: list[Runtime] = []
    async with ScriptedModelServer(script) as server:

        async def open_runtime() -> Runtime:
            opened.append(runtime_for(project, server))
            return opened[-1]

        solve = RuntimeNode(
            open_runtime, Template.parse("Q: {{ question }}"), output=lambda a: {"answer": a}
        )
        verify = RuntimeNode(
            open_runtime, lambda s: f"Is {s['answer']} right?", output=lambda a: {"check": a}
        )
        graph = StateGraph(schema).add_node("solve", solve).add_node("verify", verify)
        graph.set_entry("solve").add_edge("solve", "verify").set_finish("verify")
        result = await graph.compile().run({"question": "two plus two"})

    assert (result.state["answer"], result.state["check"]) == ("4", "yes")
    assert len({runtime.session_id for runtime in opened}) == 2
