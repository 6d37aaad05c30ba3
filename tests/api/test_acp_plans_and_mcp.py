"""Plans and MCP servers over ACP: approval with feedback, the checklist as plan
entries, and an MCP server the editor brings along."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from acp import text_block
from acp.schema import EnvVariable, McpServerStdio

from tau_cli.testing import ScriptedModelServer

from .conftest import Editor, tau_acp
from .test_acp_agent import turns

PLAN = "- [ ] Fix add in calc.py\n- [ ] Run the tests\n"
PROPOSE = {"name": "propose_plan", "arguments": {"title": "Fix add", "plan": PLAN}}
RECORDER = Path(__file__).parents[1] / "runtime" / "servers" / "recording_mcp.py"


async def test_a_tau_client_rejects_a_plan_with_feedback_then_approves_it(
    project: Path,
) -> None:
    script = turns(
        {"tool_calls": [PROPOSE]},
        {"expect": {"last_tool_result_contains": "also update the docs"}, "tool_calls": [PROPOSE]},
        {"tool_calls": [{"name": "update_plan", "arguments": {"step": 1}}]},
        {"text": "Step one done."},
    )
    editor = Editor(
        plan_answers=[
            {"approved": False, "feedback": "also update the docs"},
            {"approved": True, "modeAfter": "accept_edits"},
        ]
    )
    with ScriptedModelServer(script) as server:
        async with tau_acp(server, project, editor=editor, extensions=True) as tau:
            session = await tau.conn.new_session(cwd=str(project), mcp_servers=[])
            await tau.conn.set_session_mode(mode_id="plan", session_id=session.session_id)
            answer = await asyncio.wait_for(
                tau.conn.prompt(session_id=session.session_id, prompt=[text_block("plan it")]), 30
            )

    assert answer.stop_reason == "end_turn"
    assert editor.plan_answers == [], "both plan answers were asked for"
    modes = [u["currentModeId"] for u in tau.wire.updates("current_mode_update")]
    assert modes == ["plan", "accept_edits"]
    entries = tau.wire.updates("plan")[-1]["entries"]
    assert [(e["content"], e["status"]) for e in entries] == [
        ("Fix add in calc.py", "completed"),
        ("Run the tests", "pending"),
    ]


async def test_any_client_approves_a_plan_through_a_permission_question(project: Path) -> None:
    script = turns({"tool_calls": [PROPOSE]}, {"text": "Approved, starting."})
    editor = Editor(answers=["approve"])
    with ScriptedModelServer(script) as server:
        async with tau_acp(server, project, editor=editor) as tau:
            session = await tau.conn.new_session(cwd=str(project), mcp_servers=[])
            await tau.conn.set_session_mode(mode_id="plan", session_id=session.session_id)
            answer = await asyncio.wait_for(
                tau.conn.prompt(session_id=session.session_id, prompt=[text_block("plan it")]), 30
            )

    assert answer.stop_reason == "end_turn"
    [(question, options)] = editor.asked
    assert question.title == "Approve the plan"
    assert "Fix add in calc.py" in question.content[0].content.text  # type: ignore[index,union-attr]
    assert [o.option_id for o in options] == ["approve", "approve_accept_edits", "reject"]
    entries = tau.wire.updates("plan")[-1]["entries"]
    assert [e["content"] for e in entries] == ["Fix add in calc.py", "Run the tests"]


async def test_an_mcp_server_from_the_editor_is_connected_and_its_tool_used(
    project: Path, tmp_path: Path
) -> None:
    log = tmp_path / "calls.log"
    script = turns(
        {"tool_calls": [{"name": "mcp__recorder__lookup", "arguments": {"customer": "acme"}}]},
        {"expect": {"last_tool_result_contains": "acme is on the pro plan"}, "text": "Pro."},
    )
    editor = Editor(answers=["allow_once"])
    server_config = McpServerStdio(
        name="recorder",
        command=sys.executable,
        args=[str(RECORDER)],
        env=[EnvVariable(name="CALL_LOG", value=str(log))],
    )
    with ScriptedModelServer(script) as server:
        async with tau_acp(server, project, editor=editor, extensions=True) as tau:
            session = await tau.conn.new_session(cwd=str(project), mcp_servers=[server_config])
            answer = await asyncio.wait_for(
                tau.conn.prompt(session_id=session.session_id, prompt=[text_block("plan?")]), 60
            )
            servers = await tau.conn.ext_method(
                "tau/mcp_servers", {"sessionId": session.session_id}
            )

    assert answer.stop_reason == "end_turn"
    assert log.read_text() == "lookup acme\n"
    assert [(s["name"], s["state"]) for s in servers["servers"]] == [("recorder", "connected")]
