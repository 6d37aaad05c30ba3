"""OpenAI's audio transcription endpoint: a multipart upload in, a transcript out.

A transcription request consumes one script turn, whose ``text`` is the
transcript (or whose ``error`` is the failure), so voice input is scripted like
any other model call.
Reference: https://platform.openai.com/docs/api-reference/audio/createTranscription
"""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from tau_cli.agent.script import Turn


def read_form(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, bytes]]:
    """The text fields and the uploaded files of a multipart/form-data body."""
    if not content_type.startswith("multipart/form-data"):
        raise ValueError("a transcription is uploaded as multipart/form-data")
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    fields: dict[str, str] = {}
    files: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if not isinstance(name, str) or not isinstance(payload, bytes):
            continue
        if part.get_filename() is not None:
            files[name] = payload
        else:
            fields[name] = payload.decode()
    if "file" not in files or "model" not in fields:
        raise ValueError("a transcription needs 'file' and 'model'")
    return fields, files


def transcript(turn: Turn, fields: dict[str, str], audio: bytes) -> dict[str, Any]:
    if fields.get("response_format") != "verbose_json":
        return {"text": turn.text}
    duration = round(len(audio) / 32_000, 3)  # 16 kHz, 16-bit mono
    return {
        "task": "transcribe",
        "language": fields.get("language", "english"),
        "duration": duration,
        "text": turn.text,
        "segments": [{"id": 0, "start": 0.0, "end": duration, "text": turn.text}],
    }
