"""``tau config show``: the effective settings, each value's source, secrets masked."""

from __future__ import annotations

import json
from typing import Any

from pydantic import SecretStr
from rich.console import Console
from rich.table import Table

from tau_cli.cli.display import home_relative, print_ignored, short_location
from tau_cli.runtime.settings_loader import ResolvedSettings


def mask(secret: SecretStr) -> str:
    """Enough of a key to tell two apart, never enough to use it."""
    value = secret.get_secret_value()
    return f"****{value[-4:]}" if len(value) >= 16 else "****"


def flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Leaves of a settings dump as (dotted key, value), secrets masked."""
    if isinstance(value, SecretStr):
        return [(prefix, mask(value))]
    if isinstance(value, dict) and value:
        out = []
        for key, item in value.items():
            out += flatten(item, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(value, list | tuple | set | frozenset) and value:
        items = sorted(value) if isinstance(value, set | frozenset) else value
        out = []
        for i, item in enumerate(items):
            out += flatten(item, f"{prefix}[{i}]")
        return out
    if isinstance(value, set | frozenset):
        return [(prefix, [])]
    return [(prefix, value)]


def render_config(resolved: ResolvedSettings, *, as_json: bool) -> None:
    dump = resolved.settings.model_dump(mode="python")
    rows = [(key, _jsonable(value), resolved.source_of(key)) for key, value in flatten(dump)]
    console = Console()
    if as_json:
        payload = {
            "settings": {key: value for key, value, _ in rows},
            "sources": {key: str(source) for key, _, source in rows},
            "trusted": resolved.trusted,
            "project_root": str(resolved.project_root),
            "ignored": [
                {"key": i.key, "source": str(i.source), "reason": i.reason}
                for i in resolved.ignored
            ],
        }
        console.print_json(json.dumps(payload))
        return
    table = Table(title="tau settings", title_justify="left", show_lines=False)
    table.add_column("key", style="bold")
    table.add_column("value")
    table.add_column("source", style="dim")
    for key, value, source in rows:
        location = (
            short_location(source.location, resolved.project_root) if source.location else None
        )
        origin = source.kind if location is None else f"{source.kind}  {location}"
        table.add_row(key, json.dumps(value) if not isinstance(value, str) else value, origin)
    console.print(table)
    console.print(
        f"project: {home_relative(str(resolved.project_root))}"
        f" ({'trusted' if resolved.trusted else 'not trusted'})"
    )
    print_ignored(console, resolved)


def _jsonable(value: Any) -> Any:
    from datetime import timedelta

    from tau_cli.core import format_duration

    if isinstance(value, timedelta):
        return format_duration(value)
    if hasattr(value, "value") and not isinstance(value, str | int | float | bool):
        return value.value
    return value
