"""Provider failures beyond core's tree, and the one status-to-error mapping.

Added under core's ``ProviderError``::

    ProviderError
    ├── ProviderUnavailable   408, 409, 5xx: the server is busy or broken (retryable)
    └── StreamInterrupted     the answer stopped mid-stream; what arrived was delivered

Every provider, the scripted model and the scripted server's tests map an HTTP
status the same way through ``error_for_status``, so a 429 is a ``RateLimitError``
whichever dialect produced it.
"""

from __future__ import annotations

from tau_cli.core import (
    AuthenticationError,
    ContextLengthError,
    ErrorInfo,
    ProviderError,
    RateLimitError,
)

_CONTEXT_MARKERS = (
    "context_length_exceeded",
    "maximum context length",
    "context window",
    "prompt is too long",
    "too many tokens",
)


class ProviderUnavailable(ProviderError):
    """The provider is overloaded or failing (408, 409, 5xx); worth another try."""

    retryable = True


class StreamInterrupted(ProviderError):
    """The stream ended before the answer did.

    Not retried: the caller has already shown the partial output, and a second
    answer would not continue it.
    """


def error_for_status(
    status: int,
    message: str,
    *,
    provider: str | None = None,
    body_excerpt: str | None = None,
    retry_after: float | None = None,
    hint: str | None = None,
) -> ProviderError:
    """The typed error for an HTTP failure ``status`` with the provider's ``message``."""
    text = f"{provider or 'provider'} answered {status}: {message}"
    if hint:
        text = f"{text} ({hint})"
    kind: type[ProviderError] = ProviderError
    if status in (401, 403):
        kind = AuthenticationError
    elif status == 429:
        return RateLimitError(
            text,
            provider=provider,
            status=status,
            body_excerpt=body_excerpt,
            retry_after=retry_after,
        )
    elif status in (400, 413) and _mentions_context(f"{message} {body_excerpt or ''}"):
        kind = ContextLengthError
    elif status in (408, 409) or status >= 500:
        kind = ProviderUnavailable
    return kind(text, provider=provider, status=status, body_excerpt=body_excerpt)


def _mentions_context(text: str) -> bool:
    lowered = text.lower()
    return any(marker in lowered for marker in _CONTEXT_MARKERS)


def error_info(exc: ProviderError) -> ErrorInfo:
    """``exc`` as data for a ``StreamError`` event."""
    return ErrorInfo(
        kind=type(exc).__name__,
        message=str(exc),
        status=exc.status,
        retryable=exc.retryable,
    )
