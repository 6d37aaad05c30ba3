"""A workflow run in its own process, so a test can kill it mid-run and resume it.

    python crash_workflow.py STORE_DIR LOG_FILE run|resume [--block NODE:N]

The graph: ``plan`` fans out to ``fetch_a``, ``fetch_b`` and ``fetch_c``; a join runs
``combine``; ``refine`` then loops three times. Every node appends its name to
LOG_FILE when it completes (flushed to disk), which is how the test counts
executions across processes. ``--block NODE:N`` makes the N-th execution of NODE
hang before completing, after it has written LOG_FILE + ".blocked", so the test
knows the moment to kill. The final state is printed as JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from tau_cli.orchestrate import (
    END,
    Channel,
    JsonCheckpointStore,
    NodeFunction,
    State,
    StateGraph,
    StateSchema,
    append,
    merge,
)

RUN_ID = "crash-test"

Make = Callable[[State], dict[str, object]]

SCHEMA = StateSchema(
    {
        "topic": Channel(str),
        "sources": Channel(dict[str, str], reducer=merge, default={}),
        "text": Channel(str, default=""),
        "history": Channel(list[str], reducer=append, default=[]),
        "rounds": Channel(int, default=0),
    }
)


def build(log: Path, block: tuple[str, int] | None) -> StateGraph:
    def completed(name: str) -> None:
        with log.open("a", encoding="utf-8") as file:
            file.write(name + "\n")
            file.flush()
            os.fsync(file.fileno())

    async def maybe_block(name: str) -> None:
        if block is None or block[0] != name:
            return
        runs = log.read_text().split().count(name) if log.exists() else 0
        if runs + 1 == block[1]:
            Path(f"{log}.blocked").write_text(name)
            await asyncio.Event().wait()  # hang here until killed

    def node(name: str, make: Make) -> NodeFunction:
        async def run(state: State) -> dict[str, object]:
            await maybe_block(name)
            update = make(state)
            completed(name)
            return update

        return run

    def fetch(key: str) -> Make:
        return lambda s: {"sources": {key: f"{s['topic']} from {key}"}, "history": [key]}

    graph = StateGraph(SCHEMA)
    graph.add_node("plan", node("plan", lambda s: {"history": ["plan"]}))
    for key in ("a", "b", "c"):
        graph.add_node(f"fetch_{key}", node(f"fetch_{key}", fetch(key)))
        graph.add_edge("plan", f"fetch_{key}")
    graph.add_node(
        "combine",
        node("combine", lambda s: {"text": "; ".join(sorted(s["sources"].values()))}),
    )
    graph.add_node(
        "refine",
        node("refine", lambda s: {"text": f"[{s['text']}]", "rounds": s["rounds"] + 1}),
    )
    graph.set_entry("plan").add_edge(["fetch_a", "fetch_b", "fetch_c"], "combine")
    graph.add_edge("combine", "refine")
    graph.add_conditional_edges("refine", lambda s: END if s["rounds"] >= 3 else "refine")
    return graph


async def main(argv: list[str]) -> None:
    store_dir, log, mode = Path(argv[0]), Path(argv[1]), argv[2]
    block = None
    if len(argv) == 5 and argv[3] == "--block":
        name, nth = argv[4].split(":")
        block = (name, int(nth))
    workflow = build(log, block).compile(step_limit=20)
    store = JsonCheckpointStore(store_dir)
    if mode == "run":
        result = await workflow.run({"topic": "tides"}, run_id=RUN_ID, checkpoints=store)
    else:
        result = await workflow.resume(RUN_ID, checkpoints=store)
    print(json.dumps({"state": result.state.dump(), "steps": result.steps}, sort_keys=True))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
