"""Where each provider is reached when nothing says otherwise.

Kept apart from the providers so that naming an address (the first-run check,
``tau doctor``) does not import the provider that would talk to it.
"""

from __future__ import annotations

OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1"
ANTHROPIC_DEFAULT_BASE_URL = "https://api.anthropic.com"
OLLAMA_DEFAULT_URL = "http://127.0.0.1:11434"


def ollama_base_url(host: str | None) -> str:
    """The server URL for an ``OLLAMA_HOST`` value (``0.0.0.0:11434``, ``host``, a URL)."""
    if not host:
        return OLLAMA_DEFAULT_URL
    url = host if "://" in host else f"http://{host}"
    scheme, _, rest = url.partition("://")
    hostport = rest.split("/", 1)[0]
    name, sep, port = hostport.rpartition(":") if hostport.count(":") == 1 else (hostport, "", "")
    if not sep:
        name, port = hostport, "11434"
    if name in ("", "0.0.0.0"):  # a listen address, not one to connect to
        name = "127.0.0.1"
    return f"{scheme}://{name}:{port}"
