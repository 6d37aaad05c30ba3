"""MCP figure: how long after a session starts a stdio server's first tool is usable.

The server is a FastMCP server written with the official SDK
(``benchmarks/_mcp_server.py``). Each sample runs, in fresh processes:

- the server's own start-up: the server script up to the point where it would
  serve (interpreter, ``import mcp``, building its tools), then exiting;
- a session's view: a fresh Python process that, from the moment it starts the
  session's ``McpManager``, waits until the server's tool is listed and callable
  (``add(2, 3)`` answered), which includes tau importing the SDK on its side,
  spawning the server, the initialize handshake and ``tools/list``.

The figure is the second minus the first: what tau adds on top of the server.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks._harness import Figure

_SERVER = Path(__file__).with_name("_mcp_server.py")
_ROOT = Path(__file__).resolve().parents[1]


async def _first_tool_usable() -> float:
    from tau_cli.mcp import McpManager, StdioServer

    config = StdioServer(name="bench", command=sys.executable, args=[str(_SERVER)])
    start = time.perf_counter()
    async with McpManager([config], environ=dict(os.environ)) as manager:
        (tool,) = manager.tools()
        result = await manager.call_tool("bench", "add", {"a": 2, "b": 3})
        elapsed = time.perf_counter() - start
        if result.is_error or "5" not in result.text:
            raise RuntimeError(f"the MCP tool {tool.name} did not answer: {result.text}")
    return elapsed


def _client() -> None:
    """Entry point of the measuring process: prints the seconds until the tool answered."""
    print(asyncio.run(_first_tool_usable()))


def _overhead(runs: int) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(_ROOT)}
    client = [sys.executable, "-c", "from benchmarks.mcp_startup import _client; _client()"]
    samples = []
    for i in range(runs + 1):  # the first pair warms the file cache
        start = time.perf_counter()
        subprocess.run([sys.executable, str(_SERVER), "--built"], check=True, env=env)
        server_alone = time.perf_counter() - start
        done = subprocess.run(client, check=True, env=env, capture_output=True, text=True)
        if i:
            samples.append(float(done.stdout.strip()) - server_alone)
    return samples


FIGURES = [
    Figure(
        "mcp-first-tool",
        "MCP: session start to first stdio tool usable, minus the server's own start-up",
        "s",
        0.5,
        _overhead,
        runs=7,
        quick_runs=3,
    ),
]
