"""Workflow files: every mistake is one error naming the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tau_cli.core import ConfigError
from tau_cli.runtime.workflow_spec import read_workflow_file

from .workflow_helpers import runner_for, write_workflow

GOOD_NODES = """\
nodes:
  build:
    shell: echo built
    writes: log
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    return root


def compile_error(project: Path, text: str, name: str = "flow") -> ConfigError:
    write_workflow(project, name, text)
    with pytest.raises(ConfigError) as caught:
        runner_for(project).load(name)
    return caught.value


def test_broken_yaml_names_the_file_and_line(project: Path) -> None:
    error = compile_error(project, "start: a\nnodes:\n  a: {shell: [unclosed\n")
    assert error.path is not None and error.path.endswith("flow.yaml")
    assert error.line == 4
    assert "not valid YAML" in str(error)


def test_an_unknown_key_is_named_with_a_suggestion(project: Path) -> None:
    error = compile_error(
        project,
        """
        start: write
        state: {draft: {}}
        nodes:
          write:
            agnet: {prompt: hi}
            writes: draft
        """,
    )
    assert (error.line, error.key) == (5, "nodes.write.agnet")
    assert "did you mean 'agent'" in str(error)


def test_a_missing_required_key_is_named(project: Path) -> None:
    error = compile_error(project, "state: {log: {}}\n" + GOOD_NODES)
    assert error.key == "start"
    assert "'start' is required" in str(error)


def test_a_node_must_be_exactly_one_kind(project: Path) -> None:
    error = compile_error(
        project,
        """
        start: a
        nodes:
          a:
            shell: echo hi
            workflow: other
        """,
    )
    assert (error.line, error.key) == (3, "nodes.a")
    assert "exactly one of agent, shell or workflow (found shell and workflow)" in str(error)


def test_an_edge_to_an_unknown_node_points_at_the_edge(project: Path) -> None:
    error = compile_error(
        project,
        """
        start: build
        state: {log: {}}
        nodes:
          build: {shell: echo built, writes: log}
        edges:
          - {from: build, to: END}
          - from: build
            to: deploy
        """,
    )
    assert (error.line, error.key) == (8, "edges[1].to")
    assert "there is no node 'deploy' (nodes: build)" in str(error)


def test_a_condition_over_an_unknown_channel_points_at_the_condition(project: Path) -> None:
    error = compile_error(
        project,
        """
        start: build
        state: {log: {}}
        nodes:
          build: {shell: echo built, writes: log}
        edges:
          - from: build
            to: build
            when: "'ok' in verdict"
        """,
    )
    assert (error.line, error.key) == (8, "edges[0].when")
    assert "there is no channel 'verdict' (channels: log)" in str(error)


def test_a_condition_outside_the_language_is_refused_at_its_line(project: Path) -> None:
    error = compile_error(
        project,
        """
        start: build
        state: {log: {}}
        nodes:
          build: {shell: echo built, writes: log}
        edges:
          - {from: build, to: build, when: "log.__class__"}
        """,
    )
    assert (error.line, error.key) == (6, "edges[0].when")
    assert "not allowed" in str(error)


def test_a_placeholder_over_an_unknown_channel_points_at_the_prompt(project: Path) -> None:
    error = compile_error(
        project,
        """
        start: write
        inputs: {topic: {}}
        state: {draft: {}}
        nodes:
          write:
            agent:
              prompt: "About {{ topik }}"
            writes: draft
        """,
    )
    assert (error.line, error.key) == (7, "nodes.write.agent.prompt")
    assert "no channel 'topik' (channels: topic, draft)" in str(error)


def test_writes_must_name_a_channel_that_can_hold_text(project: Path) -> None:
    error = compile_error(
        project,
        """
        start: build
        state: {report: {type: dict, reducer: merge}}
        nodes:
          build: {shell: echo built, writes: report}
        """,
    )
    assert error.key == "nodes.build.writes"
    assert "holds dict" in str(error)


def test_a_reducer_must_fit_its_channel(project: Path) -> None:
    error = compile_error(
        project, "start: build\nstate:\n  log: {type: str, reducer: append}\n" + GOOD_NODES
    )
    assert (error.line, error.key) == (3, "state.log")
    assert "append reducer needs a channel of type list" in str(error)


def test_a_join_cannot_carry_a_condition(project: Path) -> None:
    error = compile_error(
        project,
        """
        start: [a, b]
        state: {log: {type: list, reducer: append}}
        nodes:
          a: {shell: echo a, writes: log}
          b: {shell: echo b, writes: log}
          c: {shell: echo c, writes: log}
        edges:
          - {from: [a, b], to: c, when: "len(log) > 1"}
        """,
    )
    assert error.key == "edges[0].when"
    assert "join" in str(error)


def test_workflows_that_include_each_other_are_refused(project: Path) -> None:
    write_workflow(
        project, "inner", "start: back\nstate: {log: {}}\nnodes:\n  back: {workflow: flow}\n"
    )
    error = compile_error(
        project, "start: call\nstate: {log: {}}\nnodes:\n  call: {workflow: inner}\n"
    )
    assert error.key == "nodes.back.workflow"
    assert "in a circle: flow -> inner -> flow" in str(error)


def test_an_unknown_sub_workflow_is_named(project: Path) -> None:
    error = compile_error(
        project, "start: call\nnodes:\n  call: {workflow: nowhere}\nstate: {a: {}}\n"
    )
    assert (error.line, error.key) == (3, "nodes.call.workflow")
    assert "no workflow named 'nowhere'" in str(error)


def test_an_unknown_workflow_lists_the_ones_there_are(project: Path) -> None:
    write_workflow(project, "build", "start: build\nstate: {log: {}}\n" + GOOD_NODES)
    with pytest.raises(ConfigError, match=r"no workflow 'deploy'.*\(workflows: build\)"):
        runner_for(project).load("deploy")


def test_the_format_reads_as_documented(project: Path) -> None:
    path = write_workflow(
        project,
        "review",
        """
        description: Review a change until the reviewer approves.
        inputs:
          topic: {description: What to write about}
          rounds: {type: int, default: 3}
        state:
          drafts: {type: list, reducer: append}
        output: drafts
        step_limit: 8
        start: write
        nodes:
          write:
            agent: {prompt: "Write about {{ topic }}", tools: [read], max_iterations: 4}
            writes: drafts
        edges:
          - {from: write, to: write, when: "len(drafts) < rounds"}
        """,
    )
    spec = read_workflow_file(path).spec
    assert spec.step_limit == 8
    assert spec.nodes["write"].kind == "agent"
    assert spec.edges[0].from_ == "write"
    compiled = runner_for(project).load("review")
    assert compiled.inputs_from({"topic": "tides"}) == {"topic": "tides"}
    assert compiled.inputs_from({"topic": "tides", "rounds": "5"})["rounds"] == 5
    with pytest.raises(ConfigError, match="needs the input 'topic'"):
        compiled.inputs_from({})
    with pytest.raises(ConfigError, match=r"no input 'topc' \(inputs: topic, rounds\)"):
        compiled.inputs_from({"topic": "x", "topc": "y"})
    with pytest.raises(ConfigError, match="input 'rounds'"):
        compiled.inputs_from({"topic": "x", "rounds": "many"})
