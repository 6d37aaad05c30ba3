"""Plan mode: explore read-only, propose, revise after feedback, approve, execute.

The plan file on disk is checked after every step: it is what the user reads and
edits, and it must always show the truth.
"""

from __future__ import annotations

from pathlib import Path

from tau_cli.core import PlanApprovalRequest, PlanDecision
from tau_cli.runtime.events import ModeChanged, ToolFinished, TurnFinished
from tau_cli.testing import ScriptedModelServer

from .loop_helpers import ScriptedPerson, collect, make_repo, runtime_for, turns

FIRST = "## Steps\n\n- [ ] Rewrite calc.py from scratch\n- [ ] Run the tests\n"
SECOND = "## Steps\n\n- [ ] Change `a - b` to `a + b` in calc.py\n- [ ] Run the tests\n"


async def test_propose_reject_revise_approve_execute(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    plans = repo / ".tau" / "plans"
    snapshots: list[str] = []

    def look_at_the_file(request: PlanApprovalRequest) -> None:
        assert request.path is not None
        snapshots.append(Path(request.path).read_text())
        if len(snapshots) == 2:  # the user edits the revised plan before approving it
            Path(request.path).write_text(Path(request.path).read_text() + "- [ ] Commit\n")

    person = ScriptedPerson(
        plan_decisions=[
            PlanDecision(approved=False, feedback="too much: change only the operator"),
            PlanDecision(approved=True, mode_after="accept_edits"),
        ],
        before_plan_answer=look_at_the_file,
    )
    edit = {
        "name": "edit",
        "arguments": {
            "file_path": str(repo / "calc.py"),
            "old_string": "a - b",
            "new_string": "a + b",
        },
    }
    script = turns(
        {
            "expect": {"tools": ["read", "propose_plan"]},
            "tool_calls": [{"name": "read", "arguments": {"file_path": str(repo / "calc.py")}}],
        },
        {"tool_calls": [{"name": "edit", "arguments": edit["arguments"]}]},
        {
            "expect": {"last_tool_result_contains": "plan mode"},
            "tool_calls": [
                {"name": "propose_plan", "arguments": {"title": "Fix add", "plan": FIRST}}
            ],
        },
        {
            "expect": {"last_tool_result_contains": "change only the operator"},
            "tool_calls": [
                {"name": "propose_plan", "arguments": {"title": "Fix add", "plan": SECOND}}
            ],
        },
        {"expect": {"last_tool_result_contains": "- [ ] Commit"}, "tool_calls": [edit]},
        {
            "expect": {"last_tool_result_contains": "Edited"},
            "tool_calls": [{"name": "update_plan", "arguments": {"step": 1}}],
        },
        {"expect": {"system_contains": "<approved-plan"}, "text": "Step 1 is done."},
    )
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(
            repo, server, person=person, settings={"permissions": {"default_mode": "plan"}}
        )
        events = await collect(runtime, "fix add, but plan first")
        await runtime.aclose()

    end = events[-1]
    assert isinstance(end, TurnFinished) and end.reason == "completed", end
    # in plan mode the edit was refused, not run
    results = [e.result for e in events if isinstance(e, ToolFinished)]
    assert results[1].is_error and "plan mode" in results[1].text
    # the first draft, then the revision; the first draft is kept beside the plan
    (plan_file,) = [p for p in plans.iterdir() if not p.name.endswith(".v1.md")]
    assert plan_file.name.endswith("-fix-add.md")
    assert snapshots[0] == "# Fix add\n\n" + FIRST
    assert snapshots[1] == "# Fix add\n\n" + SECOND
    assert (plans / plan_file.name.replace(".md", ".v1.md")).read_text() == "# Fix add\n\n" + FIRST
    # approved with the user's edit, executed in accept_edits, and step 1 ticked on disk
    assert (repo / "calc.py").read_text() == "def add(a, b):\n    return a + b\n"
    assert plan_file.read_text() == (
        "# Fix add\n\n## Steps\n\n- [x] Change `a - b` to `a + b` in calc.py\n"
        "- [ ] Run the tests\n- [ ] Commit\n"
    )
    assert runtime.loop.policy.mode.value == "accept_edits"
    assert [e.mode for e in events if isinstance(e, ModeChanged)] == ["accept_edits"]
    # plan mode offered only read-only tools
    offered = {t["function"]["name"] for t in server.requests[0].json()["tools"]}
    assert "edit" not in offered and "bash" not in offered and "propose_plan" in offered


async def test_the_model_can_suggest_planning_first(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    edit = {
        "name": "edit",
        "arguments": {
            "file_path": str(repo / "calc.py"),
            "old_string": "a - b",
            "new_string": "a + b",
        },
    }
    script = turns(
        {"tool_calls": [{"name": "enter_plan_mode", "arguments": {"reason": "risky"}}]},
        {"expect": {"last_tool_result_contains": "Plan mode is on"}, "tool_calls": [edit]},
        {
            "expect": {"last_tool_result_contains": "plan mode"},
            "text": "I will propose a plan first.",
        },
    )
    settings = {"permissions": {"default_mode": "accept_edits"}}
    with ScriptedModelServer(script) as server:
        runtime = runtime_for(repo, server, settings=settings)
        events = await collect(runtime, "rewrite the calculator")
        await runtime.aclose()

    end = events[-1]
    assert isinstance(end, TurnFinished) and end.reason == "completed"
    assert (repo / "calc.py").read_text() == "def add(a, b):\n    return a - b\n"  # refused
    assert [e.mode for e in events if isinstance(e, ModeChanged)] == ["plan"]
    offered_after = {t["function"]["name"] for t in server.requests[1].json()["tools"]}
    assert "edit" not in offered_after
