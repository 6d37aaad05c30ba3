"""Running YAML workflows of shell steps: conditions, loops, joins, sub-workflows,
limits, pauses and resumes — real processes, checkpoints on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from tau_cli.orchestrate import CheckpointError, GraphError, NodeFailed, StepLimitExceeded
from tau_cli.runtime.events import WorkflowFailed

from .workflow_helpers import Recorder, runner_for, write_workflow


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    return root


COUNTER = """
description: Add a line until there are three.
inputs:
  word: {default: tick}
state:
  lines: {type: list, reducer: append}
output: lines
start: add
nodes:
  add:
    shell: "echo {{ word }}-{{ len(lines) }} && echo add >> ran.log"
    writes: lines
edges:
  - {from: add, to: add, when: "len(lines) < 3"}
"""


async def test_a_conditional_loop_runs_until_its_condition_fails(project: Path) -> None:
    write_workflow(project, "count", COUNTER)
    events = Recorder()
    compiled, result = await runner_for(project).start("count", {}, events)

    assert result.status == "finished"
    assert result.state["lines"] == ["tick-0", "tick-1", "tick-2"]
    assert compiled.output == "lines"
    assert events.types().count("node_finished") == 3
    assert events.types()[0] == "workflow_started" and events.types()[-1] == "workflow_finished"
    assert [e.seq for e in events.events] == list(range(1, len(events.events) + 1))
    assert {e.session_id for e in events.events} == {result.run_id}
    assert (project / "ran.log").read_text().split() == ["add"] * 3


async def test_a_loop_that_never_ends_stops_at_the_step_limit(project: Path) -> None:
    write_workflow(
        project,
        "forever",
        COUNTER.replace('"len(lines) < 3"', '"true"') + "step_limit: 4\n",
    )
    events = Recorder()
    runner = runner_for(project)
    with pytest.raises(StepLimitExceeded, match="limit of 4 steps"):
        await runner.start("forever", {"word": "tick"}, events, run_id="loop")

    failed = events.events[-1]
    assert isinstance(failed, WorkflowFailed) and "limit of 4 steps" in failed.error.message
    checkpoint = await runner.store.checkpoint("loop")
    assert checkpoint is not None and checkpoint.step == 4
    with pytest.raises(CheckpointError, match="'loop' already exists; resume it instead"):
        await runner.start("forever", {"word": "tock"}, Recorder(), run_id="loop")
    assert runner.store.info("loop").inputs == {"word": "tick"}


async def test_a_failing_command_stops_the_run_unless_its_status_is_kept(project: Path) -> None:
    write_workflow(
        project,
        "test",
        """
        state: {output: {}, status: {type: int}}
        start: check
        nodes:
          check: {shell: "echo two failures; exit 3", writes: output, status: status}
          strict: {shell: "echo broken; exit 1", writes: output}
        edges:
          - {from: check, to: strict, when: "status != 0"}
        """,
    )
    with pytest.raises(NodeFailed) as caught:
        await runner_for(project).start("test", {}, Recorder(), run_id="t1")

    assert caught.value.node == "strict"
    assert "exited with status 1:\nbroken" in str(caught.value)
    checkpoint = await runner_for(project).store.checkpoint("t1")
    assert checkpoint is not None
    assert checkpoint.state == {"output": "two failures", "status": 3}


async def test_parallel_branches_meet_at_a_join(project: Path) -> None:
    write_workflow(
        project,
        "fan",
        """
        state:
          parts: {type: list, reducer: append}
          summary: {}
        output: summary
        start: [left, right]
        nodes:
          left: {shell: echo L, writes: parts}
          right: {shell: sleep 0.2 && echo R, writes: parts}
          both: {shell: "echo {{ len(parts) }} parts", writes: summary}
        edges:
          - {from: [left, right], to: both}
        """,
    )
    _, result = await runner_for(project).start("fan", {}, Recorder())

    assert sorted(result.state["parts"]) == ["L", "R"]
    assert result.state["summary"] == "2 parts"
    assert result.steps == 2


async def test_a_workflow_runs_another_as_one_step(project: Path) -> None:
    write_workflow(
        project,
        "shout",
        """
        inputs: {text: {}}
        state: {loud: {}}
        output: loud
        start: up
        nodes:
          up: {shell: "echo {{ text }} | tr a-z A-Z", writes: loud}
        """,
    )
    write_workflow(
        project,
        "outer",
        """
        inputs: {name: {}}
        state: {greeting: {}}
        output: greeting
        start: greet
        nodes:
          greet:
            workflow: shout
            input: {text: "hello {{ name }}"}
            writes: greeting
        """,
    )
    events = Recorder()
    _, result = await runner_for(project).start("outer", {"name": "ada"}, events)

    assert result.state["greeting"] == "HELLO ADA"
    inner = events.types(parent="greet")
    assert inner[0] == "workflow_started" and inner[-1] == "workflow_finished"
    assert "node_finished" in inner


async def test_state_reaches_a_command_as_one_argument_never_as_syntax(project: Path) -> None:
    write_workflow(
        project,
        "echo",
        """
        inputs: {text: {}}
        state: {said: {}}
        output: said
        start: say
        nodes:
          say: {shell: "echo {{ text }}", writes: said}
        """,
    )
    hostile = "$(touch pwned); `touch pwned2` && touch pwned3"
    _, result = await runner_for(project).start("echo", {"text": hostile}, Recorder())

    assert result.state["said"] == hostile
    assert not list(project.glob("pwned*"))


async def test_a_run_pauses_before_a_node_and_resumes_with_the_answer(project: Path) -> None:
    write_workflow(
        project,
        "release",
        """
        state: {notes: {}, approval: {}, shipped: {}}
        interrupt_before: [ship]
        start: draft
        nodes:
          draft: {shell: echo v1.2 notes, writes: notes}
          ship: {shell: "echo shipped after {{ approval }}", writes: shipped}
        edges:
          - {from: draft, to: ship}
        """,
    )
    _, paused = await runner_for(project).start("release", {}, Recorder(), run_id="r1")
    assert paused.status == "interrupted" and paused.next == ["ship"]

    events = Recorder()
    _, done = await runner_for(project).resume("r1", events, answer={"approval": "yes"})

    assert done.status == "finished"
    assert done.state["shipped"] == "shipped after yes"
    assert events.types().count("node_started") == 1


async def test_a_failed_run_resumes_without_repeating_finished_steps(project: Path) -> None:
    write_workflow(
        project,
        "build",
        """
        state: {fetched: {}, built: {}}
        start: fetch
        nodes:
          fetch: {shell: "echo fetch >> ran.log && echo sources", writes: fetched}
          build: {shell: "cat config.txt && echo build >> ran.log", writes: built}
        edges:
          - {from: fetch, to: build}
        """,
    )
    with pytest.raises(NodeFailed, match="'build'"):
        await runner_for(project).start("build", {}, Recorder(), run_id="b1")

    (project / "config.txt").write_text("configured")
    _, result = await runner_for(project).resume("b1", Recorder())

    assert result.state["built"] == "configured"
    assert (project / "ran.log").read_text().split() == ["fetch", "build"]


async def test_edges_without_conditions_fan_out_and_with_one_they_choose(project: Path) -> None:
    write_workflow(
        project,
        "route",
        """
        inputs: {size: {type: int}}
        state: {seen: {type: list, reducer: append}}
        output: seen
        start: measure
        nodes:
          measure: {shell: echo measured, writes: seen}
          small: {shell: echo small, writes: seen}
          large: {shell: echo large, writes: seen}
          log: {shell: echo logged, writes: seen}
          notify: {shell: echo notified, writes: seen}
        edges:
          - {from: measure, to: small, when: "size < 10"}
          - {from: measure, to: large}
          - {from: large, to: log}
          - {from: large, to: notify}
        """,
    )
    _, small = await runner_for(project).start("route", {"size": "3"}, Recorder())
    _, large = await runner_for(project).start("route", {"size": "30"}, Recorder())

    assert small.state["seen"] == ["measured", "small"]
    assert large.state["seen"] == ["measured", "large", "logged", "notified"]


async def test_a_condition_that_fails_on_the_state_names_its_line(project: Path) -> None:
    write_workflow(
        project,
        "pick",
        """
        state: {items: {type: list, reducer: append}}
        start: add
        nodes:
          add: {shell: echo one, writes: items}
        edges:
          - {from: add, to: add, when: "items[3] == 'four'"}
        """,
    )
    with pytest.raises(GraphError) as caught:
        await runner_for(project).start("pick", {}, Recorder())

    message = str(caught.value)
    assert "the router after 'add' failed" in message
    assert "pick.yaml:6: the condition failed" in message and "IndexError" in message
