"""Secret redaction: what a transcript must never contain.

Transcripts are plain files that users share, attach to bug reports and keep for
months, and a coding session sees secrets all the time (a ``cat .env``, an
``Authorization`` header in a curl command). Before any entry is written, two
passes run over every string in it:

1. Configured secrets, matched exactly: API keys from settings and the values of
   environment variables whose names say they hold one (``*_API_KEY``,
   ``*_TOKEN``, ``*_SECRET``, ``*_PASSWORD``...).
2. Known secret shapes: provider keys (``sk-...``), GitHub, Slack, AWS and Google
   keys, JWTs, private key blocks, bearer tokens, and ``api_key = <value>``-style
   assignments whose value looks like a credential.

Opaque provider fields (reasoning signatures, encrypted reasoning, inline image
data) are left alone: they are not secrets, and changing them would make the
provider reject the history on resume.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

REDACTED = "[REDACTED]"

_OPAQUE_KEYS = frozenset({"signature", "encrypted_content"})
_SECRET_NAME_PARTS = frozenset(
    {"KEY", "APIKEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASS", "CREDENTIAL",
     "CREDENTIALS", "AUTH", "PAT"}
)  # fmt: skip
_MIN_SECRET_LENGTH = 8

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "private-key",
        re.compile(
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)"
        ),
    ),
    ("api-key", re.compile(r"\bsk-[A-Za-z0-9_-]{20,}")),
    ("github-token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})")),
    ("slack-token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    ("aws-key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("google-key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
)
"""Secret shapes recognised without configuration, each with the name shown in place."""

_BEARER = re.compile(r"(?i)(\bbearer\s+)([A-Za-z0-9._~+/=-]{16,})")
_ASSIGNMENT = re.compile(
    r"""(?ix)
    ((?:api[_-]?key|access[_-]?key|secret|token|password|passwd)\w{0,40}["']?\s{0,8}[:=]\s{0,8}["']?)
    ([A-Za-z0-9_./+=-]{16,})
    """
)
r"""``name = value`` where the name says credential. No unbounded prefix before the
keyword: a leading ``[\w-]*`` would backtrack quadratically over long words."""


def _looks_like_credential(value: str) -> bool:
    """Long, and mixing digits with letters: not a variable name or a word."""
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


class Redactor:
    """Replaces secrets in text and in JSON-ready values.

    Args:
        secrets: Exact values to remove wherever they appear (configured API keys).
            Values shorter than 8 characters are ignored: removing ``"1234"``
            everywhere would wreck the transcript without protecting anything.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        values = sorted({s for s in secrets if len(s) >= _MIN_SECRET_LENGTH}, key=len, reverse=True)
        self._exact = re.compile("|".join(map(re.escape, values))) if values else None

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] | None = None, *, secrets: Iterable[str] = ()
    ) -> Redactor:
        """A redactor for ``secrets`` plus every environment value named like a secret."""
        environ = os.environ if environ is None else environ
        found = [value for name, value in environ.items() if _names_a_secret(name)]
        return cls([*secrets, *found])

    def redact_text(self, text: str) -> str:
        if self._exact is not None:
            text = self._exact.sub(REDACTED, text)
        for kind, pattern in PATTERNS:
            text = pattern.sub(f"[REDACTED:{kind}]", text)
        text = _BEARER.sub(lambda m: f"{m.group(1)}[REDACTED:bearer-token]", text)
        return _ASSIGNMENT.sub(_redact_assignment, text)

    def __call__(self, value: object) -> object:
        """``value`` (JSON-ready: dicts, lists, strings...) with every string redacted."""
        if isinstance(value, str):
            return self.redact_text(value)
        if isinstance(value, list):
            return [self(item) for item in value]
        if isinstance(value, dict):
            return {key: item if key in _OPAQUE_KEYS else self(item) for key, item in value.items()}
        return value


def _redact_assignment(match: re.Match[str]) -> str:
    prefix, value = match.group(1), match.group(2)
    if value.startswith("[REDACTED") or not _looks_like_credential(value):
        return match.group(0)
    return f"{prefix}{REDACTED}"


def _names_a_secret(name: str) -> bool:
    parts = set(re.split(r"[^A-Z0-9]+", name.upper()))
    return bool(parts & _SECRET_NAME_PARTS)
