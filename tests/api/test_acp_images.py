"""Images in a prompt: sent to a model that sees them, refused clearly for one that does not.

Each test runs the real ``tau acp`` process and reads what reached the model from
the scripted model server's log, in the provider's own wire format.
"""

from __future__ import annotations

import asyncio
import base64
import os
import struct
import zlib
from pathlib import Path

import pytest
import yaml
from acp import RequestError, image_block, text_block
from acp.schema import BlobResourceContents, EmbeddedResourceContentBlock

from tau_cli.agent import Turn
from tau_cli.testing import ScriptedModelServer

from .conftest import tau_acp


def _png(width: int = 1, height: int = 1) -> bytes:
    """A real PNG of black pixels, made here so the test carries no binary blob."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = b"".join(b"\x00" + b"\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PIXEL = base64.b64encode(_png()).decode()


def declare_vision(vision: bool) -> None:
    home = Path(os.environ["TAU_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    settings = {"models": {"openai:scripted-model": {"capabilities": {"vision": vision}}}}
    (home / "settings.yaml").write_text(yaml.safe_dump(settings))


async def test_tau_says_it_takes_images(project: Path) -> None:
    with ScriptedModelServer([]) as server:
        async with tau_acp(server, project) as tau:
            pass
    [ready] = [m for m in tau.wire.sent_by_tau if "agentCapabilities" in m.get("result", {})]
    assert ready["result"]["agentCapabilities"]["promptCapabilities"]["image"] is True


async def test_an_image_reaches_a_vision_model_in_its_wire_format(project: Path) -> None:
    declare_vision(True)
    with ScriptedModelServer([Turn(text="A single pixel.")]) as server:
        async with tau_acp(server, project) as tau:
            session = await tau.conn.new_session(cwd=str(project), mcp_servers=[])
            answer = await asyncio.wait_for(
                tau.conn.prompt(
                    session_id=session.session_id,
                    prompt=[text_block("what is this?"), image_block(PIXEL, "image/png")],
                ),
                30,
            )
            loaded = await tau.conn.load_session(
                cwd=str(project), session_id=session.session_id, mcp_servers=[]
            )

    assert answer.stop_reason == "end_turn" and loaded is not None
    [user] = [m for m in server.requests[0].json()["messages"] if m["role"] == "user"]
    assert user["content"] == [
        {"type": "text", "text": "what is this?"},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PIXEL}"}},
    ]
    replayed = [u["content"] for u in tau.wire.updates("user_message_chunk")]
    assert {"type": "image", "data": PIXEL, "mimeType": "image/png"} in replayed


async def test_an_image_alone_is_a_prompt(project: Path) -> None:
    declare_vision(True)
    with ScriptedModelServer([Turn(text="A pixel.")]) as server:
        async with tau_acp(server, project) as tau:
            session = await tau.conn.new_session(cwd=str(project), mcp_servers=[])
            await asyncio.wait_for(
                tau.conn.prompt(
                    session_id=session.session_id, prompt=[image_block(PIXEL, "image/png")]
                ),
                30,
            )

    [user] = [m for m in server.requests[0].json()["messages"] if m["role"] == "user"]
    assert [part["type"] for part in user["content"]] == ["image_url"]


async def test_an_image_embedded_as_a_resource_is_an_image_too(project: Path) -> None:
    declare_vision(True)
    pasted = EmbeddedResourceContentBlock(
        type="resource",
        resource=BlobResourceContents(blob=PIXEL, mime_type="image/png", uri="file:///shot.png"),
    )
    with ScriptedModelServer([Turn(text="A pixel.")]) as server:
        async with tau_acp(server, project) as tau:
            session = await tau.conn.new_session(cwd=str(project), mcp_servers=[])
            await asyncio.wait_for(
                tau.conn.prompt(
                    session_id=session.session_id, prompt=[text_block("and this?"), pasted]
                ),
                30,
            )

    [user] = [m for m in server.requests[0].json()["messages"] if m["role"] == "user"]
    assert user["content"][-1] == {
        "type": "image_url",
        "image_url": {"url": f"data:image/png;base64,{PIXEL}"},
    }


@pytest.mark.parametrize(
    ("vision", "image", "says"),
    [
        (False, image_block(PIXEL, "image/png"), "openai:scripted-model is not set up to see"),
        (True, image_block(PIXEL, "image/bmp"), "models take image/gif"),
        (True, image_block("not base64!", "image/png"), "not valid base64"),
        (
            True,
            EmbeddedResourceContentBlock(
                type="resource",
                resource=BlobResourceContents(
                    blob=PIXEL, mime_type="application/pdf", uri="file:///a.pdf"
                ),
            ),
            "file:///a.pdf is application/pdf; tau takes text and images",
        ),
    ],
)
async def test_an_image_the_model_cannot_take_is_refused_before_anything_runs(
    project: Path, vision: bool, image: object, says: str
) -> None:
    declare_vision(vision)
    with ScriptedModelServer([Turn(text="unused")]) as server:
        async with tau_acp(server, project) as tau:
            session = await tau.conn.new_session(cwd=str(project), mcp_servers=[])
            with pytest.raises(RequestError) as refused:
                await tau.conn.prompt(
                    session_id=session.session_id, prompt=[text_block("look"), image]
                )
            # the session is unharmed: the same prompt without the image runs
            answer = await asyncio.wait_for(
                tau.conn.prompt(session_id=session.session_id, prompt=[text_block("look")]), 30
            )

    assert says in refused.value.data["details"]
    assert answer.stop_reason == "end_turn"
    assert len(server.requests) == 1
    [user] = [m for m in server.requests[0].json()["messages"] if m["role"] == "user"]
    assert user["content"] == "look"
