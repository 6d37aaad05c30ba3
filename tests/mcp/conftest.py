"""Real MCP servers for the tests: the npm reference server and tau's own faulty FastMCP one.

The reference server is installed by ``./install.sh --dev`` (``npm ci`` in
``tests/mcp/npm``). When it is missing the tests fail and say how to install it: a
skipped MCP suite would look green while proving nothing.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tau_cli.mcp import RemoteServer, StdioServer

HERE = Path(__file__).resolve().parent
EVERYTHING = (
    HERE
    / "npm"
    / "node_modules"
    / "@modelcontextprotocol"
    / "server-everything"
    / "dist"
    / "index.js"
)
FAULTY = HERE / "servers" / "faulty.py"


def _node() -> str:
    """The Node that npm ci installed beside the servers (22), else the system's."""
    bundled = HERE / "npm" / "node_modules" / ".bin" / "node"
    node = str(bundled) if bundled.exists() else shutil.which("node")
    if node is None or not EVERYTHING.exists():
        pytest.fail(
            "the MCP reference server is not installed (needs node and npm): "
            "run ./install.sh --dev, which runs npm ci in tests/mcp/npm",
            pytrace=False,
        )
    return node


@pytest.fixture
def everything_stdio() -> StdioServer:
    return StdioServer(name="everything", command=_node(), args=[str(EVERYTHING), "stdio"])


@pytest.fixture
def faulty() -> Callable[..., StdioServer]:
    """A factory: ``faulty("--garbage", name="x")`` is a stdio config for servers/faulty.py."""

    def make(*args: str, name: str = "faulty", env: dict[str, str] | None = None) -> StdioServer:
        return StdioServer(
            name=name, command=sys.executable, args=[str(FAULTY), *args], env=env or {}
        )

    return make


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(params=["sse", "http"])
def everything_remote(request: pytest.FixtureRequest) -> Iterator[RemoteServer]:
    """The reference server running over SSE or streamable HTTP on a free local port."""
    transport: str = request.param
    port = _free_port()
    mode = "sse" if transport == "sse" else "streamableHttp"
    process = subprocess.Popen(
        [_node(), str(EVERYTHING), mode],
        env={"PATH": "/usr/bin:/bin", "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the reference server did not listen on port {port} ({mode})")
                time.sleep(0.05)
        path = "/sse" if transport == "sse" else "/mcp"
        yield RemoteServer(
            name="everything",
            transport="sse" if transport == "sse" else "http",
            url=f"http://127.0.0.1:{port}{path}",
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
