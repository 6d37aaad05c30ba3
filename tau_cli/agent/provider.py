"""The one interface the loop talks to a model through.

Every provider answers the same two calls. ``stream`` yields core's stream events
and never raises for a failed call: a failure arrives as a final ``StreamError``
event after whatever output was already delivered, so the loop keeps partial text
and has one place to handle errors. ``complete`` returns the whole answer and
raises the typed error from ``tau_cli.core.errors`` instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Protocol, runtime_checkable

from tau_cli.agent.request import ChatRequest
from tau_cli.core import AudioResponse, ChatResponse, EmbeddingsResponse, StreamEvent


@runtime_checkable
class Provider(Protocol):
    """A chat model behind some transport (HTTP, or an in-process script)."""

    @property
    def name(self) -> str:
        """``provider:model``, as the user named it; shown in errors and status lines."""
        ...

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        """Answer ``request`` piece by piece, ending with ``StreamDone`` or ``StreamError``."""
        ...

    async def complete(self, request: ChatRequest) -> ChatResponse:
        """Answer ``request`` in one piece; raises a ``ProviderError`` on failure."""
        ...

    async def aclose(self) -> None:
        """Release connections; the provider cannot be used afterwards."""
        ...


@runtime_checkable
class Embedder(Protocol):
    """A model that turns texts into vectors (memory search, skill matching)."""

    async def embed(self, texts: Sequence[str]) -> EmbeddingsResponse:
        """One vector per text, in order; raises a ``ProviderError`` on failure."""
        ...


@runtime_checkable
class Transcriber(Protocol):
    """A model that turns speech into text (voice input)."""

    async def transcribe(
        self,
        audio: bytes,
        *,
        filename: str = "audio.wav",
        media_type: str = "audio/wav",
        language: str | None = None,
    ) -> AudioResponse:
        """The transcript of ``audio``; raises a ``ProviderError`` on failure."""
        ...
