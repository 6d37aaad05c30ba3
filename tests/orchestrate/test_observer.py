"""The observer: a run's progress as typed events, in the order it happened."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter

from tau_cli.core import Event
from tau_cli.orchestrate import (
    Channel,
    MemoryCheckpointStore,
    NodeErrored,
    NodeFailed,
    NodeFinished,
    NodeFunction,
    NodeStarted,
    ObserverFailed,
    State,
    StateChanged,
    StateGraph,
    StateSchema,
    WorkflowEvent,
    WorkflowFinished,
    WorkflowStarted,
    append,
)

SCHEMA = StateSchema(
    {"seen": Channel(list[str], reducer=append, default=[]), "label": Channel(str, default="")}
)


def diamond(last: NodeFunction = lambda s: None) -> StateGraph:
    """first -> (left, right) -> last"""
    graph = StateGraph(SCHEMA)
    graph.add_node("first", lambda s: {"label": "started"})
    graph.add_node("left", lambda s: {"seen": ["left"]})
    graph.add_node("right", lambda s: {"seen": ["right"]})
    graph.add_node("last", last)
    graph.set_entry("first").add_edge("first", "left").add_edge("first", "right")
    graph.add_edge(["left", "right"], "last").set_finish("last")
    return graph


def brief(event: WorkflowEvent) -> str:
    """An event in a few words, so a whole run reads as one list."""
    match event:
        case NodeStarted() | NodeFinished():
            return f"{event.type}:{event.node}@{event.step}"
        case StateChanged():
            return f"state_changed@{event.step}:{','.join(event.values)}"
        case _:
            return event.type


async def test_a_run_reports_every_node_and_state_change_in_order() -> None:
    events: list[WorkflowEvent] = []
    await diamond().compile().run(run_id="r1", observer=events.append)

    lines = [brief(e) for e in events]
    assert lines[:4] == [
        "workflow_started",
        "node_started:first@1",
        "node_finished:first@1",
        "state_changed@1:label",
    ]
    # left and right run side by side, so only each one's own order is fixed
    assert sorted(lines[4:8]) == [
        "node_finished:left@2",
        "node_finished:right@2",
        "node_started:left@2",
        "node_started:right@2",
    ]
    for node in ("left", "right"):
        assert lines.index(f"node_started:{node}@2") < lines.index(f"node_finished:{node}@2")
    assert lines[8:] == [
        "state_changed@2:seen",
        "node_started:last@3",
        "node_finished:last@3",
        "workflow_finished",
    ]
    assert all(isinstance(e, Event) and e.run_id == "r1" for e in events)
    changed = [e for e in events if isinstance(e, StateChanged)]
    assert changed[1].values == {"seen": ["left", "right"]}
    finished = [e for e in events if isinstance(e, NodeFinished)]
    assert [e.channels for e in finished] == [["label"], ["seen"], ["seen"], []]
    assert events[-1] == WorkflowFinished(run_id="r1", steps=3)


async def test_events_round_trip_through_json_like_the_rest_of_the_stream() -> None:
    events: list[WorkflowEvent] = []
    await diamond().compile().run(observer=events.append)
    adapter: TypeAdapter[WorkflowEvent] = TypeAdapter(WorkflowEvent)
    for event in events:
        assert adapter.validate_json(event.model_dump_json()) == event


async def test_async_observers_are_awaited() -> None:
    seen: list[str] = []

    async def observer(event: WorkflowEvent) -> None:
        seen.append(event.type)

    await diamond().compile().run(observer=observer)
    assert seen[0] == "workflow_started"
    assert seen[-1] == "workflow_finished"


async def test_a_node_error_is_reported_before_the_run_stops() -> None:
    def broken(state: State) -> None:
        raise KeyError("missing file")

    graph = StateGraph(SCHEMA)
    graph.add_node("broken", broken).set_entry("broken").set_finish("broken")
    events: list[WorkflowEvent] = []

    with pytest.raises(NodeFailed):
        await graph.compile().run(observer=events.append)

    errored = [e for e in events if isinstance(e, NodeErrored)]
    assert len(errored) == 1
    assert errored[0].node == "broken"
    assert errored[0].error.kind == "KeyError"
    assert "missing file" in errored[0].error.message
    assert not any(e.type == "workflow_finished" for e in events)


async def test_a_failing_observer_stops_the_run_and_says_so() -> None:
    ran: list[str] = []

    def observer(event: WorkflowEvent) -> None:
        if isinstance(event, NodeFinished):
            raise OSError("display went away")

    graph = StateGraph(SCHEMA)
    graph.add_node("a", lambda s: ran.append("a")).add_node("b", lambda s: ran.append("b"))
    graph.set_entry("a").add_edge("a", "b").set_finish("b")

    with pytest.raises(ObserverFailed, match="on a node_finished event: OSError") as info:
        await graph.compile().run(observer=observer)
    assert isinstance(info.value.__cause__, OSError)
    assert ran == ["a"]


async def test_a_resumed_run_says_so_and_from_which_step() -> None:
    attempts: list[str] = []

    def shaky(state: State) -> dict[str, object]:
        attempts.append("last")
        if len(attempts) == 1:
            raise ConnectionError("dropped")
        return {"label": "done"}

    workflow = diamond(last=shaky).compile()
    store = MemoryCheckpointStore()
    with pytest.raises(NodeFailed):
        await workflow.run(run_id="r", checkpoints=store)

    events: list[WorkflowEvent] = []
    await workflow.resume("r", checkpoints=store, observer=events.append)

    assert events[0] == WorkflowStarted(run_id="r", resumed=True, step=2)
    assert [brief(e) for e in events[1:3]] == ["node_started:last@3", "node_finished:last@3"]
