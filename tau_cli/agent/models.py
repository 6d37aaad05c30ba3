"""What a server says it offers, for ``tau models`` and for sizing the context.

Configured models are the user's word; this is the server's: Ollama lists its
pulled models (``/api/tags``) and tells each one's context length and abilities
(``/api/show``); OpenAI-compatible servers list ids (``/models``), and some,
like vLLM, add the context length (``max_model_len``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field


class ServedModel(BaseModel):
    """One model a server offers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    context_window: int | None = None
    """Tokens the server runs the model with, when it says."""
    capabilities: list[str] = Field(default_factory=list)
    """The server's own words for what the model can do (Ollama: tools, thinking...)."""


@runtime_checkable
class ModelLister(Protocol):
    """A provider that can say which models its server offers."""

    async def list_models(self) -> Sequence[ServedModel]: ...
