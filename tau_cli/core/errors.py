"""tau's error tree: one root, split by who has to act on the failure.

    TauError                      anything tau raises on purpose
    ├── ConfigError               the user wrote something tau cannot use (settings,
    │                             TAU.md, SKILL.md, MCP config); says file, line, key
    ├── ProviderError             a model call failed; carries status and a body excerpt
    │   ├── ProviderConnectionError   no answer: refused, DNS, timeout (retryable)
    │   ├── AuthenticationError       401/403: a key is missing or wrong
    │   ├── RateLimitError            429 (retryable, may carry retry_after)
    │   ├── ContextLengthError        the request does not fit the model's window
    │   └── MalformedResponseError    the provider sent something we cannot parse
    └── CancelledByUser           the user stopped the work (Esc, Ctrl-C, session/cancel)

Errors the *model* should see (bad tool arguments, a failed command) are not
exceptions at all: they become error tool results so the model can recover.
"""

from __future__ import annotations


class TauError(Exception):
    """Root of every error tau raises on purpose."""


class ConfigError(TauError):
    """A user-supplied file or value cannot be used.

    The message is meant to be shown as is: it names the file, the line where one is
    known, the key, and what was expected instead.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.key = key
        self.detail = message
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(f"{where}{message}")


class ProviderError(TauError):
    """A model provider could not give an answer.

    ``body_excerpt`` is a short, secret-free slice of what the server said; it is what
    a user needs to see to fix a wrong deployment name or an exhausted quota.
    """

    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        status: int | None = None,
        body_excerpt: str | None = None,
    ) -> None:
        self.provider = provider
        self.status = status
        self.body_excerpt = body_excerpt
        super().__init__(message)


class ProviderConnectionError(ProviderError):
    """The provider did not answer (refused, unreachable, timed out)."""

    retryable = True


class AuthenticationError(ProviderError):
    """The provider refused our credentials (401/403)."""


class RateLimitError(ProviderError):
    """The provider asked us to slow down (429)."""

    retryable = True

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        status: int | None = None,
        body_excerpt: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, provider=provider, status=status, body_excerpt=body_excerpt)
        self.retry_after = retry_after


class ContextLengthError(ProviderError):
    """The request is larger than the model's context window."""


class MalformedResponseError(ProviderError):
    """The provider's answer (or stream) could not be understood."""


class CancelledByUser(TauError):
    """The user stopped the current work."""
