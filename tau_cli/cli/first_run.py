"""What tau says when there is no model to talk to: what it tried, and how to set one up.

A newcomer's first ``tau`` usually has no model configured, or names one whose server
is not running. Instead of a connection traceback after a few retries, tau checks
before it starts: the configured model's address takes one TCP connection; with no
model configured it looks for Ollama where Ollama listens and reads the environment
variables the providers use. The message names each address and variable it looked
at, gives three lines of set-up for Ollama, Azure OpenAI and any OpenAI-compatible
endpoint, and points at the recorded demo, which needs no model at all.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from tau_cli.cli.endpoints import KIND_NAMES, PROBE_TIMEOUT, endpoint_of, unreachable
from tau_cli.core import ModelRef
from tau_cli.runtime.settings import Settings
from tau_cli.runtime.settings_loader import ResolvedSettings

SETUP = """\
Set up a model, three lines each:
  Ollama, on this machine (install it from ollama.com):
    ollama serve &
    ollama pull qwen3:8b
    tau --model ollama:qwen3:8b
  Azure OpenAI:
    export AZURE_OPENAI_ENDPOINT=https://RESOURCE.openai.azure.com
    export AZURE_OPENAI_API_KEY=YOUR-KEY
    tau --model azure:DEPLOYMENT
  An OpenAI-compatible endpoint (OpenAI, vLLM, LM Studio, llama.cpp):
    export OPENAI_BASE_URL=http://127.0.0.1:8000/v1
    export OPENAI_API_KEY=YOUR-KEY
    tau --model openai:MODEL
Keep the choice with 'model: ollama:qwen3:8b' in ~/.tau/settings.yaml;
tau doctor checks the whole set-up.
No model yet? Watch a recording of tau at work: tau --model scripted:demo"""

_VARIABLES = {
    "openai": ("OPENAI_BASE_URL", "OPENAI_API_KEY"),
    "azure": ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY"),
    "anthropic": ("ANTHROPIC_API_KEY",),
}


@dataclass(frozen=True)
class Attempt:
    """One place tau looked for a model, and what it found there."""

    kind: str
    """The provider kind looked for: ollama, openai, azure, anthropic."""
    what: str
    found: str
    suggestion: str | None = None
    """A command that would use what was found."""

    def line(self) -> str:
        return f"  {self.what}: {self.found}"


def model_problem(
    resolved: ResolvedSettings, environ: Mapping[str, str] | None = None
) -> str | None:
    """The first-run message when no usable model is in reach, else None."""
    env = os.environ if environ is None else environ
    return asyncio.run(_problem(resolved, env))


async def _problem(resolved: ResolvedSettings, env: Mapping[str, str]) -> str | None:
    settings = resolved.settings
    if not settings.model:
        attempts = await survey(env)
        return _message("tau: no model is configured yet, so tau looked for one.", attempts)
    try:
        ref = ModelRef.parse(settings.model)
    except ValueError:
        return None  # building the runtime reports a malformed reference with its own message
    endpoint = endpoint_of(settings, ref.provider, env, resolved.sources)
    # A public cloud default (api.openai.com) is rarely what is down, and its own error
    # says enough: tau connects only where the user pointed it, or to Ollama on this machine.
    chosen = endpoint.kind == "ollama" or endpoint.source != "the default"
    if endpoint.kind == "scripted" or endpoint.url is None or not chosen:
        return None
    why = await unreachable(endpoint.url)
    if why is None:
        return None
    tried = Attempt(
        endpoint.kind,
        f"{ref} → {KIND_NAMES.get(endpoint.kind, endpoint.kind)} at {endpoint.address} "
        f"(from {endpoint.source})",
        why,
    )
    others = [a for a in await survey(env) if a.kind != "ollama" or endpoint.kind != "ollama"]
    return _message(f"tau: cannot reach the model {ref}.", [tried, *others])


async def survey(env: Mapping[str, str]) -> list[Attempt]:
    """Where a model could be without any settings: Ollama, then the providers' variables."""
    attempts = [await _ollama(env)]
    for kind, variables in _VARIABLES.items():
        present = [v for v in variables if env.get(v)]
        missing = [v for v in variables if v not in present]
        if not present:
            found = f"{' and '.join(variables)} not set"
        else:
            found = f"{', '.join(present)} set" + (
                f"; {', '.join(missing)} not set" if missing else ""
            )
        attempts.append(Attempt(kind, KIND_NAMES[kind], found))
    return attempts


async def _ollama(env: Mapping[str, str]) -> Attempt:
    endpoint = endpoint_of(Settings(), "ollama", env)
    assert endpoint.url is not None  # Ollama always has an address
    what = f"Ollama at {endpoint.address} ({_source(endpoint.source, 'OLLAMA_HOST')})"
    try:
        async with httpx.AsyncClient(timeout=PROBE_TIMEOUT) as client:
            answer = await client.get(f"{endpoint.url}/api/tags")
        answer.raise_for_status()
        names = [m["name"] for m in answer.json().get("models", []) if isinstance(m, dict)]
    except httpx.ConnectError:
        return Attempt("ollama", what, "not running (connection refused)")
    except httpx.TimeoutException:
        return Attempt("ollama", what, f"no answer within {PROBE_TIMEOUT:g} s")
    except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return Attempt(
            "ollama", what, f"something answers, but not like Ollama ({type(exc).__name__})"
        )
    if not names:
        return Attempt("ollama", what, "running, but no model is pulled (ollama pull qwen3:8b)")
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return Attempt(
        "ollama", what, f"running, with {shown}", suggestion=f"tau --model ollama:{names[0]}"
    )


def _source(source: str, variable: str) -> str:
    return f"{variable} not set" if source == "the default" else f"from {source}"


def _message(headline: str, attempts: list[Attempt]) -> str:
    lines = [headline, "", "Tried:", *(a.line() for a in attempts), ""]
    ready = [a.suggestion for a in attempts if a.suggestion]
    if ready:
        lines += [f"A model is ready here; start with: {ready[0]}", ""]
    lines.append(SETUP)
    return "\n".join(lines)
