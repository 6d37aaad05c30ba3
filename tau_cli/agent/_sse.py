"""Server-sent events, the framing OpenAI and Anthropic stream in.

Only what model APIs use: ``event:`` and ``data:`` fields, multi-line data joined
with newlines, comments (lines starting with ``:``) ignored, an event dispatched
at each blank line. Spec: https://html.spec.whatwg.org/multipage/server-sent-events.html
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass


@dataclass(frozen=True)
class SseEvent:
    event: str
    data: str


async def sse_events(lines: AsyncIterator[str]) -> AsyncIterator[SseEvent]:
    event = ""
    data: list[str] = []
    async for line in lines:
        if not line:
            if data:
                yield SseEvent(event or "message", "\n".join(data))
            event, data = "", []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "data":
            data.append(value)
        elif field == "event":
            event = value
    if data:
        yield SseEvent(event or "message", "\n".join(data))
