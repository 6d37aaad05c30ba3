"""Frontmatter: the YAML block at the top of notes and skills, read without the body."""

from __future__ import annotations

from pathlib import Path

import pytest
from memory_helpers import bytes_read, write

from tau_cli.memory import MemoryFileError, parse_frontmatter, read_frontmatter


def test_the_block_is_parsed_and_the_body_located(tmp_path: Path) -> None:
    path = write(tmp_path / "n.md", "---\ntitle: Caching\ntags: [http]\n---\nBody line\n")

    front = read_frontmatter(path)

    assert front is not None
    assert front.data == {"title": "Caching", "tags": ["http"]}
    assert front.key_lines == {"title": 2, "tags": 3}
    assert front.body_line == 5
    assert path.read_bytes()[front.body_offset :] == b"Body line\n"


def test_crlf_files_and_a_byte_order_mark_are_understood(tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    path.write_bytes(b"\xef\xbb\xbf---\r\nname: x\r\n---\r\nbody\r\n")

    front = read_frontmatter(path)

    assert front is not None
    assert front.data == {"name": "x"}
    assert path.read_bytes()[front.body_offset :] == b"body\r\n"


def test_a_closing_line_at_the_end_of_the_file_counts(tmp_path: Path) -> None:
    path = write(tmp_path / "n.md", "---\nname: x\n---")

    front = read_frontmatter(path)

    assert front is not None
    assert front.data == {"name": "x"}


def test_an_empty_block_is_an_empty_mapping(tmp_path: Path) -> None:
    front = read_frontmatter(write(tmp_path / "n.md", "---\n---\nbody"))

    assert front is not None
    assert front.data == {}


def test_a_file_without_a_block_has_no_frontmatter(tmp_path: Path) -> None:
    assert read_frontmatter(write(tmp_path / "a.md", "# Title\n---\nname: x\n---\n")) is None
    assert read_frontmatter(write(tmp_path / "b.md", "")) is None
    assert parse_frontmatter(tmp_path / "c.md", "plain") == (None, "plain")


def test_only_the_block_is_read_from_a_large_file(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    with path.open("wb") as handle:
        handle.write(b"---\nname: big\n---\n")
        handle.truncate(50_000_000)  # a sparse 50 MB body

    before = bytes_read()
    front = read_frontmatter(path)
    read = bytes_read() - before

    assert front is not None
    assert front.data == {"name": "big"}
    assert read < 16_384


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("---\nname: x\n", 1, "the frontmatter has no closing '---' line"),
        ("---\nname: x\ndescription: [open\n---\nbody", 4, "not valid YAML"),
        ("---\nname: x\n  bad: indent\n---\n", 3, "not valid YAML"),
        ("---\n- a\n- b\n---\n", 2, "must be a mapping of keys to values"),
        ("---\njust text\n---\n", 2, "must be a mapping of keys to values"),
        ("---\nname: a\nother: 1\nname: b\n---\n", 4, "repeats the key 'name'"),
    ],
)
def test_bad_frontmatter_names_file_and_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = write(tmp_path / "SKILL.md", text)

    with pytest.raises(MemoryFileError) as caught:
        read_frontmatter(path)

    assert caught.value.path == str(path)
    assert caught.value.line == line
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"{path}:{line}: ")


def test_an_unclosed_block_in_a_huge_file_stops_at_the_limit(tmp_path: Path) -> None:
    path = write(tmp_path / "n.md", "---\n" + "key: value\n" * 10_000)

    with pytest.raises(MemoryFileError, match="larger than 1024 bytes, or its closing '---'"):
        read_frontmatter(path, max_bytes=1024)


def test_frontmatter_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    path.write_bytes(b"---\nname: x\ndescription: caf\xe9\n---\n")

    with pytest.raises(MemoryFileError, match=r"n\.md:3: the frontmatter is not UTF-8"):
        read_frontmatter(path)


@pytest.mark.parametrize("closing_at", [1020, 1021, 1022, 1023, 1024, 1025])
def test_a_closing_line_split_across_reads_is_found(tmp_path: Path, closing_at: int) -> None:
    filler = "x" * (closing_at - len("---\nk: \n"))
    path = write(tmp_path / "n.md", f"---\nk: {filler}\n---\nbody")

    front = read_frontmatter(path)

    assert front is not None
    assert front.data == {"k": filler}
    assert path.read_bytes()[front.body_offset :] == b"body"


def test_a_dash_line_that_continues_after_a_read_is_not_the_end(tmp_path: Path) -> None:
    filler = "x" * (1021 - len("---\nk: \n"))
    path = write(tmp_path / "n.md", f"---\nk: {filler}\n---x: 1\n---\nbody")

    front = read_frontmatter(path)  # the first read ends just after '---'

    assert front is not None
    assert front.data == {"k": filler, "---x": 1}
    assert path.read_bytes()[front.body_offset :] == b"body"
