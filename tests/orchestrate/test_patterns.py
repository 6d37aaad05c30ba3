"""Chain, Parallel, Conditional and ForEach, and the five workflow shapes built from them.

The "model" steps here are small deterministic functions: what is under test is how
the shapes move state, not what a model would say.
"""

from __future__ import annotations

import asyncio

import pytest

from tau_cli.orchestrate import (
    END,
    Chain,
    Channel,
    Conditional,
    ForEach,
    GraphError,
    Node,
    NodeFailed,
    NodeFunction,
    Parallel,
    State,
    StateError,
    StateGraph,
    StateSchema,
    SubWorkflow,
    WorkflowEvent,
    append,
    merge,
)

SCHEMA = StateSchema(
    {
        "request": Channel(str),
        "text": Channel(str, default=""),
        "tasks": Channel(list[str], default=[]),
        "parts": Channel(list[str], reducer=append, default=[]),
        "reviews": Channel(dict[str, str], reducer=merge, default={}),
        "verdict": Channel(str, default=""),
        "attempts": Channel(int, default=0),
    }
)


def single(node: Node) -> StateGraph:
    """A graph of one node, to run a pattern on its own."""
    graph = StateGraph(SCHEMA)
    graph.add_node("only", node).set_entry("only").set_finish("only")
    return graph


async def test_prompt_chaining_feeds_each_step_the_previous_output() -> None:
    chain = Chain(
        lambda s: {"text": f"outline({s['request']})"},
        lambda s: {"text": f"draft({s['text']})"},
        lambda s: {"text": f"polish({s['text']})", "parts": ["done"]},
    )
    result = await single(chain).compile().run({"request": "essay"})
    assert result.state["text"] == "polish(draft(outline(essay)))"
    assert result.state["parts"] == ["done"]


async def test_parallelization_runs_reviews_side_by_side() -> None:
    started: list[str] = []
    release = asyncio.Event()

    def reviewer(aspect: str) -> NodeFunction:
        async def review(state: State) -> dict[str, object]:
            started.append(aspect)
            if len(started) == 3:
                release.set()
            await asyncio.wait_for(release.wait(), 2)  # only returns if all run at once
            return {"reviews": {aspect: f"{aspect} ok for {state['request']}"}}

        return review

    parallel = Parallel(reviewer("security"), reviewer("style"), reviewer("tests"))
    result = await single(parallel).compile().run({"request": "patch"})
    assert result.state["reviews"] == {
        "security": "security ok for patch",
        "style": "style ok for patch",
        "tests": "tests ok for patch",
    }


async def test_parallel_branches_writing_one_replace_channel_are_refused() -> None:
    parallel = Parallel(lambda s: {"text": "a"}, lambda s: {"text": "b"})
    with pytest.raises(NodeFailed) as info:
        await single(parallel).compile().run({"request": "r"})
    assert isinstance(info.value.__cause__, StateError)


async def test_routing_sends_each_request_to_its_specialist() -> None:
    router = Conditional(
        lambda s: "refund" if "money" in s["request"] else "tech",
        {
            "refund": lambda s: {"text": "refund desk"},
            "tech": lambda s: {"text": "tech desk"},
        },
    )
    workflow = single(router).compile()
    assert (await workflow.run({"request": "my money back"})).state["text"] == "refund desk"
    assert (await workflow.run({"request": "it crashes"})).state["text"] == "tech desk"


async def test_routing_to_an_unknown_key_needs_a_default() -> None:
    strict = Conditional(lambda s: "other", {"known": lambda s: None})
    with pytest.raises(NodeFailed, match="the route chose 'other'; expected one of 'known'"):
        await single(strict).compile().run({"request": "r"})

    lenient = Conditional(
        lambda s: "other", {"known": lambda s: None}, default=lambda s: {"text": "fallback"}
    )
    assert (await single(lenient).compile().run({"request": "r"})).state["text"] == "fallback"


async def test_orchestrator_workers_fan_out_over_subtasks_decided_at_run_time() -> None:
    def orchestrator(state: State) -> dict[str, object]:
        return {"tasks": [f"{state['request']}:{n}" for n in range(4)]}

    async def worker(task: str, state: State) -> dict[str, object]:
        await asyncio.sleep(0.01 * (4 - int(task[-1])))  # later tasks finish first
        return {"parts": [task.upper()]}

    def synthesize(state: State) -> dict[str, object]:
        return {"text": " + ".join(state["parts"])}

    graph = StateGraph(SCHEMA)
    graph.add_node("orchestrator", orchestrator)
    graph.add_node("workers", ForEach(lambda s: s["tasks"], worker))
    graph.add_node("synthesize", synthesize)
    graph.set_entry("orchestrator").add_edge("orchestrator", "workers")
    graph.add_edge("workers", "synthesize").set_finish("synthesize")

    result = await graph.compile().run({"request": "doc"})

    assert result.state["text"] == "DOC:0 + DOC:1 + DOC:2 + DOC:3"


async def test_evaluator_optimizer_loops_until_the_evaluator_accepts() -> None:
    def generate(state: State) -> dict[str, object]:
        return {"text": state["text"] + "word ", "attempts": state["attempts"] + 1}

    def evaluate(state: State) -> dict[str, object]:
        enough = len(state["text"].split()) >= 3
        return {"verdict": "accept" if enough else "revise"}

    graph = StateGraph(SCHEMA)
    graph.add_node("generate", generate).add_node("evaluate", evaluate)
    graph.set_entry("generate").add_edge("generate", "evaluate")
    graph.add_conditional_edges(
        "evaluate", lambda s: s["verdict"], {"accept": END, "revise": "generate"}
    )

    result = await graph.compile(step_limit=10).run({"request": "r"})

    assert result.state["attempts"] == 3
    assert result.state["verdict"] == "accept"
    assert result.steps == 6


async def test_patterns_nest() -> None:
    nested = Chain(
        Parallel(lambda s: {"parts": ["a"]}, lambda s: {"parts": ["b"]}),
        Conditional(lambda s: str(len(s["parts"])), {"2": lambda s: {"text": "two parts"}}),
    )
    result = await single(nested).compile().run({"request": "r"})
    assert result.state["parts"] == ["a", "b"]
    assert result.state["text"] == "two parts"


def test_empty_patterns_are_refused() -> None:
    with pytest.raises(GraphError, match="chain needs at least one node"):
        Chain()
    with pytest.raises(GraphError, match="parallel block needs at least one node"):
        Parallel()
    with pytest.raises(GraphError, match="conditional needs at least one branch"):
        Conditional(lambda s: "x", {})


async def test_a_whole_workflow_can_be_one_step_of_another() -> None:
    research_schema = StateSchema(
        {
            "question": Channel(str),
            "findings": Channel(list[str], reducer=append, default=[]),
        }
    )
    research = StateGraph(research_schema)
    research.add_node("web", lambda s: {"findings": [f"web on {s['question']}"]})
    research.add_node("docs", lambda s: {"findings": [f"docs on {s['question']}"]})
    research.set_entry("web", "docs").set_finish("web", "docs")
    inner_events: list[WorkflowEvent] = []

    outer = StateGraph(SCHEMA)
    outer.add_node(
        "research",
        SubWorkflow(
            research.compile(),
            input=lambda s: {"question": s["request"]},
            output=lambda inner: {"parts": inner["findings"]},
            observer=inner_events.append,
        ),
    )
    outer.add_node("write", lambda s: {"text": " & ".join(s["parts"])})
    outer.set_entry("research").add_edge("research", "write").set_finish("write")

    result = await outer.compile().run({"request": "tides"})

    assert result.state["text"] == "docs on tides & web on tides"
    assert inner_events[-1].type == "workflow_finished"
