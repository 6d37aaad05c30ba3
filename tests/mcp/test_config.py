"""MCP configuration: the ``mcpServers`` files users already have, read the way they expect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tau_cli.core import ConfigError
from tau_cli.mcp import (
    RemoteServer,
    StdioServer,
    add_server,
    expand_variables,
    load_mcp_config,
    read_config_file,
    remove_server,
)


def _write(path: Path, servers: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"mcpServers": servers}))
    return path


def test_stdio_and_remote_servers_are_read_with_their_fields(tmp_path: Path) -> None:
    path = _write(
        tmp_path / ".mcp.json",
        {
            "files": {"command": "npx", "args": ["-y", "fs"], "env": {"A": "1"}, "cwd": "/srv"},
            "docs": {"type": "sse", "url": "http://127.0.0.1:9/sse", "headers": {"X-K": "v"}},
            "api": {"type": "http", "url": "https://example.test/mcp"},
        },
    )

    config = read_config_file(path, "project", {})

    assert config.errors == []
    assert config.servers["files"] == StdioServer(
        name="files",
        scope="project",
        source=str(path),
        command="npx",
        args=["-y", "fs"],
        env={"A": "1"},
        cwd="/srv",
    )
    docs = config.servers["docs"]
    assert isinstance(docs, RemoteServer)
    assert (docs.transport, docs.url, docs.headers) == (
        "sse",
        "http://127.0.0.1:9/sse",
        {"X-K": "v"},
    )
    assert config.servers["api"].transport == "http"


def test_variables_expand_with_defaults_everywhere_a_value_is_written(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "mcp.json",
        {
            "s": {
                "command": "${BIN:-node}",
                "args": ["--root=${ROOT}"],
                "env": {"TOKEN": "${TOKEN}"},
            },
            "r": {"type": "http", "url": "${URL}", "headers": {"Authorization": "Bearer ${TOKEN}"}},
        },
    )

    config = read_config_file(path, "user", {"ROOT": "/p", "TOKEN": "t0k", "URL": "http://h/mcp"})

    stdio = config.servers["s"]
    assert isinstance(stdio, StdioServer)
    assert (stdio.command, stdio.args, stdio.env) == ("node", ["--root=/p"], {"TOKEN": "t0k"})
    remote = config.servers["r"]
    assert isinstance(remote, RemoteServer)
    assert remote.headers == {"Authorization": "Bearer t0k"}


@given(name=st.from_regex(r"[A-Z_][A-Z0-9_]{0,8}", fullmatch=True), value=st.text(max_size=20))
def test_expansion_uses_the_value_when_set_and_the_default_when_not(name: str, value: str) -> None:
    assert expand_variables(f"a${{{name}}}b", {name: value}) == f"a{value}b"
    assert expand_variables(f"${{{name}:-dflt}}", {}) == "dflt"
    assert expand_variables(f"${{{name}:-dflt}}", {name: value}) == (value or "dflt")


def test_a_missing_variable_names_file_server_field_and_the_fix(tmp_path: Path) -> None:
    path = _write(
        tmp_path / ".mcp.json", {"gh": {"command": "gh-mcp", "env": {"T": "${GH_TOKEN}"}}}
    )

    config = read_config_file(path, "project", {})

    (error,) = config.errors
    assert config.servers == {}
    assert error.path == str(path)
    assert "server 'gh'" in str(error)
    assert "'env.T' uses ${GH_TOKEN}, which is not set" in str(error)
    assert "${GH_TOKEN:-default}" in str(error)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("npx", "expected an object"),
        ({"args": ["x"]}, "needs 'command'"),
        ({"command": "x", "args": "-y"}, "'args' must be a list"),
        ({"command": 3}, "'command' must be a string"),
        ({"type": "websocket", "url": "ws://h"}, "unknown 'type' 'websocket'"),
        ({"type": "sse"}, "needs a 'url'"),
        ({"type": "http", "url": "ftp://h"}, "must start with http:// or https://"),
        ({"command": "x", "env": ["A=1"]}, "'env' must be an object"),
    ],
)
def test_a_bad_entry_is_reported_and_the_good_ones_are_kept(
    tmp_path: Path, entry: object, message: str
) -> None:
    path = _write(tmp_path / ".mcp.json", {"bad": entry, "good": {"command": "ok"}})

    config = read_config_file(path, "project", {})

    assert list(config.servers) == ["good"]
    (error,) = config.errors
    assert message in str(error)
    assert str(error).startswith(f"{path}: server 'bad'")


def test_a_server_name_that_cannot_be_part_of_a_tool_name_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / ".mcp.json", {"my server": {"command": "x"}})

    (error,) = read_config_file(path, "project", {}).errors

    assert "server name 'my server' must be 1-40 letters" in str(error)


def test_broken_json_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / ".mcp.json"
    path.write_text('{\n  "mcpServers": {,}\n}')

    (error,) = read_config_file(path, "project", {}).errors

    assert error.path == str(path)
    assert error.line == 2
    assert "not valid JSON" in str(error)


def test_disabled_servers_are_left_out(tmp_path: Path) -> None:
    path = _write(tmp_path / ".mcp.json", {"off": {"command": "x", "disabled": True}})

    assert read_config_file(path, "project", {}).servers == {}


def test_sources_override_by_name_user_then_settings_then_project(tmp_path: Path) -> None:
    home, project = tmp_path / "home", tmp_path / "project"
    _write(home / "mcp.json", {"a": {"command": "user-a"}, "b": {"command": "user-b"}})
    _write(project / ".mcp.json", {"b": {"command": "project-b"}, "c": {"command": "project-c"}})
    _write(project / ".tau" / "mcp.json", {"c": {"command": "tau-c"}})

    config = load_mcp_config(
        tau_home=home,
        project_root=project,
        project_trusted=True,
        settings_servers={"a": {"command": "settings-a"}},
        environ={},
    )

    commands = {n: s.command for n, s in config.servers.items() if isinstance(s, StdioServer)}
    assert commands == {"a": "settings-a", "b": "project-b", "c": "tau-c"}
    assert [config.servers[n].scope for n in "abc"] == ["settings", "project", "project"]


def test_an_untrusted_project_contributes_no_servers(tmp_path: Path) -> None:
    _write(tmp_path / ".mcp.json", {"evil": {"command": "curl"}})

    config = load_mcp_config(
        tau_home=tmp_path / "home", project_root=tmp_path, project_trusted=False, environ={}
    )

    assert config.servers == {}


def test_add_and_remove_keep_the_rest_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mcp.json"
    path.write_text(json.dumps({"mcpServers": {"old": {"command": "a"}}, "other": 1}))

    add_server(path, "new", {"type": "http", "url": "http://127.0.0.1:1/mcp"})
    add_server(path, "tok", {"command": "x", "env": {"T": "${UNSET_WHEN_ADDED}"}})

    data = json.loads(path.read_text())
    assert data["other"] == 1
    assert set(data["mcpServers"]) == {"old", "new", "tok"}
    assert data["mcpServers"]["tok"]["env"] == {"T": "${UNSET_WHEN_ADDED}"}  # kept unexpanded
    assert remove_server(path, "old") is True
    assert remove_server(path, "old") is False
    assert set(json.loads(path.read_text())["mcpServers"]) == {"new", "tok"}


def test_adding_a_bad_entry_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "mcp.json"
    path.write_text(json.dumps({"mcpServers": {"old": {"command": "a"}}}))
    before = path.read_text()

    with pytest.raises(ConfigError, match="needs a 'url'"):
        add_server(path, "bad", {"type": "sse"})

    assert path.read_text() == before


def test_a_pre_registered_oauth_client_is_read_with_its_secret_expanded(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "mcp.json",
        {
            "gh": {
                "type": "http",
                "url": "https://gh.example/mcp",
                "oauth": {"clientId": "tau-app", "clientSecret": "${GH_SECRET}"},
            },
            "bad": {"type": "http", "url": "https://x.example/", "oauth": {"clientSecret": "s"}},
        },
    )

    config = read_config_file(path, "user", {"GH_SECRET": "s3cret"})

    server = config.servers["gh"]
    assert isinstance(server, RemoteServer)
    assert (server.oauth_client_id, server.oauth_client_secret) == ("tau-app", "s3cret")
    (error,) = config.errors
    assert "'oauth.clientSecret' needs 'oauth.clientId'" in str(error)


def test_a_relative_cwd_in_a_project_file_is_taken_from_the_project_root(tmp_path: Path) -> None:
    _write(tmp_path / ".tau" / "mcp.json", {"s": {"command": "x", "cwd": "tools/server"}})
    _write(tmp_path / "home" / "mcp.json", {"u": {"command": "x", "cwd": "srv"}})

    config = load_mcp_config(
        tau_home=tmp_path / "home", project_root=tmp_path, project_trusted=True, environ={}
    )

    project, user = config.servers["s"], config.servers["u"]
    assert isinstance(project, StdioServer) and isinstance(user, StdioServer)
    assert project.cwd == str(tmp_path / "tools" / "server")
    assert user.cwd == str(tmp_path / "home" / "srv")
