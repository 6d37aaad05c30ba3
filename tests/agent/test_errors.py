"""One mapping from HTTP status to tau's typed provider errors."""

from __future__ import annotations

import pytest

from tau_cli.agent import ProviderUnavailable, error_for_status, error_info
from tau_cli.core import (
    AuthenticationError,
    ContextLengthError,
    ProviderError,
    RateLimitError,
)


@pytest.mark.parametrize(
    ("status", "message", "kind"),
    [
        (401, "Incorrect API key provided", AuthenticationError),
        (403, "forbidden", AuthenticationError),
        (429, "Rate limit reached", RateLimitError),
        (400, "This model's maximum context length is 8192 tokens", ContextLengthError),
        (400, "messages: unknown field", ProviderError),
        (404, "The model does not exist", ProviderError),
        (408, "timeout", ProviderUnavailable),
        (500, "internal error", ProviderUnavailable),
        (503, "overloaded", ProviderUnavailable),
    ],
)
def test_statuses_map_to_the_error_a_caller_handles(
    status: int, message: str, kind: type[ProviderError]
) -> None:
    error = error_for_status(status, message, provider="openai:gpt-4.1")

    assert type(error) is kind
    assert error.status == status
    assert message in str(error)
    assert "openai:gpt-4.1" in str(error)


def test_a_rate_limit_carries_the_wait_the_server_asked_for() -> None:
    error = error_for_status(429, "slow down", retry_after=2.5)

    assert isinstance(error, RateLimitError)
    assert error.retry_after == 2.5
    assert error.retryable


def test_error_info_describes_the_failure_for_a_stream_event() -> None:
    info = error_info(error_for_status(503, "busy", hint="try again later"))

    assert info.kind == "ProviderUnavailable"
    assert info.status == 503
    assert info.retryable
    assert "try again later" in info.message
