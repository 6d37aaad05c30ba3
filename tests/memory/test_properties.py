"""Properties that must hold for any input, not just the examples we thought of."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from tau_cli.memory import read_frontmatter, read_text
from tau_cli.memory._imports import find_imports

_keys = st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True)
_values = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=400)


@given(st.dictionaries(_keys, _values, max_size=12), st.text(max_size=300))
def test_any_frontmatter_reads_back_and_the_body_starts_where_it_says(
    data: dict[str, str], body: str
) -> None:
    # Values up to 400 characters make blocks span several read chunks.
    header = yaml.safe_dump(data, allow_unicode=True) if data else ""
    content = f"---\n{header}---\n{body}".encode()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "note.md"
        path.write_bytes(content)

        front = read_frontmatter(path)

    assert front is not None
    assert front.data == data
    assert content[front.body_offset :] == body.encode()


@given(st.text(max_size=2_000), st.integers(min_value=1, max_value=500))
def test_a_cut_file_is_a_prefix_within_the_limit(text: str, limit: int) -> None:
    text = text.replace("\x00", "").replace("\r", "")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "TAU.md"
        path.write_bytes(text.removeprefix("\ufeff").encode())

        result = read_text(path, max_chars=limit)

    assert len(result.text) <= limit
    assert text.removeprefix("\ufeff").startswith(result.text)
    assert result.truncated == (len(text.removeprefix("\ufeff")) > limit)


@given(st.lists(st.from_regex(r"[a-z]{1,8}/[a-z]{1,8}\.md", fullmatch=True), max_size=5))
def test_nothing_inside_a_fence_is_ever_an_import(paths: list[str]) -> None:
    fenced = "```\n" + "\n".join(f"@{p}" for p in paths) + "\n```\n"
    plain = "\n".join(f"see @{p}" for p in paths)

    assert find_imports(fenced) == []
    assert [ref.target for ref in find_imports(plain)] == paths
