"""Secrets never reach transcripts: they are redacted before anything is written.

Fake secrets are assembled at run time so no secret-shaped literal sits in the
repository for scanners to trip on.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tau_cli.core import ImagePart, Message, ReasoningPart, ToolCall, ToolResult
from tau_cli.session import REDACTED, Redactor, SessionStore

OPENAI_KEY = "sk-" + "proj-" + "Ab3" * 12
ANTHROPIC_KEY = "sk-" + "ant-api03-" + "Zx9_" * 10
GITHUB_TOKEN = "gh" + "p_" + "a1B2c3D4e5" * 4
AWS_KEY = "AK" + "IA" + "Q3EXAMPLE7ABCDEF"
SLACK_TOKEN = "xo" + "xb-" + "1234567890-abcdefghij"
GOOGLE_KEY = "AI" + "za" + "Sy" + "A1b2C3d4E5" * 3 + "f6G"
JWT = "ey" + "JhbGciOiJIUzI1NiJ9." + "eyJzdWIiOiIxMjM0In0." + "SflKxwRJSMeKKF2QT4fwpM"
PRIVATE_KEY = (
    "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIEow" + "x" * 40 + "\n-----END RSA PRIVATE KEY-----"
)


@pytest.mark.parametrize(
    ("secret", "kind"),
    [
        (OPENAI_KEY, "api-key"),
        (ANTHROPIC_KEY, "api-key"),
        (GITHUB_TOKEN, "github-token"),
        (AWS_KEY, "aws-key"),
        (SLACK_TOKEN, "slack-token"),
        (GOOGLE_KEY, "google-key"),
        (JWT, "jwt"),
        (PRIVATE_KEY, "private-key"),
    ],
)
def test_known_secret_shapes_are_replaced_by_their_kind(secret: str, kind: str) -> None:
    text = Redactor().redact_text(f"found this: {secret} in the file")

    assert text == f"found this: [REDACTED:{kind}] in the file"


def test_bearer_tokens_and_credential_assignments_lose_their_values() -> None:
    redactor = Redactor()
    token = "Tk" + "9f8e7d6c5b4a3928" * 2

    assert (
        redactor.redact_text(f"curl -H 'Authorization: Bearer {token}'")
        == "curl -H 'Authorization: Bearer [REDACTED:bearer-token]'"
    )
    assert redactor.redact_text(f'DB_PASSWORD="{token}"') == f'DB_PASSWORD="{REDACTED}"'
    assert redactor.redact_text(f"api_key: {token}") == f"api_key: {REDACTED}"


def test_code_that_merely_mentions_secrets_is_left_alone() -> None:
    text = (
        "api_key = settings.openai_api_key\n"
        "token: Optional[str] = None\n"
        "commit 3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345\n"
        "id 0b7e6d0c-5a2f-4c1e-9d8b-7a6f5e4d3c2b, sk-short"
    )

    assert Redactor().redact_text(text) == text


def test_configured_and_environment_secrets_are_removed_whatever_their_shape() -> None:
    azure_key = "0123456789abcdef" * 2
    redactor = Redactor.from_environment(
        {
            "AZURE_OPENAI_API_KEY": azure_key,
            "MY_SERVICE_TOKEN": "hunter2hunter2",
            "PATH": "/usr/bin:/bin",
            "KEYBOARD_LAYOUT": "us-international",
        },
        secrets=["correct horse battery staple"],
    )

    text = redactor.redact_text(
        f"key={azure_key} tok=hunter2hunter2 pw=correct horse battery staple "
        "path=/usr/bin:/bin layout=us-international"
    )

    assert text == (
        f"key={REDACTED} tok={REDACTED} pw={REDACTED} path=/usr/bin:/bin layout=us-international"
    )


def test_short_configured_values_are_not_treated_as_secrets() -> None:
    assert Redactor(["1234"]).redact_text("port 1234") == "port 1234"


def test_nothing_secret_reaches_the_transcript_file() -> None:
    store = SessionStore(scrub=Redactor(["configured-key-0042"]))
    session = store.create("/p")
    call = ToolCall.from_raw(
        "c1", "bash", json.dumps({"command": f"export OPENAI_API_KEY={OPENAI_KEY}"})
    )
    session.extend(
        [
            Message.user(f"use {ANTHROPIC_KEY} and configured-key-0042"),
            Message.assistant("", [call]),
            Message.tool(call, ToolResult(text=f"GITHUB_TOKEN={GITHUB_TOKEN}\n{PRIVATE_KEY}")),
        ]
    )
    session.record_event({"type": "hook", "output": f"Bearer {JWT}"})
    session.close()

    raw = store.find(session.id).read_text()
    loaded = store.load(session.id).session.messages

    for secret in (
        OPENAI_KEY,
        ANTHROPIC_KEY,
        GITHUB_TOKEN,
        PRIVATE_KEY,
        JWT,
        "configured-key-0042",
    ):
        assert secret not in raw
    assert loaded[0].text == f"use [REDACTED:api-key] and {REDACTED}"
    assert loaded[1].tool_calls[0].arguments == {
        "command": "export OPENAI_API_KEY=[REDACTED:api-key]"
    }
    assert session.messages[0].text.startswith(f"use {ANTHROPIC_KEY}"), "memory is untouched"


def test_the_store_redacts_environment_secrets_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "plain-looking-value-77")
    store = SessionStore()
    session = store.create("/p")

    session.append(Message.user("the key is plain-looking-value-77"))
    session.close()

    assert "plain-looking-value-77" not in store.find(session.id).read_text()


def test_opaque_provider_fields_are_written_unchanged() -> None:
    signature = "sig" + AWS_KEY
    image = "aGVsbG8" + AWS_KEY
    store = SessionStore()
    session = store.create("/p")
    message = Message.assistant([ReasoningPart(text="hm", signature=signature)])
    session.extend([message, Message.user([ImagePart(data=image)])])
    session.close()

    loaded = store.load(session.id).session.messages

    assert loaded[0] == message
    assert loaded[1].parts[0] == ImagePart(data=image)


_SEPARATORS = st.sampled_from(list(" \n\t\"'=:,;()[]{}<>`"))
_SECRETS = st.sampled_from(
    [OPENAI_KEY, ANTHROPIC_KEY, GITHUB_TOKEN, AWS_KEY, SLACK_TOKEN, GOOGLE_KEY, JWT, PRIVATE_KEY]
)


@given(st.text(max_size=80), _SEPARATORS, _SECRETS, _SEPARATORS, st.text(max_size=80))
def test_a_known_secret_never_survives_whatever_surrounds_it(
    before: str, left: str, secret: str, right: str, after: str
) -> None:
    assert secret not in Redactor().redact_text(before + left + secret + right + after)


@given(st.text(max_size=80), st.text(max_size=80))
def test_a_configured_secret_never_survives_even_inside_a_word(before: str, after: str) -> None:
    secret = "0123456789abcdef" * 2

    assert secret not in Redactor([secret]).redact_text(before + secret + after)
