"""The Environment contract: one test suite every ``Environment`` must pass unchanged.

Used from tests only (it imports pytest). Subclass it and provide an
``environment`` fixture built on the ``workdir`` fixture::

    class TestSandbox(EnvironmentContract):
        @pytest.fixture
        def environment(self, workdir: str) -> Environment:
            return SandboxEnvironment(workdir)

``workdir`` is a fresh, empty, real folder (its path has no symlinks in it). The
checks use only POSIX tools (``sh``, ``sleep``, ``kill``, ``cat``, ``printf``), so a
sandbox or container that offers a shell can run them as they are.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from tau_cli.tools.environment import Environment


async def _alive(env: Environment, pid: str) -> bool:
    """Whether ``pid`` still runs, seen from inside the environment (zombies count as gone)."""
    script = (
        f"kill -0 {pid} 2>/dev/null || exit 1; "
        f'grep -q "^State:.*Z" /proc/{pid}/status 2>/dev/null && exit 1; exit 0'
    )
    result = await env.exec(["sh", "-c", script], timeout=10)
    return result.exit_code == 0


async def _eventually_dead(env: Environment, pid: str) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if not await _alive(env, pid):
            return True
        await asyncio.sleep(0.05)
    return False


class EnvironmentContract:
    """What tools rely on from any environment: files, listing, glob, processes."""

    @pytest.fixture
    def workdir(self, tmp_path: Path) -> str:
        folder = tmp_path.resolve() / "work"
        folder.mkdir()
        return str(folder)

    # -- files -------------------------------------------------------------------

    async def test_text_round_trips_unicode(self, environment: Environment) -> None:
        text = "naïve café — 日本語 🐍\n"
        await environment.write_text("notes.txt", text)
        assert await environment.read_text("notes.txt") == text
        assert await environment.read_bytes("notes.txt") == text.encode()

    async def test_relative_paths_start_at_cwd(
        self, environment: Environment, workdir: str
    ) -> None:
        assert environment.cwd == workdir
        await environment.write_text("a.txt", "x")
        assert await environment.read_text(os.path.join(workdir, "a.txt")) == "x"
        assert environment.resolve("sub/../a.txt") == os.path.join(workdir, "a.txt")

    async def test_read_many_reads_in_order_and_marks_what_cannot_be_read(
        self, environment: Environment
    ) -> None:
        await environment.write_bytes("a.bin", b"\x00a")
        await environment.write_text("dir/b.txt", "b")
        contents = await environment.read_many(["a.bin", "missing", "dir", "dir/b.txt"])
        assert contents == [b"\x00a", None, None, b"b"]

    async def test_write_creates_parent_folders(self, environment: Environment) -> None:
        await environment.write_bytes("deep/er/file.bin", b"\x00\xff")
        assert await environment.read_bytes("deep/er/file.bin") == b"\x00\xff"
        assert (await environment.stat("deep/er")).kind == "dir"

    async def test_overwrite_keeps_the_file_mode_and_leaves_no_temp_file(
        self, environment: Environment
    ) -> None:
        await environment.write_text("run.sh", "#!/bin/sh\n")
        await environment.exec(["chmod", "755", "run.sh"])
        await environment.write_text("run.sh", "#!/bin/sh\necho hi\n")
        assert (await environment.stat("run.sh")).mode == 0o755
        assert [info.path.rsplit("/", 1)[-1] for info in await environment.list_dir(".")] == [
            "run.sh"
        ]

    async def test_writing_through_a_symlink_changes_its_target(
        self, environment: Environment
    ) -> None:
        await environment.write_text("real.txt", "old")
        await environment.exec(["ln", "-s", "real.txt", "link.txt"])
        await environment.write_text("link.txt", "new")
        assert await environment.read_text("real.txt") == "new"
        assert (await environment.stat("link.txt", follow_symlinks=False)).kind == "symlink"

    async def test_missing_files_and_folders_raise_the_os_errors(
        self, environment: Environment
    ) -> None:
        with pytest.raises(FileNotFoundError):
            await environment.read_text("missing.txt")
        with pytest.raises(FileNotFoundError):
            await environment.stat("missing.txt")
        assert not await environment.exists("missing.txt")
        await environment.write_text("folder/file", "x")
        with pytest.raises(IsADirectoryError):
            await environment.read_bytes("folder")
        with pytest.raises(IsADirectoryError):
            await environment.write_text("folder", "x")

    async def test_stat_reports_kind_size_and_mtime(self, environment: Environment) -> None:
        before = time.time() - 5
        await environment.write_text("f.txt", "12345")
        info = await environment.stat("f.txt")
        assert (info.kind, info.size) == ("file", 5)
        assert info.mtime >= before
        assert info.path == environment.resolve("f.txt")

    async def test_list_dir_is_sorted_and_shows_symlinks_as_symlinks(
        self, environment: Environment
    ) -> None:
        await environment.write_text("b.txt", "")
        await environment.write_text("a/inner.txt", "")
        await environment.exec(["ln", "-s", "a", "c"])
        listing = await environment.list_dir(".")
        assert [(os.path.basename(i.path), i.kind) for i in listing] == [
            ("a", "dir"),
            ("b.txt", "file"),
            ("c", "symlink"),
        ]

    async def test_realpath_resolves_symlinks(self, environment: Environment, workdir: str) -> None:
        await environment.write_text("target/x.txt", "")
        await environment.exec(["ln", "-s", "target", "alias"])
        assert await environment.realpath("alias/x.txt") == os.path.join(workdir, "target", "x.txt")

    # -- glob --------------------------------------------------------------------

    async def test_glob_double_star_spans_folders_including_the_top(
        self, environment: Environment, workdir: str
    ) -> None:
        for path in ("top.py", "src/a.py", "src/deep/b.py", "src/c.txt", ".hidden/d.py"):
            await environment.write_text(path, "")
        found = await environment.glob("**/*.py")
        assert found == sorted(
            os.path.join(workdir, p)
            for p in ("top.py", "src/a.py", "src/deep/b.py", ".hidden/d.py")
        )

    async def test_glob_single_star_stays_in_one_folder_and_braces_alternate(
        self, environment: Environment, workdir: str
    ) -> None:
        for path in ("src/a.ts", "src/b.tsx", "src/c.js", "src/x/d.ts"):
            await environment.write_text(path, "")
        found = await environment.glob("src/*.{ts,tsx}")
        assert found == [os.path.join(workdir, "src/a.ts"), os.path.join(workdir, "src/b.tsx")]
        sub = await environment.glob("*.ts", root="src/x")
        assert sub == [os.path.join(workdir, "src/x/d.ts")]

    async def test_glob_does_not_follow_symlinked_folders(
        self, environment: Environment, tmp_path: Path
    ) -> None:
        outside = tmp_path / "outside"
        outside.mkdir()
        (outside / "secret.py").write_text("")
        await environment.write_text("own.py", "")
        await environment.exec(["ln", "-s", str(outside), "escape"])
        await environment.exec(["ln", "-s", ".", "loop"])
        found = await environment.glob("**/*.py")
        assert [os.path.basename(path) for path in found] == ["own.py"]

    async def test_glob_can_skip_folders_by_name(self, environment: Environment) -> None:
        await environment.write_text("keep/a.txt", "12345")
        await environment.write_text(".git/objects/b.txt", "")
        await environment.write_text("deep/.git/c.txt", "")
        found = await environment.glob("**/*.txt", skip_dirs={".git"})
        assert [os.path.basename(path) for path in found] == ["a.txt"]

    async def test_stat_many_matches_stat_and_marks_what_is_gone(
        self, environment: Environment
    ) -> None:
        await environment.write_text("a.txt", "12345")
        await environment.write_text("b/c.txt", "")
        infos = await environment.stat_many(["a.txt", "gone.txt", "b"])
        assert infos == [await environment.stat("a.txt"), None, await environment.stat("b")]

    async def test_glob_with_no_match_is_empty(self, environment: Environment) -> None:
        assert await environment.glob("**/*.nothing") == []
        assert await environment.glob("*", root="no/such/folder") == []

    # -- processes ---------------------------------------------------------------

    async def test_exec_reports_exit_code_and_merged_output(self, environment: Environment) -> None:
        result = await environment.exec(["sh", "-c", "echo out; echo err >&2; exit 3"])
        assert result.exit_code == 3
        assert result.stdout.splitlines() == [b"out", b"err"]
        assert not result.timed_out and not result.truncated

    async def test_exec_can_keep_stderr_apart(self, environment: Environment) -> None:
        result = await environment.exec(["sh", "-c", "echo out; echo err >&2"], merge_stderr=False)
        assert (result.stdout, result.stderr) == (b"out\n", b"err\n")

    async def test_exec_runs_in_cwd_or_the_given_folder(
        self, environment: Environment, workdir: str
    ) -> None:
        await environment.write_text("sub/f", "")
        assert (await environment.exec(["pwd", "-P"])).stdout.decode().strip() == workdir
        here = await environment.exec(["pwd", "-P"], cwd="sub")
        assert here.stdout.decode().strip() == os.path.join(workdir, "sub")

    async def test_exec_passes_stdin_and_unicode(self, environment: Environment) -> None:
        result = await environment.exec(["cat"], stdin="héllo ✓".encode())
        assert result.stdout.decode() == "héllo ✓"

    async def test_exec_adds_env_but_never_passes_secrets_of_the_parent(
        self, environment: Environment, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-should-not-leak")
        result = await environment.exec(["sh", "-c", "env"], env={"TAU_TEST_VALUE": "42"})
        output = result.stdout.decode()
        assert "TAU_TEST_VALUE=42" in output
        assert "sk-should-not-leak" not in output
        assert "PATH=" in output

    async def test_a_missing_program_or_folder_raises_file_not_found(
        self, environment: Environment
    ) -> None:
        with pytest.raises(FileNotFoundError):
            await environment.exec(["tau-no-such-program-xyz"])
        with pytest.raises(FileNotFoundError):
            await environment.exec(["true"], cwd="no/such/folder")

    async def test_output_beyond_the_limit_keeps_head_and_tail(
        self, environment: Environment
    ) -> None:
        script = (
            "echo HEAD; i=0; while [ $i -lt 5000 ]; do echo line$i; i=$((i+1)); done; echo TAIL"
        )
        result = await environment.exec(["sh", "-c", script], output_limit=1000)
        assert result.truncated
        assert result.stdout.startswith(b"HEAD\n")
        assert result.stdout.endswith(b"TAIL\n")
        assert len(result.stdout) <= 1000
        assert result.output_bytes > 40_000

    async def test_output_is_streamed_while_the_process_runs(
        self, environment: Environment
    ) -> None:
        chunks: list[bytes] = []
        result = await environment.exec(
            ["sh", "-c", "echo one; sleep 0.2; echo two"], on_output=chunks.append
        )
        assert b"".join(chunks) == result.stdout == b"one\ntwo\n"
        assert len(chunks) >= 2

    async def test_timeout_kills_the_whole_process_group(self, environment: Environment) -> None:
        started = time.monotonic()
        result = await environment.exec(
            ["sh", "-c", "sleep 30 & echo $! > child.pid; wait"], timeout=0.5
        )
        assert result.timed_out
        assert time.monotonic() - started < 5
        child = (await environment.read_text("child.pid")).strip()
        assert await _eventually_dead(environment, child)

    async def test_cancelling_the_waiting_task_kills_the_process_group(
        self, environment: Environment
    ) -> None:
        task = asyncio.create_task(
            environment.exec(["sh", "-c", "sleep 30 & echo $! > child.pid; wait"])
        )
        while not await environment.exists("child.pid"):
            await asyncio.sleep(0.02)
        child = (await environment.read_text("child.pid")).strip()
        while not child:
            await asyncio.sleep(0.02)
            child = (await environment.read_text("child.pid")).strip()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await _eventually_dead(environment, child)

    async def test_a_background_grandchild_does_not_hold_up_the_result(
        self, environment: Environment
    ) -> None:
        started = time.monotonic()
        result = await environment.exec(["sh", "-c", "sleep 5 & echo done"])
        assert result.exit_code == 0
        assert b"done" in result.stdout
        assert time.monotonic() - started < 3

    async def test_spawned_processes_report_output_and_can_be_killed(
        self, environment: Environment
    ) -> None:
        process = await environment.spawn(["sh", "-c", "echo ready; sleep 30"])
        while b"ready" not in process.output().stdout:
            await asyncio.sleep(0.02)
        assert process.exit_code is None
        await process.kill()
        result = await process.wait()
        assert result.exit_code is not None and result.exit_code < 0
        assert result.stdout == b"ready\n"
