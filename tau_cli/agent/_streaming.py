"""The shared tail of every provider's stream: assembly, completion and failure.

A provider only has to yield the deltas its wire format carries and raise a
``ProviderError`` when something goes wrong; these helpers turn that into the
public contract (``ToolCallComplete`` and ``StreamDone`` at the end, or one
``StreamError`` after whatever was delivered).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager

from tau_cli.agent.assembler import StreamAssembler
from tau_cli.agent.errors import error_info
from tau_cli.core import (
    ChatResponse,
    MalformedResponseError,
    ProviderError,
    StreamDone,
    StreamError,
    StreamEvent,
    ToolCallComplete,
)


async def finish_stream(
    deltas: AsyncIterator[StreamEvent], assembler: StreamAssembler
) -> AsyncIterator[StreamEvent]:
    """Pass ``deltas`` on, then complete the calls and the response, or report failure."""
    try:
        async for event in deltas:
            assembler.add(event)
            yield event
    except ProviderError as exc:
        yield StreamError(error=error_info(exc))
        return
    finally:
        await _close(deltas)
    for call in assembler.tool_calls():
        yield ToolCallComplete(call=call)
    yield StreamDone(response=assembler.response())


async def collect(deltas: AsyncIterator[StreamEvent], assembler: StreamAssembler) -> ChatResponse:
    """Consume ``deltas`` into one response; errors propagate typed."""
    try:
        async for event in deltas:
            assembler.add(event)
    finally:
        await _close(deltas)
    return assembler.response()


async def _close(deltas: AsyncIterator[StreamEvent]) -> None:
    aclose = getattr(deltas, "aclose", None)
    if aclose is not None:
        await aclose()


@contextmanager
def wire_shape(provider: str, data: object, excerpt: Callable[[str], str]) -> Iterator[None]:
    """Turn a wire value of the wrong shape (a list where an object belongs...) into
    ``MalformedResponseError``, so a confused server never surfaces as a traceback."""
    try:
        yield
    except (AttributeError, TypeError, KeyError, IndexError, ValueError) as exc:
        raise MalformedResponseError(
            f"{provider} sent an answer in a shape tau does not understand "
            f"({type(exc).__name__}: {exc})",
            provider=provider,
            body_excerpt=excerpt(json.dumps(data, default=str)),
        ) from exc
