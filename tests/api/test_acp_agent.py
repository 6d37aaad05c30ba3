"""``tau acp`` as an editor drives it: sessions, prompts with tools, approvals, cancel, load.

Every test runs the real ``tau acp`` process, talks to it with the ACP SDK's client
side, and has every message tau sends validated against ACP's schema (conftest).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from acp import RequestError, text_block

from tau_cli.agent import Turn
from tau_cli.testing import ScriptedModelServer

from .conftest import TAU, Editor, model_env, tau_acp


def turns(*raw: dict[str, Any]) -> list[Turn]:
    return [Turn.model_validate(t) for t in raw]


async def test_a_prompt_streams_text_tool_calls_with_locations_and_the_todo_plan(
    project: Path,
) -> None:
    calc = project / "calc.py"
    script = turns(
        {
            "tool_calls": [
                {
                    "name": "todo",
                    "arguments": {
                        "todos": [
                            {"content": "Read calc.py", "status": "in_progress"},
                            {"content": "Explain add", "status": "pending"},
                        ]
                    },
                },
                {"name": "read", "arguments": {"file_path": str(calc)}},
            ]
        },
        {"reasoning": "It subtracts.", "text": "add subtracts b from a."},
    )
    with ScriptedModelServer(script) as server:
        async with tau_acp(server, project) as tau:
            session = await tau.conn.new_session(cwd=str(project), mcp_servers=[])
            answer = await asyncio.wait_for(
                tau.conn.prompt(session_id=session.session_id, prompt=[text_block("what?")]), 30
            )

    assert answer.stop_reason == "end_turn"
    assert session.modes is not None
    assert [m.id for m in session.modes.available_modes] == [
        "default",
        "accept_edits",
        "plan",
        "bypass",
    ]
    wire = tau.wire
    said = "".join(u["content"]["text"] for u in wire.updates("agent_message_chunk"))
    assert said == "add subtracts b from a."
    thought = "".join(u["content"]["text"] for u in wire.updates("agent_thought_chunk"))
    assert thought == "It subtracts."
    read = next(u for u in wire.updates("tool_call") if u["kind"] == "read")
    assert read["status"] == "pending"
    assert read["locations"] == [{"path": str(calc)}]
    finished = [
        u
        for u in wire.updates("tool_call_update")
        if u["toolCallId"] == read["toolCallId"] and u.get("status") == "completed"
    ]
    assert "return a - b" in finished[0]["content"][0]["content"]["text"]
    plan = wire.updates("plan")[-1]
    assert plan["entries"] == [
        {"content": "Read calc.py", "priority": "medium", "status": "in_progress"},
        {"content": "Explain add", "priority": "medium", "status": "pending"},
    ]
    assert wire.updates("usage_update"), "the context figures follow each turn"
    assert wire.updates("available_commands_update")


async def test_an_edit_is_asked_with_its_diff_and_runs_once_allowed(project: Path) -> None:
    calc = project / "calc.py"
    script = turns(
        {"tool_calls": [{"name": "read", "arguments": {"file_path": str(calc)}}]},
        {
            "tool_calls": [
                {
                    "name": "edit",
                    "arguments": {
                        "file_path": str(calc),
                        "old_string": "a - b",
                        "new_string": "a + b",
                    },
                }
            ]
        },
        {"text": "Fixed."},
    )
    editor = Editor(answers=["allow_once"])
    with ScriptedModelServer(script) as server:
        async with tau_acp(server, project, editor=editor) as tau:
            session = await tau.conn.new_session(cwd=str(project), mcp_servers=[])
            answer = await asyncio.wait_for(
                tau.conn.prompt(session_id=session.session_id, prompt=[text_block("fix add")]), 30
            )

    assert answer.stop_reason == "end_turn"
    assert calc.read_text() == "def add(a, b):\n    return a + b\n"
    [(call, options)] = editor.asked
    assert call.kind == "edit"
    diff = next(c for c in call.content or [] if c.type == "diff")
    assert diff.path == str(calc)
    assert diff.old_text == "def add(a, b):\n    return a - b\n"
    assert diff.new_text == "def add(a, b):\n    return a + b\n"
    assert {o.kind for o in options} >= {"allow_once", "reject_once"}
    done = [u for u in tau.wire.updates("tool_call_update") if u.get("status") == "completed"]
    edit_done = next(u for u in done if u["toolCallId"] == call.tool_call_id)
    assert edit_done["content"][0]["type"] == "diff"
    assert edit_done["content"][0]["newText"].endswith("return a + b\n")


async def test_a_denied_command_does_not_run_and_the_model_is_told(project: Path) -> None:
    script = turns(
        {"tool_calls": [{"name": "bash", "arguments": {"command": "touch made-it"}}]},
        {"expect": {"last_tool_result_contains": "declined"}, "text": "I was not allowed."},
    )
    editor = Editor(answers=["deny"])
    with ScriptedModelServer(script) as server:
        async with tau_acp(server, project, editor=editor) as tau:
            session = await tau.conn.new_session(cwd=str(project), mcp_servers=[])
            answer = await asyncio.wait_for(
                tau.conn.prompt(session_id=session.session_id, prompt=[text_block("make it")]), 30
            )

    assert answer.stop_reason == "end_turn"
    assert not (project / "made-it").exists()
    [(call, _)] = editor.asked
    assert call.kind == "execute"
    assert call.title is not None and "touch made-it" in call.title
    failed = [u for u in tau.wire.updates("tool_call_update") if u.get("status") == "failed"]
    assert [u["toolCallId"] for u in failed] == [call.tool_call_id]


async def test_cancel_stops_a_running_command_and_the_prompt_ends_cancelled(
    project: Path,
) -> None:
    script = turns(
        {"tool_calls": [{"name": "bash", "arguments": {"command": "sleep 30"}}]},
        {"text": "never reached"},
    )
    with ScriptedModelServer(script) as server:
        async with tau_acp(server, project) as tau:
            session = await tau.conn.new_session(cwd=str(project), mcp_servers=[])
            await tau.conn.set_session_mode(mode_id="bypass", session_id=session.session_id)
            turn = asyncio.ensure_future(
                tau.conn.prompt(session_id=session.session_id, prompt=[text_block("wait")])
            )
            for _ in range(500):
                running = [
                    u
                    for u in tau.wire.updates("tool_call_update")
                    if u.get("status") == "in_progress"
                ]
                if running:
                    break
                await asyncio.sleep(0.02)
            started = asyncio.get_running_loop().time()
            await tau.conn.cancel(session_id=session.session_id)
            answer = await asyncio.wait_for(turn, 10)
            elapsed = asyncio.get_running_loop().time() - started
            # the agent lives on: the next request is answered
            listed = await tau.conn.list_sessions(cwd=str(project))

    assert running, "the command was reported as running"
    assert answer.stop_reason == "cancelled"
    assert elapsed < 5
    assert session.session_id in [s.session_id for s in listed.sessions]
    modes = [u["currentModeId"] for u in tau.wire.updates("current_mode_update")]
    assert modes == ["bypass"]


async def test_loading_a_session_replays_its_history_and_continues_it(project: Path) -> None:
    calc = project / "calc.py"
    script = turns(
        {"tool_calls": [{"name": "read", "arguments": {"file_path": str(calc)}}]},
        {"text": "add subtracts."},
        {"expect": {"last_user_contains": "sure?"}, "text": "Still true."},
    )
    with ScriptedModelServer(script) as server:
        async with tau_acp(server, project) as first:
            made = await first.conn.new_session(cwd=str(project), mcp_servers=[])
            await asyncio.wait_for(
                first.conn.prompt(session_id=made.session_id, prompt=[text_block("what?")]), 30
            )
        async with tau_acp(server, project) as second:
            await second.conn.load_session(
                cwd=str(project), session_id=made.session_id, mcp_servers=[]
            )
            replayed = second.wire.updates()
            again = await asyncio.wait_for(
                second.conn.prompt(session_id=made.session_id, prompt=[text_block("sure?")]), 30
            )

    kinds = [u["sessionUpdate"] for u in replayed]
    assert kinds[:3] == ["user_message_chunk", "tool_call", "agent_message_chunk"]
    assert replayed[0]["content"]["text"] == "what?"
    tool = next(u for u in replayed if u["sessionUpdate"] == "tool_call")
    assert tool["status"] == "completed"
    assert tool["locations"] == [{"path": str(calc)}]
    assert any(
        u["sessionUpdate"] == "agent_message_chunk" and u["content"]["text"] == "add subtracts."
        for u in replayed
    )
    assert again.stop_reason == "end_turn"


async def test_loading_an_unknown_session_is_an_error_not_a_crash(project: Path) -> None:
    with ScriptedModelServer(turns({"text": "hi"})) as server:
        async with tau_acp(server, project) as tau:
            with pytest.raises(RequestError) as caught:
                await tau.conn.load_session(
                    cwd=str(project), session_id="no-such-session", mcp_servers=[]
                )
            session = await tau.conn.new_session(cwd=str(project), mcp_servers=[])

    assert caught.value.code == -32002
    assert session.session_id


async def test_tau_extensions_show_rules_and_context_and_add_a_rule(project: Path) -> None:
    with ScriptedModelServer(turns({"text": "hi"})) as server:
        async with tau_acp(server, project, "--allow", "Bash(ls:*)", extensions=True) as tau:
            session = await tau.conn.new_session(cwd=str(project), mcp_servers=[])
            sid = session.session_id
            before = await tau.conn.ext_method("tau/permission_rules", {"sessionId": sid})
            after = await tau.conn.ext_method(
                "tau/permission_rules/add",
                {"sessionId": sid, "rule": "Bash(npm test:*)", "behavior": "allow"},
            )
            await tau.conn.prompt(session_id=sid, prompt=[text_block("hello")])
            context = await tau.conn.ext_method("tau/context", {"sessionId": sid})
            servers = await tau.conn.ext_method("tau/mcp_servers", {"sessionId": sid})
            skills = await tau.conn.ext_method("tau/skills", {"sessionId": sid})
            with pytest.raises(RequestError) as bad:
                await tau.conn.ext_method("tau/nothing", {"sessionId": sid})

    assert before["mode"] == "default"
    assert "bash(ls:*)" in before["allow"]
    assert "bash(npm test:*)" in after["allow"]
    assert before["granted"] == {}  # no skill is active yet
    assert context["sessionId"] == sid
    assert context["messages"] >= 3
    assert context["lastTurn"]["prompt_tokens"] > 0
    assert servers == {"servers": []}
    shipped = [s["name"] for s in skills["skills"]]
    assert "writing-skills" in shipped
    [commands] = tau.wire.updates("available_commands_update")
    assert [c["name"] for c in commands["availableCommands"]] == shipped
    assert bad.value.code == -32601


async def test_bad_requests_get_json_rpc_errors_and_the_agent_keeps_serving(
    project: Path,
) -> None:
    """Raw lines on stdin, the way a buggy client might write them."""
    with ScriptedModelServer(turns({"text": "hi"})) as server:
        process = await asyncio.create_subprocess_exec(
            TAU,
            "acp",
            cwd=project,
            env=model_env(server),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        assert process.stdin is not None and process.stdout is not None
        lines = [
            "this is not json",
            "[1, 2]",
            json.dumps({"jsonrpc": "2.0", "id": 1, "method": "no/such/method", "params": {}}),
            json.dumps({"jsonrpc": "2.0", "id": 2, "method": "session/new", "params": {}}),
            json.dumps(
                {
                    "jsonrpc": "2.0",
                    "id": 3,
                    "method": "session/prompt",
                    "params": {"sessionId": "nope", "prompt": []},
                }
            ),
            json.dumps(
                {
                    "jsonrpc": "2.0",
                    "id": 4,
                    "method": "initialize",
                    "params": {"protocolVersion": 1},
                }
            ),
        ]
        process.stdin.write(("\n".join(lines) + "\n").encode())
        await process.stdin.drain()
        replies = [json.loads(await asyncio.wait_for(process.stdout.readline(), 30)) for _ in lines]
        process.stdin.close()
        code = await asyncio.wait_for(process.wait(), 30)

    by_id = {r.get("id"): r for r in replies if r.get("id") is not None}
    anonymous = [r["error"]["code"] for r in replies if r.get("id") is None]
    assert sorted(anonymous) == [-32700, -32600]
    assert by_id[1]["error"]["code"] == -32601
    assert by_id[2]["error"]["code"] == -32602
    assert by_id[3]["error"]["code"] == -32002
    assert by_id[4]["result"]["agentCapabilities"]["loadSession"] is True
    assert code == 0
