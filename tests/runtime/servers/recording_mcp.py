"""A FastMCP server that writes down every call it receives (to the file in $CALL_LOG),
so a test can prove what reached it — and what never did."""

from __future__ import annotations

import os

from mcp.server.fastmcp import Context, FastMCP

server = FastMCP("recorder", instructions="Use lookup to find a customer's plan.")


def _log(call: str) -> None:
    with open(os.environ["CALL_LOG"], "a", encoding="utf-8") as f:
        f.write(call + "\n")


@server.tool()
def lookup(customer: str) -> str:
    """Find a customer's plan."""
    _log(f"lookup {customer}")
    return f"{customer} is on the pro plan"


@server.tool()
def delete_customer(customer: str) -> str:
    """Delete a customer for good."""
    _log(f"delete_customer {customer}")
    return f"deleted {customer}"


@server.tool()
async def export(customer: str, ctx: Context) -> str:  # type: ignore[type-arg]
    """Export a customer's records, reporting progress as it goes."""
    _log(f"export {customer}")
    for done in range(1, 4):
        await ctx.report_progress(done, 3, f"exported part {done} of 3")
    return f"exported {customer}"


if __name__ == "__main__":
    server.run()
