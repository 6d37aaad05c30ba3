"""``tau models``: the models each configured provider offers, as ``--model`` takes them.

Ollama lists its pulled models (with context length and abilities), an
OpenAI-compatible server its ``/models``; Azure cannot list a resource's deployments
from the data plane, so the deployments settings name are shown. A provider that
fails is reported on its own line and the rest are still listed.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Mapping

from rich.console import Console
from rich.markup import escape

from tau_cli.agent import ServedModel
from tau_cli.cli.endpoints import (
    KIND_NAMES,
    Endpoint,
    configured_endpoints,
    endpoint_of,
    served_models,
)
from tau_cli.cli.exit_codes import ExitCode
from tau_cli.core import ConfigError, ProviderError
from tau_cli.runtime.settings import Settings
from tau_cli.runtime.settings_loader import ResolvedSettings

Listing = tuple[Endpoint, list[ServedModel] | None, str | None]
"""A provider, what it serves (None: it cannot list), and the error if asking failed."""


def list_models(
    resolved: ResolvedSettings, *, as_json: bool, environ: Mapping[str, str] | None = None
) -> int:
    env = os.environ if environ is None else environ
    settings = resolved.settings
    endpoints = configured_endpoints(settings, env, resolved.sources) or [
        endpoint_of(settings, "ollama", env)  # where tau looks when nothing is configured
    ]
    listings = asyncio.run(_ask_all(settings, endpoints, env))
    if as_json:
        _print_json(listings)
    else:
        _print(settings, listings)
    failed = any(error is not None for _, _, error in listings)
    return int(ExitCode.ERROR if failed else ExitCode.OK)


async def _ask_all(
    settings: Settings, endpoints: list[Endpoint], env: Mapping[str, str]
) -> list[Listing]:
    return list(await asyncio.gather(*(_ask(settings, e, env) for e in endpoints)))


async def _ask(settings: Settings, endpoint: Endpoint, env: Mapping[str, str]) -> Listing:
    try:
        return endpoint, await served_models(settings, endpoint, env), None
    except (ProviderError, ConfigError) as exc:
        return endpoint, None, str(exc)


def _print(settings: Settings, listings: list[Listing]) -> None:
    console = Console(highlight=False)
    for endpoint, served, error in listings:
        kind = KIND_NAMES.get(endpoint.kind, endpoint.kind)
        where = "" if endpoint.url is None else f" at {endpoint.address}"
        console.print(f"[bold]{escape(endpoint.name)}[/] · {kind}{where}")
        if error is not None:
            console.print(f"  [red]error:[/] {escape(error)}")
        elif served is None:
            console.print("  (this provider does not list its models)")
        elif not served:
            console.print("  (no models)")
        for model in served or []:
            ref = f"{endpoint.name}:{model.name}"
            facts = []
            if model.context_window:
                facts.append(f"{model.context_window} tokens")
            if model.capabilities:
                facts.append(", ".join(model.capabilities))
            if endpoint.kind == "azure":
                facts.append("configured deployment")
            if ref == settings.model:
                facts.append("in use")
            detail = f"  ({'; '.join(facts)})" if facts else ""
            console.print(f"  {escape(ref)}{escape(detail)}")


def _print_json(listings: list[Listing]) -> None:
    out = [
        {
            "provider": endpoint.name,
            "kind": endpoint.kind,
            "url": endpoint.url,
            "error": error,
            "models": None
            if served is None
            else [
                {"model": f"{endpoint.name}:{m.name}", **m.model_dump(exclude={"name"})}
                for m in served
            ],
        }
        for endpoint, served, error in listings
    ]
    print(json.dumps(out, indent=2))
