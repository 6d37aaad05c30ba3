"""The official MCP conformance suite's client scenarios, run against tau's MCP client.

``@modelcontextprotocol/conformance`` (Node 22, both pinned in tests/mcp/npm) starts each
scenario's server on localhost and runs ``conformance/client.py`` against it; the suite
passes a scenario only when every check of it succeeds. The OAuth scenarios are not run:
tau's client does not implement the OAuth flow yet.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
NPM = HERE / "npm" / "node_modules"
NODE22 = NPM / ".bin" / "node"
SUITE = NPM / "@modelcontextprotocol" / "conformance" / "dist" / "index.js"
CLIENT = HERE / "conformance" / "client.py"


@pytest.mark.parametrize(
    "scenario", ["initialize", "tools_call", "elicitation-sep1034-client-defaults", "sse-retry"]
)
def test_client_scenario_passes(scenario: str, tmp_path: Path) -> None:
    if not (NODE22.exists() and SUITE.exists()):
        pytest.fail(
            "the MCP conformance suite is not installed: run ./install.sh --dev "
            "(npm ci in tests/mcp/npm)",
            pytrace=False,
        )

    run = subprocess.run(
        [
            str(NODE22),
            str(SUITE),
            "client",
            "--command",
            f"{sys.executable} {CLIENT}",
            "--scenario",
            scenario,
        ],
        cwd=tmp_path,  # the suite writes its results/ folder here
        capture_output=True,
        text=True,
        timeout=120,
    )

    report = run.stdout + run.stderr  # the suite prints its report on stderr
    assert run.returncode == 0, report[-4000:]
    assert "OVERALL: PASSED" in report
    assert " 0 failed" in report
