"""StateGraph: nodes, edges, conditions, cycles, parallel joins and step limits."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest

from tau_cli.orchestrate import (
    END,
    START,
    Channel,
    GraphError,
    NodeFailed,
    NodeFunction,
    State,
    StateError,
    StateGraph,
    StateSchema,
    StepLimitExceeded,
    append,
)

SCHEMA = StateSchema(
    {
        "topic": Channel(str),
        "draft": Channel(str, default=""),
        "log": Channel(list[str], reducer=append, default=[]),
        "rounds": Channel(int, default=0),
    }
)


def logs(name: str, delay: float = 0.0) -> NodeFunction:
    """A node that records that it ran, after an optional delay."""

    async def node(state: State) -> dict[str, object]:
        await asyncio.sleep(delay)
        return {"log": [name]}

    return node


async def test_edges_run_nodes_in_sequence_and_each_sees_earlier_writes() -> None:
    async def outline(state: State) -> dict[str, object]:
        return {"draft": f"outline of {state['topic']}", "log": ["outline"]}

    def write(state: State) -> dict[str, object]:  # plain functions are nodes too
        return {"draft": state["draft"] + ", written", "log": ["write"]}

    class Polish:  # so are objects with a run method
        async def run(self, state: State) -> dict[str, object]:
            return {"draft": state["draft"] + ", polished", "log": ["polish"]}

    graph = StateGraph(SCHEMA)
    graph.add_node("outline", outline).add_node("write", write).add_node("polish", Polish())
    graph.set_entry("outline").add_edge("outline", "write").add_edge("write", "polish")
    graph.set_finish("polish")

    result = await graph.compile().run({"topic": "tides"})

    assert result.status == "finished"
    assert result.state["draft"] == "outline of tides, written, polished"
    assert result.state["log"] == ["outline", "write", "polish"]
    assert result.steps == 3


async def test_conditional_edges_route_by_what_the_router_returns() -> None:
    graph = StateGraph(SCHEMA)
    graph.add_node("bug", logs("bug")).add_node("question", logs("question"))
    graph.add_conditional_edges(
        START,
        lambda s: "bug" if "crash" in s["topic"] else "other",
        {"bug": "bug", "other": "question"},
    )
    graph.set_finish("bug", "question")
    workflow = graph.compile()

    assert (await workflow.run({"topic": "app crash"})).state["log"] == ["bug"]
    assert (await workflow.run({"topic": "how to?"})).state["log"] == ["question"]


async def test_a_router_choosing_something_unknown_is_a_clear_error() -> None:
    graph = StateGraph(SCHEMA)
    graph.add_node("a", logs("a"))
    graph.set_entry("a")
    graph.add_conditional_edges("a", lambda s: "maybe", {"yes": END, "no": "a"})
    with pytest.raises(GraphError, match="router after 'a' chose 'maybe'; expected one of 'yes'"):
        await graph.compile().run({"topic": "t"})


async def test_a_cycle_runs_until_its_condition_releases_it() -> None:
    async def improve(state: State) -> dict[str, object]:
        return {"draft": state["draft"] + "+", "rounds": state["rounds"] + 1}

    async def judge(state: State) -> str:  # async routers are awaited
        return "done" if state["rounds"] >= 3 else "again"

    graph = StateGraph(SCHEMA)
    graph.add_node("improve", improve).set_entry("improve")
    graph.add_conditional_edges("improve", judge, {"done": END, "again": "improve"})

    result = await graph.compile(step_limit=5).run({"topic": "t"})

    assert result.state["draft"] == "+++"
    assert result.steps == 3


async def test_a_cycle_that_never_ends_stops_at_the_step_limit() -> None:
    graph = StateGraph(SCHEMA)
    graph.add_node("ping", logs("ping")).add_node("pong", logs("pong"))
    graph.set_entry("ping").add_edge("ping", "pong").add_edge("pong", "ping")

    with pytest.raises(StepLimitExceeded, match="limit of 7 steps with pong still to run") as info:
        await graph.compile(step_limit=7).run({"topic": "t"})
    assert info.value.limit == 7


@pytest.mark.parametrize("delays", list(itertools.permutations([0.0, 0.01, 0.02])))
async def test_parallel_branches_join_and_merge_in_name_order_whatever_finishes_first(
    delays: tuple[float, float, float],
) -> None:
    graph = StateGraph(SCHEMA)
    graph.add_node("plan", logs("plan")).set_entry("plan")
    for name, delay in zip(["a", "b", "c"], delays, strict=True):
        graph.add_node(name, logs(name, delay)).add_edge("plan", name)
    graph.add_node("join", logs("join")).add_edge(["a", "b", "c"], "join").set_finish("join")

    result = await graph.compile().run({"topic": "t"})

    assert result.state["log"] == ["plan", "a", "b", "c", "join"]
    assert result.steps == 3


async def test_a_join_waits_for_branches_of_different_lengths() -> None:
    graph = StateGraph(SCHEMA)
    for name in ("start", "long1", "long2", "short", "join"):
        graph.add_node(name, logs(name))
    graph.set_entry("start")
    graph.add_edge("start", "long1").add_edge("long1", "long2").add_edge("start", "short")
    graph.add_edge(["long2", "short"], "join").set_finish("join")

    result = await graph.compile().run({"topic": "t"})

    assert result.state["log"] == ["start", "long1", "short", "long2", "join"]


async def test_a_router_may_fan_out_to_several_nodes() -> None:
    graph = StateGraph(SCHEMA)
    for name in ("x", "y", "z"):
        graph.add_node(name, logs(name)).set_finish(name)
    graph.add_conditional_edges(START, lambda s: ["z", "x"])

    assert (await graph.compile().run({"topic": "t"})).state["log"] == ["x", "z"]


async def test_parallel_writes_to_one_replace_channel_are_refused() -> None:
    graph = StateGraph(SCHEMA)
    graph.add_node("a", lambda s: {"draft": "a"}).add_node("b", lambda s: {"draft": "b"})
    graph.set_entry("a", "b").set_finish("a", "b")
    with pytest.raises(StateError, match="2 parallel branches wrote channel 'draft'"):
        await graph.compile().run({"topic": "t"})


async def test_a_failing_node_raises_node_failed_with_the_cause() -> None:
    async def broken(state: State) -> None:
        raise ConnectionError("model unreachable")

    graph = StateGraph(SCHEMA)
    graph.add_node("ok", logs("ok")).add_node("broken", broken)
    graph.set_entry("ok").add_edge("ok", "broken").set_finish("broken")

    with pytest.raises(NodeFailed, match="'broken' failed at step 2: ConnectionError") as info:
        await graph.compile().run({"topic": "t"})
    assert isinstance(info.value.__cause__, ConnectionError)
    assert info.value.node == "broken"


async def test_several_failing_branches_all_reach_the_caller() -> None:
    def fail(message: str) -> NodeFunction:
        def node(state: State) -> None:
            raise ValueError(message)

        return node

    graph = StateGraph(SCHEMA)
    graph.add_node("a", fail("first")).add_node("b", fail("second"))
    graph.set_entry("a", "b").set_finish("a", "b")

    with pytest.raises(ExceptionGroup) as info:
        await graph.compile().run({"topic": "t"})
    assert sorted(str(e) for e in info.value.exceptions) == [
        "node 'a' failed at step 1: ValueError: first",
        "node 'b' failed at step 1: ValueError: second",
    ]


async def test_nodes_returning_nonsense_fail_with_a_message_saying_what_is_expected() -> None:
    graph = StateGraph(SCHEMA)

    def chatty(state: State) -> Any:  # what a careless node might do; mypy would object
        return "hello"

    graph.add_node("chatty", chatty).set_entry("chatty").set_finish("chatty")
    with pytest.raises(NodeFailed, match="returned str; a node returns a mapping"):
        await graph.compile().run({"topic": "t"})

    typed = StateGraph(SCHEMA)
    typed.add_node("sloppy", lambda s: {"rounds": "two"}).set_entry("sloppy")
    typed.set_finish("sloppy")
    with pytest.raises(NodeFailed, match="channel 'rounds' holds int") as info:
        await typed.compile().run({"topic": "t"})
    assert isinstance(info.value.__cause__, StateError)


def test_wiring_mistakes_are_found_at_compile_time() -> None:
    def graph_with(*names: str) -> StateGraph:
        graph = StateGraph(SCHEMA)
        for name in names:
            graph.add_node(name, logs(name))
        return graph

    with pytest.raises(GraphError, match="has no entry"):
        graph_with("a").set_finish("a").compile()
    with pytest.raises(GraphError, match="an edge names 'b', which is not a node"):
        graph_with("a").set_entry("a").add_edge("a", "b").compile()
    with pytest.raises(GraphError, match="node 'b' has no way out"):
        graph_with("a", "b").set_entry("a").add_edge("a", "b").compile()
    with pytest.raises(GraphError, match="a join names 'ghost'"):
        graph_with("a").set_entry("a").set_finish("a").add_edge(["a", "ghost"], END).compile()
    with pytest.raises(GraphError, match="interrupt_before names 'zzz'"):
        graph_with("a").set_entry("a").set_finish("a").compile(interrupt_before=["zzz"])
    with pytest.raises(GraphError, match="step_limit must be at least 1"):
        graph_with("a").set_entry("a").set_finish("a").compile(step_limit=0)
    with pytest.raises(GraphError, match="already a node named 'a'"):
        graph_with("a", "a")
    with pytest.raises(GraphError, match="cannot name a node"):
        graph_with(START)
    with pytest.raises(GraphError, match="no edge can leave END"):
        graph_with("a").add_edge(END, "a")
    with pytest.raises(GraphError, match="no edge can lead back to START"):
        graph_with("a").add_edge("a", START)


async def test_a_node_that_takes_too_long_fails_with_a_timeout() -> None:
    async def hangs(state: State) -> None:
        await asyncio.Event().wait()

    graph = StateGraph(SCHEMA)
    graph.add_node("hangs", hangs).set_entry("hangs").set_finish("hangs")
    with pytest.raises(
        NodeFailed, match=r"TimeoutError: no result within the node timeout"
    ) as info:
        await graph.compile(node_timeout=0.05).run({"topic": "t"})
    assert isinstance(info.value.__cause__, TimeoutError)
    with pytest.raises(GraphError, match="node_timeout must be a positive"):
        graph.compile(node_timeout=0)


async def test_a_node_raising_its_own_timeout_error_is_not_mistaken_for_the_limit() -> None:
    async def gives_up(state: State) -> None:
        raise TimeoutError("upstream took too long")

    graph = StateGraph(SCHEMA)
    graph.add_node("gives_up", gives_up).set_entry("gives_up").set_finish("gives_up")
    with pytest.raises(NodeFailed, match="TimeoutError: upstream took too long"):
        await graph.compile(node_timeout=5).run({"topic": "t"})


async def test_a_failing_router_is_reported_as_the_router_after_its_node() -> None:
    def confused(state: State) -> str:
        raise LookupError("no verdict in state")

    graph = StateGraph(SCHEMA)
    graph.add_node("review", logs("review")).set_entry("review")
    graph.add_conditional_edges("review", confused, {"ok": END})
    with pytest.raises(GraphError, match="router after 'review' failed: LookupError") as info:
        await graph.compile().run({"topic": "t"})
    assert isinstance(info.value.__cause__, LookupError)


def test_a_workflow_draws_itself_as_a_mermaid_flowchart() -> None:
    graph = StateGraph(SCHEMA)
    for name in ("plan", "a", "b", "join"):
        graph.add_node(name, logs(name))
    graph.set_entry("plan").add_edge("plan", "a").add_edge("plan", "b")
    graph.add_edge(["a", "b"], "join")
    graph.add_conditional_edges("join", lambda s: "done", {"done": END, "again": "plan"})

    assert graph.compile().to_mermaid() == (
        "flowchart TD\n"
        '    START(["start"])\n'
        '    END(["end"])\n'
        '    n0["plan"]\n'
        '    n1["a"]\n'
        '    n2["b"]\n'
        '    n3["join"]\n'
        "    START --> n0\n"
        "    n0 --> n1\n"
        "    n0 --> n2\n"
        "    n1 & n2 --> n3\n"
        '    n3 -.->|"done"| END\n'
        '    n3 -.->|"again"| n0\n'
    )


def test_mermaid_output_survives_awkward_node_names() -> None:
    graph = StateGraph(SCHEMA)
    graph.add_node("end", logs("end")).add_node('say "hi"', logs("hi"))
    graph.set_entry("end").add_edge("end", 'say "hi"').set_finish('say "hi"')

    chart = graph.compile().to_mermaid()

    assert '    n0["end"]\n' in chart  # a node called end gets an id Mermaid accepts
    assert '    n1["say #quot;hi#quot;"]\n' in chart
    assert "    n1 --> END\n" in chart
