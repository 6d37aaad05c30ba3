"""tau's MCP client as the official conformance suite drives it.

The suite starts a scenario's server and runs this script with the server's URL as the
last argument and the scenario's name in ``MCP_CONFORMANCE_SCENARIO``. The script does
what tau does in a session: connect, list the tools, call each one with arguments made
from its schema, and answer elicitation by accepting the form's defaults.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import urllib.parse
from pathlib import Path
from typing import Any

import httpx

from tau_cli.core import (
    ElicitationRequest,
    ElicitationResponse,
    PermissionDecision,
    PermissionRequest,
    PlanApprovalRequest,
    PlanDecision,
    QuestionAnswer,
    QuestionRequest,
)
from tau_cli.mcp import McpManager, OAuthSupport, RemoteServer

_SAMPLE: dict[str, Any] = {"number": 2, "integer": 2, "string": "tau", "boolean": True}


class _AcceptDefaults:
    """A user who accepts every form as it is filled in by default."""

    async def request_permission(self, request: PermissionRequest) -> PermissionDecision:
        raise RuntimeError("no permission is asked in conformance scenarios")

    async def approve_plan(self, request: PlanApprovalRequest) -> PlanDecision:
        raise RuntimeError("no plan is approved in conformance scenarios")

    async def ask(self, request: QuestionRequest) -> QuestionAnswer:
        raise RuntimeError("no question is asked in conformance scenarios")

    async def elicit(self, request: ElicitationRequest) -> ElicitationResponse:
        properties = request.requested_schema.get("properties")
        content = {}
        if isinstance(properties, dict):
            for name, spec in properties.items():
                if isinstance(spec, dict) and "default" in spec:
                    content[name] = spec["default"]
        return ElicitationResponse(action="accept", content=content)


class _FollowRedirect:
    """The suite's authorization server approves at once: take the code from its redirect,
    as a browser returning to tau's loopback listener would deliver it."""

    redirect_uri = "http://127.0.0.1:3000/callback"

    async def authorize(self, url: str) -> tuple[str, str | None]:
        async with httpx.AsyncClient() as client:
            response = await client.get(url, follow_redirects=False)
        location = response.headers["location"]
        params = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
        return params["code"][0], params.get("state", [None])[0]

    def close(self) -> None:
        """Nothing is held open."""


def _arguments(schema: dict[str, Any]) -> dict[str, Any]:
    properties = schema.get("properties") or {}
    return {
        name: _SAMPLE.get(str(properties.get(name, {}).get("type")), "tau")
        for name in schema.get("required") or []
    }


async def main(url: str) -> int:
    scenario = os.environ.get("MCP_CONFORMANCE_SCENARIO", "")
    context = json.loads(os.environ.get("MCP_CONFORMANCE_CONTEXT") or "{}")
    server = RemoteServer(
        name="conformance",
        transport="http",
        url=url,
        oauth_client_id=context.get("client_id"),
        oauth_client_secret=context.get("client_secret"),
    )
    oauth = OAuthSupport(tau_home=Path(tempfile.mkdtemp(prefix="tau-home-")), flow=_FollowRedirect)
    manager = McpManager([server], interaction=_AcceptDefaults(), call_timeout=20, oauth=oauth)
    async with manager:
        (status,) = manager.statuses()
        if status.state != "connected":
            print(f"{scenario}: not connected: {status.error}", file=sys.stderr)
            return 1
        failed = False
        for tool in manager.tools():
            result = await tool.call(_arguments(dict(tool.definition.parameters)))
            print(f"{tool.mcp_name}: {'error' if result.is_error else 'ok'}: {result.text[:200]}")
            failed = failed or result.is_error
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[-1])))
