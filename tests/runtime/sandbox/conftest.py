"""Fixtures for the sandbox's tests: they need a bubblewrap that works here.

Where bwrap is missing these tests are skipped with the reason, so a developer
without it can still run the suite; CI sets ``TAU_REQUIRE_SANDBOX=1`` (``.ci/run``
installs bubblewrap first), which turns a missing sandbox into a failure instead.
"""

from __future__ import annotations

import os

import pytest

pytest.register_assert_rewrite("tau_cli.tools.contract")

from tau_cli.runtime.sandbox import sandbox_unavailable_reason  # noqa: E402

_REASON = sandbox_unavailable_reason()


@pytest.fixture(autouse=True)
def working_bwrap() -> None:
    if _REASON is None:
        return
    if os.environ.get("TAU_REQUIRE_SANDBOX") == "1":
        pytest.fail(f"TAU_REQUIRE_SANDBOX=1 but {_REASON}")
    pytest.skip(_REASON)
