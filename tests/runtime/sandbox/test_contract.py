"""``SandboxEnvironment`` passes the Environment contract unchanged."""

from __future__ import annotations

import pytest

from tau_cli.runtime.sandbox import SandboxEnvironment
from tau_cli.tools import Environment
from tau_cli.tools.contract import EnvironmentContract


class TestSandboxEnvironment(EnvironmentContract):
    @pytest.fixture
    def environment(self, workdir: str) -> Environment:
        return SandboxEnvironment(workdir)


def test_sandbox_environment_is_an_environment(tmp_path: object) -> None:
    assert isinstance(SandboxEnvironment(str(tmp_path)), Environment)
