"""Working memory: the progress hand-off and the feature list under .tau/memory/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from memory_helpers import write

from tau_cli.memory import Feature, MemoryFileError, WorkingMemory


def test_progress_starts_empty_and_grows_by_section(tmp_path: Path) -> None:
    memory = WorkingMemory(tmp_path)
    assert memory.read_progress() == ""

    memory.append_progress("done", "parsed the config")
    memory.append_progress("next", "write the loader")
    memory.append_progress("done", "added   tests\nfor it")
    memory.append_progress("decisions", "YAML, not TOML: users know it")

    assert (tmp_path / ".tau" / "memory" / "progress.md").read_text() == (
        "## Done\n"
        "- parsed the config\n"
        "- added tests for it\n"
        "\n"
        "## Next\n"
        "- write the loader\n"
        "\n"
        "## Key decisions\n"
        "- YAML, not TOML: users know it\n"
    )


def test_appending_keeps_what_a_person_wrote(tmp_path: Path) -> None:
    memory = WorkingMemory(tmp_path)
    memory.write_progress("# Shift notes\n\nFree text.\n\n## next\n- old item\n\n## Other\nkept")

    memory.append_progress("next", "new item")

    assert memory.read_progress() == (
        "# Shift notes\n\nFree text.\n\n## next\n- old item\n- new item\n\n## Other\nkept\n"
    )


def test_bad_progress_entries_are_refused(tmp_path: Path) -> None:
    memory = WorkingMemory(tmp_path)

    with pytest.raises(ValueError, match="unknown progress section 'later'"):
        memory.append_progress("later", "x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="empty"):
        memory.append_progress("done", "   ")
    assert memory.read_progress() == ""


def test_features_start_failing_and_change_status(tmp_path: Path) -> None:
    memory = WorkingMemory(tmp_path)

    memory.set_feature("login", description="users sign in with a password")
    memory.set_feature("logout")
    memory.set_feature("login", "pass")

    assert memory.features() == [
        Feature("login", "users sign in with a password", "pass"),
        Feature("logout", "", "fail"),
    ]
    assert memory.render_features() == (
        "[pass] login: users sign in with a password\n[fail] logout\n1 of 2 features pass."
    )
    stored = json.loads((tmp_path / ".tau" / "memory" / "features.json").read_text())
    assert stored["features"][0] == {
        "name": "login",
        "description": "users sign in with a password",
        "status": "pass",
    }


def test_an_empty_feature_list_says_so(tmp_path: Path) -> None:
    assert WorkingMemory(tmp_path).render_features() == "No features are listed yet."


def test_bad_feature_updates_are_refused(tmp_path: Path) -> None:
    memory = WorkingMemory(tmp_path)

    with pytest.raises(ValueError, match="'pass' or 'fail', not 'done'"):
        memory.set_feature("login", "done")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs a name"):
        memory.set_feature("  ")
    assert memory.features() == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"features": [\n  {"name": "a",}\n]}', ":2: is not valid JSON"),
        ('["a"]', 'must be an object with a "features" list'),
        ('{"features": [{"status": "pass"}]}', 'feature 1 needs a "name" string'),
        ('{"features": [{"name": "a", "status": "done"}]}', "feature 1 has status 'done'"),
        ('{"features": [{"name": "a", "description": 3}]}', 'non-string "description"'),
    ],
)
def test_a_hand_broken_feature_file_is_an_error_naming_it(
    tmp_path: Path, content: str, message: str
) -> None:
    path = write(tmp_path / ".tau" / "memory" / "features.json", content)
    memory = WorkingMemory(tmp_path)

    with pytest.raises(MemoryFileError) as caught:
        memory.features()
    with pytest.raises(MemoryFileError):
        memory.set_feature("b", "pass")

    assert str(caught.value).startswith(str(path))
    assert message in str(caught.value)
    assert path.read_text() == content  # nothing was lost
