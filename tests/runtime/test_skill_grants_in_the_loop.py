"""A skill's ``allowed-tools`` in a real runtime: once the skill is active, the tools it
lists run without asking, for the rest of the session, and nothing else changes.

Each test drives a runtime built as ``tau`` builds it, over HTTP to the scripted model
server, with a scripted person who records every permission question.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tau_cli.core import Event, PermissionChoice, PermissionDecision
from tau_cli.runtime.commands import interpret
from tau_cli.runtime.events import Notice, ToolFinished, TurnFinished
from tau_cli.testing import ScriptedModelServer

from .loop_helpers import ScriptedPerson, collect, make_repo, runtime_for, turns

LINE_COUNT = (
    "name: line-count\ndescription: Count the lines of source files.\n"
    "triggers: [count the lines]\nallowed-tools: Bash(wc -l:*)\n"
)


def write_skill(root: Path, frontmatter: str = LINE_COUNT, name: str = "line-count") -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "SKILL.md").write_text(f"---\n{frontmatter}---\nCount lines with wc -l.\n")
    return folder / "SKILL.md"


def bash(command: str) -> dict[str, Any]:
    return {"tool_calls": [{"name": "bash", "arguments": {"command": command}}]}


LOAD = {"tool_calls": [{"name": "skill", "arguments": {"name": "line-count"}}]}


def results(events: list[Event]) -> list[str]:
    return [e.result.text for e in events if isinstance(e, ToolFinished)]


def notices(events: list[Event]) -> list[Notice]:
    return [e for e in events if isinstance(e, Notice) and "line-count" in e.message]


def asked(person: ScriptedPerson) -> list[str]:
    return [str(r.arguments.get("command")) for r in person.asked]


async def test_after_the_model_loads_a_skill_its_commands_run_without_asking(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "repo")
    write_skill(repo / ".tau" / "skills")
    script = turns(
        bash("wc -l calc.py"),
        LOAD,
        {"expect": {"last_tool_result_contains": "wc -l"}, **bash("wc -l test_calc.py")},
        bash("wc -l calc.py && rm test_calc.py"),
        bash("wc -c calc.py"),
        {"text": "Counted."},
    )
    person = ScriptedPerson(permissions=[PermissionDecision(choice=PermissionChoice.ALLOW_ONCE)])
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, person=person)
        events = await collect(runtime, "how long are the sources?")
        rules = runtime.describe().rules
        shown = await interpret(runtime, "/permissions", modes=["default"])
        transcript = _transcript(runtime.session_id)
        await runtime.aclose()

    assert isinstance(events[-1], TurnFinished) and events[-1].reason == "completed"
    # Before the skill was loaded the command asked; after, only what it does not cover.
    assert asked(person) == ["wc -l calc.py", "wc -l calc.py && rm test_calc.py", "wc -c calc.py"]
    outputs = results(events)
    assert outputs[2].strip().endswith("test_calc.py")
    assert (repo / "test_calc.py").exists()
    granted = [(r.rule, r.kind, r.source) for r in rules if r.source.startswith("skill")]
    assert granted == [("bash(wc -l:*)", "allow", "skill line-count, this session")]
    assert shown is not None and "skill line-count, this session" in shown.text
    [notice] = notices(events)
    assert notice.level == "info" and "bash(wc -l:*)" in notice.message
    assert {"type": "skill_granted", "rules": ["bash(wc -l:*)"]}.items() <= _granted(transcript)


async def test_a_deny_rule_beats_the_skills_grant(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    write_skill(repo / ".tau" / "skills")
    script = turns(LOAD, bash("wc -l calc.py"), bash("wc -l test_calc.py"), {"text": "Stopped."})
    person = ScriptedPerson()
    settings = {"permissions": {"deny": ["Bash(wc -l test_calc.py)"]}}
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, person=person, settings=settings)
        events = await collect(runtime, "count the test file")
        await runtime.aclose()

    assert person.asked == []
    allowed, denied = results(events)[-2:]
    assert allowed.strip().endswith("calc.py")  # the grant is in force
    assert denied.startswith("Permission denied: denied by rule bash(wc -l test_calc.py)")


async def test_an_ask_rule_still_asks_while_the_skill_is_active(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    write_skill(repo / ".tau" / "skills")
    script = turns(LOAD, bash("wc -l calc.py"), bash("wc -l test_calc.py"), {"text": "Stopped."})
    person = ScriptedPerson()
    settings = {"permissions": {"ask": ["Bash(wc -l test_calc.py)"]}}
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, person=person, settings=settings)
        await collect(runtime, "count the test file")
        await runtime.aclose()

    assert asked(person) == ["wc -l test_calc.py"]


async def test_plan_mode_still_refuses_an_edit_the_skill_grants(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    frontmatter = "name: line-count\ndescription: Count lines.\nallowed-tools: Edit Bash(wc -l:*)\n"
    write_skill(repo / ".tau" / "skills", frontmatter)
    edit = {"file_path": str(repo / "calc.py"), "old_string": "a - b", "new_string": "a + b"}
    script = turns(
        LOAD,
        {"tool_calls": [{"name": "edit", "arguments": edit}]},
        bash("wc -l calc.py"),
        {"text": "Planned."},
    )
    person = ScriptedPerson()
    settings = {"permissions": {"default_mode": "plan"}}
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, person=person, settings=settings)
        events = await collect(runtime, "fix calc.py")
        await runtime.aclose()

    assert "a - b" in (repo / "calc.py").read_text()
    edited, counted = results(events)[-2:]
    assert "plan mode" in edited and "plan mode" in counted
    assert person.asked == []


async def test_an_untrusted_projects_skill_grants_nothing_and_says_so_once(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "repo")
    path = write_skill(repo / ".tau" / "skills")
    script = turns(LOAD, bash("wc -l calc.py"), LOAD, {"text": "Done."})
    person = ScriptedPerson()
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, person=person, trust=False)
        events = await collect(runtime, "how long is calc.py?")
        grants = runtime.loop.policy.grants
        await runtime.aclose()

    assert asked(person) == ["wc -l calc.py"]
    assert grants == {}
    [notice] = notices(events)
    assert notice.level == "warning"
    assert "not trusted" in notice.message and str(path) in notice.message


async def test_a_users_own_skill_grants_in_an_untrusted_project(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    write_skill(Path(os.environ["TAU_HOME"]) / "skills")
    script = turns(LOAD, bash("wc -l calc.py"), {"text": "Done."})
    person = ScriptedPerson()
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, person=person, trust=False)
        events = await collect(runtime, "how long is calc.py?")
        await runtime.aclose()

    assert person.asked == []
    assert results(events)[-1].strip().endswith("calc.py")


@pytest.mark.parametrize(
    "prompt",
    ["/line-count calc.py", "please count the lines in calc.py"],
    ids=["command", "trigger phrase"],
)
async def test_typing_the_skills_command_or_a_trigger_phrase_activates_it_too(
    tmp_path: Path, prompt: str
) -> None:
    repo = make_repo(tmp_path / "repo")
    write_skill(repo / ".tau" / "skills")
    script = turns(
        {"expect": {"last_user_contains": "Count lines with wc"}, **bash("wc -l calc.py")},
        {"text": "Done."},
    )
    person = ScriptedPerson()
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, person=person)
        events = await collect(runtime, prompt)
        await runtime.aclose()

    assert person.asked == []
    assert results(events)[-1].strip().endswith("calc.py")


async def test_after_clear_typing_the_skills_command_loads_and_grants_it_again(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "repo")
    write_skill(repo / ".tau" / "skills")
    loaded = {"expect": {"last_user_contains": "Count lines with wc"}, **bash("wc -l calc.py")}
    script = turns(loaded, {"text": "Done."}, loaded, {"text": "Done again."})
    person = ScriptedPerson()
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, person=person)
        await collect(runtime, "/line-count calc.py")
        await runtime.new_session()
        events = await collect(runtime, "/line-count calc.py")
        await runtime.aclose()

    assert person.asked == []
    assert isinstance(events[-1], TurnFinished) and events[-1].reason == "completed"
    assert len(notices(events)) == 1


async def test_a_resumed_or_cleared_session_starts_without_the_grant(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    write_skill(repo / ".tau" / "skills")
    first = turns(LOAD, bash("wc -l calc.py"), {"text": "Done."})
    later = turns(bash("wc -l calc.py"), {"text": "Asked."})
    person = ScriptedPerson()
    with ScriptedModelServer(first) as server:
        runtime = runtime_for(repo, server, person=person)
        await collect(runtime, "how long is calc.py?")
        session = runtime.session_id
        await runtime.new_session()
        cleared = runtime.loop.policy.grants
        await runtime.aclose()
    with ScriptedModelServer(later) as server:
        resumed = runtime_for(repo, server, person=person, resume=session)
        await collect(resumed, "and now?")
        await resumed.aclose()

    assert cleared == {}
    assert asked(person) == ["wc -l calc.py"]  # only after resuming


def _transcript(session_id: str) -> list[dict[str, Any]]:
    sessions = Path(os.environ["TAU_HOME"]) / "sessions"
    [path] = sessions.glob(f"*/{session_id}.jsonl")
    return [json.loads(line) for line in path.read_text().splitlines()]


def _granted(transcript: list[dict[str, Any]]) -> Any:
    [event] = [
        line["event"]
        for line in transcript
        if line.get("type") == "event" and line["event"].get("type") == "skill_granted"
    ]
    return event.items()
