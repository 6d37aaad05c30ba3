"""MCP server configuration in the ``mcpServers`` format users already write for other agents.

Servers come from four places, later ones overriding earlier ones of the same name:
``$TAU_HOME/mcp.json`` (the user's), the ``mcp_servers`` settings key, the project's
``.mcp.json`` and ``.tau/mcp.json``. A project is untrusted input, so its files are read
only when the caller says the project is trusted, and its servers carry ``scope="project"``
so they can be held back until the user approves them (see ``approvals``).

Nothing here imports the MCP SDK: reading configuration must stay cheap. One bad server
entry does not cost the others: each problem becomes a ``ConfigError`` naming the file and
the server, collected next to the servers that are fine.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from tau_cli.core import ConfigError

Scope = Literal["user", "settings", "project"]

_SERVER_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_HTTP_TYPES: dict[str, Literal["sse", "http"]] = {
    "http": "http",
    "streamable-http": "http",
    "streamable_http": "http",
    "sse": "sse",
}


class _Server(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    """The key under ``mcpServers``; tools are named ``mcp__<name>__<tool>``."""
    scope: Scope = "user"
    source: str = ""
    """The file (or ``settings``) the entry came from, for messages."""


class StdioServer(_Server):
    """A server tau starts as a child process and speaks to over stdin/stdout."""

    transport: Literal["stdio"] = "stdio"
    command: str
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict)
    """Added to the allow-listed environment; nothing else of tau's environment is passed."""
    cwd: str | None = None


class RemoteServer(_Server):
    """A server already running somewhere, reached over SSE or streamable HTTP."""

    transport: Literal["sse", "http"]
    url: str
    headers: dict[str, str] = Field(default_factory=dict)
    oauth_client_id: str | None = None
    """A client registered with the server's authorization server out of band
    (``"oauth": {"clientId": ..., "clientSecret": ...}``); without it tau registers itself."""
    oauth_client_secret: str | None = None


ServerConfig = Annotated[StdioServer | RemoteServer, Field(discriminator="transport")]


class McpConfig(BaseModel):
    """The servers to start, and the problems found on the way (each already worded)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    servers: dict[str, StdioServer | RemoteServer] = Field(default_factory=dict)
    errors: list[ConfigError] = Field(default_factory=list)


def project_config_files(project_root: Path) -> list[Path]:
    """The project's MCP files, lowest precedence first."""
    return [project_root / ".mcp.json", project_root / ".tau" / "mcp.json"]


def user_config_file(tau_home: Path) -> Path:
    return tau_home / "mcp.json"


def load_mcp_config(
    *,
    tau_home: Path,
    project_root: Path | None,
    project_trusted: bool,
    settings_servers: Mapping[str, Mapping[str, JsonValue]] | None = None,
    environ: Mapping[str, str] | None = None,
) -> McpConfig:
    """Every configured server, later sources overriding earlier ones by name.

    Args:
        tau_home: where the user's ``mcp.json`` lives.
        project_root: the project whose ``.mcp.json`` and ``.tau/mcp.json`` are read.
        project_trusted: project files are skipped entirely unless this is true.
        settings_servers: the resolved ``mcp_servers`` setting (already trust-filtered).
        environ: for ``${VAR}`` expansion; ``os.environ`` when omitted.
    """
    env = os.environ if environ is None else environ
    config = McpConfig()
    _merge(config, read_config_file(user_config_file(tau_home), "user", env))
    if settings_servers:
        _merge(
            config,
            parse_servers(settings_servers, scope="settings", source="settings", environ=env),
        )
    if project_root is not None and project_trusted:
        for path in project_config_files(project_root):
            _merge(config, read_config_file(path, "project", env, base=project_root))
    return config


def read_config_file(
    path: Path, scope: Scope, environ: Mapping[str, str], *, base: Path | None = None
) -> McpConfig:
    """The servers of one ``mcpServers`` file; a missing file has none.

    A relative ``cwd`` is taken from ``base`` (the project root for project files, so a
    shared file means the same folder on every machine), else from the file's folder.
    """
    if not path.exists():
        return McpConfig()
    data = _read_json(path)
    if isinstance(data, ConfigError):
        return McpConfig(errors=[data])
    servers = data.get("mcpServers", {})
    if not isinstance(servers, dict):
        error = ConfigError("'mcpServers' must be an object", path=str(path), key="mcpServers")
        return McpConfig(errors=[error])
    return parse_servers(
        servers, scope=scope, source=str(path), environ=environ, base=base or path.parent
    )


def parse_servers(
    entries: Mapping[str, Any],
    *,
    scope: Scope,
    source: str,
    environ: Mapping[str, str],
    base: Path | None = None,
) -> McpConfig:
    """Turn ``mcpServers`` entries into server configs, collecting per-server errors.

    ``base`` resolves a relative ``cwd``; without it a relative ``cwd`` is kept as written.
    """
    config = McpConfig()
    for name, entry in entries.items():
        try:
            server = _parse_server(str(name), entry, scope, source, environ, base)
        except ConfigError as exc:
            config.errors.append(exc)
            continue
        if server is not None:
            config.servers[server.name] = server
    return config


def expand_variables(text: str, environ: Mapping[str, str]) -> str:
    """Replace ``${VAR}`` and ``${VAR:-default}``; a missing ``VAR`` without default is an error.

    Raises:
        KeyError: naming the missing variable.
    """

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        value = environ.get(name)
        if value is None or (value == "" and default is not None):
            if default is None:
                raise KeyError(name)
            return default
        return value

    return _VARIABLE.sub(replace, text)


def add_server(path: Path, name: str, entry: Mapping[str, JsonValue]) -> None:
    """Write (or replace) server ``name`` in the ``mcpServers`` file at ``path``.

    The entry is checked first, other servers and keys of the file are kept, and the file
    is replaced atomically, so a mistake never costs what was already there.
    """
    _check_name(name, str(path))
    probe = parse_servers(
        {name: dict(entry)}, scope="user", source=str(path), environ=_AnyVariable()
    )
    if probe.errors:
        raise probe.errors[0]
    data = _read_json(path) if path.exists() else {}
    if isinstance(data, ConfigError):
        raise data
    servers = data.setdefault("mcpServers", {})
    if not isinstance(servers, dict):
        raise ConfigError("'mcpServers' must be an object", path=str(path), key="mcpServers")
    servers[name] = dict(entry)
    _write_json(path, data)


def remove_server(path: Path, name: str) -> bool:
    """Remove server ``name`` from the file at ``path``; False when it was not there."""
    if not path.exists():
        return False
    data = _read_json(path)
    if isinstance(data, ConfigError):
        raise data
    servers = data.get("mcpServers")
    if not isinstance(servers, dict) or name not in servers:
        return False
    del servers[name]
    _write_json(path, data)
    return True


class _AnyVariable(Mapping[str, str]):
    """An environment in which every variable is set, to check an entry that is not expanded."""

    def __getitem__(self, key: str) -> str:
        return "x"

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def _resolve(folder: str, base: Path | None) -> str:
    path = Path(folder).expanduser()
    return str(base / path) if base is not None and not path.is_absolute() else str(path)


def _merge(into: McpConfig, other: McpConfig) -> None:
    into.servers.update(other.servers)
    into.errors.extend(other.errors)


def _read_json(path: Path) -> dict[str, Any] | ConfigError:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        return ConfigError(f"not valid JSON: {exc.msg}", path=str(path), line=exc.lineno)
    except (OSError, UnicodeDecodeError) as exc:
        return ConfigError(f"cannot read the file: {exc}", path=str(path))
    if not isinstance(data, dict):
        return ConfigError('expected a JSON object like {"mcpServers": {...}}', path=str(path))
    return data


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".mcp-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(json.dumps(data, indent=2) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _check_name(name: str, source: str) -> None:
    if not _SERVER_NAME.match(name):
        raise ConfigError(
            f"server name {name!r} must be 1-40 letters, digits, '_' or '-' "
            "(it becomes part of tool names)",
            path=source,
            key=f"mcpServers.{name}",
        )


def _parse_server(
    name: str,
    entry: Any,
    scope: Scope,
    source: str,
    environ: Mapping[str, str],
    base: Path | None = None,
) -> StdioServer | RemoteServer | None:
    key = f"mcpServers.{name}"

    def fail(message: str) -> ConfigError:
        return ConfigError(f"server {name!r}: {message}", path=source, key=key)

    _check_name(name, source)
    if not isinstance(entry, dict):
        raise fail("expected an object with 'command' or 'url'")
    if entry.get("disabled") is True:
        return None

    def text(field: str, value: Any) -> str:
        if not isinstance(value, str):
            raise fail(f"'{field}' must be a string")
        try:
            return expand_variables(value, environ)
        except KeyError as exc:
            raise fail(
                f"'{field}' uses ${{{exc.args[0]}}}, which is not set "
                f"(set it, or write ${{{exc.args[0]}:-default}})"
            ) from None

    def mapping(field: str) -> dict[str, str]:
        value = entry.get(field, {})
        if not isinstance(value, dict):
            raise fail(f"'{field}' must be an object of strings")
        return {str(k): text(f"{field}.{k}", v) for k, v in value.items()}

    kind = entry.get("type", entry.get("transport"))
    common: dict[str, Any] = {"name": name, "scope": scope, "source": source}
    if kind in (None, "stdio") and "url" not in entry:
        if "command" not in entry:
            raise fail("needs 'command' (a stdio server) or 'url' with 'type' (a remote server)")
        args = entry.get("args", [])
        if not isinstance(args, list):
            raise fail("'args' must be a list of strings")
        cwd = entry.get("cwd")
        return StdioServer(
            **common,
            command=text("command", entry["command"]),
            args=[text(f"args[{i}]", a) for i, a in enumerate(args)],
            env=mapping("env"),
            cwd=None if cwd is None else _resolve(text("cwd", cwd), base),
        )
    transport = _HTTP_TYPES.get(kind if isinstance(kind, str) else "http")
    if transport is None:
        raise fail(f"unknown 'type' {kind!r}; use 'stdio', 'sse' or 'http'")
    if "url" not in entry:
        raise fail(f"a {kind!r} server needs a 'url'")
    url = text("url", entry["url"])
    if not url.startswith(("http://", "https://")):
        raise fail(f"'url' must start with http:// or https://, got {url!r}")
    oauth = entry.get("oauth", {})
    if not isinstance(oauth, dict) or not isinstance(oauth.get("clientId", ""), str):
        raise fail('\'oauth\' must be an object like {"clientId": ..., "clientSecret": ...}')
    client_id = text("oauth.clientId", oauth["clientId"]) if "clientId" in oauth else None
    secret = text("oauth.clientSecret", oauth["clientSecret"]) if "clientSecret" in oauth else None
    if secret is not None and client_id is None:
        raise fail("'oauth.clientSecret' needs 'oauth.clientId'")
    return RemoteServer(
        **common,
        transport=transport,
        url=url,
        headers=mapping("headers"),
        oauth_client_id=client_id,
        oauth_client_secret=secret,
    )
