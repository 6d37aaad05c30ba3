"""HTTP for providers: one pooled client, retries with backoff, errors translated.

Every provider sends through ``Transport.open``. Failures that a second try may
cure (connection errors, 408, 409, 429, 5xx) are retried with exponential backoff
and jitter, honouring the server's ``Retry-After`` (or Azure's ``retry-after-ms``),
through an injected ``sleep`` so tests never wait. Retries happen only before a
response is handed over: once output has reached the caller, a failure ends the
stream as ``StreamInterrupted`` instead of silently starting a second answer.

httpx's exceptions never leave this module: they become core's error tree, with
the status and a body excerpt from which the configured secrets are removed.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import random
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from tau_cli.agent.errors import StreamInterrupted, error_for_status
from tau_cli.core import (
    ClientConfig,
    MalformedResponseError,
    ProviderConnectionError,
    ProviderError,
    RateLimitError,
)

Sleep = Callable[[float], Awaitable[None]]
_EXCERPT = 500


@dataclass(frozen=True)
class Upload:
    """A multipart form: text fields and files as (filename, content, media type)."""

    fields: dict[str, str]
    files: dict[str, tuple[str, bytes, str]]


Body = dict[str, Any] | Upload | None
"""JSON to POST, a form to upload, or None for a GET."""


class Transport:
    """The HTTP side of one provider.

    Args:
        provider: the ``provider:model`` name used in error messages.
        base_url: the endpoint every path is relative to.
        headers: sent with every request (auth and configured extras).
        secrets: values that must never appear in an error message.
        client: timeouts and retry policy.
        hint_auth: what to tell the user on 401/403.
        hint_connect: what to tell the user when the server cannot be reached.
        sleep: how to wait between retries.
        jitter: returns a float in [0, 1) to spread retries.
        http_transport: an httpx transport to use instead of the network.
    """

    def __init__(
        self,
        *,
        provider: str,
        base_url: str,
        headers: Mapping[str, str],
        secrets: Sequence[str] = (),
        client: ClientConfig | None = None,
        hint_auth: str | None = None,
        hint_connect: str | None = None,
        sleep: Sleep | None = None,
        jitter: Callable[[], float] | None = None,
        http_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self._config = client or ClientConfig()
        self._secrets = [s for s in secrets if s]
        self._hint_auth = hint_auth
        self._hint_connect = hint_connect or "is the server running and the base URL right?"
        self._sleep = sleep or asyncio.sleep
        self._jitter = jitter or random.random
        self._client = httpx.AsyncClient(
            headers=dict(headers),
            timeout=httpx.Timeout(
                connect=self._config.connect_timeout.total_seconds(),
                read=self._config.read_timeout.total_seconds(),
                write=self._config.read_timeout.total_seconds(),
                pool=self._config.connect_timeout.total_seconds(),
            ),
            transport=http_transport,
            verify=_tls_for(self.base_url),
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    @asynccontextmanager
    async def open(
        self, path: str, body: Body, *, params: Mapping[str, str] | None = None
    ) -> AsyncIterator[httpx.Response]:
        """Send ``body`` and hand over a successful, still-streaming response."""
        response = await self._send_with_retries(path, body, params)
        try:
            yield response
        finally:
            await response.aclose()

    async def get_json(self, path: str, *, params: Mapping[str, str] | None = None) -> Any:
        """GET ``path`` and return the parsed JSON answer."""
        return await self.post_json(path, None, params=params)

    async def post_json(
        self, path: str, body: Body, *, params: Mapping[str, str] | None = None
    ) -> Any:
        """Send ``body`` and return the parsed JSON answer."""
        async with self.open(path, body, params=params) as response:
            try:
                data = await response.aread()
            except httpx.TransportError as exc:
                raise self.interrupted(exc) from exc
        try:
            return json.loads(data)
        except ValueError as exc:
            raise MalformedResponseError(
                f"{self.provider} sent an answer that is not JSON",
                provider=self.provider,
                status=response.status_code,
                body_excerpt=self.excerpt(data.decode("utf-8", "replace")),
            ) from exc

    async def lines(self, response: httpx.Response) -> AsyncIterator[str]:
        """The response body line by line; a broken connection is ``StreamInterrupted``."""
        try:
            async for line in response.aiter_lines():
                yield line
        except httpx.TransportError as exc:
            raise self.interrupted(exc) from exc

    def parse_object(self, text: str, what: str = "an event") -> dict[str, Any]:
        """One JSON object from the wire, or ``MalformedResponseError``."""
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise MalformedResponseError(
                f"{self.provider} sent {what} that is not JSON",
                provider=self.provider,
                body_excerpt=self.excerpt(text),
            ) from exc
        if not isinstance(value, dict):
            raise MalformedResponseError(
                f"{self.provider} sent {what} that is not a JSON object",
                provider=self.provider,
                body_excerpt=self.excerpt(text),
            )
        return value

    def interrupted(self, exc: Exception) -> StreamInterrupted:
        return StreamInterrupted(
            f"the answer from {self.provider} stopped before it was complete "
            f"({_describe(exc)}); the part received so far was kept",
            provider=self.provider,
        )

    def excerpt(self, text: str) -> str:
        """At most ``_EXCERPT`` characters of ``text``, secrets masked."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text[:_EXCERPT]

    async def _send_with_retries(
        self, path: str, body: Body, params: Mapping[str, str] | None
    ) -> httpx.Response:
        attempt = 0
        while True:
            try:
                return await self._send_once(path, body, params)
            except ProviderError as exc:
                delay = self._retry_delay(exc, attempt)
                if delay is None:
                    raise
            attempt += 1
            await self._sleep(delay)

    def _retry_delay(self, exc: ProviderError, attempt: int) -> float | None:
        """Seconds to wait before retrying ``exc``, or None to give up."""
        if not exc.retryable or attempt >= self._config.max_retries:
            return None
        ceiling = self._config.backoff_max.total_seconds()
        if isinstance(exc, RateLimitError) and exc.retry_after is not None:
            # A wait longer than we would ever back off is the user's call, not ours.
            wait = float(exc.retry_after)
            return wait if wait <= ceiling else None
        base = self._config.backoff_initial.total_seconds() * 2.0**attempt
        return min(ceiling, base) * (0.5 + 0.5 * self._jitter())

    async def _send_once(
        self, path: str, body: Body, params: Mapping[str, str] | None
    ) -> httpx.Response:
        url = f"{self.base_url}{path}"
        if body is None:
            request = self._client.build_request("GET", url, params=params)
        elif isinstance(body, Upload):
            request = self._client.build_request(
                "POST", url, data=body.fields, files=body.files, params=params
            )
        else:
            request = self._client.build_request("POST", url, json=body, params=params)
        try:
            response = await self._client.send(request, stream=True)
        except httpx.TransportError as exc:
            raise ProviderConnectionError(
                f"could not reach {self.provider} at {self.base_url} ({_describe(exc)}); "
                f"{self._hint_connect}",
                provider=self.provider,
            ) from exc
        if response.is_success:
            return response
        try:
            raw = await response.aread()
        except httpx.TransportError:
            raw = b""
        finally:
            await response.aclose()
        raise self._status_error(response, raw.decode("utf-8", "replace"))

    def _status_error(self, response: httpx.Response, text: str) -> ProviderError:
        message = _provider_message(text) or response.reason_phrase or "no details"
        hint = self._hint_auth if response.status_code in (401, 403) else None
        return error_for_status(
            response.status_code,
            self.excerpt(message),
            provider=self.provider,
            body_excerpt=self.excerpt(text),
            retry_after=_retry_after(response.headers),
            hint=hint,
        )


def _provider_message(text: str) -> str | None:
    """The human message inside a JSON error body, in the shapes providers use."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    error = data.get("error", data)
    if isinstance(error, dict):
        message = error.get("message")
        return message if isinstance(message, str) else None
    return error if isinstance(error, str) else None


def _retry_after(headers: httpx.Headers) -> float | None:
    """Seconds the server asked us to wait: ``retry-after-ms``, or ``Retry-After``."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _describe(exc: Exception) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _tls_for(base_url: str) -> ssl.SSLContext | bool:
    """Verification for ``base_url``'s connections.

    A plain ``http://`` endpoint (Ollama, a local server) never speaks TLS: redirects are
    not followed. It gets a context that trusts no certificate at all, so any TLS through
    it fails rather than going unverified, and start-up skips loading the CA bundle
    (about 15 ms). Every other endpoint verifies as usual.
    """
    if base_url.startswith("http://"):
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return True
