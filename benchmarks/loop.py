"""Agent-loop figures: per-iteration overhead and launch to the first model request.

Per-iteration overhead is the wall time of a 200-step turn (each step one tool
call to a cheap tool, then a final answer) minus the time spent inside the tools,
divided by the steps: building the window, the request, parsing, the permission
gate, hooks, events, and writing every message durably to the transcript.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from benchmarks._harness import Figure

STEPS = 200


def _script(steps: int, target: Path) -> list[dict[str, Any]]:
    call = {"name": "glob", "arguments": {"pattern": "*.nothing", "path": str(target)}}
    return [{"tool_calls": [call]} for _ in range(steps)] + [{"text": "done"}]


def _iteration_overhead(over_http: bool) -> Callable[[int], list[float]]:
    def measure(runs: int) -> list[float]:
        return [asyncio.run(_one_turn(over_http)) for _ in range(runs)]

    return measure


async def _one_turn(over_http: bool) -> float:
    from tau_cli.runtime.builder import Launch, build_runtime
    from tau_cli.runtime.events import ToolFinished, TurnFinished
    from tau_cli.runtime.interaction import NonInteractive
    from tau_cli.runtime.settings_loader import load_settings

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        repo = root / "repo"
        (repo / ".git").mkdir(parents=True)
        script = {"turns": _script(STEPS, repo)}
        env = {"HOME": str(root), "TAU_HOME": str(root / "home"), "PATH": os.environ["PATH"]}
        server = None
        if over_http:
            from tau_cli.testing import ScriptedModelServer

            server = ScriptedModelServer([_turn(t) for t in script["turns"]])
            server.start()
            env |= {"OPENAI_BASE_URL": f"{server.url}/v1", "OPENAI_API_KEY": "sk-bench-0000"}
            model = "openai:scripted-model"
        else:
            path = root / "script.yaml"
            path.write_text(yaml.safe_dump(script))
            model = f"scripted:{path}"
        try:
            resolved = load_settings(
                repo, environ=env, flags={"model": model, "max_iterations": STEPS + 5}
            )
            runtime = build_runtime(
                resolved, Launch(cwd=repo, interaction=NonInteractive()), environ=env
            )
            tool_ms = 0.0
            start = time.perf_counter()
            async for event in runtime.submit("benchmark"):
                if isinstance(event, ToolFinished):
                    tool_ms += event.duration_ms
                if isinstance(event, TurnFinished):
                    assert event.reason == "completed", event
            total_ms = (time.perf_counter() - start) * 1000
            await runtime.aclose()
        finally:
            if server is not None:
                server.stop()
    return (total_ms - tool_ms) / (STEPS + 1)


def _turn(raw: dict[str, Any]) -> Any:
    from tau_cli.agent import Turn

    return Turn.model_validate(raw)


def _launch_to_first_request(runs: int) -> list[float]:
    from tau_cli.agent import Turn
    from tau_cli.testing import ScriptedModelServer

    tau = str(Path(sys.executable).with_name("tau"))
    samples = []
    for i in range(runs + 1):
        with tempfile.TemporaryDirectory() as tmp, ScriptedModelServer([Turn(text="hi")]) as server:
            root = Path(tmp)
            (root / ".git").mkdir()
            env = {
                "HOME": tmp,
                "TAU_HOME": f"{tmp}/.tau",
                "PATH": os.environ["PATH"],
                "TAU_MODEL": "openai:scripted-model",
                "OPENAI_BASE_URL": f"{server.url}/v1",
                "OPENAI_API_KEY": "sk-bench-0000",
            }
            start = time.perf_counter()
            process = subprocess.Popen(
                [tau, "run", "hi"],
                cwd=root,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL,
            )
            while not server.requests:
                if process.poll() is not None and not server.requests:
                    raise RuntimeError("tau run exited before asking the model")
                time.sleep(0.0005)
            elapsed = time.perf_counter() - start
            process.wait(timeout=60)
            if i > 0:  # the first run warms the file cache
                samples.append(elapsed)
    return samples


FIGURES = [
    Figure(
        "loop-overhead",
        "loop overhead per iteration, in-process model (200 tool calls)",
        "ms",
        2.0,
        _iteration_overhead(over_http=False),
        runs=5,
        quick_runs=3,
    ),
    Figure(
        "loop-overhead-http",
        "loop overhead per iteration, over HTTP (200 tool calls)",
        "ms",
        10.0,
        _iteration_overhead(over_http=True),
        runs=5,
        quick_runs=3,
    ),
    Figure(
        "run-first-request",
        "`tau run`: launch to the first model request",
        "s",
        0.3,
        _launch_to_first_request,
        runs=9,
        quick_runs=5,
    ),
]
