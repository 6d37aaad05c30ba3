"""How fast the TUI shows answers: ``python -m benchmarks.tui [--tokens N]``.

The figures (registered in ``python -m benchmarks``), all in a headless Textual app:

- at once: a whole answer of N tokens (about four characters each) arrives in one
  delta to a ``MarkdownStream``; the time until it is rendered and laid out;
- lag: the answer arrives at 500 tokens/s in 16-character deltas, as a fast model
  sends it; for each delta, the time from its arrival until a screen refresh that
  includes it has been painted; the 95th percentile over the stream;
- CPU: ``TauApp`` over a real runtime whose model is the scripted server on
  127.0.0.1, streaming at 200 tokens/s; the CPU time of the app's thread (app, runtime
  and HTTP client; the server runs in another thread) over the turn's wall time, as a
  share of one core; once in a fresh conversation and once with 500 exchanges
  (2,000 messages) of history above it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from textual.app import App, ComposeResult

from benchmarks._harness import Figure
from tau_cli.core import Message
from tau_cli.tui.conversation import Conversation
from tau_cli.tui.markdown_stream import MarkdownStream

_SECTION = """\
## Step {n}: change the parser

The parser reads **one token** at a time and keeps a small stack; this step
teaches it to recover from a missing bracket without losing the rest of the file.

- keep the `offset` of each open bracket
- on a mismatch, report the *innermost* open bracket
- continue from the next line

```python
def recover(tokens: list[str], offset: int) -> int:
    depth = 0
    for i, token in enumerate(tokens[offset:], offset):
        if token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
    return depth
```

"""


def answer(tokens: int) -> str:
    text, n = "", 0
    while len(text) < tokens * 4:
        n += 1
        text += _SECTION.format(n=n)
    return text[: tokens * 4]


class _Bench(App[None]):
    """The conversation pane as ``TauApp`` has it, with one answer in it."""

    def compose(self) -> ComposeResult:
        with Conversation():
            yield MarkdownStream()


async def at_once(tokens: int) -> float:
    app = _Bench()
    text = answer(tokens)
    async with app.run_test(size=(80, 40)) as pilot:
        view = app.query_one(MarkdownStream)
        started = time.perf_counter()
        view.append(text)
        view.finish()
        await pilot.pause()
        assert view.line_count > tokens // 20
        return time.perf_counter() - started


class _Timed(MarkdownStream):
    """Notes when what it received so far was on screen."""

    def __init__(self) -> None:
        super().__init__()
        self.received = 0
        self.painted: list[tuple[int, float]] = []
        """(characters received, when a refresh showing them was painted)."""

    def append(self, text: str) -> None:
        self.received += len(text)
        super().append(text)

    def _flush(self) -> None:
        super()._flush()
        self.call_after_refresh(self._note, self.received)

    def _note(self, received: int) -> None:
        self.painted.append((received, time.perf_counter()))


class _LagBench(App[None]):
    def compose(self) -> ComposeResult:
        with Conversation():
            yield _Timed()


async def lag(tokens: int, rate: float = 500.0) -> float:
    """The 95th percentile, in ms, of the time from a delta's arrival to its paint."""
    app = _LagBench()
    text = answer(tokens)
    chunk = 16
    pause = (chunk / 4) / rate
    arrivals: list[tuple[int, float]] = []
    async with app.run_test(size=(80, 40)) as pilot:
        view = app.query_one(_Timed)
        app.query_one(Conversation).anchor()
        due = time.perf_counter()
        for i in range(0, len(text), chunk):
            view.append(text[i : i + chunk])
            arrivals.append((view.received, time.perf_counter()))
            due += pause
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
        await pilot.pause(0.2)
    lags, at = [], 0
    for received, arrived in arrivals:
        while view.painted[at][0] < received:
            at += 1
        lags.append(view.painted[at][1] - arrived)
    return 1000 * statistics.quantiles(lags, n=20)[-1]


async def streamed(tokens: int, rate: float = 500.0) -> tuple[float, float, float]:
    """Returns (wall seconds, CPU seconds, worst lag in seconds)."""
    app = _Bench()
    text = answer(tokens)
    chunk = 16
    pause = (chunk / 4) / rate
    async with app.run_test(size=(80, 40)) as pilot:
        view = app.query_one(MarkdownStream)
        app.query_one(Conversation).anchor()
        cpu, wall = time.process_time(), time.perf_counter()
        due = wall
        worst = 0.0
        for i in range(0, len(text), chunk):
            view.append(text[i : i + chunk])
            due += pause
            lag = time.perf_counter() - due
            worst = max(worst, lag)
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
        view.finish()
        await pilot.pause()
        return time.perf_counter() - wall, time.process_time() - cpu, worst


async def end_to_end(
    tokens: int, rate: float = 500.0, history: Sequence[Message] = ()
) -> tuple[float, float]:
    """Returns (wall seconds, CPU seconds of the app's thread) for one streamed answer."""
    from tau_cli.agent import Turn
    from tau_cli.runtime.builder import Launch, build_runtime
    from tau_cli.runtime.settings_loader import load_settings
    from tau_cli.testing import ScriptedModelServer
    from tau_cli.tui import TauApp, TuiInteraction

    text = answer(tokens)
    turn = Turn.model_validate({"text": text, "chunk_chars": 16, "tokens_per_second": rate})
    with tempfile.TemporaryDirectory() as tmp, ScriptedModelServer([turn]) as server:
        repo = Path(tmp) / "repo"
        (repo / ".git").mkdir(parents=True)
        env = {
            "HOME": tmp,
            "TAU_HOME": str(Path(tmp) / "home"),
            "PATH": os.environ["PATH"],
            "OPENAI_BASE_URL": f"{server.url}/v1",
            "OPENAI_API_KEY": "sk-bench-0000",
        }
        resolved = load_settings(repo, environ=env, flags={"model": "openai:scripted-model"})
        interaction = TuiInteraction()
        runtime = build_runtime(resolved, Launch(cwd=repo, interaction=interaction), environ=env)
        app = TauApp(
            runtime,
            interaction,
            model="openai:scripted-model",
            location="repo",
            history=history,
        )
        try:
            async with app.run_test(size=(80, 40)) as pilot:
                await pilot.pause(0.3)  # the history's first screens are drawn before
                cpu, wall = time.thread_time(), time.perf_counter()
                app.send("write a long answer")
                while app.working:
                    await asyncio.sleep(0.05)
                await pilot.pause()
                return time.perf_counter() - wall, time.thread_time() - cpu
        finally:
            await runtime.aclose()


def _runs(measure: Callable[[], float]) -> Callable[[int], list[float]]:
    return lambda runs: [measure() for _ in range(runs)]


def _cpu_share(tokens: int, exchanges: int = 0) -> float:
    from benchmarks._sessions import messages

    wall, cpu = asyncio.run(end_to_end(tokens, 200.0, messages(4 * exchanges)))
    return 100 * cpu / wall


FIGURES = [
    Figure(
        "tui-at-once",
        "TUI: 20k-token markdown answer at once, until fully rendered",
        "s",
        2.0,
        _runs(lambda: asyncio.run(at_once(20_000))),
        runs=5,
        quick_runs=2,
    ),
    Figure(
        "tui-stream-lag",
        "TUI: 20k tokens streamed at 500 tokens/s, received to displayed (p95)",
        "ms",
        100,
        _runs(lambda: asyncio.run(lag(20_000))),
        runs=3,
        quick_runs=1,
        quick_measure=_runs(lambda: asyncio.run(lag(5_000))),
    ),
    Figure(
        "tui-stream-cpu",
        "TUI: CPU while streaming at 200 tokens/s (share of one core)",
        "%",
        50,
        _runs(lambda: _cpu_share(6_000)),
        runs=3,
        quick_runs=1,
        quick_measure=_runs(lambda: _cpu_share(2_000)),
    ),
    Figure(
        "tui-stream-cpu-history",
        "TUI: CPU while streaming at 200 tokens/s, 500 exchanges of history above",
        "%",
        50,
        _runs(lambda: _cpu_share(6_000, exchanges=500)),
        runs=3,
        quick_runs=1,
        quick_measure=_runs(lambda: _cpu_share(2_000, exchanges=500)),
    ),
]
"""Run from ``python -m benchmarks``; the quick variant streams shorter answers."""


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tui", description=__doc__)
    parser.add_argument("--tokens", type=int, default=20_000)
    parser.add_argument("--stream-tokens", type=int, default=20_000)
    parser.add_argument("--app-tokens", type=int, default=20_000)
    args = parser.parse_args()
    seconds = asyncio.run(at_once(args.tokens))
    print(f"{args.tokens} tokens at once: rendered in {seconds:.2f} s")
    wall, cpu, worst = asyncio.run(streamed(args.stream_tokens))
    print(
        f"{args.stream_tokens} tokens at 500 tok/s: {wall:.1f} s wall, {cpu:.1f} s CPU"
        f" ({100 * cpu / wall:.0f}% of one core), delivery behind schedule by at most"
        f" {worst * 1000:.0f} ms"
    )
    wall, cpu = asyncio.run(end_to_end(args.app_tokens))
    print(
        f"{args.app_tokens} tokens at 500 tok/s through TauApp and the runtime: {wall:.1f} s wall,"
        f" {cpu:.1f} s CPU in the app's thread ({100 * cpu / wall:.0f}% of one core)"
    )


if __name__ == "__main__":
    main()
