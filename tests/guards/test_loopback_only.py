"""The test suite's own guard: nothing in a test process reaches beyond loopback."""

from __future__ import annotations

import socket

import pytest


def test_a_connection_to_a_public_address_is_refused() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s,
        pytest.raises(OSError, match=r"only reach 127\.0\.0\.1"),
    ):
        s.connect(("93.184.216.34", 443))


def test_a_connection_to_a_host_name_is_refused_before_resolution() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s,
        pytest.raises(OSError, match="only reach"),
    ):
        s.connect(("api.openai.com", 443))


def test_loopback_still_works() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=5):
            conn, _ = server.accept()
            conn.close()
