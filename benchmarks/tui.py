"""How fast the TUI shows a long answer: ``python -m benchmarks.tui [--tokens N]``.

Two figures for ``MarkdownStream`` in a headless Textual app (80x40):

- at once: a whole answer of N tokens (about four characters each) arrives in one
  delta; the time until it is rendered and laid out;
- streamed: the same answer arrives at 500 tokens/s in 16-character deltas, as a
  fast model sends it; the CPU the app spends over the stream's wall time, and
  the longest a delta waited to be rendered;
- end to end: ``TauApp`` over a real runtime whose model is the scripted server on
  127.0.0.1, streaming at 500 tokens/s; the CPU of the app's thread (app, runtime
  and HTTP client; the server runs in another thread) over the turn's wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

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
    def compose(self) -> ComposeResult:
        with VerticalScroll():
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


async def streamed(tokens: int, rate: float = 500.0) -> tuple[float, float, float]:
    """Returns (wall seconds, CPU seconds, worst lag in seconds)."""
    app = _Bench()
    text = answer(tokens)
    chunk = 16
    pause = (chunk / 4) / rate
    async with app.run_test(size=(80, 40)) as pilot:
        view = app.query_one(MarkdownStream)
        app.query_one(VerticalScroll).anchor()
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


async def end_to_end(tokens: int, rate: float = 500.0) -> tuple[float, float]:
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
        app = TauApp(runtime, interaction, model="openai:scripted-model", location="repo")
        try:
            async with app.run_test(size=(80, 40)) as pilot:
                cpu, wall = time.thread_time(), time.perf_counter()
                app.send("write a long answer")
                while app.working:
                    await asyncio.sleep(0.05)
                await pilot.pause()
                return time.perf_counter() - wall, time.thread_time() - cpu
        finally:
            await runtime.aclose()


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
