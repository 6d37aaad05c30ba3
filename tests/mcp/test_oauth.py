"""OAuth for remote servers: private token files, and the browser's return on 127.0.0.1.

The whole flow (discovery, registration, PKCE, token exchange, refresh, scopes) runs
against the official conformance suite's authorization servers in test_conformance.py.
"""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import httpx
import pytest
from mcp.shared.auth import OAuthClientInformationFull, OAuthToken

from tau_cli.mcp import AuthorizationRequired, FileTokenStorage, LoopbackAuthorization


async def test_tokens_are_kept_per_server_readable_by_the_user_only(tau_home: Path) -> None:
    storage = FileTokenStorage(tau_home, "tracker", "https://tracker.example/mcp")

    await storage.set_tokens(OAuthToken(access_token="secret-access", refresh_token="r"))
    await storage.set_client_info(
        OAuthClientInformationFull(client_id="tau-123", redirect_uris=["http://127.0.0.1:1/cb"])
    )

    again = FileTokenStorage(tau_home, "tracker", "https://tracker.example/mcp")
    tokens, client = await again.get_tokens(), await again.get_client_info()
    assert tokens is not None and tokens.access_token == "secret-access"
    assert client is not None and client.client_id == "tau-123"
    assert stat.S_IMODE(storage.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(storage.path.parent.stat().st_mode) == 0o700
    assert storage.path == tau_home / "mcp-oauth" / "tracker.json"


async def test_tokens_are_never_sent_to_a_changed_url(tau_home: Path) -> None:
    await FileTokenStorage(tau_home, "t", "https://old.example/mcp").set_tokens(
        OAuthToken(access_token="for-old")
    )

    moved = FileTokenStorage(tau_home, "t", "https://attacker.example/mcp")

    assert await moved.get_tokens() is None
    assert moved.forget() is True and await moved.get_tokens() is None


async def test_a_configured_client_is_used_and_its_secret_never_written(tau_home: Path) -> None:
    configured = OAuthClientInformationFull(
        client_id="tau-app", client_secret="s3cret", redirect_uris=["http://127.0.0.1:1/cb"]
    )
    storage = FileTokenStorage(
        tau_home, "gh", "https://gh.example/mcp", configured_client=configured
    )

    await storage.set_client_info(
        OAuthClientInformationFull(client_id="registered", redirect_uris=["http://127.0.0.1:1/cb"])
    )
    await storage.set_tokens(OAuthToken(access_token="a"))

    assert await storage.get_client_info() == configured
    assert "s3cret" not in storage.path.read_text()
    assert "registered" not in storage.path.read_text()


async def test_the_browser_returning_to_the_loopback_listener_completes_sign_in() -> None:
    opened: list[str] = []

    def browser(url: str) -> None:
        opened.append(url)

        async def come_back() -> None:
            async with httpx.AsyncClient() as client:
                page = await client.get(f"{flow.redirect_uri}?code=c0de&state=s1")
            assert "Signed in" in page.text

        asyncio.get_running_loop().create_task(come_back())

    flow = LoopbackAuthorization(browser, timeout=10)
    assert flow.redirect_uri.startswith("http://127.0.0.1:")

    try:
        assert await flow.authorize("https://auth.example/authorize?x=1") == ("c0de", "s1")
    finally:
        flow.close()
    assert opened == ["https://auth.example/authorize?x=1"]


async def test_a_refused_or_abandoned_sign_in_says_so() -> None:
    def refuse(url: str) -> None:
        async def come_back() -> None:
            async with httpx.AsyncClient() as client:
                await client.get(f"{refused.redirect_uri}?error=access_denied")

        asyncio.get_running_loop().create_task(come_back())

    refused = LoopbackAuthorization(refuse, timeout=10)
    abandoned = LoopbackAuthorization(lambda url: None, timeout=0.2)

    try:
        with pytest.raises(AuthorizationRequired, match="sign-in refused: access_denied"):
            await refused.authorize("https://auth.example/authorize")
        with pytest.raises(AuthorizationRequired, match=r"not completed within 0\.2 s"):
            await abandoned.authorize("https://auth.example/authorize")
    finally:
        refused.close()
        abandoned.close()
