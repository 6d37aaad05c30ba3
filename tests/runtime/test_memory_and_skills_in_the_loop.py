"""Memory and skills as the model meets them: its own notes as tools, and skills
whose instructions arrive with a prompt that matches them."""

from __future__ import annotations

from pathlib import Path

from tau_cli.runtime.events import TurnFinished
from tau_cli.skills import SkillActivated
from tau_cli.testing import ScriptedModelServer

from .loop_helpers import collect, make_repo, runtime_for, turns


async def test_the_model_keeps_progress_features_and_notes(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    script = turns(
        {
            "tool_calls": [
                {
                    "name": "progress",
                    "arguments": {"action": "append", "section": "done", "text": "Fixed add"},
                },
                {
                    "name": "features",
                    "arguments": {"action": "set", "name": "addition", "status": "pass"},
                },
                {
                    "name": "notes",
                    "arguments": {
                        "action": "write",
                        "kind": "concepts",
                        "title": "Calc module",
                        "body": "add lives in calc.py",
                    },
                },
            ]
        },
        {
            "expect": {"last_tool_result_contains": "concepts/calc-module"},
            "tool_calls": [
                {"name": "notes", "arguments": {"action": "search", "query": "calc.py"}}
            ],
        },
        {"expect": {"last_tool_result_contains": "concepts/calc-module"}, "text": "Recorded."},
    )
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server)
        events = await collect(runtime, "record what we did")
        await runtime.aclose()

    assert isinstance(events[-1], TurnFinished) and events[-1].reason == "completed"
    progress = (repo / ".tau" / "memory" / "progress.md").read_text()
    assert "Fixed add" in progress.split("## Done", 1)[1]
    assert '"status": "pass"' in (repo / ".tau" / "memory" / "features.json").read_text()
    assert (repo / ".tau" / "notes" / "concepts" / "calc-module.md").exists()


async def test_a_matching_prompt_brings_the_skills_instructions_once(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    skill = repo / ".tau" / "skills" / "release-notes"
    skill.mkdir(parents=True)
    (skill / "SKILL.md").write_text(
        "---\nname: release-notes\ndescription: Write release notes from the git history.\n"
        "triggers: [release notes]\n---\nGroup changes by kind; link every PR.\n"
    )
    script = turns(
        {"expect": {"last_user_contains": "link every PR"}, "text": "Here are the notes."},
        {"text": "Shorter now."},
    )
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server)
        first = await collect(runtime, "write the release notes for 2.0")
        second = await collect(runtime, "make the release notes shorter")
        requests = [r.json() for r in server.requests]
        await runtime.aclose()

    activated = [e for e in first if isinstance(e, SkillActivated)]
    assert [(e.name, e.reason) for e in activated] == [("release-notes", "matcher")]
    assert activated[0].tokens > 0
    assert not any(isinstance(e, SkillActivated) for e in second)
    last_user = [m for m in requests[1]["messages"] if m["role"] == "user"][-1]
    assert "link every PR" not in str(last_user["content"])
    assert '<skill name="release-notes">' in requests[0]["messages"][0]["content"]


async def test_a_subfolders_tau_md_arrives_with_the_first_tool_that_touches_it(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "repo")
    (repo / "TAU.md").write_text("Root rule: run make test.\n")
    (repo / "web").mkdir()
    (repo / "web" / "TAU.md").write_text("Web rule: use pnpm, never npm.\n")
    (repo / "web" / "app.js").write_text("console.log('hi')\n")
    read_app = {"name": "read", "arguments": {"file_path": str(repo / "web" / "app.js")}}
    script = turns(
        {"expect": {"system_contains": "Root rule"}, "tool_calls": [read_app]},
        {"expect": {"last_tool_result_contains": "use pnpm"}, "tool_calls": [read_app]},
        {"text": "done"},
    )
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server)
        events = await collect(runtime, "look at the web app")
        requests = [r.json() for r in server.requests]
        await runtime.aclose()

    assert isinstance(events[-1], TurnFinished) and events[-1].reason == "completed"
    system = requests[0]["messages"][0]["content"]
    assert "Web rule" not in system  # not loaded until touched
    assert all(r["messages"][0]["content"] == system for r in requests)  # prefix stable
    second_read = requests[2]["messages"][-1]["content"]
    assert "use pnpm" not in second_read  # loaded once
