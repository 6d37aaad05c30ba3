"""A FastMCP server whose tool asks the user for details before it answers."""

from __future__ import annotations

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


if __name__ == "__main__":
    server.run()
