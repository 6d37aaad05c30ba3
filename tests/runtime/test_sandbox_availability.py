"""Without a working bubblewrap, tau refuses to build a sandbox rather than pretend."""

from __future__ import annotations

from pathlib import Path

import pytest

from tau_cli.core import TauError
from tau_cli.runtime.sandbox import (
    SandboxEnvironment,
    SandboxUnavailableError,
    sandbox_unavailable_reason,
)


def test_a_missing_bwrap_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SandboxUnavailableError, match="apt install bubblewrap"):
        SandboxEnvironment(str(tmp_path), bwrap=str(tmp_path / "no-bwrap-here"))


def test_a_bwrap_that_cannot_create_namespaces_is_a_clear_error(tmp_path: Path) -> None:
    # What bwrap prints where user namespaces are switched off.
    broken = tmp_path / "bwrap"
    broken.write_text(
        "#!/bin/sh\necho 'bwrap: No permissions to creating new namespace' >&2\nexit 1\n"
    )
    broken.chmod(0o755)
    with pytest.raises(SandboxUnavailableError) as caught:
        SandboxEnvironment(str(tmp_path), bwrap=str(broken))
    message = str(caught.value)
    assert "cannot create a sandbox" in message
    assert "No permissions to creating new namespace" in message
    assert isinstance(caught.value, TauError)


def test_the_reason_is_reported_without_raising(tmp_path: Path) -> None:
    reason = sandbox_unavailable_reason(str(tmp_path / "no-bwrap-here"))
    assert reason is not None and "was not found" in reason


@pytest.mark.skipif(
    sandbox_unavailable_reason() is not None, reason="bubblewrap does not work here"
)
def test_the_description_says_what_is_allowed(tmp_path: Path) -> None:
    work = tmp_path.resolve()
    closed = SandboxEnvironment(str(work))
    assert closed.description == f"bubblewrap sandbox (writable: {work}; no network)"
    assert "network allowed" in SandboxEnvironment(str(work), network=True).description
