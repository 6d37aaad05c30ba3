"""The official MCP conformance suite's client scenarios, run against tau's MCP client.

``@modelcontextprotocol/conformance`` (Node 22, both pinned in tests/mcp/npm) starts each
scenario's server on localhost and runs ``conformance/client.py`` against it; the suite
passes a scenario only when every check of it succeeds. Scenarios listed with a reason in
``conformance/expected-failures.txt`` are strict expected failures.
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
SCENARIOS = [
    "initialize",
    "tools_call",
    "elicitation-sep1034-client-defaults",
    "sse-retry",
    "auth/metadata-default",
    "auth/metadata-var1",
    "auth/metadata-var2",
    "auth/metadata-var3",
    "auth/basic-cimd",
    "auth/scope-from-www-authenticate",
    "auth/scope-from-scopes-supported",
    "auth/scope-omitted-when-undefined",
    "auth/scope-step-up",
    "auth/scope-retry-limit",
    "auth/token-endpoint-auth-basic",
    "auth/token-endpoint-auth-post",
    "auth/token-endpoint-auth-none",
    "auth/pre-registration",
    "auth/2025-03-26-oauth-metadata-backcompat",
    "auth/2025-03-26-oauth-endpoint-fallback",
]


def _expected_failures() -> dict[str, str]:
    lines = (HERE / "conformance" / "expected-failures.txt").read_text().splitlines()
    entries = [line.split(":", 1) for line in lines if line.strip() and not line.startswith("#")]
    return {name.strip(): reason.strip() for name, reason in entries}


def _cases() -> list[object]:
    expected = _expected_failures()
    assert len(expected) <= 5, "at most five scenarios may be expected to fail"
    assert set(expected) <= set(SCENARIOS), "an expected failure names no scenario that runs"
    return [
        pytest.param(s, marks=pytest.mark.xfail(strict=True, reason=expected[s]))
        if s in expected
        else s
        for s in SCENARIOS
    ]


@pytest.mark.parametrize("scenario", _cases())
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
