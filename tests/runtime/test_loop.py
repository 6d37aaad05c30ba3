"""The agentic loop end to end: real repositories, real tools, a model over HTTP.

Every script's ``expect`` clauses check what the loop really sent back (tool
results, feedback, injections), so a test cannot pass while the loop ignores them.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tau_cli.core import PermissionChoice, PermissionDecision
from tau_cli.runtime.events import (
    AssistantMessage,
    Compacted,
    Injected,
    Notice,
    PermissionRequested,
    ToolFinished,
    ToolProgress,
    ToolStarted,
    TurnFinished,
)
from tau_cli.session import SessionStore
from tau_cli.testing import ScriptedModelServer

from .loop_helpers import ScriptedPerson, collect, gone, make_repo, runtime_for, turns, types


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


def finished(events: list) -> TurnFinished:
    last = events[-1]
    assert isinstance(last, TurnFinished)
    return last


async def test_a_multi_step_fix_reads_edits_and_runs_the_tests(repo: Path) -> None:
    script = turns(
        {
            "text": "Reading the code.",
            "tool_calls": [
                {"name": "read", "arguments": {"file_path": str(repo / "calc.py")}},
                {"name": "grep", "arguments": {"pattern": "def add", "path": str(repo)}},
            ],
        },
        {
            "expect": {"last_tool_result_contains": "calc.py"},
            "tool_calls": [
                {
                    "name": "edit",
                    "arguments": {
                        "file_path": str(repo / "calc.py"),
                        "old_string": "a - b",
                        "new_string": "a + b",
                    },
                },
            ],
        },
        {
            "expect": {"last_tool_result_contains": "Edited"},
            "tool_calls": [
                {
                    "name": "bash",
                    "arguments": {"command": "python3 -m pytest -q -p no:cacheprovider"},
                },
            ],
        },
        {"expect": {"last_tool_result_contains": "1 passed"}, "text": "Fixed: add subtracted."},
    )
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(
            repo,
            server,
            settings={
                "permissions": {
                    "default_mode": "accept_edits",
                    "allow": ["Bash(python3 -m pytest:*)"],
                }
            },
        )
        events = await collect(runtime, "The test fails; fix it.")
        await runtime.aclose()

    assert finished(events).reason == "completed", finished(events)
    assert finished(events).iterations == 4
    assert (repo / "calc.py").read_text() == "def add(a, b):\n    return a + b\n"
    started = [e.call.name for e in events if isinstance(e, ToolStarted)]
    assert set(started[:2]) == {"read", "grep"}  # read-only calls run concurrently
    assert started[2:] == ["edit", "bash"]
    assert server.turns_left == 0
    first = server.requests[0].json()
    assert first["messages"][0]["role"] == "system"
    assert "Working directory: " + str(repo) in first["messages"][0]["content"]
    assert {t["function"]["name"] for t in first["tools"]} >= {"read", "edit", "bash", "grep"}
    seqs = [e.seq for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    transcript = SessionStore().load(runtime.session_id).session
    assert [m.role for m in transcript.messages] == [
        "system",
        "user",
        "assistant",
        "tool",
        "tool",
        "assistant",
        "tool",
        "assistant",
        "tool",
        "assistant",
    ]


async def test_a_denied_permission_with_feedback_sends_the_model_another_way(repo: Path) -> None:
    person = ScriptedPerson(
        [
            PermissionDecision(
                choice=PermissionChoice.DENY, feedback="do not delete, rename it to old_calc.py"
            )
        ]
    )
    script = turns(
        {"tool_calls": [{"name": "bash", "arguments": {"command": "rm calc.py"}}]},
        {
            "expect": {"last_tool_result_contains": "rename it to old_calc.py"},
            "text": "Understood, I will rename instead.",
        },
    )
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, person=person)
        events = await collect(runtime, "clean up calc.py")
        await runtime.aclose()

    assert finished(events).reason == "completed", finished(events)
    assert (repo / "calc.py").exists()
    assert person.asked[0].summary == "Run: rm calc.py"
    assert person.asked[0].suggested_rule is not None
    assert any(isinstance(e, PermissionRequested) for e in events)


async def test_allow_always_saves_the_rule_for_next_time(repo: Path) -> None:
    person = ScriptedPerson([PermissionDecision(choice=PermissionChoice.ALLOW_ALWAYS)])
    script = turns(
        {"tool_calls": [{"name": "bash", "arguments": {"command": "ls"}}]},
        {"tool_calls": [{"name": "bash", "arguments": {"command": "ls -a"}}]},
        {"expect": {"last_tool_result_contains": ".git"}, "text": "done"},
    )
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, person=person)
        events = await collect(runtime, "list files")
        await runtime.aclose()

    assert finished(events).reason == "completed", finished(events)
    assert len(person.asked) == 1  # the second ls was covered by the saved rule
    saved = (repo / ".tau" / "settings.local.yaml").read_text()
    assert person.asked[0].suggested_rule in saved
    assert "settings.local.yaml" in (repo / ".tau" / ".gitignore").read_text()


async def test_a_message_typed_while_a_tool_runs_reaches_the_model(repo: Path) -> None:
    script = turns(
        {"tool_calls": [{"name": "bash", "arguments": {"command": "sleep 0.5; echo slept"}}]},
        {"expect": {"last_user_contains": "also update the README"}, "text": "Will do both."},
    )
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, settings={"permissions": {"allow": ["Bash(sleep:*)"]}})
        events = []
        async for event in runtime.submit("run the slow thing"):
            events.append(event)
            if isinstance(event, ToolStarted):
                runtime.inject("also update the README")
        await runtime.aclose()

    assert finished(events).reason == "completed", finished(events)
    assert [e.text for e in events if isinstance(e, Injected)] == ["also update the README"]
    order = types(events)
    assert order.index("tool_finished") < order.index("injected")


async def test_cancel_during_a_long_command_kills_it_and_keeps_the_session_valid(
    repo: Path,
) -> None:
    pid_file = repo / "pid"
    script = turns(
        {
            "tool_calls": [
                {"name": "bash", "arguments": {"command": f"echo $$ > {pid_file}; sleep 30"}}
            ]
        },
    )
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, settings={"permissions": {"default_mode": "bypass"}})
        events = []
        async for event in runtime.submit("wait a while"):
            events.append(event)
            if isinstance(event, ToolStarted):
                for _ in range(200):
                    if pid_file.exists() and pid_file.read_text().strip():
                        break
                    await asyncio.sleep(0.01)
                runtime.cancel()
        session = runtime.loop.session
        await runtime.aclose()

    assert finished(events).reason == "cancelled"
    assert await gone(int(pid_file.read_text()))
    last = session.messages[-1]
    assert last.role == "tool" and "interrupted" in last.text.lower()


async def test_cancel_while_streaming_keeps_the_partial_answer(repo: Path) -> None:
    script = turns({"text": "word " * 400, "chunk_chars": 5, "tokens_per_second": 200})
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server)
        events = []
        async for event in runtime.submit("write a lot"):
            events.append(event)
            if getattr(event, "type", "") == "text_delta" and len(events) > 5:
                runtime.cancel()
        session = runtime.loop.session
        await runtime.aclose()

    assert finished(events).reason == "cancelled"
    kept = session.messages[-1]
    assert kept.role == "assistant"
    assert kept.text.startswith("word word")
    assert len(kept.text) < len("word " * 400)


async def test_a_pre_tool_use_hook_blocks_a_command(repo: Path) -> None:
    hook = repo / "guard.sh"
    hook.write_text("#!/bin/bash\ncat >/dev/null\necho 'never push from here' >&2\nexit 2\n")
    hook.chmod(0o755)
    script = turns(
        {"tool_calls": [{"name": "bash", "arguments": {"command": "git push"}}]},
        {
            "expect": {"last_tool_result_contains": "never push from here"},
            "text": "ok, not pushing",
        },
    )
    settings = {
        "permissions": {"default_mode": "bypass"},
        "hooks": {"PreToolUse": [{"matcher": "bash", "hooks": [{"command": str(hook)}]}]},
    }
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, settings=settings)
        events = await collect(runtime, "push it")
        await runtime.aclose()

    assert finished(events).reason == "completed", finished(events)
    results = [e.result for e in events if isinstance(e, ToolFinished)]
    assert results[0].is_error and "never push from here" in results[0].text


async def test_a_hooks_allow_never_overrides_a_deny_rule(repo: Path) -> None:
    hook = repo / "yes.sh"
    answer = {"hookSpecificOutput": {"permissionDecision": "allow"}}
    hook.write_text(f"#!/bin/bash\ncat >/dev/null\necho '{json.dumps(answer)}'\n")
    hook.chmod(0o755)
    script = turns(
        {"tool_calls": [{"name": "bash", "arguments": {"command": "curl example.invalid"}}]},
        {"expect": {"last_tool_result_contains": "Permission denied"}, "text": "blocked"},
    )
    settings = {
        "permissions": {"deny": ["Bash(curl:*)"]},
        "hooks": {"PreToolUse": [{"hooks": [{"command": str(hook)}]}]},
    }
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, settings=settings)
        events = await collect(runtime, "fetch it")
        await runtime.aclose()
    assert finished(events).reason == "completed", finished(events)


async def test_a_provider_500_mid_task_is_retried_and_the_task_completes(repo: Path) -> None:
    script = turns(
        {"tool_calls": [{"name": "read", "arguments": {"file_path": str(repo / "calc.py")}}]},
        {"error": {"status": 500, "message": "upstream hiccup"}},
        {"expect": {"last_tool_result_contains": "a - b"}, "text": "It subtracts."},
    )
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server)
        events = await collect(runtime, "what does add do?")
        await runtime.aclose()

    assert finished(events).reason == "completed", finished(events)
    assert len(server.requests) == 3


async def test_a_model_without_native_tools_uses_the_text_protocol(repo: Path) -> None:
    call = '<tool_call>{"name": "read", "arguments": {"file_path": "%s"}}</tool_call>'
    script = turns(
        {
            "expect": {"system_contains": "<tool_call>"},
            "text": "Let me read it.\n" + call % (repo / "calc.py"),
        },
        {
            "expect": {"last_user_contains": "return a - b"},
            "text": "add subtracts; that is the bug.",
        },
    )
    settings = {"models": {"openai:scripted-model": {"capabilities": {"tools": False}}}}
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, settings=settings)
        events = await collect(runtime, "what is wrong with add?")
        session = runtime.loop.session
        await runtime.aclose()

    assert finished(events).reason == "completed", finished(events)
    assert all("tools" not in r.json() for r in server.requests)
    assistant = next(e.message for e in events if isinstance(e, AssistantMessage))
    assert assistant.tool_calls[0].name == "read"
    assert assistant.text == "Let me read it."
    assert [m.role for m in session.messages][-3:] == ["assistant", "tool", "assistant"]


async def test_the_same_failing_call_is_flagged_then_stopped(repo: Path) -> None:
    bad = {"name": "read", "arguments": {"file_path": str(repo / "missing.py")}}
    script = turns(
        *[{"tool_calls": [bad]}] * 2,
        {"tool_calls": [bad]},
        {"expect": {"last_tool_result_contains": "failed 3 times"}, "tool_calls": [bad]},
        {"tool_calls": [bad]},
    )
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server)
        events = await collect(runtime, "read missing.py")
        await runtime.aclose()

    end = finished(events)
    assert end.reason == "repeated_failure"
    assert end.error is not None and "5 times" in end.error.message


async def test_the_iteration_limit_ends_a_turn(repo: Path) -> None:
    ls = {"name": "glob", "arguments": {"pattern": "*.py"}}
    script = turns({"tool_calls": [ls]}, {"tool_calls": [ls]}, {"tool_calls": [ls]})
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, settings={"max_iterations": 2})
        events = await collect(runtime, "loop")
        await runtime.aclose()

    assert finished(events).reason == "max_iterations"
    assert finished(events).iterations == 2
    assert len(server.requests) == 2


async def test_a_stop_hook_sends_the_model_back_once(repo: Path) -> None:
    hook = repo / "stop.sh"
    hook.write_text(
        "#!/bin/bash\ncat >/dev/null\n"
        'echo \'{"decision": "block", "reason": "run the tests first"}\'\n'
    )
    hook.chmod(0o755)
    script = turns(
        {"text": "Done."},
        {"expect": {"last_user_contains": "run the tests first"}, "text": "Tests run; done."},
    )
    settings = {"hooks": {"Stop": [{"hooks": [{"command": str(hook)}]}]}}
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, settings=settings)
        events = await collect(runtime, "finish up")
        await runtime.aclose()

    assert finished(events).reason == "completed", finished(events)
    assert finished(events).iterations == 2


async def test_a_window_too_small_for_the_prompt_ends_the_turn_with_a_clear_error(
    repo: Path,
) -> None:
    settings = {
        "models": {"openai:scripted-model": {"capabilities": {"context_window": 1000}}},
    }
    with ScriptedModelServer(turns({"text": "never sent"})) as server:
        runtime = runtime_for(repo, server, settings=settings)
        events = await collect(runtime, "word " * 2000)
        await runtime.aclose()

    end = finished(events)
    assert end.reason == "error"
    assert end.error is not None and "larger context window" in end.error.message
    assert server.requests == []


async def test_a_search_never_shows_what_a_deny_rule_keeps_from_read(repo: Path) -> None:
    (repo / ".env").write_text("SECRET_TOKEN=abc\n")
    script = turns(
        {
            "tool_calls": [
                {"name": "grep", "arguments": {"pattern": "SECRET_TOKEN", "path": str(repo)}}
            ]
        },
        {"expect": {"last_tool_result_contains": "No matches"}, "text": "nothing found"},
    )
    settings = {"permissions": {"deny": ["Read(.env)"]}}
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, settings=settings)
        events = await collect(runtime, "find the token")
        await runtime.aclose()
    results = [e.result.text for e in events if isinstance(e, ToolFinished)]
    assert "abc" not in results[0]
    assert finished(events).reason == "completed", finished(events)


async def test_a_text_protocol_model_completes_the_same_fix(repo: Path) -> None:
    def call(name: str, **arguments: str) -> str:
        return f"<tool_call>{json.dumps({'name': name, 'arguments': arguments})}</tool_call>"

    script = turns(
        {"text": "Reading the code.\n" + call("read", file_path=str(repo / "calc.py"))},
        {
            "expect": {"last_user_contains": "return a - b"},
            "text": call(
                "edit", file_path=str(repo / "calc.py"), old_string="a - b", new_string="a + b"
            ),
        },
        {
            "expect": {"last_user_contains": "Edited"},
            "text": call("bash", command="python3 -m pytest -q -p no:cacheprovider"),
        },
        {"expect": {"last_user_contains": "1 passed"}, "text": "Fixed: add subtracted."},
    )
    settings = {
        "models": {"openai:scripted-model": {"capabilities": {"tools": False}}},
        "permissions": {"default_mode": "accept_edits", "allow": ["Bash(python3 -m pytest:*)"]},
    }
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, settings=settings)
        events = await collect(runtime, "The test fails; fix it.")
        await runtime.aclose()

    assert finished(events).reason == "completed", finished(events)
    assert (repo / "calc.py").read_text() == "def add(a, b):\n    return a + b\n"
    started = [e.call for e in events if isinstance(e, ToolStarted)]
    assert [c.name for c in started] == ["read", "edit", "bash"]
    assert len({c.id for c in started}) == 3  # ids never repeat across turns
    assert all("tools" not in r.json() for r in server.requests)


async def test_session_start_notification_compaction_and_session_end_hooks_fire(
    repo: Path,
) -> None:
    log = repo.parent / "hooks.log"

    def hook(event: str, output: str = "") -> dict[str, object]:
        path = repo.parent / f"{event}.sh"
        path.write_text(f"#!/bin/bash\ncat >/dev/null\necho {event} >> {log}\n{output}\n")
        path.chmod(0o755)
        return {"hooks": [{"command": str(path)}]}

    settings = {
        "hooks": {
            "SessionStart": [hook("SessionStart", "echo 'Deploy freeze until Friday.'")],
            "Notification": [hook("Notification")],
            "PreCompact": [hook("PreCompact")],
            "SessionEnd": [hook("SessionEnd")],
        },
        "models": {"openai:scripted-model": {"capabilities": {"context_window": 12000}}},
    }
    script = turns(
        {
            "expect": {"last_user_contains": "Deploy freeze"},
            "tool_calls": [{"name": "bash", "arguments": {"command": "ls"}}],
        },
        {"text": "done"},
    )
    person = ScriptedPerson([PermissionDecision(choice=PermissionChoice.ALLOW_ONCE)])
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, settings=settings, person=person)
        events = await collect(runtime, "list files " + "padding " * 1400)
        await runtime.aclose()

    assert finished(events).reason == "completed", finished(events).error
    fired = log.read_text().split()
    assert fired.count("SessionStart") == 1
    assert "Notification" in fired
    assert "PreCompact" in fired
    assert fired[-1] == "SessionEnd" and fired.count("SessionEnd") == 1  # on close
    (compacted,) = [e for e in events if isinstance(e, Compacted)]
    assert compacted.tokens_after < compacted.tokens_before


async def test_a_hook_answering_ask_puts_the_question_even_in_bypass_mode(repo: Path) -> None:
    hook = repo.parent / "ask.sh"
    answer = {
        "hookSpecificOutput": {
            "permissionDecision": "ask",
            "permissionDecisionReason": "this touches production",
        }
    }
    hook.write_text(f"#!/bin/bash\ncat >/dev/null\necho '{json.dumps(answer)}'\n")
    hook.chmod(0o755)
    script = turns(
        {"tool_calls": [{"name": "bash", "arguments": {"command": "touch deployed"}}]},
        {"expect": {"last_tool_result_contains": "declined"}, "text": "not deployed"},
    )
    settings = {
        "permissions": {"default_mode": "bypass"},
        "hooks": {"PreToolUse": [{"hooks": [{"command": str(hook)}]}]},
    }
    person = ScriptedPerson([PermissionDecision(choice=PermissionChoice.DENY)])
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, settings=settings, person=person)
        events = await collect(runtime, "deploy")
        await runtime.aclose()

    assert finished(events).reason == "completed", finished(events)
    assert [r.reason for r in person.asked] == ["this touches production"]
    assert not (repo / "deployed").exists()


async def test_what_hooks_say_to_the_user_is_shown(repo: Path) -> None:
    speaks = repo.parent / "speaks.sh"
    speaks.write_text(
        '#!/bin/bash\ncat >/dev/null\necho \'{"systemMessage": "lint is slow today"}\'\n'
    )
    broken = repo.parent / "broken.sh"
    broken.write_text("#!/bin/bash\ncat >/dev/null\necho 'no such linter' >&2\nexit 7\n")
    for path in (speaks, broken):
        path.chmod(0o755)
    settings = {
        "hooks": {
            "UserPromptSubmit": [{"hooks": [{"command": str(speaks)}, {"command": str(broken)}]}]
        }
    }
    with ScriptedModelServer(turns({"text": "hi"})) as server:
        runtime = runtime_for(repo, server, settings=settings)
        events = await collect(runtime, "hello")
        await runtime.aclose()

    assert finished(events).reason == "completed"  # a failing hook fails open
    notices = [e.message for e in events if isinstance(e, Notice)]
    assert "lint is slow today" in notices
    assert any(str(broken) in n and "exited with 7: no such linter" in n for n in notices)


async def test_a_long_commands_latest_line_is_shown_while_it_runs(repo: Path) -> None:
    command = "for i in 1 2 3; do echo step $i; sleep 0.3; done"
    script = turns(
        {"tool_calls": [{"name": "bash", "arguments": {"command": command}}]},
        {"expect": {"last_tool_result_contains": "step 3"}, "text": "done"},
    )
    with ScriptedModelServer(script) as server:
        bypass = {"permissions": {"default_mode": "bypass"}}
        runtime = runtime_for(repo, server, settings=bypass)
        events = await collect(runtime, "count")
        await runtime.aclose()

    assert finished(events).reason == "completed", finished(events)
    lines = [e.message for e in events if isinstance(e, ToolProgress)]
    assert lines == ["step 1", "step 2", "step 3"]  # the exit marker tau adds never shows
    finished_at = next(i for i, e in enumerate(events) if isinstance(e, ToolFinished))
    assert not any(isinstance(e, ToolProgress) for e in events[finished_at:])


async def test_a_prompt_hooks_stop_reason_is_said_once(repo: Path) -> None:
    hook = repo.parent / "freeze.sh"
    answer = {"continue": False, "stopReason": "deploy freeze until Friday"}
    hook.write_text(f"#!/bin/bash\ncat >/dev/null\necho '{json.dumps(answer)}'\n")
    hook.chmod(0o755)
    settings = {"hooks": {"UserPromptSubmit": [{"hooks": [{"command": str(hook)}]}]}}
    with ScriptedModelServer(turns({"text": "never asked"})) as server:
        runtime = runtime_for(repo, server, settings=settings)
        events = await collect(runtime, "ship it")
        await runtime.aclose()

    assert finished(events).reason == "stopped_by_hook"
    notices = [e.message for e in events if isinstance(e, Notice)]
    assert notices == ["UserPromptSubmit hook stopped the turn: deploy freeze until Friday"]
    assert server.requests == []
