"""How fast each provider turns a streamed answer into events.

A 20,000-token answer (four characters a chunk, one chunk a token) is recorded
once from the scripted model server in each dialect, then replayed from memory
through httpx's ``MockTransport`` so only tau's parsing and assembly are timed,
not the network or the server. Run: ``python benchmarks/stream_parsing.py``.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

import httpx

from tau_cli.agent import (
    AnthropicProvider,
    ChatRequest,
    OllamaProvider,
    OpenAIProvider,
    Provider,
    ResponsesProvider,
    Turn,
)
from tau_cli.core import Message, StreamDone
from tau_cli.testing import ScriptedModelServer, loopback_only

TOKENS = 20_000
REQUEST = ChatRequest(messages=[Message.user("write a long story")])
DIALECTS: dict[str, tuple[str, dict[str, Any]]] = {
    "openai": (
        "/v1/chat/completions",
        {"model": "m", "messages": [{"role": "user", "content": "x"}], "stream": True},
    ),
    "responses": (
        "/v1/responses",
        {"model": "m", "input": "x", "stream": True},
    ),
    "ollama": ("/api/chat", {"model": "m", "messages": [{"role": "user", "content": "x"}]}),
    "anthropic": (
        "/v1/messages",
        {
            "model": "m",
            "max_tokens": 1,
            "stream": True,
            "messages": [{"role": "user", "content": "x"}],
        },
    ),
}


def _record() -> dict[str, bytes]:
    turn = Turn(text="abcd" * TOKENS, chunk_chars=4)
    recorded = {}
    with ScriptedModelServer([turn] * len(DIALECTS)) as server:
        for name, (path, body) in DIALECTS.items():
            recorded[name] = httpx.post(f"{server.url}{path}", json=body, timeout=60).content
    return recorded


def _provider(name: str, body: bytes) -> Provider:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body)

    transport = httpx.MockTransport(answer)
    if name == "openai":
        return OpenAIProvider("m", base_url="http://bench/v1", http_transport=transport)
    if name == "responses":
        return ResponsesProvider("m", base_url="http://bench/v1", http_transport=transport)
    if name == "ollama":
        return OllamaProvider("m", base_url="http://bench", http_transport=transport)
    return AnthropicProvider("m", base_url="http://bench", http_transport=transport)


async def _run(provider: Provider) -> tuple[int, float]:
    started = time.perf_counter()
    count = 0
    async for event in provider.stream(REQUEST):
        count += 1
        if isinstance(event, StreamDone):
            assert len(event.response.message.text) == 4 * TOKENS
    return count, time.perf_counter() - started


async def main() -> None:
    with loopback_only():
        recorded = _record()
    print(f"{'dialect':<10} {'bytes':>10} {'events':>8} {'events/s':>12} {'ms':>8}")
    for name, body in recorded.items():
        provider = _provider(name, body)
        runs = [await _run(provider) for _ in range(5)]
        await provider.aclose()
        events = runs[0][0]
        seconds = statistics.median(r[1] for r in runs)
        print(
            f"{name:<10} {len(body):>10} {events:>8} {events / seconds:>12,.0f} "
            f"{seconds * 1000:>8.1f}"
        )


if __name__ == "__main__":
    asyncio.run(main())
