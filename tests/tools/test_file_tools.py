"""read, write and edit on real files: numbering, windows, images, CRLF, encodings, freshness."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from pydantic import JsonValue

from tau_cli.tools import ToolContext
from tau_cli.tools.builtin import EditTool

from .conftest import Run

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


# -- read ----------------------------------------------------------------------


async def test_read_numbers_lines_like_cat_n(run: Run, workdir: Path) -> None:
    (workdir / "a.py").write_text("first\nsecond\n")
    result = await run("read", file_path=str(workdir / "a.py"))
    assert result.text == "     1\tfirst\n     2\tsecond"


async def test_read_shows_a_window_and_says_how_to_continue(run: Run, workdir: Path) -> None:
    (workdir / "long.txt").write_text("".join(f"{i}\n" for i in range(1, 5001)))
    first = await run("read", file_path=str(workdir / "long.txt"))
    assert first.text.count("\n") == 2001
    assert "[Lines 1-2000 of 5000. To continue, read with offset=2001.]" in first.text
    window = await run("read", file_path=str(workdir / "long.txt"), offset=4999, limit=10)
    assert window.text == "  4999\t4999\n  5000\t5000"


async def test_a_window_ends_on_a_whole_line_when_the_text_budget_is_spent(
    run: Run, workdir: Path
) -> None:
    (workdir / "wide.txt").write_text("".join(f"{i:04} {'x' * 100}\n" for i in range(1000)))
    result = await run("read", file_path=str(workdir / "wide.txt"))
    *lines, _, note = result.text.split("\n")
    assert 200 < len(lines) < 1000
    assert lines[-1].endswith("x" * 100)
    assert (
        note == f"[Lines 1-{len(lines)} of 1000. To continue, read with offset={len(lines) + 1}.]"
    )


async def test_read_cuts_very_long_lines(run: Run, workdir: Path) -> None:
    (workdir / "min.js").write_text("x" * 5000 + "\nshort\n")
    result = await run("read", file_path=str(workdir / "min.js"))
    first, second = result.text.split("\n")
    assert first.endswith("... [3,000 more characters on this line]")
    assert second == "     2\tshort"


async def test_read_keeps_unicode_and_hides_crlf(run: Run, workdir: Path) -> None:
    (workdir / "win.txt").write_bytes("naïve\r\n日本\r\n".encode())
    result = await run("read", file_path=str(workdir / "win.txt"))
    assert result.text == "     1\tnaïve\n     2\t日本"


async def test_read_returns_images_as_image_parts(run: Run, workdir: Path) -> None:
    (workdir / "dot.png").write_bytes(PNG)
    result = await run("read", file_path=str(workdir / "dot.png"))
    assert not result.is_error
    (image,) = result.images
    assert image.media_type == "image/png"
    assert base64.b64decode(image.data or "") == PNG


async def test_read_refuses_binary_files_clearly(run: Run, workdir: Path) -> None:
    (workdir / "blob.bin").write_bytes(b"\x7fELF\x00\x01\x02" * 100)
    result = await run("read", file_path=str(workdir / "blob.bin"))
    assert result.is_error
    assert "binary file (700 bytes)" in result.text


async def test_a_missing_file_suggests_near_names(run: Run, workdir: Path) -> None:
    (workdir / "config.yaml").write_text("a: 1\n")
    result = await run("read", file_path=str(workdir / "config.yml"))
    assert result.is_error
    assert f"Did you mean {workdir / 'config.yaml'}?" in result.text
    gone = await run("read", file_path=str(workdir / "nope" / "x.txt"))
    assert "the folder" in gone.text and "does not exist" in gone.text


async def test_a_relative_path_is_refused_with_the_absolute_one_to_use(
    run: Run, workdir: Path
) -> None:
    result = await run("read", file_path="src/a.py")
    assert result.is_error
    assert str(workdir / "src" / "a.py") in result.text


async def test_reading_a_folder_or_past_the_end_says_what_to_do(run: Run, workdir: Path) -> None:
    (workdir / "one.txt").write_text("only\n")
    folder = await run("read", file_path=str(workdir))
    assert folder.is_error and "is a folder" in folder.text
    past = await run("read", file_path=str(workdir / "one.txt"), offset=5)
    assert "only 1 lines" in past.text
    (workdir / "empty.txt").write_text("")
    assert (await run("read", file_path=str(workdir / "empty.txt"))).text == "(the file is empty)"


# -- write ---------------------------------------------------------------------


async def test_write_creates_files_and_parent_folders(run: Run, workdir: Path) -> None:
    target = workdir / "docs" / "guide" / "intro.md"
    result = await run("write", file_path=str(target), content="# Intro\n")
    assert result.text == f"Created {target} (1 lines, 8 bytes)."
    assert target.read_text() == "# Intro\n"


async def test_overwriting_requires_a_read_first_and_keeps_the_mode(
    run: Run, workdir: Path
) -> None:
    script = workdir / "run.sh"
    script.write_text("#!/bin/sh\necho old\n")
    script.chmod(0o755)
    refused = await run("write", file_path=str(script), content="#!/bin/sh\necho new\n")
    assert refused.is_error and "Read" in refused.text
    assert script.read_text() == "#!/bin/sh\necho old\n"
    await run("read", file_path=str(script))
    replaced = await run("write", file_path=str(script), content="#!/bin/sh\necho new\n")
    assert replaced.text.startswith("Replaced")
    assert script.read_text() == "#!/bin/sh\necho new\n"
    assert script.stat().st_mode & 0o777 == 0o755


async def test_write_refuses_when_the_file_changed_since_it_was_read(
    run: Run, workdir: Path
) -> None:
    target = workdir / "notes.txt"
    target.write_text("v1\n")
    await run("read", file_path=str(target))
    target.write_text("v2 by the user, longer\n")
    result = await run("write", file_path=str(target), content="v3\n")
    assert result.is_error and "changed on disk" in result.text
    assert target.read_text() == "v2 by the user, longer\n"


# -- edit ----------------------------------------------------------------------


async def test_edit_replaces_a_unique_passage_and_shows_the_diff(run: Run, workdir: Path) -> None:
    source = workdir / "app.py"
    source.write_text("def load(path):\n    return open(path).read()\n")
    await run("read", file_path=str(source))
    result = await run(
        "edit",
        file_path=str(source),
        old_string="    return open(path).read()",
        new_string="    with open(path) as f:\n        return f.read()",
    )
    assert not result.is_error
    assert (
        source.read_text()
        == "def load(path):\n    with open(path) as f:\n        return f.read()\n"
    )
    assert "-    return open(path).read()" in result.text
    assert "+    with open(path) as f:" in result.text


async def test_edit_keeps_crlf_and_the_trailing_newline(run: Run, workdir: Path) -> None:
    source = workdir / "win.txt"
    source.write_bytes(b"alpha\r\nbeta\r\ngamma\r\n")
    await run("read", file_path=str(source))
    await run("edit", file_path=str(source), old_string="beta\ngamma", new_string="BETA\ngamma")
    assert source.read_bytes() == b"alpha\r\nBETA\r\ngamma\r\n"


async def test_edit_keeps_a_missing_trailing_newline_and_a_legacy_encoding(
    run: Run, workdir: Path
) -> None:
    source = workdir / "legacy.txt"
    source.write_bytes("café\nno newline at end".encode("latin-1"))
    await run("read", file_path=str(source))
    result = await run("edit", file_path=str(source), old_string="café", new_string="thé")
    assert not result.is_error, result.text
    assert source.read_bytes() == "thé\nno newline at end".encode("latin-1")


async def test_edit_refuses_an_ambiguous_match_and_says_where(run: Run, workdir: Path) -> None:
    source = workdir / "dup.py"
    source.write_text("x = 1\ny = 2\nx = 1\n")
    await run("read", file_path=str(source))
    result = await run("edit", file_path=str(source), old_string="x = 1", new_string="x = 3")
    assert result.is_error
    assert "occurs 2 times" in result.text and "lines 1, 3" in result.text
    assert "replace_all" in result.text
    every = await run(
        "edit", file_path=str(source), old_string="x = 1", new_string="x = 3", replace_all=True
    )
    assert "replaced 2 occurrences" in every.text
    assert source.read_text() == "x = 3\ny = 2\nx = 3\n"


async def test_edit_points_at_a_passage_that_differs_only_in_whitespace(
    run: Run, workdir: Path
) -> None:
    source = workdir / "indent.py"
    source.write_text("class A:\n\n    def f(self):\n        pass\n")
    await run("read", file_path=str(source))
    result = await run(
        "edit", file_path=str(source), old_string="def f(self):\n  pass", new_string="x"
    )
    assert result.is_error
    assert "differs only in whitespace" in result.text and "line 3" in result.text


async def test_edit_requires_a_fresh_read(run: Run, workdir: Path) -> None:
    source = workdir / "a.txt"
    source.write_text("one\n")
    unread = await run("edit", file_path=str(source), old_string="one", new_string="two")
    assert unread.is_error and "Read" in unread.text
    await run("read", file_path=str(source))
    source.write_text("one, changed elsewhere\n")
    stale = await run("edit", file_path=str(source), old_string="one", new_string="two")
    assert stale.is_error and "changed on disk" in stale.text
    assert source.read_text() == "one, changed elsewhere\n"


async def test_consecutive_edits_need_no_new_read(run: Run, workdir: Path) -> None:
    source = workdir / "a.txt"
    source.write_text("one\ntwo\n")
    await run("read", file_path=str(source))
    await run("edit", file_path=str(source), old_string="one", new_string="1")
    second = await run("edit", file_path=str(source), old_string="two", new_string="2")
    assert not second.is_error, second.text
    assert source.read_text() == "1\n2\n"


async def test_edit_preview_is_the_diff_for_an_approval_prompt(
    context: ToolContext, run: Run, workdir: Path
) -> None:
    source = workdir / "a.txt"
    source.write_text("hello\n")
    await run("read", file_path=str(source))
    args: dict[str, JsonValue] = {
        "file_path": str(source),
        "old_string": "hello",
        "new_string": "goodbye",
    }
    diff = await EditTool().preview(args, context)
    assert diff is not None
    assert diff.splitlines()[-2:] == ["-hello", "+goodbye"]
    assert source.read_text() == "hello\n"  # previewing changes nothing


async def test_edit_follows_a_symlink_to_its_target(run: Run, workdir: Path) -> None:
    (workdir / "real.txt").write_text("a\n")
    os.symlink("real.txt", workdir / "link.txt")
    await run("read", file_path=str(workdir / "link.txt"))
    result = await run("edit", file_path=str(workdir / "link.txt"), old_string="a", new_string="b")
    assert not result.is_error, result.text
    assert (workdir / "real.txt").read_text() == "b\n"
    assert (workdir / "link.txt").is_symlink()


# -- todo ----------------------------------------------------------------------


async def test_todo_keeps_the_list_in_the_session_for_uis(run: Run, context: ToolContext) -> None:
    result = await run(
        "todo",
        todos=[
            {"content": "Reproduce the bug", "status": "completed"},
            {"content": "Fix the parser", "status": "in_progress"},
            {"content": "Run the tests", "status": "pending"},
        ],
    )
    assert result.text == (
        "Task list updated (1/3 done):\n"
        "[x] Reproduce the bug\n[>] Fix the parser\n[ ] Run the tests"
    )
    assert [item.content for item in context.session.todos] == [
        "Reproduce the bug",
        "Fix the parser",
        "Run the tests",
    ]
    assert result.structured is not None and len(result.structured["todos"]) == 3  # type: ignore[arg-type]


async def test_todo_refuses_two_items_in_progress(run: Run, context: ToolContext) -> None:
    result = await run(
        "todo",
        todos=[
            {"content": "a", "status": "in_progress"},
            {"content": "b", "status": "in_progress"},
        ],
    )
    assert result.is_error and "keep exactly one in progress" in result.text
    assert context.session.todos == []
