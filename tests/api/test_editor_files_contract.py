"""``EditorFiles`` is still an ``Environment``: it passes the contract every one passes.

The editor here is one without unsaved buffers, which reads and writes the disk
(through a ``LocalEnvironment``, so writes stay atomic and keep permissions); every
text file the contract writes and reads inside the folder goes through it.
"""

from __future__ import annotations

from typing import Any

import pytest
from acp.schema import ReadTextFileResponse, WriteTextFileResponse

from tau_cli.api import EditorFiles
from tau_cli.tools import Environment, LocalEnvironment
from tau_cli.tools.contract import EnvironmentContract


class DiskEditor:
    def __init__(self, folder: str) -> None:
        self.disk = LocalEnvironment(folder)
        self.calls: list[tuple[str, str]] = []

    async def read_text_file(self, session_id: str, path: str, **_: Any) -> ReadTextFileResponse:
        self.calls.append(("read", path))
        return ReadTextFileResponse(content=await self.disk.read_text(path))

    async def write_text_file(
        self, session_id: str, path: str, content: str
    ) -> WriteTextFileResponse:
        self.calls.append(("write", path))
        await self.disk.write_text(path, content)
        return WriteTextFileResponse()


class TestEditorFiles(EnvironmentContract):
    @pytest.fixture
    def editor(self, workdir: str) -> DiskEditor:
        return DiskEditor(workdir)

    @pytest.fixture
    def environment(self, workdir: str, editor: DiskEditor) -> Environment:
        return EditorFiles(
            LocalEnvironment(workdir),
            editor,
            lambda: "session-1",
            roots=[workdir],
            read=True,
            write=True,
        )

    async def test_text_inside_the_folder_goes_through_the_editor(
        self, environment: Environment, editor: DiskEditor, workdir: str
    ) -> None:
        await environment.write_text("a.txt", "hello\n")
        assert await environment.read_text("a.txt") == "hello\n"
        assert editor.calls == [("write", f"{workdir}/a.txt"), ("read", f"{workdir}/a.txt")]


def test_editor_files_is_an_environment(tmp_path: object) -> None:
    files = EditorFiles(
        LocalEnvironment(str(tmp_path)),
        DiskEditor(str(tmp_path)),
        str,
        roots=[],
        read=True,
        write=True,
    )
    assert isinstance(files, Environment)
