"""Shared test setup.

No test touches the real home: every test gets its own ``TAU_HOME`` and ``HOME``,
and the provider variables a developer may have exported are cleared, so a test
sees only the configuration it writes itself.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# Shared 2-core machines are slow and noisy: time limits per example only make
# property tests flaky there, never more correct.
settings.register_profile(
    "tau", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=60
)
settings.load_profile("tau")

_PROVIDER_VARIABLES = (
    "TAU_MODEL",
    "OLLAMA_HOST",
    "AZURE_OPENAI_ENDPOINT",
    "AZURE_OPENAI_API_KEY",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
)


def _is_loopback(address: Any) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if not isinstance(host, str):
        return True  # not an internet address (e.g. an abstract unix socket)
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name other than localhost: it would be resolved and reached


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _guarded(real: Any) -> Any:
    def connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise OSError(f"tests may only connect to 127.0.0.1/localhost, not {address!r}")
        return real(self, address)

    return connect


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse any connection from the test process that is not to loopback.

    Tests talk to scripted servers on 127.0.0.1; a test that would reach a real provider
    (a missing base URL, a default endpoint) fails loudly here instead.
    """
    monkeypatch.setattr(socket.socket, "connect", _guarded(_real_connect))
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded(_real_connect_ex))


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("TAU_HOME", str(home / ".tau"))
    for name in _PROVIDER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    yield home


@pytest.fixture
def tau_home(isolated_home: Path) -> Path:
    """The ``TAU_HOME`` of this test (not created until something writes to it)."""
    return Path(os.environ["TAU_HOME"])
