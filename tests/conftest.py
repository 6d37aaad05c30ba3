"""Shared test setup.

No test touches the real home: every test gets its own ``TAU_HOME`` and ``HOME``,
and the provider variables a developer may have exported are cleared, so a test
sees only the configuration it writes itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tau_cli.testing import loopback_only as _loopback_only

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


@pytest.fixture(autouse=True)
def loopback_only() -> Iterator[None]:
    """No test reaches beyond 127.0.0.1: connections and name lookups elsewhere fail.

    Tests talk to scripted servers on loopback; a test that would reach a real
    provider (a missing base URL, a default endpoint) fails loudly instead.
    """
    with _loopback_only():
        yield


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
