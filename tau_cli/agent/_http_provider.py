"""What every HTTP provider shares: its name, its transport, and how a stream is finished.

Each provider only translates: the request into its wire body, and its wire stream into
deltas for the ``StreamAssembler``. Assembly, the final ``StreamDone`` or
``StreamError``, and closing the connection pool are the same for all of them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from typing import Any

from tau_cli.agent._streaming import finish_stream
from tau_cli.agent._transport import Transport
from tau_cli.agent.assembler import StreamAssembler
from tau_cli.agent.request import ChatRequest
from tau_cli.core import StreamEvent, ToolDefinition


class HttpProvider(ABC):
    _name: str
    _model: str
    _transport: Transport

    @property
    def name(self) -> str:
        return self._name

    async def aclose(self) -> None:
        await self._transport.aclose()

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        assembler = StreamAssembler(model=self._model)
        return finish_stream(self._stream_deltas(request, assembler), assembler)

    @abstractmethod
    def _stream_deltas(
        self, request: ChatRequest, assembler: StreamAssembler
    ) -> AsyncIterator[StreamEvent]:
        """The provider's wire stream as events, fed through ``assembler``."""


def function_tools(tools: Sequence[ToolDefinition]) -> list[dict[str, Any]]:
    """Tools as chat completions' ``tools`` list; Ollama's ``/api/chat`` takes the same."""
    return [
        {
            "type": "function",
            "function": {"name": t.name, "description": t.description, "parameters": t.parameters},
        }
        for t in tools
    ]
