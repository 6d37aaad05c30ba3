"""Importing tau's MCP package must not load the SDK: that costs about half a second."""

from __future__ import annotations

import subprocess
import sys


def test_importing_tau_cli_mcp_does_not_import_the_sdk() -> None:
    probe = (
        "import sys, tau_cli.mcp; print(sorted(m for m in sys.modules if m.split('.')[0] == 'mcp'))"
    )

    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )

    assert result.stdout.strip() == "[]"
