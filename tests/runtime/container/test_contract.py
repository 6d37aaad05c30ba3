"""``ContainerEnvironment`` passes the Environment contract unchanged."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tau_cli.runtime.container import ContainerEnvironment
from tau_cli.tools import Environment
from tau_cli.tools.contract import EnvironmentContract


class TestContainerEnvironment(EnvironmentContract):
    @pytest.fixture
    def environment(self, workdir: str, image: str) -> Iterator[Environment]:
        container = ContainerEnvironment(workdir, image=image)
        yield container
        container.close()
