"""``tau doctor``: everything tau needs, checked on one screen, each failure with its fix.

Settings parse, a model is chosen, each configured provider answers (and serves the
model), the MCP servers start, the sandbox can run and ripgrep is on the PATH. A
failure exits 1 so scripts and CI can gate on it; a warning (ripgrep missing, the
sandbox unavailable but not asked for) does not.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tau_cli.cli.display import home_relative
from tau_cli.cli.endpoints import (
    KIND_NAMES,
    Endpoint,
    configured_endpoints,
    models_of,
    served_models,
    unreachable,
)
from tau_cli.cli.exit_codes import ExitCode
from tau_cli.core import AuthenticationError, ConfigError, ProviderError
from tau_cli.runtime.settings import Settings
from tau_cli.runtime.settings_loader import ResolvedSettings

Status = Literal["ok", "warn", "fail"]
_MARK = {"ok": "[green]✓[/]", "warn": "[yellow]![/]", "fail": "[red]✗[/]"}
_KEY_VARIABLE = {
    "openai": "OPENAI_API_KEY",
    "azure": "AZURE_OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
}


@dataclass(frozen=True)
class Check:
    """One thing tau needs, whether it is there, and how to fix it when not."""

    name: str
    status: Status
    detail: str
    fix: str | None = None


def run_doctor(
    load: Callable[[], ResolvedSettings], environ: Mapping[str, str] | None = None
) -> int:
    """Run every check, print them, and return the exit code (1 when any failed)."""
    env = os.environ if environ is None else environ
    found = asyncio.run(collect_checks(load, env))
    console = Console(highlight=False)
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column()
    for check in found:
        detail = Text(check.detail)
        if check.fix and check.status != "ok":
            detail.append("\nfix: ", style="bold").append(check.fix)
        table.add_row(Text.from_markup(_MARK[check.status]), check.name, detail)
    console.print(table)
    failed = sum(c.status == "fail" for c in found)
    if failed:
        console.print(f"{failed} problem{'s' if failed > 1 else ''} found.")
        return int(ExitCode.ERROR)
    console.print("tau is ready.")
    return int(ExitCode.OK)


async def collect_checks(
    load: Callable[[], ResolvedSettings], env: Mapping[str, str]
) -> list[Check]:
    found: list[Check] = []
    try:
        resolved = load()
    except ConfigError as exc:
        found.append(
            Check(
                "settings",
                "fail",
                str(exc),
                "correct the file and line named; tau config show lists every setting",
            )
        )
        resolved = None
    if resolved is not None:
        files = ", ".join(home_relative(str(f)) for f in resolved.files) or "defaults only"
        found.append(Check("settings", "ok", f"valid ({files})"))
        found.append(_model_check(resolved.settings))
        endpoints = configured_endpoints(resolved.settings, env, resolved.sources)
        found += await asyncio.gather(
            *(_provider_check(resolved.settings, e, env) for e in endpoints)
        )
        found += await _mcp_checks(resolved)
        found.append(_sandbox_check(resolved.settings))
    found.append(_ripgrep_check())
    return found


def _model_check(settings: Settings) -> Check:
    if settings.model:
        return Check("model", "ok", settings.model)
    return Check(
        "model",
        "fail",
        "none configured",
        "pass --model provider:model, set TAU_MODEL, or put 'model:' in ~/.tau/settings.yaml "
        "(run tau with no model for the set-up steps)",
    )


async def _provider_check(settings: Settings, endpoint: Endpoint, env: Mapping[str, str]) -> Check:
    name = f"provider {endpoint.name}"
    kind = KIND_NAMES.get(endpoint.kind, endpoint.kind)
    if endpoint.kind == "scripted":
        return Check(name, "ok", "scripted (plays a script; no server)")
    if endpoint.url is None:
        return Check(
            name,
            "fail",
            f"{kind}: no endpoint configured",
            f"set AZURE_OPENAI_ENDPOINT or providers.{endpoint.name}.base_url "
            "(https://RESOURCE.openai.azure.com)",
        )
    where = f"{kind} at {endpoint.address} (from {endpoint.source})"
    why = await unreachable(endpoint.url)
    if why is not None:
        return Check(name, "fail", f"{where}: {why}", _unreachable_fix(endpoint))
    try:
        served = await served_models(settings, endpoint, env)
    except AuthenticationError as exc:
        variable = _KEY_VARIABLE.get(endpoint.kind, "the key")
        return Check(name, "fail", str(exc), f"set {variable} or providers.{endpoint.name}.api_key")
    except (ProviderError, ConfigError) as exc:
        return Check(name, "fail", str(exc), "check the base URL and that the server is healthy")
    if served is None or endpoint.kind == "azure":
        return Check(name, "ok", f"{where}: reachable")
    names = {m.name for m in served}
    missing = [m for m in models_of(settings, endpoint.name) if m not in names]
    if missing:
        fix = (
            f"ollama pull {missing[0]}"
            if endpoint.kind == "ollama"
            else "pick a model from tau models"
        )
        return Check(name, "fail", f"{where}: does not serve {', '.join(missing)}", fix)
    return Check(name, "ok", f"{where}: {len(served)} model{'s' if len(served) != 1 else ''}")


def _unreachable_fix(endpoint: Endpoint) -> str:
    if endpoint.kind == "ollama":
        return "start Ollama (ollama serve), or set OLLAMA_HOST to where it runs"
    return f"check that the server runs and that {endpoint.source} names it"


async def _mcp_checks(resolved: ResolvedSettings) -> list[Check]:
    from tau_cli.cli.mcp_command import server_statuses

    try:
        statuses, waiting = await server_statuses(resolved)
    except ConfigError as exc:
        return [Check("mcp", "fail", str(exc), "correct the MCP configuration file named")]
    checks = [
        Check(
            f"mcp {s.name}",
            "ok" if s.state == "connected" else "fail",
            f"{s.state}, {s.tool_count} tools"
            if s.state == "connected"
            else f"{s.state}: {s.error or 'no detail'}",
            f"run its command by hand to see why; tau mcp tools {s.name} shows its tools",
        )
        for s in statuses
    ]
    checks += [
        Check(f"mcp {name}", "warn", "not approved for this project", f"tau mcp approve {name}")
        for name in waiting
    ]
    return checks


def _sandbox_check(settings: Settings) -> Check:
    from tau_cli.runtime.sandbox import sandbox_unavailable_reason

    reason = sandbox_unavailable_reason()
    if reason is None:
        return Check("sandbox", "ok", "bubblewrap works here (--sandbox)")
    fix = "install bubblewrap (apt install bubblewrap) and allow user namespaces"
    if settings.sandbox.enabled:
        return Check("sandbox", "fail", f"enabled but unavailable: {reason}", fix)
    return Check("sandbox", "warn", f"unavailable, so --sandbox would fail: {reason}", fix)


def _ripgrep_check() -> Check:
    found = shutil.which("rg")
    if found:
        return Check("ripgrep", "ok", home_relative(found))
    return Check(
        "ripgrep",
        "warn",
        "rg is not on the PATH; the grep tool falls back to a slower search",
        "install ripgrep (apt install ripgrep, or pip install 'tau-cli[ripgrep]')",
    )
