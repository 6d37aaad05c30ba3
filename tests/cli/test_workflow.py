"""``tau workflow`` as people and scripts use it: real processes, a model over HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from tau_cli.agent import Turn
from tau_cli.runtime.events import RuntimeEvent
from tau_cli.testing import ScriptedModelServer

from .conftest import TAU, run_tau, tau_env

POLISH = """
description: Draft a paragraph, then revise it until the critic approves.
inputs:
  topic: {description: What to write about}
state:
  draft: {}
  drafts: {type: list, reducer: append}
  verdict: {}
output: draft
step_limit: 12
start: prepare
nodes:
  prepare:
    shell: "echo prepare >> ran.log && echo 'Keep it under 50 words.'"
    writes: verdict
  writer:
    agent:
      prompt: |
        Write one paragraph about {{ topic }}.
        Notes on the last draft: {{ verdict }}
      tools: []
    writes: [draft, drafts]
  critic:
    agent:
      prompt: |
        Review this paragraph. Answer APPROVED if it is good, else say what to fix.
        {{ draft }}
      tools: []
    writes: verdict
edges:
  - {from: prepare, to: writer}
  - {from: writer, to: critic}
  - {from: critic, to: END, when: "'APPROVED' in verdict"}
  - {from: critic, to: writer}
"""

WRITER_1 = {"expect": {"last_user_contains": "under 50 words"}, "text": "Tides are slow."}
CRITIC_1 = {"expect": {"last_user_contains": "Tides are slow."}, "text": "Say how often."}
WRITER_2 = {"expect": {"last_user_contains": "Say how often."}, "text": "Tides turn twice daily."}
CRITIC_2 = {"expect": {"last_user_contains": "twice daily"}, "text": "APPROVED"}


def turns(*raw: dict[str, Any]) -> list[Turn]:
    return [Turn.model_validate(t) for t in raw]


def model_env(server: ScriptedModelServer) -> dict[str, str]:
    return {
        "TAU_MODEL": "openai:scripted-model",
        "OPENAI_BASE_URL": f"{server.url}/v1",
        "OPENAI_API_KEY": "sk-test-0000000000000000",
    }


def add_workflow(repo: Path, name: str, text: str) -> None:
    folder = repo / ".tau" / "workflows"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(textwrap.dedent(text).lstrip())


def agents_asked(server: ScriptedModelServer) -> list[str]:
    """Which agent each model request came from, in order, read off the wire."""
    asked = []
    for request in server.requests:
        if not request.path.endswith("/chat/completions"):
            continue
        prompt = request.json()["messages"][-1]["content"]
        asked.append("writer" if prompt.startswith("Write") else "critic")
    return asked


def test_writer_and_critic_loop_until_the_critic_approves(repo: Path) -> None:
    add_workflow(repo, "polish", POLISH)
    script = turns(WRITER_1, CRITIC_1, WRITER_2, CRITIC_2)
    with ScriptedModelServer(script) as server:
        result = run_tau(
            "workflow", "run", "polish", "--input", "topic=tides", cwd=repo, **model_env(server)
        )
        asked = agents_asked(server)

    assert result.returncode == 0, result.stderr
    assert asked == ["writer", "critic", "writer", "critic"]
    assert result.stdout == "Tides turn twice daily.\n"
    assert "  ▶ critic (step 5)" in result.stderr
    assert "finished after 5 steps" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_critic_that_never_approves_is_stopped_by_the_step_limit(repo: Path) -> None:
    add_workflow(repo, "polish", POLISH.replace("step_limit: 12", "step_limit: 4"))
    script = turns(WRITER_1, CRITIC_1, WRITER_2, {"text": "Still not right."})
    with ScriptedModelServer(script) as server:
        result = run_tau(
            "workflow",
            "run",
            "polish",
            "-i",
            "topic=tides",
            "--run-id",
            "capped",
            cwd=repo,
            **model_env(server),
        )
        asked = agents_asked(server)

    assert result.returncode == 4, result.stderr
    assert asked == ["writer", "critic", "writer"]
    assert "limit of 4 steps" in result.stderr
    assert "resume with: tau workflow resume capped" in result.stderr
    assert result.stdout == ""


def test_stream_json_prints_the_runs_events_as_runtime_events(repo: Path) -> None:
    add_workflow(repo, "polish", POLISH)
    script = turns(WRITER_1, {"text": "APPROVED"})
    with ScriptedModelServer(script) as server:
        result = run_tau(
            "workflow",
            "run",
            "polish",
            "-i",
            "topic=tides",
            "--output-format",
            "stream-json",
            cwd=repo,
            **model_env(server),
        )

    assert result.returncode == 0, result.stderr
    adapter: TypeAdapter[Any] = TypeAdapter(RuntimeEvent)
    events = [adapter.validate_json(line) for line in result.stdout.splitlines()]
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    graph = [(e.type, getattr(e, "node", None)) for e in events if e.parent_id is None]
    assert graph[0][0] == "workflow_started" and graph[-1][0] == "workflow_finished"
    started = [node for kind, node in graph if kind == "node_started"]
    assert started == ["prepare", "writer", "critic"]
    writer = [e.type for e in events if e.parent_id == "writer"]
    assert writer[0] == "turn_started" and writer[-1] == "turn_finished"


def test_json_output_carries_the_answer_and_the_state(repo: Path) -> None:
    add_workflow(repo, "polish", POLISH)
    with ScriptedModelServer(turns(WRITER_1, {"text": "APPROVED"})) as server:
        result = run_tau(
            "workflow",
            "run",
            "polish",
            "-i",
            "topic=tides",
            "--output-format",
            "json",
            "--run-id",
            "j1",
            cwd=repo,
            **model_env(server),
        )

    payload = json.loads(result.stdout)
    assert payload["run_id"] == "j1" and payload["status"] == "finished"
    assert payload["output"] == "Tides are slow."
    assert payload["state"]["drafts"] == ["Tides are slow."]


def test_a_killed_run_resumes_without_rerunning_finished_nodes(repo: Path) -> None:
    add_workflow(repo, "polish", POLISH)
    hanging = {**WRITER_2, "delay": "60s"}
    with ScriptedModelServer(turns(WRITER_1, CRITIC_1, hanging)) as server:
        victim = subprocess.Popen(
            [TAU, "workflow", "run", "polish", "-i", "topic=tides", "--run-id", "k1"],
            cwd=repo,
            env=tau_env(**model_env(server)),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            while len(agents_asked(server)) < 3 and victim.poll() is None:
                assert time.monotonic() < deadline, "the run never reached the third request"
                time.sleep(0.02)
        finally:
            os.killpg(victim.pid, signal.SIGKILL)
            victim.communicate(timeout=10)
        first_process = agents_asked(server)
    assert victim.returncode == -signal.SIGKILL
    assert first_process == ["writer", "critic", "writer"]

    shown = run_tau("workflow", "show", "k1", cwd=repo)
    assert "status: stopped before its end" in shown.stdout
    assert "next: writer" in shown.stdout
    assert '"verdict": "Say how often."' in shown.stdout

    with ScriptedModelServer(turns(WRITER_2, CRITIC_2)) as server:
        resumed = run_tau(
            "workflow", "resume", "k1", "--output-format", "json", cwd=repo, **model_env(server)
        )
        second_process = agents_asked(server)

    assert resumed.returncode == 0, resumed.stderr
    assert second_process == ["writer", "critic"]
    assert (repo / "ran.log").read_text().split() == ["prepare"]

    other = repo.parent / "uninterrupted"
    (other / ".git").mkdir(parents=True)
    add_workflow(other, "polish", POLISH)
    with ScriptedModelServer(turns(WRITER_1, CRITIC_1, WRITER_2, CRITIC_2)) as server:
        straight = run_tau(
            "workflow", "run", "polish", "-i", "topic=tides", "--output-format", "json",
            cwd=other, **model_env(server),
        )  # fmt: skip
    assert json.loads(resumed.stdout)["state"] == json.loads(straight.stdout)["state"]
    assert json.loads(resumed.stdout)["steps"] == json.loads(straight.stdout)["steps"] == 5


def test_list_shows_workflows_and_runs_and_broken_files(repo: Path) -> None:
    add_workflow(repo, "polish", POLISH)
    add_workflow(repo, "broken", "start: a\nnodes: [oops\n")
    result = run_tau("workflow", "list", cwd=repo)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("broken  (cannot be used: ") and "broken.yaml:3" in lines[0]
    assert lines[1] == "polish  Draft a paragraph, then revise it until the critic approves."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("start: a\nnodes:\n  a: {shell: [unclosed\n", "polish.yaml:4: this is not valid YAML"),
        (
            "start: a\nstate: {x: {}}\nnodes:\n  a: {shell: echo}\nedges:\n  - {from: a, to: b}\n",
            "polish.yaml:6: there is no node 'b' (nodes: a)",
        ),
    ],
)
def test_a_broken_workflow_is_one_clear_error(repo: Path, text: str, expected: str) -> None:
    add_workflow(repo, "polish", text)
    result = run_tau("workflow", "run", "polish", cwd=repo)

    assert result.returncode == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_mistakes_are_named(repo: Path) -> None:
    add_workflow(repo, "polish", POLISH)
    no_equals = run_tau("workflow", "run", "polish", "--input", "tides", cwd=repo)
    assert no_equals.returncode == 2
    assert "--input takes NAME=VALUE, not 'tides'" in no_equals.stderr

    missing = run_tau("workflow", "run", "polish", cwd=repo)
    assert missing.returncode == 1
    assert "polish needs the input 'topic'" in missing.stderr

    unknown = run_tau("workflow", "resume", "nope", cwd=repo)
    assert unknown.returncode == 1
    assert "no workflow run 'nope'" in unknown.stderr
    assert "Traceback" not in missing.stderr + unknown.stderr


def test_steps_run_in_the_project_root_wherever_tau_was_started(repo: Path) -> None:
    add_workflow(
        repo,
        "where",
        "state: {cwd: {}}\noutput: cwd\nstart: here\nnodes:\n  here: {shell: pwd, writes: cwd}\n",
    )
    (repo / "src" / "deep").mkdir(parents=True)
    result = run_tau("workflow", "run", "where", cwd=repo / "src" / "deep")

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{repo.resolve()}\n"
    assert list((repo / ".tau" / "runs").glob("*.json"))
    assert (repo / ".tau" / "runs" / ".gitignore").read_text() == "*\n"


def test_show_draws_a_workflow_given_its_name(repo: Path) -> None:
    add_workflow(repo, "polish", POLISH)
    result = run_tau("workflow", "show", "polish", cwd=repo)

    assert result.returncode == 0, result.stderr
    assert "input topic: What to write about" in result.stdout
    assert "flowchart TD" in result.stdout
    assert '-.->|"END"| END' in result.stdout


def test_a_run_paused_for_a_person_resumes_with_their_answer(repo: Path) -> None:
    add_workflow(
        repo,
        "release",
        """
        state: {notes: {}, approval: {}, shipped: {}}
        output: shipped
        interrupt_before: [ship]
        start: draft
        nodes:
          draft: {shell: echo v1.2 notes, writes: notes}
          ship: {shell: "echo shipped after {{ approval }}", writes: shipped}
        edges:
          - {from: draft, to: ship}
        """,
    )
    paused = run_tau("workflow", "run", "release", "--run-id", "r1", cwd=repo)
    assert paused.returncode == 0, paused.stderr
    assert paused.stdout == ""
    assert "paused before ship; continue with tau workflow resume r1" in paused.stderr

    shown = run_tau("workflow", "show", "r1", cwd=repo)
    assert "status: interrupted" in shown.stdout and '"notes": "v1.2 notes"' in shown.stdout

    resumed = run_tau("workflow", "resume", "r1", "--input", "approval=yes", cwd=repo)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout == "shipped after yes\n"
