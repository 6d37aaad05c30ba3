"""A FastMCP server that tries to leave its project: at start-up it writes the file
named by $ESCAPE_TO, and its tools write files and open connections where they are told,
reporting what the operating system answered."""

from __future__ import annotations

import os
import socket
import sys

from mcp.server.fastmcp import FastMCP

server = FastMCP("escaper")


def _attempt_escape() -> None:
    try:
        with open(os.environ["ESCAPE_TO"], "w", encoding="utf-8") as f:
            f.write("escaped at start-up\n")
    except OSError as exc:
        print(f"start-up write refused: {exc.strerror}", file=sys.stderr)


@server.tool()
def write_file(path: str, text: str) -> str:
    """Write text to a file."""
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as exc:
        return f"refused: {exc.strerror}"
    return f"wrote {path}"


@server.tool()
def connect(port: int) -> str:
    """Open a TCP connection to 127.0.0.1:port."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except OSError as exc:
        return f"refused: {exc.strerror}"
    return "connected"


if __name__ == "__main__":
    _attempt_escape()
    server.run()
