"""Signing in to remote MCP servers that require OAuth, with the SDK's client flow.

The SDK's ``OAuthClientProvider`` does discovery, dynamic client registration, PKCE,
token exchange and refresh; tau supplies the two things it cannot know: where tokens
live and how the user is sent to the authorization page. Tokens are kept per server in
``<tau_home>/mcp-oauth/<server>.json``, readable by the user only (0600, folder 0700),
tied to the server's URL, and never logged. The user's part is an ``AuthorizationFlow``:
the default one opens the authorization page and waits for the browser to come back to
a one-shot listener on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import tempfile
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from tau_cli.core import TauError
from tau_cli.mcp.config import RemoteServer

if TYPE_CHECKING:
    import httpx
    from mcp.shared.auth import OAuthClientInformationFull, OAuthToken

_FOLDER = "mcp-oauth"
_PAGE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nConnection: close\r\n\r\n"
    b"<!doctype html><title>tau</title><p>Signed in. You can close this tab and return to tau.</p>"
)


class AuthorizationRequired(TauError):
    """A server needs the user to sign in, and nobody is there to do it."""


class AuthorizationFlow(Protocol):
    """The user's part of OAuth: visit ``url``, come back with ``(code, state)``."""

    @property
    def redirect_uri(self) -> str: ...

    async def authorize(self, url: str) -> tuple[str, str | None]: ...

    def close(self) -> None:
        """Release what the flow holds (a listening socket); called when the connection ends."""


@dataclass(frozen=True)
class OAuthSupport:
    """What the manager needs to sign in to servers.

    Args:
        tau_home: tokens are kept under it.
        flow: makes the flow for one sign-in; ``None`` when no one can sign in (a
            non-interactive run), so a server that needs it fails with a clear message.
    """

    tau_home: Path
    flow: Callable[[], AuthorizationFlow] | None = None


class FileTokenStorage:
    """The SDK's ``TokenStorage`` over one private JSON file per server.

    A client registered out of band (``configured_client``) is served from the
    configuration and never written: its secret stays where the user put it.
    """

    def __init__(
        self,
        tau_home: Path,
        server: str,
        url: str,
        *,
        configured_client: OAuthClientInformationFull | None = None,
    ) -> None:
        self.path = tau_home / _FOLDER / f"{server}.json"
        self._url = url
        self._configured_client = configured_client

    async def get_tokens(self) -> OAuthToken | None:
        from mcp.shared.auth import OAuthToken

        data = self._load().get("tokens")
        return OAuthToken.model_validate(data) if data else None

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self._store("tokens", tokens.model_dump(mode="json", exclude_none=True))

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        from mcp.shared.auth import OAuthClientInformationFull

        if self._configured_client is not None:
            return self._configured_client
        data = self._load().get("client_info")
        return OAuthClientInformationFull.model_validate(data) if data else None

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        if self._configured_client is not None:
            return
        self._store("client_info", client_info.model_dump(mode="json", exclude_none=True))

    def forget(self) -> bool:
        """Sign out: delete the stored tokens; False when there were none."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return {}  # nothing usable stored: sign in again
        if not isinstance(data, dict) or data.get("url") != self._url:
            return {}  # tokens for another URL are not sent to this one
        return data

    def _store(self, key: str, value: dict[str, Any]) -> None:
        data = self._load()
        data.update({"url": self._url, key: value})
        folder = self.path.parent
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".token-", suffix=".tmp")  # mode 0600
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps(data))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)


class LoopbackAuthorization:
    """Open the authorization page and catch the browser's return on 127.0.0.1.

    Args:
        open_url: shows the page to the user (opens a browser, prints the link).
        timeout: seconds to wait for the user to finish signing in.
    """

    def __init__(self, open_url: Callable[[str], None], *, timeout: float = 300.0) -> None:
        self._open_url = open_url
        self._timeout = timeout
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(4)
        self._socket.setblocking(False)

    @property
    def redirect_uri(self) -> str:
        port = self._socket.getsockname()[1]
        return f"http://127.0.0.1:{port}/callback"

    async def authorize(self, url: str) -> tuple[str, str | None]:
        arrived: asyncio.Future[tuple[str, str | None]] = asyncio.get_running_loop().create_future()

        async def on_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                line = (await reader.readline()).decode("latin-1").split()
                query = urllib.parse.urlsplit(line[1]).query if len(line) > 1 else ""
                params = urllib.parse.parse_qs(query)
                writer.write(_PAGE)
                await writer.drain()
            finally:
                writer.close()
            if "code" in params and not arrived.done():
                arrived.set_result((params["code"][0], params.get("state", [None])[0]))
            elif "error" in params and not arrived.done():
                arrived.set_exception(
                    AuthorizationRequired(f"sign-in refused: {params['error'][0]}")
                )

        server = await asyncio.start_server(on_request, sock=self._socket)
        try:
            self._open_url(url)
            async with asyncio.timeout(self._timeout):
                return await arrived
        except TimeoutError:
            raise AuthorizationRequired(
                f"sign-in was not completed within {self._timeout:g} s"
            ) from None
        finally:
            server.close()
            with contextlib.suppress(Exception):
                await server.wait_closed()

    def close(self) -> None:
        self._socket.close()


def oauth_provider(
    support: OAuthSupport, config: RemoteServer
) -> tuple[httpx.Auth, Callable[[], None]]:
    """The SDK's OAuth provider for one server, with tau's storage and the user's flow,
    and what to call when the connection ends."""
    from mcp.client.auth import OAuthClientProvider
    from mcp.shared.auth import OAuthClientInformationFull, OAuthClientMetadata
    from pydantic import AnyUrl

    server, url = config.name, config.url
    flow = support.flow() if support.flow is not None else None
    pending: list[str] = []

    async def redirect(authorization_url: str) -> None:
        if flow is None:
            raise AuthorizationRequired(
                f"MCP server {server!r} needs you to sign in; start tau interactively to do so"
            )
        pending.append(authorization_url)

    async def callback() -> tuple[str, str | None]:
        assert flow is not None  # redirect() raised otherwise
        return await flow.authorize(pending.pop())

    redirect_uri = flow.redirect_uri if flow is not None else "http://127.0.0.1/callback"
    metadata = OAuthClientMetadata(
        client_name="tau",
        redirect_uris=[AnyUrl(redirect_uri)],
        grant_types=["authorization_code", "refresh_token"],
        response_types=["code"],
    )
    configured = None
    if config.oauth_client_id is not None:
        configured = OAuthClientInformationFull(
            **metadata.model_dump(exclude={"token_endpoint_auth_method"}),
            client_id=config.oauth_client_id,
            client_secret=config.oauth_client_secret,
            token_endpoint_auth_method="client_secret_basic"
            if config.oauth_client_secret
            else "none",
        )
    storage = FileTokenStorage(support.tau_home, server, url, configured_client=configured)
    provider = OAuthClientProvider(
        server_url=url,
        client_metadata=metadata,
        storage=storage,
        redirect_handler=redirect,
        callback_handler=callback,
    )
    return provider, (flow.close if flow is not None else lambda: None)
