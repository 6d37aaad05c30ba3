"""Hooks run the user's real commands: what they see, and how their answers count."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tau_cli.runtime.hooks import HookOutcome, HookRunner, combine
from tau_cli.runtime.settings import HookCommand, HookEvent, HookMatcher

BASH_CALL = {"tool_name": "bash", "tool_input": {"command": "rm -rf build"}}


def runner(
    project: Path, event: HookEvent, *hooks: HookCommand, matcher: str = "*", **env: str
) -> HookRunner:
    environ = {"PATH": os.environ["PATH"], "HOME": str(project), **env}
    return HookRunner(
        {event: [HookMatcher(matcher=matcher, hooks=list(hooks))]},
        project_dir=project,
        session_id="s-1",
        environ=environ,
    )


def _running(pid: int) -> bool:
    """Alive and not a zombie (a killed orphan may wait a moment to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _gone_within(pid: int, seconds: float) -> bool:
    """SIGKILL is delivered asynchronously: give a loaded machine a moment."""
    deadline = time.monotonic() + seconds
    while _running(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def script(project: Path, name: str, body: str) -> str:
    path = project / name
    path.write_text("#!/bin/bash\n" + body + "\n")
    path.chmod(0o755)
    return str(path)


async def test_exit_code_2_blocks_and_its_stderr_goes_to_the_model(tmp_path: Path) -> None:
    hook = script(tmp_path, "guard.sh", 'cat > seen.json; echo "no rm in this repo" >&2; exit 2')

    outcome = await runner(tmp_path, "PreToolUse", HookCommand(command=hook)).run(
        "PreToolUse", BASH_CALL, tool_name="bash"
    )

    assert outcome.blocked and outcome.decision == "deny"
    assert outcome.reason == "no rm in this repo"
    seen = json.loads((tmp_path / "seen.json").read_text())
    assert seen["hook_event_name"] == "PreToolUse"
    assert seen["tool_input"] == {"command": "rm -rf build"}
    assert seen["session_id"] == "s-1"
    assert seen["cwd"] == str(tmp_path)


async def test_a_matcher_limits_which_tools_a_hook_sees(tmp_path: Path) -> None:
    hook = script(tmp_path, "mark.sh", "touch ran")
    hooks = runner(tmp_path, "PreToolUse", HookCommand(command=hook), matcher="Edit|Write")

    await hooks.run("PreToolUse", BASH_CALL, tool_name="bash")
    assert not (tmp_path / "ran").exists()
    await hooks.run("PreToolUse", {"tool_name": "Write"}, tool_name="Write")
    assert (tmp_path / "ran").exists()


async def test_matchers_accept_claude_codes_tool_names(tmp_path: Path) -> None:
    hook = script(tmp_path, "mark.sh", "touch ran")
    hooks = runner(tmp_path, "PreToolUse", HookCommand(command=hook), matcher="Bash|WebFetch")

    await hooks.run("PreToolUse", {"tool_name": "edit"}, tool_name="edit")
    assert not (tmp_path / "ran").exists()
    await hooks.run("PreToolUse", BASH_CALL, tool_name="bash")
    assert (tmp_path / "ran").exists()


@pytest.mark.parametrize("decision", ["allow", "deny", "ask"])
async def test_json_answers_a_permission_decision(tmp_path: Path, decision: str) -> None:
    answer = {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": decision,
            "permissionDecisionReason": f"policy says {decision}",
        }
    }
    hook = script(tmp_path, "policy.sh", f"cat >/dev/null; echo '{json.dumps(answer)}'")

    outcome = await runner(tmp_path, "PreToolUse", HookCommand(command=hook)).run(
        "PreToolUse", BASH_CALL, tool_name="bash"
    )

    assert outcome.decision == decision
    assert outcome.blocked == (decision == "deny")
    assert outcome.reason == f"policy says {decision}"


async def test_deny_from_any_hook_beats_allow_from_another(tmp_path: Path) -> None:
    allow = script(tmp_path, "allow.sh", """echo '{"decision": "approve"}'""")
    deny = script(tmp_path, "deny.sh", "echo 'not on main' >&2; exit 2")

    outcome = await runner(
        tmp_path, "PreToolUse", HookCommand(command=allow), HookCommand(command=deny)
    ).run("PreToolUse", BASH_CALL, tool_name="bash")

    assert outcome.decision == "deny"
    assert outcome.reason == "not on main"


async def test_a_hook_that_times_out_fails_open_and_is_killed(tmp_path: Path) -> None:
    hook = script(tmp_path, "slow.sh", "echo $$ > pid; sleep 30")

    outcome = await runner(tmp_path, "PreToolUse", HookCommand(command=hook, timeout="300ms")).run(
        "PreToolUse", BASH_CALL, tool_name="bash"
    )

    assert not outcome.blocked and outcome.decision is None
    assert "timed out after 0.3s" in outcome.messages[0]
    pid = int((tmp_path / "pid").read_text())
    assert _gone_within(pid, seconds=5)


async def test_on_failure_block_makes_a_crashing_hook_fail_closed(tmp_path: Path) -> None:
    hook = script(tmp_path, "broken.sh", "exit 1")

    lenient = await runner(tmp_path, "PreToolUse", HookCommand(command=hook)).run(
        "PreToolUse", BASH_CALL, tool_name="bash"
    )
    strict = await runner(
        tmp_path, "PreToolUse", HookCommand(command=hook, on_failure="block")
    ).run("PreToolUse", BASH_CALL, tool_name="bash")

    assert not lenient.blocked and "exited with 1" in lenient.messages[0]
    assert strict.blocked and strict.decision == "deny"
    assert "exited with 1" in (strict.reason or "")


async def test_plain_stdout_of_a_prompt_hook_is_context_for_the_model(tmp_path: Path) -> None:
    hook = script(tmp_path, "ctx.sh", "cat >/dev/null; echo 'Current sprint: payments'")
    outcome = await runner(tmp_path, "UserPromptSubmit", HookCommand(command=hook)).run(
        "UserPromptSubmit", {"prompt": "what next?"}
    )
    assert outcome.context == ("Current sprint: payments",)
    assert not outcome.blocked


async def test_a_stop_hook_can_send_the_model_back_to_work(tmp_path: Path) -> None:
    answer = {"decision": "block", "reason": "tests are still failing"}
    hook = script(tmp_path, "stop.sh", f"echo '{json.dumps(answer)}'")
    outcome = await runner(tmp_path, "Stop", HookCommand(command=hook)).run("Stop", {})
    assert outcome.blocked
    assert outcome.reason == "tests are still failing"


async def test_continue_false_ends_the_turn(tmp_path: Path) -> None:
    answer = {"continue": False, "stopReason": "budget exhausted", "systemMessage": "stopping"}
    hook = script(tmp_path, "halt.sh", f"echo '{json.dumps(answer)}'")
    outcome = await runner(tmp_path, "PostToolUse", HookCommand(command=hook)).run(
        "PostToolUse", BASH_CALL, tool_name="bash"
    )
    assert outcome.stop_session
    assert outcome.stop_reason == "budget exhausted"
    assert outcome.messages == ("stopping",)


async def test_hooks_see_the_project_dir_but_not_tau_secrets(tmp_path: Path) -> None:
    hook = script(tmp_path, "env.sh", "env > env.txt")
    await runner(
        tmp_path, "SessionStart", HookCommand(command=hook), OPENAI_API_KEY="sk-secret"
    ).run("SessionStart", {})
    env = (tmp_path / "env.txt").read_text()
    assert "sk-secret" not in env
    assert f"TAU_PROJECT_DIR={tmp_path}" in env
    assert f"CLAUDE_PROJECT_DIR={tmp_path}" in env


async def test_python_callbacks_take_part_like_commands(tmp_path: Path) -> None:
    seen: list[Mapping[str, Any]] = []

    async def audit(event: str, payload: Mapping[str, Any]) -> HookOutcome | None:
        seen.append(payload)
        return HookOutcome(decision="ask", reason="audited")

    hooks = HookRunner({}, project_dir=tmp_path)
    hooks.add_callback("PreToolUse", audit, matcher="bash")

    outcome = await hooks.run("PreToolUse", BASH_CALL, tool_name="bash")
    skipped = await hooks.run("PreToolUse", {"tool_name": "read"}, tool_name="read")

    assert outcome.decision == "ask" and outcome.reason == "audited"
    assert skipped == HookOutcome()
    assert len(seen) == 1


def test_combining_keeps_every_context_and_message() -> None:
    combined = combine(
        [
            HookOutcome(context=("a",), messages=("m1",)),
            HookOutcome(decision="allow", context=("b",)),
            HookOutcome(decision="ask", reason="check", messages=("m2",)),
        ]
    )
    assert combined.decision == "ask"
    assert combined.reason == "check"
    assert combined.context == ("a", "b")
    assert combined.messages == ("m1", "m2")
