"""Agents on a hub cooperating inside a graph: the evaluator-optimizer over messages."""

from __future__ import annotations

import asyncio

import pytest

from tau_cli.orchestrate import (
    END,
    Ask,
    Channel,
    Envelope,
    HandlerFailed,
    Hub,
    NodeFailed,
    RequestTimeout,
    StateGraph,
    StateSchema,
    append,
)

SCHEMA = StateSchema(
    {
        "task": Channel(str),
        "draft": Channel(str, default=""),
        "feedback": Channel(list[str], reducer=append, default=[]),
        "verdict": Channel(str, default=""),
    }
)


class Writer:
    """Writes a draft and improves it with each piece of feedback it is sent."""

    name = "writer"

    def __init__(self) -> None:
        self.requests: list[Envelope] = []

    async def handle(self, envelope: Envelope) -> object:
        self.requests.append(envelope)
        assert isinstance(envelope.payload, tuple)
        task, feedback = envelope.payload
        return str(task) + "".join(f" (fixed: {note})" for note in feedback)


class Critic:
    """Accepts a draft once it has fixed both problems the critic knows of."""

    name = "critic"
    problems = ("tone", "length")

    async def handle(self, envelope: Envelope) -> object:
        draft = str(envelope.payload)
        for problem in self.problems:
            if f"fixed: {problem}" not in draft:
                return {"verdict": "revise", "note": problem}
        return {"verdict": "accept"}


async def test_two_agents_on_a_hub_refine_a_draft_until_the_critic_accepts() -> None:
    writer = Writer()
    async with Hub() as hub:
        hub.register_agent(writer)
        hub.register_agent(Critic())

        def from_critic(answer: object) -> dict[str, object]:
            assert isinstance(answer, dict)
            notes = [answer["note"]] if "note" in answer else []
            return {"verdict": answer["verdict"], "feedback": notes}

        graph = StateGraph(SCHEMA)
        graph.add_node(
            "write",
            Ask(hub, "writer", lambda s: (s["task"], s["feedback"]), "draft", sender="graph"),
        )
        graph.add_node("review", Ask(hub, "critic", lambda s: s["draft"], from_critic))
        graph.set_entry("write").add_edge("write", "review")
        graph.add_conditional_edges(
            "review", lambda s: s["verdict"], {"accept": END, "revise": "write"}
        )

        result = await graph.compile(step_limit=10).run({"task": "release notes"})

    assert result.state["draft"] == "release notes (fixed: tone) (fixed: length)"
    assert result.state["feedback"] == ["tone", "length"]
    assert len(writer.requests) == 3
    assert {r.sender for r in writer.requests} == {"graph"}


async def test_an_agent_that_fails_or_stays_silent_fails_the_node() -> None:
    async def broken(envelope: Envelope) -> object:
        raise RuntimeError("model refused")

    async def silent(envelope: Envelope) -> object:
        await asyncio.Event().wait()
        return None

    async with Hub() as hub:
        hub.register("broken", broken)
        hub.register("silent", silent)
        for to, cause in (("broken", HandlerFailed), ("silent", RequestTimeout)):
            graph = StateGraph(SCHEMA)
            graph.add_node("ask", Ask(hub, to, lambda s: s["task"], "draft", timeout=0.05))
            graph.set_entry("ask").set_finish("ask")
            with pytest.raises(NodeFailed) as info:
                await graph.compile().run({"task": "t"})
            assert isinstance(info.value.__cause__, cause)
        await hub.close(timeout=0.05)
