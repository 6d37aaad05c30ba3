"""Where a configured model lives, and whether anything answers there.

``tau``, ``tau run``, ``tau chat``, ``tau doctor`` and ``tau models`` all need to name
the address a provider would be reached at before any request is made, so a user
who has no model running sees *which* address was tried. The addresses follow the
provider factory's rules: the provider's ``base_url`` setting, else the conventional
environment variable, else the provider's public default.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from tau_cli.agent import ModelLister, ServedModel, create_provider
from tau_cli.agent.addresses import (
    ANTHROPIC_DEFAULT_BASE_URL,
    OPENAI_DEFAULT_BASE_URL,
    ollama_base_url,
)
from tau_cli.core import ModelRef
from tau_cli.runtime.settings import Settings
from tau_cli.runtime.settings_loader import Source

PROBE_TIMEOUT = 2.0
"""Seconds a connection attempt may take before the address counts as unreachable."""

_ENV_URL = {
    "openai": "OPENAI_BASE_URL",
    "azure": "AZURE_OPENAI_ENDPOINT",
    "anthropic": "ANTHROPIC_BASE_URL",
}
_DEFAULT_URL = {"openai": OPENAI_DEFAULT_BASE_URL, "anthropic": ANTHROPIC_DEFAULT_BASE_URL}
KIND_NAMES = {
    "ollama": "Ollama",
    "openai": "OpenAI-compatible",
    "azure": "Azure OpenAI",
    "anthropic": "Anthropic",
    "scripted": "scripted",
}


@dataclass(frozen=True)
class Endpoint:
    """A provider as a user configured it: its name, kind and base URL."""

    name: str
    """The provider's name in settings (``ollama``, or a user's own like ``work``)."""
    kind: str
    url: str | None
    """None when nothing says where it is (Azure without an endpoint) or for scripted."""
    source: str
    """Where the URL came from: a setting, an environment variable, or the default."""

    @property
    def address(self) -> str:
        """``host:port`` as a person would type it."""
        if self.url is None:
            return "no address configured"
        parts = urlsplit(self.url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return f"{parts.hostname}:{port}"


def kind_of(settings: Settings, provider: str) -> str:
    entry = settings.providers.get(provider)
    return (entry.kind if entry is not None and entry.kind else None) or provider


def endpoint_of(
    settings: Settings,
    provider: str,
    environ: Mapping[str, str],
    sources: Mapping[str, Source] | None = None,
) -> Endpoint:
    """The address ``provider`` (a name from a model reference) would be reached at.

    ``sources`` (the resolved settings' origins) names the file or variable a
    configured ``base_url`` came from.
    """
    kind = kind_of(settings, provider)
    entry = settings.providers.get(provider)
    if entry is not None and entry.base_url:
        key = f"providers.{provider}.base_url"
        origin = (sources or {}).get(key)
        if origin is not None and origin.kind == "env" and origin.location:
            label = origin.location
        else:
            label = f"{key} in {origin}" if origin is not None else key
        return Endpoint(provider, kind, entry.base_url, label)
    if kind == "ollama":
        host = environ.get("OLLAMA_HOST")
        return Endpoint(
            provider, kind, ollama_base_url(host), "OLLAMA_HOST" if host else "the default"
        )
    variable = _ENV_URL.get(kind)
    if variable and environ.get(variable):
        return Endpoint(provider, kind, environ[variable], variable)
    return Endpoint(provider, kind, _DEFAULT_URL.get(kind), "the default")


def configured_endpoints(
    settings: Settings, environ: Mapping[str, str], sources: Mapping[str, Source] | None = None
) -> list[Endpoint]:
    """Every provider settings name: the models' providers and the ``providers`` table."""
    names: list[str] = []
    for text in (settings.model, settings.small_model, *settings.models):
        if text:
            try:
                names.append(ModelRef.parse(text).provider)
            except ValueError:
                continue
    names += list(settings.providers)
    unique = dict.fromkeys(names)
    return [endpoint_of(settings, name, environ, sources) for name in unique]


async def unreachable(url: str, timeout: float = PROBE_TIMEOUT) -> str | None:
    """Why nothing accepts a connection at ``url``'s host and port; None when it does.

    Only a TCP connection is opened: no request, so no key leaves the machine.
    """
    parts = urlsplit(url)
    if not parts.hostname:
        return f"{url!r} is not a URL"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        _reader, writer = await asyncio.wait_for(
            asyncio.open_connection(parts.hostname, port), timeout
        )
    except TimeoutError:
        return f"no answer within {timeout:g} s"
    except ConnectionRefusedError:
        return "connection refused"
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return None


def models_of(settings: Settings, provider: str) -> list[str]:
    """The model names settings use with ``provider`` (Azure: its deployments)."""
    found: list[str] = []
    for text in (settings.model, settings.small_model, *settings.models):
        if not text:
            continue
        try:
            ref = ModelRef.parse(text)
        except ValueError:
            continue
        if ref.provider == provider and ref.model not in found:
            found.append(ref.model)
    return found


async def served_models(
    settings: Settings, endpoint: Endpoint, environ: Mapping[str, str]
) -> list[ServedModel] | None:
    """What the provider's server says it offers, asked once without retries.

    None when the provider has no way to list (Anthropic).

    Azure's data plane lists what a resource *could* deploy, not its deployments, so
    for Azure the configured deployments are the answer.

    Raises:
        ProviderError: the server refused or failed (a wrong key is ``AuthenticationError``).
        ConfigError: the provider cannot be built (an endpoint or key is missing).
    """
    from tau_cli.runtime.builder import provider_config

    names = models_of(settings, endpoint.name)
    if endpoint.kind == "azure":
        return [ServedModel(name=name) for name in names]
    ref = ModelRef(provider=endpoint.name, model=names[0] if names else "-")
    client = settings.client.model_copy(
        update={"max_retries": 0, "connect_timeout": timedelta(seconds=PROBE_TIMEOUT)}
    )
    provider = create_provider(ref, provider_config(settings, ref), client, environ=environ)
    try:
        if not isinstance(provider, ModelLister):
            return None
        return list(await provider.list_models())
    finally:
        await provider.aclose()
