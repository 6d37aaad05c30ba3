"""A duration type that reads the way people write timeouts: "30s", "5m", "1h30m".

Settings files and flags take strings like Go's ``time.ParseDuration`` ("250ms",
"1h30m", "1.5s"); a bare number means seconds. It serialises back to the shortest
exact string, so a config written by tau reads back to the same value.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_UNIT_US = {"h": 3_600_000_000, "m": 60_000_000, "s": 1_000_000, "ms": 1_000, "us": 1, "µs": 1}
_PART = re.compile(r"(\d+(?:\.\d+)?|\.\d+)(h|ms|m|s|us|µs)")
_ORDER = [("h", 3_600_000_000), ("m", 60_000_000), ("s", 1_000_000), ("ms", 1_000), ("us", 1)]


def parse_duration(value: object) -> timedelta:
    """Read "1h30m", "250ms", "1.5s", or a number of seconds; raise ValueError otherwise."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or a string like '30s', '5m', '1h30m'")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return timedelta(seconds=value)
    if not isinstance(value, str):
        raise ValueError("a duration is a number of seconds or a string like '30s', '5m', '1h30m'")
    text = value.strip()
    try:
        seconds = Decimal(text)
    except InvalidOperation:
        seconds = None
    if seconds is not None:
        if seconds < 0:
            raise ValueError("a duration cannot be negative")
        return timedelta(microseconds=int(seconds * 1_000_000))
    pos = 0
    total = Decimal(0)
    for match in _PART.finditer(text):
        if match.start() != pos:
            break
        total += Decimal(match.group(1)) * _UNIT_US[match.group(2)]
        pos = match.end()
    if pos != len(text) or not text:
        raise ValueError(
            f"{value!r} is not a duration; write e.g. '30s', '5m', '1h30m', '250ms' or seconds"
        )
    return timedelta(microseconds=int(total))


def format_duration(value: timedelta) -> str:
    """The shortest exact form: ``timedelta(minutes=90)`` -> "1h30m"."""
    micros = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
    if micros == 0:
        return "0s"
    out = []
    for unit, size in _ORDER:
        count, micros = divmod(micros, size)
        if count:
            out.append(f"{count}{unit}")
    return "".join(out)


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema({"type": "string", "examples": ["30s", "5m", "1h30m"]}),
]
"""A ``timedelta`` that validates from "30s"-style strings and serialises back to one."""
