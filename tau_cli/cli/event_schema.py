"""The runtime event stream as JSON Schema: ``docs/events.schema.json``.

Scripts that read ``tau run --output-format stream-json`` (and anything else that
consumes tau's events) get a contract they can validate against, generated from
the pydantic models the runtime emits, so it cannot drift from the code: a test
fails when the committed file is stale. ``version`` changes when an event loses a
field or changes a field's meaning; adding an event or an optional field does not.

Regenerate with ``python -m tau_cli.cli.event_schema > docs/events.schema.json``.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter

from tau_cli.runtime.events import RuntimeEvent

EVENT_SCHEMA_VERSION = 1


def event_schema() -> dict[str, Any]:
    """One JSON line of ``stream-json`` output is valid against this schema."""
    body = TypeAdapter(RuntimeEvent).json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "tau runtime event",
        "description": "One line of `tau run --output-format stream-json`: an event of the "
        "runtime's stream, told apart by its `type`.",
        "version": EVENT_SCHEMA_VERSION,
        **body,
    }


def render() -> str:
    return json.dumps(event_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(render(), end="")
