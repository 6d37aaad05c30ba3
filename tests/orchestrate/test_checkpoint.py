"""Checkpoints: every step saved, interrupted runs resumed, no finished node run twice."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from tau_cli.orchestrate import (
    END,
    Channel,
    Checkpoint,
    CheckpointError,
    GraphError,
    JsonCheckpointStore,
    MemoryCheckpointStore,
    NodeFailed,
    State,
    StateGraph,
    StateSchema,
    append,
)

SCHEMA = StateSchema(
    {
        "notes": Channel(list[str], reducer=append, default=[]),
        "answer": Channel(str, default=""),
    }
)


class RecordingStore(MemoryCheckpointStore):
    """A memory store that also keeps every checkpoint it was given, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.saved: list[Checkpoint] = []

    async def save(self, checkpoint: Checkpoint) -> None:
        self.saved.append(checkpoint)
        await super().save(checkpoint)


class Flaky:
    """A node that fails while ``broken`` is set; counts how often it completed."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.broken = False
        self.completed = 0

    async def run(self, state: State) -> dict[str, object]:
        if self.broken:
            raise ConnectionError(f"{self.name} lost its connection")
        self.completed += 1
        return {"notes": [self.name]}


def fan_out(nodes: dict[str, Flaky]) -> StateGraph:
    """start -> (a, b) -> end, with ``nodes`` as the steps."""
    graph = StateGraph(SCHEMA)
    for name, node in nodes.items():
        graph.add_node(name, node)
    graph.set_entry("start").add_edge("start", "a").add_edge("start", "b")
    graph.add_edge(["a", "b"], "end").set_finish("end")
    return graph


async def test_every_step_and_every_finished_node_is_saved() -> None:
    nodes = {name: Flaky(name) for name in ("start", "a", "b", "end")}
    store = RecordingStore()

    await fan_out(nodes).compile().run(run_id="r", checkpoints=store)

    positions = [(c.status, c.step, c.next, sorted(c.done)) for c in store.saved]
    assert positions[0] == ("running", 0, ["start"], [])
    assert ("running", 1, ["a", "b"], ["a", "b"]) in positions  # both written before folding
    assert positions[-1] == ("finished", 3, [], [])
    final = await store.load("r")
    assert final is not None and final.state["notes"] == ["start", "a", "b", "end"]


async def test_a_failed_run_resumes_without_repeating_finished_nodes() -> None:
    nodes = {name: Flaky(name) for name in ("start", "a", "b", "end")}
    nodes["b"].broken = True
    store = MemoryCheckpointStore()
    workflow = fan_out(nodes).compile()

    with pytest.raises(NodeFailed, match="'b' failed"):
        await workflow.run(run_id="r", checkpoints=store)
    nodes["b"].broken = False
    result = await workflow.resume("r", checkpoints=store)

    assert result.state["notes"] == ["start", "a", "b", "end"]
    assert {name: node.completed for name, node in nodes.items()} == {
        "start": 1,
        "a": 1,
        "b": 1,
        "end": 1,
    }


async def test_resuming_a_finished_run_returns_its_result_without_running_anything() -> None:
    nodes = {name: Flaky(name) for name in ("start", "a", "b", "end")}
    store = MemoryCheckpointStore()
    workflow = fan_out(nodes).compile()
    first = await workflow.run(run_id="r", checkpoints=store)

    again = await workflow.resume("r", checkpoints=store)

    assert again.state == first.state
    assert again.steps == first.steps
    assert sum(node.completed for node in nodes.values()) == 4


async def test_a_run_pauses_before_an_interrupt_and_resumes_with_the_persons_answer() -> None:
    def draft(state: State) -> dict[str, object]:
        return {"notes": ["draft ready"]}

    def publish(state: State) -> dict[str, object]:
        return {"answer": f"published with {state['notes'][-1]!r}"}

    graph = StateGraph(SCHEMA)
    graph.add_node("draft", draft).add_node("publish", publish)
    graph.set_entry("draft").add_edge("draft", "publish").set_finish("publish")
    workflow = graph.compile(interrupt_before=["publish"])
    store = MemoryCheckpointStore()

    paused = await workflow.run(run_id="r", checkpoints=store)
    assert paused.status == "interrupted"
    assert paused.next == ["publish"]
    assert "answer" not in paused.state or paused.state["answer"] == ""

    done = await workflow.resume("r", checkpoints=store, input={"notes": ["approved by ann"]})
    assert done.status == "finished"
    assert done.state["answer"] == "published with 'approved by ann'"

    with pytest.raises(GraphError, match="paused before publish but has no checkpoint store"):
        await workflow.run()


async def test_resume_refuses_unknown_runs_other_graphs_and_reused_ids() -> None:
    nodes = {name: Flaky(name) for name in ("start", "a", "b", "end")}
    store = MemoryCheckpointStore()
    workflow = fan_out(nodes).compile()
    await workflow.run(run_id="r", checkpoints=store)

    with pytest.raises(CheckpointError, match="no checkpoint for run 'nope'"):
        await workflow.resume("nope", checkpoints=store)
    with pytest.raises(CheckpointError, match="run 'r' already exists"):
        await workflow.run(run_id="r", checkpoints=store)
    other = fan_out(nodes).add_edge("start", "end").compile()
    with pytest.raises(CheckpointError, match="differently wired graph"):
        await other.resume("r", checkpoints=store)
    renamed = StateGraph(StateSchema({"notes": Channel(list[str]), "reply": Channel(str)}))
    for name, node in nodes.items():
        renamed.add_node(name, node)
    renamed.set_entry("start").add_edge("start", "a").add_edge("start", "b")
    renamed.add_edge(["a", "b"], "end").set_finish("end")
    with pytest.raises(CheckpointError, match="differently wired graph"):
        await renamed.compile().resume("r", checkpoints=store)


async def test_the_json_store_round_trips_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    store = JsonCheckpointStore(tmp_path / "runs")
    assert await store.list_runs() == []
    checkpoint = Checkpoint(
        run_id="r-1", graph="g", step=2, state={"notes": ["x"]}, next=["b"], done={"a": [{}]}
    )
    await store.save(checkpoint)
    await store.save(checkpoint.model_copy(update={"step": 3}))

    loaded = await store.load("r-1")
    assert loaded is not None and loaded.step == 3
    assert await store.load("missing") is None
    assert await store.list_runs() == ["r-1"]
    assert [p.name for p in (tmp_path / "runs").iterdir()] == ["r-1.json"]
    assert json.loads((tmp_path / "runs" / "r-1.json").read_text())["next"] == ["b"]


async def test_the_json_store_refuses_unsafe_run_ids_and_reports_broken_files(
    tmp_path: Path,
) -> None:
    store = JsonCheckpointStore(tmp_path)
    for bad in ("../escape", ".hidden", "a/b", ""):
        with pytest.raises(CheckpointError, match="not usable as a file name"):
            await store.load(bad)
    (tmp_path / "torn.json").write_text('{"run_id": "torn", "gra')
    with pytest.raises(CheckpointError, match=r"torn\.json: not a readable checkpoint"):
        await store.load("torn")


CHILD = Path(__file__).with_name("crash_workflow.py")


def _child(store: Path, log: Path, *args: str) -> subprocess.Popen[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ["HOME"]}
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(store), str(log), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen[str]) -> dict[str, object]:
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return dict(json.loads(out))


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _checkpoint(store: Path) -> Checkpoint | None:
    return asyncio.run(JsonCheckpointStore(store).load("crash-test"))


@pytest.mark.parametrize(
    ("block", "finished_before_kill"),
    [
        ("fetch_c:1", {"plan", "fetch_a", "fetch_b"}),  # mid-way through a parallel step
        ("refine:2", {"combine"}),  # inside the cycle, on its second round
    ],
)
def test_a_killed_process_resumes_to_the_same_result_without_rerunning_finished_nodes(
    tmp_path: Path, block: str, finished_before_kill: set[str]
) -> None:
    reference_log = tmp_path / "reference.log"
    reference = _finish(_child(tmp_path / "reference", reference_log, "run"))

    store, log = tmp_path / "store", tmp_path / "crash.log"
    victim = _child(store, log, "run", "--block", block)
    try:
        node = block.split(":")[0]

        def ready() -> bool:
            checkpoint = _checkpoint(store) if store.exists() else None
            saved = set(checkpoint.done) if checkpoint else set()
            ran = set(log.read_text().split()) if log.exists() else set()
            in_step = finished_before_kill & set(checkpoint.next if checkpoint else [])
            return (
                Path(f"{log}.blocked").exists()
                and in_step <= saved
                and ran >= (finished_before_kill)
            )

        _wait_for(ready, f"{node} to block with its siblings saved")
        victim.send_signal(signal.SIGKILL)
    finally:
        if victim.poll() is None and victim.returncode is None:
            victim.kill()
        victim.communicate(timeout=10)
    assert victim.returncode == -signal.SIGKILL
    checkpoint = _checkpoint(store)
    assert checkpoint is not None and checkpoint.status == "running"

    resumed = _finish(_child(store, log, "resume"))

    assert resumed == reference
    assert Counter(log.read_text().split()) == Counter(reference_log.read_text().split())
    assert Counter(reference_log.read_text().split())["refine"] == 3


def test_the_json_store_reports_a_directory_it_cannot_use(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    store = JsonCheckpointStore(blocker / "runs")

    with pytest.raises(CheckpointError, match=r"r\.json: cannot read the checkpoint: Not a dir"):
        asyncio.run(store.load("r"))
    with pytest.raises(CheckpointError, match=r"r\.json: cannot write the checkpoint: Not a dir"):
        asyncio.run(store.save(Checkpoint(run_id="r", graph="g")))


class FullDisk(MemoryCheckpointStore):
    """A store whose disk filled up after the run started."""

    def __init__(self, room: int) -> None:
        super().__init__()
        self.room = room

    async def save(self, checkpoint: Checkpoint) -> None:
        if self.room == 0:
            raise OSError(28, "No space left on device")
        self.room -= 1
        await super().save(checkpoint)


async def test_a_store_that_cannot_save_stops_the_run_with_a_checkpoint_error() -> None:
    nodes = {name: Flaky(name) for name in ("start", "a", "b", "end")}

    expected = r"could not save run 'r': OSError: .*No space left"
    with pytest.raises(CheckpointError, match=expected):
        await fan_out(nodes).compile().run(run_id="r", checkpoints=FullDisk(room=1))
    assert nodes["start"].completed == 1
    assert nodes["a"].completed == 0, "no step may run past a save that failed"


async def test_a_cancelled_run_resumes_from_its_last_save() -> None:
    nodes = {name: Flaky(name) for name in ("start", "a", "end")}
    b_started = asyncio.Event()
    b_may_finish = asyncio.Event()

    async def b(state: State) -> dict[str, object]:
        b_started.set()
        await b_may_finish.wait()
        return {"notes": ["b"]}

    graph = fan_out(nodes)
    graph.add_node("b", b)
    workflow = graph.compile()
    store = MemoryCheckpointStore()

    running = asyncio.create_task(workflow.run(run_id="r", checkpoints=store))
    await b_started.wait()
    while "a" not in getattr(await store.load("r"), "done", {}):
        await asyncio.sleep(0)  # a finishes beside the waiting b, and is saved
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    saved = await store.load("r")
    assert saved is not None and list(saved.done) == ["a"]

    b_may_finish.set()
    result = await workflow.resume("r", checkpoints=store)
    assert result.state["notes"] == ["start", "a", "b", "end"]
    assert nodes["a"].completed == 1


async def test_an_interrupt_in_a_cycle_pauses_every_time_the_cycle_reaches_it() -> None:
    def draft(state: State) -> dict[str, object]:
        return {"notes": [f"draft {len(state['notes']) // 2 + 1}"]}

    def review(state: State) -> dict[str, object]:
        return {"answer": state["notes"][-1]}

    graph = StateGraph(SCHEMA)
    graph.add_node("draft", draft).add_node("review", review)
    graph.set_entry("draft").add_edge("draft", "review")
    graph.add_conditional_edges(
        "review",
        lambda s: "stop" if s["answer"] == "ok" else "again",
        {"stop": END, "again": "draft"},
    )
    workflow = graph.compile(interrupt_before=["review"])
    store = MemoryCheckpointStore()

    first = await workflow.run(run_id="r", checkpoints=store)
    second = await workflow.resume("r", checkpoints=store, input={"notes": ["not yet"]})
    third = await workflow.resume("r", checkpoints=store, input={"notes": ["ok"]})

    assert [first.status, second.status, third.status] == ["interrupted", "interrupted", "finished"]
    assert third.state["notes"] == ["draft 1", "not yet", "draft 2", "ok"]
    assert (first.steps, second.steps, third.steps) == (1, 3, 4)
