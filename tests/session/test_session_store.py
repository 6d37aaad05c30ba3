"""Durable JSONL transcripts: what is written, how it loads, list/resume/delete."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from session_seams import CountingIds, StepClock

from tau_cli.core import ImagePart, Message, ReasoningPart, ToolCall, ToolResult
from tau_cli.session import (
    FORMAT_VERSION,
    SessionError,
    SessionLocked,
    SessionNotFound,
    SessionStore,
    TranscriptError,
    project_key,
    read_transcript,
    sessions_root,
)

V1_TRANSCRIPT = Path(__file__).parent / "data" / "transcript-v1.jsonl"


@pytest.fixture
def store(clock: StepClock, ids: CountingIds) -> SessionStore:
    return SessionStore(clock=clock, ids=ids)


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_sessions_live_under_tau_home_by_project(store: SessionStore, tau_home: Path) -> None:
    session = store.create("/home/dev/shop", model="ollama:qwen3")
    session.append(Message.user("hi"))

    path = store.find(session.id)

    assert sessions_root() == tau_home / "sessions"
    assert path == tau_home / "sessions" / project_key("/home/dev/shop") / f"{session.id}.jsonl"
    header, entry, _title = _lines(path)
    assert header["type"] == "header" and header["format"] == FORMAT_VERSION
    assert header["cwd"] == "/home/dev/shop" and header["model"] == "ollama:qwen3"
    assert entry["type"] == "message"


def test_tau_home_defaults_to_dot_tau_in_the_home_folder(
    monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    monkeypatch.delenv("TAU_HOME")

    assert sessions_root() == isolated_home / ".tau" / "sessions"


def test_project_keys_are_readable_and_tell_same_named_projects_apart() -> None:
    a, b = project_key("/srv/a/app"), project_key("/srv/b/app")

    assert a.startswith("app-") and b.startswith("app-")
    assert a != b
    assert project_key("/srv/a/app/") == a


def test_transcripts_are_private_to_the_user(store: SessionStore) -> None:
    session = store.create("/home/dev/shop")

    path = store.find(session.id)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_every_message_shape_survives_a_round_trip(store: SessionStore) -> None:
    session = store.create("/home/dev/shop", model="anthropic:claude")
    call = ToolCall.from_raw("toolu_1", "edit", '{"path": "a.py", "old": "x", "new": "y"}')
    broken = ToolCall.from_raw("toolu_2", "edit", "{not json")
    history = [
        Message.system("you are tau"),
        Message.user([ImagePart(url="https://example.invalid/a.png")]),
        Message.assistant(
            [ReasoningPart(text="think", signature="sig=="), ImagePart(data="aGk=")],
            [call, broken],
        ),
        Message.tool(call, ToolResult(text="done")),
        Message.tool(broken, ToolResult.error("arguments are not valid JSON")),
        Message.assistant("ünïcödé ✓ and\nnewlines"),
    ]
    session.extend(history)
    session.close()

    loaded = store.load(session.id)

    assert loaded.session.messages == tuple(history)
    assert loaded.warnings == []


def test_a_resumed_session_continues_the_same_file(store: SessionStore) -> None:
    session = store.create("/home/dev/shop")
    session.append(Message.user("first"))
    session.close()

    resumed = store.resume(session.id).session
    resumed.append(Message.assistant("second"))
    resumed.close()

    again = store.load(session.id).session
    assert [m.text for m in again.messages] == ["first", "second"]
    assert again.title == "first"
    assert again.created_at == session.created_at


def test_truncate_clear_title_model_and_compaction_are_replayed(store: SessionStore) -> None:
    session = store.create("/home/dev/shop", model="a")
    session.extend(Message.user(f"m{i}") for i in range(4))
    session.truncate(3)
    session.set_model("b")
    session.set_title("renamed")
    session.record_compaction(strategy="truncate", summary="", first_kept=1)
    session.close()

    loaded = store.load(session.id).session

    assert [m.text for m in loaded.messages] == ["m0", "m1", "m2"]
    assert (loaded.model, loaded.title) == ("b", "renamed")
    assert loaded.compaction == session.compaction
    assert loaded.updated_at == session.updated_at


def test_a_closed_session_refuses_changes_that_would_not_be_saved(
    store: SessionStore,
) -> None:
    session = store.create("/home/dev/shop")
    session.close()

    with pytest.raises(SessionError, match="is closed; resume it to continue"):
        session.append(Message.user("lost?"))
    assert len(session) == 0


def test_only_one_process_writes_a_session_at_a_time(store: SessionStore) -> None:
    session = store.create("/home/dev/shop")

    with pytest.raises(SessionLocked, match="open in another tau process"):
        store.resume(session.id)
    session.close()
    resumed = store.resume(session.id).session
    resumed.append(Message.user("now it is mine"))
    resumed.close()

    assert store.load(session.id).session.messages[-1].text == "now it is mine"


def test_sessions_list_newest_first_with_what_a_picker_shows(
    store: SessionStore, clock: StepClock
) -> None:
    older = store.create("/home/dev/shop")
    older.append(Message.user("older work"))
    newer = store.create("/home/dev/shop")
    newer.extend([Message.user("newer work"), Message.assistant("ok")])
    store.create("/home/dev/elsewhere").append(Message.user("other project"))
    older.append(Message.assistant("touched last"))

    listed = store.list("/home/dev/shop")

    assert [s.id for s in listed] == [older.id, newer.id]
    row = listed[1]
    assert (row.title, row.message_count, row.first_prompt) == ("newer work", 2, "newer work")
    assert len(store.list()) == 3


def test_continue_picks_the_newest_session_of_this_directory(store: SessionStore) -> None:
    assert store.resume_latest("/home/dev/shop") is None
    first = store.create("/home/dev/shop")
    first.append(Message.user("a"))
    second = store.create("/home/dev/shop")
    second.append(Message.user("b"))
    first.close()
    second.close()

    latest = store.resume_latest("/home/dev/shop")

    assert latest is not None and latest.session.id == second.id


def test_a_fork_gets_its_own_transcript_holding_the_prefix(store: SessionStore) -> None:
    parent = store.create("/home/dev/shop")
    parent.extend([Message.user("a"), Message.assistant("b"), Message.user("c")])

    child = parent.fork(at=2)
    store.attach(child)
    child.append(Message.user("c'"))

    loaded = store.load(child.id).session
    assert [m.text for m in loaded.messages] == ["a", "b", "c'"]
    assert loaded.forked_from == parent.id
    assert [m.text for m in store.load(parent.id).session.messages] == ["a", "b", "c"]


def test_a_stored_session_forks_at_a_message_even_while_it_is_open(
    store: SessionStore,
) -> None:
    parent = store.create("/home/dev/shop")
    parent.extend([Message.user("a"), Message.assistant("b"), Message.user("c")])

    child = store.fork(parent.id, at=1)
    child.append(Message.user("a different second step"))
    child.close()

    loaded = store.load(child.id).session
    assert [m.text for m in loaded.messages] == ["a", "a different second step"]
    assert (loaded.forked_from, loaded.title) == (parent.id, "a")


def test_delete_removes_the_transcript(store: SessionStore) -> None:
    session = store.create("/home/dev/shop")
    session.close()

    store.delete(session.id)

    with pytest.raises(SessionNotFound, match=session.id):
        store.load(session.id)
    assert store.list("/home/dev/shop") == []


def test_ids_that_could_escape_the_sessions_folder_are_refused(store: SessionStore) -> None:
    with pytest.raises(SessionError, match="invalid session id"):
        store.load("../../etc/passwd")


def test_an_existing_transcript_is_never_overwritten(store: SessionStore, clock: StepClock) -> None:
    store.create("/home/dev/shop").close()
    reuse = SessionStore(clock=clock, ids=CountingIds())

    with pytest.raises(SessionError, match="already exists"):
        reuse.create("/home/dev/shop")


def test_a_torn_last_line_is_reported_skipped_and_cut_before_appending(
    store: SessionStore,
) -> None:
    session = store.create("/home/dev/shop")
    session.extend([Message.user("kept"), Message.assistant("kept too")])
    session.close()
    path = store.find(session.id)
    with path.open("ab") as f:
        f.write(b'{"type":"message","time":"2026-01-01T00:00:00Z","mess')

    loaded = store.resume(session.id)
    loaded.session.append(Message.user("after the crash"))
    loaded.session.close()

    (warning,) = loaded.warnings
    assert warning.line == 5 and "incomplete last line" in str(warning)
    assert str(path) in str(warning)
    again = store.load(session.id)
    assert [m.text for m in again.session.messages] == ["kept", "kept too", "after the crash"]
    assert again.warnings == []


def test_a_malformed_line_in_the_middle_names_file_and_line(store: SessionStore) -> None:
    session = store.create("/home/dev/shop")
    session.extend([Message.user("a"), Message.user("b")])
    session.close()
    path = store.find(session.id)
    lines = path.read_text().splitlines(keepends=True)
    lines[2] = '{"type":"message","time":"2026-01-01T00:00:00Z","message":{"role":"robot"}}\n'
    path.write_text("".join(lines))

    with pytest.raises(TranscriptError) as caught:
        store.load(session.id)

    assert caught.value.line == 3 and caught.value.path == path
    assert str(caught.value).startswith(f"{path}:3: message.role")


def test_broken_json_in_the_middle_is_an_error_not_a_skip(store: SessionStore) -> None:
    session = store.create("/home/dev/shop")
    session.append(Message.user("a"))
    session.close()
    path = store.find(session.id)
    path.write_text(path.read_text().replace('"type":"message"', '"type":"message",,'))

    with pytest.raises(TranscriptError, match=r":2: not valid JSON"):
        store.load(session.id)


def test_a_transcript_from_a_newer_tau_says_so(store: SessionStore, tmp_path: Path) -> None:
    path = tmp_path / "future.jsonl"
    header = {"type": "header", "format": FORMAT_VERSION + 1, "id": "x", "cwd": "/", "created": 0}
    path.write_text(json.dumps(header) + "\n")

    with pytest.raises(TranscriptError, match="format 2; this tau reads up to 1"):
        read_transcript(path)


def test_a_file_without_a_header_is_not_a_transcript(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"type":"clear","time":"2026-01-01T00:00:00Z"}\n')

    with pytest.raises(TranscriptError, match=r"x.jsonl:1: the first line is not"):
        read_transcript(path)


def test_unreadable_transcripts_are_left_out_of_lists_and_left_alone(
    store: SessionStore,
) -> None:
    good = store.create("/home/dev/shop")
    good.close()
    bad = store.project_dir("/home/dev/shop") / "bad.jsonl"
    bad.write_text("not json\n")

    assert [s.id for s in store.list("/home/dev/shop")] == [good.id]
    assert bad.read_text() == "not json\n"


def test_the_version_1_transcript_still_loads(store: SessionStore) -> None:
    """Every later format must keep reading this file unchanged."""
    folder = store.project_dir("/home/dev/shop")
    folder.mkdir(parents=True)
    session_id = "0b7e6d0c5a2f4c1e9d8b7a6f5e4d3c2b"
    shutil.copy(V1_TRANSCRIPT, folder / f"{session_id}.jsonl")

    loaded = store.load(session_id)
    session = loaded.session

    assert loaded.warnings == []
    assert [m.role for m in session.messages] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
        "user",
    ]
    assert session.messages[2].tool_calls[0].arguments == {"path": "shop/checkout.py"}
    assert session.messages[2].parts[0] == ReasoningPart(
        text="I should read the handler.", signature="EqQBCkYIBxgCKkDx"
    )
    assert session.messages[-1].text == "add a guard for empty carts"
    assert session.title == "Why does checkout fail? See the screenshot."
    assert session.model == "ollama:qwen3"
    assert session.usage.prompt_tokens == 1830 and session.usage.cost == 0.0061
    assert session.compaction is not None and session.compaction.first_kept == 2
    assert session.created_at == datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    assert session.updated_at == datetime(2026, 1, 5, 9, 31, 20, tzinfo=UTC)


def test_a_transcript_is_flushed_to_the_file_before_append_returns(
    store: SessionStore,
) -> None:
    session = store.create("/home/dev/shop")
    path = store.find(session.id)

    session.append(Message.user("durable"))

    fd = os.open(path, os.O_RDONLY)
    try:
        assert b'"durable"' in os.read(fd, 1 << 16)
    finally:
        os.close(fd)


_FULL_DISK = """
import resource, signal, sys
from pathlib import Path
from tau_cli.core import Message
from tau_cli.session import SessionStore

store = SessionStore(Path(sys.argv[1]), ids=lambda: "full")
session = store.create("/home/dev/shop")
session.append(Message.user("before"))
size = store.find("full").stat().st_size
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
_, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
resource.setrlimit(resource.RLIMIT_FSIZE, (size + 1000, hard))
try:
    session.append(Message.user("x" * 50_000))
except OSError as exc:
    print("refused:", exc.strerror)
resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
session.append(Message.user("after"))
print("messages in memory:", len(session))
"""


def test_a_write_the_disk_refuses_leaves_no_partial_line_behind(tmp_path: Path) -> None:
    root = tmp_path / "sessions"

    result = subprocess.run(
        [sys.executable, "-c", _FULL_DISK, str(root)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ.get("PATH", ""), "HOME": os.environ["HOME"]},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["refused: File too large", "messages in memory: 2"]
    loaded = SessionStore(root).load("full")
    assert [m.text for m in loaded.session.messages] == ["before", "after"]
    assert loaded.warnings == []
