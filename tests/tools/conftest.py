"""Fixtures for the tool system's tests."""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite("tau_cli.tools.contract")
