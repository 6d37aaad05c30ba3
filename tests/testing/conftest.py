"""Every test here runs behind the loopback guard: no traffic but to 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tau_cli.testing import loopback_only


@pytest.fixture(autouse=True)
def _loopback_only() -> Iterator[None]:
    with loopback_only():
        yield
