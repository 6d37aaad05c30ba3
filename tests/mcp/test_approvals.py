"""Project servers start only once the user approved exactly what they run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tau_cli.core import ConfigError
from tau_cli.mcp import ApprovalStore, RemoteServer, StdioServer, split_by_approval


def _project(command: str = "srv", **changes: object) -> StdioServer:
    fields: dict[str, object] = {"name": "srv", "scope": "project", "command": command}
    fields.update(changes)
    return StdioServer.model_validate(fields)


def test_an_approval_is_remembered_per_project_under_tau_home(
    tau_home: Path, tmp_path: Path
) -> None:
    store = ApprovalStore(tau_home)
    one, two = tmp_path / "one", tmp_path / "two"

    store.decide(one, _project(), approved=True)

    assert ApprovalStore(tau_home).status(one, _project()) == "approved"
    assert store.status(two, _project()) == "unknown"
    assert (tau_home / "mcp_approvals.json").exists()


def test_changing_what_runs_asks_again_but_a_new_secret_value_does_not(
    tau_home: Path, tmp_path: Path
) -> None:
    store = ApprovalStore(tau_home)
    store.decide(tmp_path, _project(env={"TOKEN": "old"}), approved=True)

    assert store.status(tmp_path, _project(env={"TOKEN": "rotated"})) == "approved"
    assert store.status(tmp_path, _project("other-binary", env={"TOKEN": "old"})) == "unknown"
    assert "old" not in (tau_home / "mcp_approvals.json").read_text()


def test_split_starts_user_servers_and_approved_project_servers_only(
    tau_home: Path, tmp_path: Path
) -> None:
    store = ApprovalStore(tau_home)
    user = RemoteServer(name="u", scope="user", transport="http", url="http://127.0.0.1:1/")
    approved = _project().model_copy(update={"name": "ok"})
    denied = _project().model_copy(update={"name": "no"})
    unknown = _project().model_copy(update={"name": "new"})
    store.decide(tmp_path, approved, approved=True)
    store.decide(tmp_path, denied, approved=False)

    startable, waiting = split_by_approval([user, approved, denied, unknown], tmp_path, store)

    assert [s.name for s in startable] == ["u", "ok"]
    assert [s.name for s in waiting] == ["new"]
    assert store.forget(tmp_path, "no") is True
    assert store.status(tmp_path, denied) == "unknown"


def test_a_damaged_approvals_file_is_a_clear_error(tau_home: Path, tmp_path: Path) -> None:
    tau_home.mkdir(parents=True)
    (tau_home / "mcp_approvals.json").write_text(json.dumps({"projects": []}))

    with pytest.raises(ConfigError, match="cannot read the MCP server approvals"):
        ApprovalStore(tau_home).status(tmp_path, _project())
