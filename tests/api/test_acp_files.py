"""The editor's files: with ``fs`` capabilities, tau reads and writes text through the editor.

An editor's buffer may hold changes it has not saved, and an edit made through the
editor lands in its undo history. Each test runs the real ``tau acp`` process; the
editor here keeps its buffers in memory and never saves, so what reached the disk
and what reached the editor can be told apart. What the model saw is read from the
scripted model server's log of requests.
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from acp import RequestError, resource_link_block, text_block
from acp.schema import FileSystemCapabilities, ReadTextFileResponse, WriteTextFileResponse

from tau_cli.agent import Turn
from tau_cli.runtime.sandbox import sandbox_unavailable_reason
from tau_cli.testing import ScriptedModelServer

from .conftest import Editor, tau_acp

UNSAVED = "def add(a, b):\n    return a - b  # typed in the editor, not saved\n"
BOTH = FileSystemCapabilities(read_text_file=True, write_text_file=True)


@dataclass
class BufferEditor(Editor):
    """An editor with open buffers: reads answer from them, writes land in them."""

    buffers: dict[str, str] = field(default_factory=dict)
    reads: list[str] = field(default_factory=list)
    writes: list[tuple[str, str]] = field(default_factory=list)
    sessions: set[str] = field(default_factory=set)

    async def read_text_file(
        self,
        path: str,
        session_id: str,
        line: int | None = None,
        limit: int | None = None,
        **_: Any,
    ) -> ReadTextFileResponse:
        self.reads.append(path)
        self.sessions.add(session_id)
        if path in self.buffers:
            return ReadTextFileResponse(content=self.buffers[path])
        try:
            return ReadTextFileResponse(content=Path(path).read_text())
        except FileNotFoundError:
            raise RequestError.resource_not_found(path) from None

    async def write_text_file(
        self, content: str, path: str, session_id: str, **_: Any
    ) -> WriteTextFileResponse:
        self.writes.append((path, content))
        self.sessions.add(session_id)
        self.buffers[path] = content
        return WriteTextFileResponse()


def turns(*raw: dict[str, Any]) -> list[Turn]:
    return [Turn.model_validate(t) for t in raw]


def read(path: Path) -> dict[str, Any]:
    return {"tool_calls": [{"name": "read", "arguments": {"file_path": str(path)}}]}


def edit(path: Path, old: str, new: str) -> dict[str, Any]:
    return {
        "tool_calls": [
            {
                "name": "edit",
                "arguments": {"file_path": str(path), "old_string": old, "new_string": new},
            }
        ]
    }


def tool_results(server: ScriptedModelServer, request: int) -> list[str]:
    """What the model was told tools returned, in the request it got ``request``-th."""
    messages = server.requests[request].json()["messages"]
    return [str(m["content"]) for m in messages if m["role"] == "tool"]


async def prompt(tau: Any, project: Path, text: str) -> str:
    session = await tau.conn.new_session(cwd=str(project), mcp_servers=[])
    answer = await asyncio.wait_for(
        tau.conn.prompt(session_id=session.session_id, prompt=[text_block(text)]), 30
    )
    return str(session.session_id) if answer.stop_reason == "end_turn" else answer.stop_reason


async def test_the_model_reads_the_editors_unsaved_buffer(project: Path) -> None:
    calc = project / "calc.py"
    editor = BufferEditor(buffers={str(calc): UNSAVED})
    with ScriptedModelServer(turns(read(calc), {"text": "It subtracts."})) as server:
        async with tau_acp(server, project, editor=editor, fs=BOTH) as tau:
            session_id = await prompt(tau, project, "what does add do?")

    [seen] = tool_results(server, 1)
    assert "typed in the editor, not saved" in seen
    assert editor.reads == [str(calc)]
    assert editor.sessions == {session_id}
    assert calc.read_text() == "def add(a, b):\n    return a - b\n", "the disk is left alone"


async def test_an_edit_is_made_in_the_editor_on_the_text_the_model_read(project: Path) -> None:
    calc = project / "calc.py"
    editor = BufferEditor(buffers={str(calc): UNSAVED}, answers=["allow_once"])
    script = turns(
        read(calc),
        edit(calc, "a - b  # typed in the editor, not saved", "a + b"),
        {"text": "Fixed."},
    )
    with ScriptedModelServer(script) as server:
        async with tau_acp(server, project, editor=editor, fs=BOTH) as tau:
            await prompt(tau, project, "fix add")

    assert editor.writes == [(str(calc), "def add(a, b):\n    return a + b\n")]
    assert calc.read_text() == "def add(a, b):\n    return a - b\n", "tau did not write the disk"
    [(call, _)] = editor.asked
    diff = next(c for c in call.content or [] if c.type == "diff")
    assert diff.old_text == UNSAVED, "the approval shows the change to the editor's text"
    assert diff.new_text == "def add(a, b):\n    return a + b\n"
    assert "Edited" in tool_results(server, 2)[-1]
    done = [
        c
        for u in tau.wire.updates("tool_call_update")
        if u.get("status") == "completed"
        for c in u.get("content") or []
        if c["type"] == "diff"
    ]
    assert [(d["oldText"], d["newText"]) for d in done] == [
        (UNSAVED, "def add(a, b):\n    return a + b\n")
    ], "the finished edit shows the editor's text before and after, not the disk's"


async def test_a_new_file_is_written_through_the_editor(project: Path) -> None:
    notes = project / "notes.md"
    editor = BufferEditor()
    script = turns(
        {
            "tool_calls": [
                {"name": "write", "arguments": {"file_path": str(notes), "content": "# Notes\n"}}
            ]
        },
        {"text": "Written."},
    )
    with ScriptedModelServer(script) as server:
        async with tau_acp(
            server, project, "--permission-mode", "bypass", editor=editor, fs=BOTH
        ) as tau:
            await prompt(tau, project, "start notes")

    assert editor.writes == [(str(notes), "# Notes\n")]
    assert not notes.exists()


async def test_an_editor_without_the_capabilities_gets_the_files_on_disk(project: Path) -> None:
    calc = project / "calc.py"
    editor = BufferEditor(buffers={str(calc): UNSAVED}, answers=["allow_once"])
    script = turns(read(calc), edit(calc, "a - b", "a + b"), {"text": "Fixed."})
    with ScriptedModelServer(script) as server:
        async with tau_acp(server, project, editor=editor) as tau:
            await prompt(tau, project, "fix add")

    assert "typed in the editor" not in tool_results(server, 1)[0]
    assert calc.read_text() == "def add(a, b):\n    return a + b\n"
    assert editor.reads == [] and editor.writes == []
    methods = {m.get("method") for m in tau.wire.sent_by_tau}
    assert not {"fs/read_text_file", "fs/write_text_file"} & methods


async def test_reading_only_through_the_editor_still_writes_the_disk(project: Path) -> None:
    calc = project / "calc.py"
    editor = BufferEditor(buffers={str(calc): UNSAVED})
    script = turns(
        read(calc), edit(calc, "a - b  # typed in the editor, not saved", "a + b"), {"text": "ok"}
    )
    read_only = FileSystemCapabilities(read_text_file=True)
    with ScriptedModelServer(script) as server:
        async with tau_acp(
            server, project, "--permission-mode", "bypass", editor=editor, fs=read_only
        ) as tau:
            await prompt(tau, project, "fix add")

    assert editor.writes == []
    assert calc.read_text() == "def add(a, b):\n    return a + b\n"


async def test_files_outside_the_session_folder_and_binary_files_stay_on_disk(
    project: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("outside text\n")
    blob = project / "data.bin"
    blob.write_bytes(b"\x00\x01\x02binary")
    editor = BufferEditor(buffers={str(outside): "editor's outside\n"})
    script = turns(read(outside), read(blob), {"text": "done"})
    with ScriptedModelServer(script) as server:
        async with tau_acp(
            server, project, "--permission-mode", "bypass", editor=editor, fs=BOTH
        ) as tau:
            await prompt(tau, project, "look")

    assert "outside text" in tool_results(server, 1)[0]
    assert "binary file" in tool_results(server, 2)[1]
    assert editor.reads == []


async def test_when_the_editor_cannot_read_a_file_tau_reads_the_disk(project: Path) -> None:
    calc = project / "calc.py"

    @dataclass
    class Refusing(BufferEditor):
        async def read_text_file(self, path: str, session_id: str, **_: Any) -> Any:
            self.reads.append(path)
            raise RequestError.resource_not_found(path)

    editor = Refusing()
    with ScriptedModelServer(turns(read(calc), {"text": "ok"})) as server:
        async with tau_acp(server, project, editor=editor, fs=BOTH) as tau:
            await prompt(tau, project, "look")

    assert editor.reads == [str(calc)]
    assert "return a - b" in tool_results(server, 1)[0]
    problems = [m for m in tau.wire.sent_by_tau if "error" in m]
    assert problems == [], json.dumps(problems)


@pytest.mark.skipif(sandbox_unavailable_reason() is not None, reason="no working bubblewrap")
async def test_in_the_sandbox_reads_may_come_from_the_editor_but_writes_stay_confined(
    project: Path,
) -> None:
    calc, secret = project / "calc.py", project / "secret.txt"
    secret.write_text("on disk\n")
    home = Path(os.environ["TAU_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    settings = {"sandbox": {"denied_paths": [str(secret)]}}
    (home / "settings.yaml").write_text(yaml.safe_dump(settings))
    editor = BufferEditor(buffers={str(calc): UNSAVED, str(secret): "the editor's secret\n"})
    script = turns(
        read(secret),
        read(calc),
        edit(calc, "a - b  # typed in the editor, not saved", "a + b"),
        {"text": "ok"},
    )
    with ScriptedModelServer(script) as server:
        async with tau_acp(
            server, project, "--sandbox", "--permission-mode", "bypass", editor=editor, fs=BOTH
        ) as tau:
            await prompt(tau, project, "fix add")

    hidden = tool_results(server, 1)[0]
    assert "on disk" not in hidden and "the editor's secret" not in hidden, hidden
    assert set(editor.reads) == {str(calc)}, "the editor is never asked for a hidden file"
    assert "typed in the editor" in tool_results(server, 2)[1]
    assert editor.writes == [], "the sandbox checks writes itself"
    assert calc.read_text() == "def add(a, b):\n    return a + b\n"


async def test_a_file_mentioned_in_the_prompt_is_attached_as_the_editor_has_it(
    project: Path,
) -> None:
    calc = project / "calc.py"
    editor = BufferEditor(buffers={str(calc): UNSAVED})
    mention = resource_link_block(name="calc.py", uri=f"file://{calc}")
    with ScriptedModelServer(turns({"text": "It subtracts."})) as server:
        async with tau_acp(server, project, editor=editor, fs=BOTH) as tau:
            session = await tau.conn.new_session(cwd=str(project), mcp_servers=[])
            await asyncio.wait_for(
                tau.conn.prompt(
                    session_id=session.session_id, prompt=[text_block("explain"), mention]
                ),
                30,
            )

    [user] = [m for m in server.requests[0].json()["messages"] if m["role"] == "user"]
    assert "typed in the editor, not saved" in json.dumps(user["content"])
