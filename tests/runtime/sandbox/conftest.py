"""Fixtures for the sandbox's tests: they need a bubblewrap that works here."""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite("tau_cli.tools.contract")
