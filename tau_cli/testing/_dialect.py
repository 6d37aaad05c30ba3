"""What the server needs to know to speak one provider's chat dialect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tau_cli.agent.script import SeenMessage, Turn, Violation
from tau_cli.core import TokenUsage

Body = dict[str, Any]


@dataclass(frozen=True)
class Dialect:
    """Reading requests and writing answers in one API's format.

    ``decode`` raises ValueError, KeyError or TypeError for a request the real
    API would refuse as malformed; the server answers those with a 400.
    """

    decode: Callable[[Body], tuple[list[SeenMessage], list[str]]]
    """The conversation and the offered tool names."""
    error: Callable[[int, str, Violation | None], Body]
    """The error body for a status and message (a violation may refine it)."""
    answer: Callable[[Turn, int, str, TokenUsage], Body]
    """A complete, non-streamed answer."""
    stream: Callable[[Turn, int, str, TokenUsage, Body, str], list[bytes]]
    """The streamed answer's pieces, given the request body and path."""
    wants_stream: Callable[[Body], bool]
    content_type: str
    """Of the streamed answer."""
