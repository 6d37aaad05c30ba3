"""A FastMCP server with tools that misbehave on purpose, for tau's MCP fault tests.

Run as ``python faulty.py [--garbage] [--slow-start SECONDS]``. ``--garbage`` prints lines
that are not JSON-RPC to stdout before serving; ``--slow-start`` sleeps before serving.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

from mcp.server.fastmcp import Context, FastMCP
from pydantic import BaseModel

if "--slow-start" in sys.argv:
    time.sleep(float(sys.argv[sys.argv.index("--slow-start") + 1]))
if "--garbage" in sys.argv:
    print("this is not JSON-RPC", flush=True)
    print("{not json either", flush=True)

server = FastMCP("faulty", instructions="Use ping to check the server is alive.")
received: list[str] = []


@server.tool()
def ping() -> str:
    """Say pong, with this process's id, so a test can tell a restarted server apart."""
    received.append("ping")
    return f"pong from {os.getpid()}"


@server.tool()
def exit_now() -> str:
    """Exit the process in the middle of the call, after a last word on stderr."""
    print("fatal: exiting on purpose", file=sys.stderr, flush=True)
    os._exit(3)


@server.tool()
async def never_answer() -> str:
    """Never return."""
    await asyncio.sleep(3600)
    return "unreachable"


@server.tool()
async def wait_for_cancel(marker: str) -> str:
    """Wait until cancelled; then write 'cancelled' to the file ``marker``."""
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        with open(marker, "w") as f:
            f.write("cancelled")
        raise
    return "unreachable"


@server.tool()
async def slow_with_progress(ctx: Context, steps: int, every: float) -> str:
    """Work for ``steps * every`` seconds, reporting progress after each step."""
    for step in range(1, steps + 1):
        await asyncio.sleep(every)
        await ctx.report_progress(step, steps)
    return "done"


@server.tool()
def shout_garbage() -> str:
    """Print a line that is not JSON-RPC to stdout, then answer normally."""
    print("garbage line from inside a tool", flush=True)
    return "answered anyway"


@server.tool()
def five_megabytes() -> str:
    """A 5 MB answer with recognisable first and last lines."""
    middle = "\n".join("x" * 99 for _ in range(52_000))
    return f"FIRST LINE\n{middle}\nLAST LINE"


@server.tool()
def environment() -> str:
    """The names of the environment variables this server was given."""
    return " ".join(sorted(os.environ))


@server.tool()
def spawn_child() -> str:
    """Start a long-lived grandchild process and return its pid."""
    child = subprocess.Popen(["sleep", "300"])
    return str(child.pid)


@server.tool()
async def add_tool(ctx: Context) -> str:
    """Add a new tool and tell the client the list changed."""

    def late_tool() -> str:
        """A tool that did not exist at start."""
        return "late"

    server.add_tool(late_tool)
    await ctx.session.send_tool_list_changed()
    return "added"


@server.tool()
async def log_something(ctx: Context) -> str:
    """Send a log message to the client."""
    await ctx.info("hello from the log")
    return "logged"


class Contact(BaseModel):
    email: str


@server.tool()
async def ask_email(ctx: Context) -> str:
    """Ask the user for an email address through elicitation."""
    answer = await ctx.elicit("Which email should I use?", schema=Contact)
    if answer.action == "accept":
        return f"using {answer.data.email}"
    return f"user said {answer.action}"


if __name__ == "__main__":
    server.run()
