"""A small stdio MCP server written with the official SDK's FastMCP, for the MCP figure.

``python _mcp_server.py`` serves; ``--built`` exits as soon as the server is built,
which is its own start-up: the interpreter, the SDK's import and the tool's schema.
"""

from __future__ import annotations

import sys

from mcp.server.fastmcp import FastMCP

server = FastMCP("bench")


@server.tool()
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


if __name__ == "__main__":
    if "--built" not in sys.argv:
        server.run("stdio")
