"""A FastMCP server whose tool asks the user for details before it answers."""

from __future__ import annotations

import asyncio

from mcp.server.fastmcp import Context, FastMCP
from pydantic import BaseModel, Field

server = FastMCP("booking")


class Details(BaseModel):
    party: int = Field(description="how many people")
    outdoor: bool = Field(default=False, title="Outdoor seating")


@server.tool()
async def book_table(day: str, ctx: Context) -> str:  # type: ignore[type-arg]
    """Book a table, asking the user how many people come."""
    answer = await ctx.elicit(message=f"Booking for {day}: a few details?", schema=Details)
    if answer.action != "accept":
        return f"not booked: the user chose {answer.action}"
    where = "outside" if answer.data.outdoor else "inside"
    return f"booked {day} for {answer.data.party}, {where}"


@server.tool()
async def check_tables(ctx: Context) -> str:  # type: ignore[type-arg]
    """Look through the tables, saying how far it got."""
    for done in (1, 2, 3):
        await ctx.report_progress(done, 3, f"room {done}")
        await asyncio.sleep(0.05)
    return "3 tables free"


if __name__ == "__main__":
    server.run()
