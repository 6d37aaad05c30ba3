"""The loopback guard: tests cannot reach a real provider, even by accident."""

from __future__ import annotations

import socket

import httpx
import pytest

from tau_cli.agent import Turn
from tau_cli.testing import NonLoopbackRefused, ScriptedModelServer, loopback_only


def test_a_real_provider_host_is_refused_before_any_lookup() -> None:
    with pytest.raises(httpx.ConnectError, match=r"tests may only reach 127\.0\.0\.1"):
        httpx.get("https://api.openai.com/v1/models")


def test_a_literal_public_address_is_refused() -> None:
    with socket.socket() as sock, pytest.raises(NonLoopbackRefused, match=r"203\.0\.113\.9"):
        sock.connect(("203.0.113.9", 443))


def test_loopback_stays_reachable() -> None:
    with ScriptedModelServer([Turn(text="ok")]) as server:
        response = httpx.post(
            f"{server.url}/v1/chat/completions",
            json={"model": "m", "messages": [{"role": "user", "content": "hi"}]},
        )

    assert response.status_code == 200


def test_the_guard_undoes_itself() -> None:
    connect = socket.socket.connect
    with loopback_only():
        assert socket.socket.connect is not connect
    assert socket.socket.connect is connect
