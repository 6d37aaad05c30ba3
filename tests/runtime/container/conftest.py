"""Fixtures for the container's tests: a working engine and a small local image.

There is no registry to pull from, so the image is built here, once per test
session, with ``import`` from a tarball: a static busybox (Debian:
``busybox-static``) with its applets linked in ``/bin``, and ``/lib``, ``/lib64``
pointing into ``/usr`` so the host's ``/usr`` (its Python) can be mounted read-only
when a test needs one. Where no engine works, or the image cannot be built, the
tests that need a container are skipped with the reason; CI sets
``TAU_REQUIRE_CONTAINER=1`` (``.ci/run`` installs Podman first), which turns that
into a failure instead.
"""

from __future__ import annotations

import os

import pytest

pytest.register_assert_rewrite("tau_cli.tools.contract")

from tau_cli.runtime.container import container_unavailable_reason, find_engine  # noqa: E402

from .images import build_test_image  # noqa: E402

_REASON = container_unavailable_reason()


def _unavailable(reason: str) -> None:
    if os.environ.get("TAU_REQUIRE_CONTAINER") == "1":
        pytest.fail(f"TAU_REQUIRE_CONTAINER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def engine() -> str:
    if _REASON is not None:
        _unavailable(_REASON)
    return find_engine()


@pytest.fixture(scope="session")
def image(engine: str) -> str:
    """The local test image, built at most once per session (its tag names its content)."""
    built = build_test_image(engine)
    if built.reason is not None:
        _unavailable(built.reason)
    return built.tag
