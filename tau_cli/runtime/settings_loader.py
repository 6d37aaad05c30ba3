"""Load, check and merge settings from files, the environment and flags.

Later sources win: defaults < user file < project file < local file < environment
< flags. Lists of permission rules, extra folders and hooks accumulate instead of
replacing, so a project file can add a deny rule but never remove the user's. Every
value remembers where it came from (``tau config show`` prints it).

Each file is validated on its own before merging, so an error names the file, the
line and the key that is wrong. Nothing here raises anything but ``ConfigError``
for bad input.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from tau_cli.core import ConfigError
from tau_cli.runtime.paths import project_root, tau_home
from tau_cli.runtime.settings import Settings
from tau_cli.runtime.trust import GATED_KEYS, LOOSENING_MODES, LOOSENING_VALUES, TrustStore
from tau_cli.runtime.yaml_lines import KeyPath, line_for, read_yaml

# Environment variables tau reads, and the settings key each one sets.
ENV_KEYS: dict[str, tuple[str, ...]] = {
    "TAU_MODEL": ("model",),
    "OLLAMA_HOST": ("providers", "ollama", "base_url"),
    "AZURE_OPENAI_ENDPOINT": ("providers", "azure", "base_url"),
    "AZURE_OPENAI_API_KEY": ("providers", "azure", "api_key"),
    "OPENAI_API_KEY": ("providers", "openai", "api_key"),
    "OPENAI_BASE_URL": ("providers", "openai", "base_url"),
    "ANTHROPIC_API_KEY": ("providers", "anthropic", "api_key"),
    "ANTHROPIC_BASE_URL": ("providers", "anthropic", "base_url"),
}
_ACCUMULATING = {
    ("permissions", "allow"),
    ("permissions", "ask"),
    ("permissions", "deny"),
    ("permissions", "additional_directories"),
    ("skills", "paths"),
    ("sandbox", "writable_paths"),
    ("sandbox", "denied_paths"),
    ("container", "mounts"),
}


@dataclass(frozen=True)
class Source:
    """Where one value came from: ``kind`` is default, user, project, local, env or flag."""

    kind: str
    location: str | None = None

    def __str__(self) -> str:
        return self.kind if self.location is None else f"{self.kind} ({self.location})"


@dataclass(frozen=True)
class IgnoredSetting:
    """A project setting left out because the folder is not trusted."""

    key: str
    source: Source
    reason: str


@dataclass(frozen=True)
class ResolvedSettings:
    settings: Settings
    sources: dict[str, Source]
    """Dotted key (list items as ``key[i]``) -> where its value came from."""
    ignored: list[IgnoredSetting]
    trusted: bool
    project_root: Path
    files: list[Path] = field(default_factory=list)

    def source_of(self, key: str) -> Source:
        return self.sources.get(key, Source("default"))


@dataclass
class _Layer:
    kind: str
    data: dict[str, Any]
    path: Path | None = None
    lines: dict[KeyPath, int] = field(default_factory=dict)
    labels: dict[KeyPath, str] = field(default_factory=dict)

    def source(self, key: KeyPath) -> Source:
        if self.path is not None:
            line = line_for(self.lines, key)
            return Source(self.kind, f"{self.path}:{line}" if line else str(self.path))
        for end in range(len(key), 0, -1):
            if key[:end] in self.labels:
                return Source(self.kind, self.labels[key[:end]])
        return Source(self.kind)


def load_settings(
    cwd: Path,
    *,
    environ: Mapping[str, str] | None = None,
    flags: Mapping[str, object] | None = None,
    flag_names: Mapping[str, str] | None = None,
    trust: bool | None = None,
) -> ResolvedSettings:
    """Resolve the effective settings for a session working in ``cwd``.

    Args:
        cwd: The working directory; its project root is found from here.
        environ: Environment variables (``os.environ`` when None).
        flags: Command-line values by dotted key, e.g. ``{"model": "ollama:qwen3:8b",
            "permissions.allow": ["Bash(ls:*)"]}``.
        flag_names: How each dotted key was spelled on the command line
            (``{"permissions.allow": "--allow"}``), for ``tau config show``.
        trust: Force the folder's trust for this run (``--trust``); None asks the
            trust store.
    """
    env = dict(os.environ if environ is None else environ)
    home = tau_home(env)
    root = project_root(cwd)
    user_file = home / "settings.yaml"
    project_files = [("project", root / ".tau" / "settings.yaml")]
    project_files.append(("local", root / ".tau" / "settings.local.yaml"))

    layers: list[_Layer] = []
    files: list[Path] = []
    if user_file.is_file():
        layers.append(_read_file("user", user_file))
        files.append(user_file)
    project_layers = []
    for kind, path in project_files:
        if path.is_file() and path.resolve() != user_file.resolve():
            project_layers.append(_read_file(kind, path))
            files.append(path)

    trusted = TrustStore(home).is_trusted(root) if trust is None else trust
    ignored: list[IgnoredSetting] = []
    if not trusted:
        for layer in project_layers:
            ignored.extend(_strip_untrusted(layer))
    layers.extend(project_layers)
    layers.append(_env_layer(env))
    if flags:
        layers.append(_flag_layer(flags, flag_names or {}))

    for layer in layers:
        _validate(layer)
    merged: dict[str, Any] = {}
    sources: dict[KeyPath, Source] = {}
    for layer in layers:
        _merge(merged, layer.data, layer, (), sources)
    settings = _validate(_Layer("merged", merged))
    return ResolvedSettings(
        settings=settings,
        sources={_dotted(k): v for k, v in sources.items()},
        ignored=ignored,
        trusted=trusted,
        project_root=root,
        files=files,
    )


def _read_file(kind: str, path: Path) -> _Layer:
    data, lines = read_yaml(path, "settings")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"settings must be a mapping of keys to values, not a {type(data).__name__}",
            path=str(path),
            line=1,
        )
    return _Layer(kind, data, path=path, lines=lines)


def _env_layer(env: Mapping[str, str]) -> _Layer:
    data: dict[str, Any] = {}
    labels: dict[KeyPath, str] = {}
    for name, key in ENV_KEYS.items():
        value = env.get(name)
        if not value:
            continue
        if name == "OLLAMA_HOST" and "://" not in value:
            value = f"http://{value}"
        _set(data, key, value)
        labels[key] = name
    return _Layer("env", data, labels=labels)


def _flag_layer(flags: Mapping[str, object], names: Mapping[str, str]) -> _Layer:
    data: dict[str, Any] = {}
    labels: dict[KeyPath, str] = {}
    for dotted, value in flags.items():
        key = tuple(dotted.split("."))
        _set(data, key, value)
        labels[key] = names.get(dotted, f"--{dotted}")
    return _Layer("flag", data, labels=labels)


def _set(data: dict[str, Any], key: tuple[str, ...], value: object) -> None:
    for part in key[:-1]:
        data = data.setdefault(part, {})
    data[key[-1]] = value


def _strip_untrusted(layer: _Layer) -> list[IgnoredSetting]:
    ignored = []
    for dotted, reason in GATED_KEYS.items():
        key = tuple(dotted.split("."))
        if _pop(layer.data, key):
            ignored.append(IgnoredSetting(dotted, layer.source(key), reason))
    permissions = layer.data.get("permissions")
    if isinstance(permissions, dict) and permissions.get("default_mode") in LOOSENING_MODES:
        key = ("permissions", "default_mode")
        mode = permissions.pop("default_mode")
        ignored.append(
            IgnoredSetting(
                "permissions.default_mode",
                layer.source(key),
                f"default mode {mode!r} loosens permissions",
            )
        )
    for dotted, (loose, reason) in LOOSENING_VALUES.items():
        section, name = dotted.split(".")
        values = layer.data.get(section)
        if isinstance(values, dict) and name in values and _as_bool(values[name]) == loose:
            del values[name]
            ignored.append(IgnoredSetting(dotted, layer.source((section, name)), reason))
    return ignored


def _as_bool(value: object) -> bool | None:
    """``value`` as the settings model will read it ("yes", 1, "true"...), else None."""
    try:
        return TypeAdapter(bool).validate_python(value)
    except ValidationError:
        return None


def _pop(data: dict[str, Any], key: tuple[str, ...]) -> bool:
    for part in key[:-1]:
        data = data.get(part)  # type: ignore[assignment]
        if not isinstance(data, dict):
            return False
    if key[-1] in data:
        del data[key[-1]]
        return True
    return False


def _merge(
    into: dict[str, Any],
    data: Mapping[str, Any],
    layer: _Layer,
    prefix: KeyPath,
    sources: dict[KeyPath, Source],
) -> None:
    for name, value in data.items():
        key = (*prefix, name)
        accumulates = key in _ACCUMULATING or (len(key) == 2 and key[0] == "hooks")
        if isinstance(value, dict) and isinstance(into.get(name), dict):
            _merge(into[name], value, layer, key, sources)
        elif accumulates and isinstance(value, list):
            existing = into.setdefault(name, [])
            for i, item in enumerate(value):
                if item not in existing:
                    sources[(*key, len(existing))] = layer.source((*key, i))
                    existing.append(item)
        else:
            for old in [k for k in sources if k[: len(key)] == key]:
                del sources[old]
            into[name] = _copy(value)
            _record_leaves(value, key, layer, sources)


def _record_leaves(value: Any, key: KeyPath, layer: _Layer, sources: dict[KeyPath, Source]) -> None:
    if isinstance(value, dict) and value:
        for name, item in value.items():
            _record_leaves(item, (*key, name), layer, sources)
    elif isinstance(value, list) and value:
        for i, item in enumerate(value):
            _record_leaves(item, (*key, i), layer, sources)
    else:
        sources[key] = layer.source(key)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _validate(layer: _Layer) -> Settings:
    try:
        return Settings.model_validate(layer.data)
    except ValidationError as exc:
        raise _config_error(layer, exc) from None


def _config_error(layer: _Layer, exc: ValidationError) -> ConfigError:
    problems: list[tuple[KeyPath, str]] = []
    for error in exc.errors(include_url=False):
        key = _settings_key(error["loc"])
        problems.append((key, _describe(key, error)))
    first_key = problems[0][0]
    if layer.path is not None:
        if len(problems) == 1:
            line = line_for(layer.lines, first_key)
            return ConfigError(
                problems[0][1], path=str(layer.path), line=line, key=_dotted(first_key)
            )
        listed = [f"line {line_for(layer.lines, key) or '?'}: {text}" for key, text in problems]
        return ConfigError(
            "\n  " + "\n  ".join(listed), path=str(layer.path), key=_dotted(first_key)
        )
    where = layer.source(first_key)
    origin = f"from {where.location}" if where.location else f"from {where.kind}"
    message = "\n  ".join(text for _, text in problems)
    return ConfigError(f"{message} ({origin})", key=_dotted(first_key))


def _settings_key(loc: tuple[str | int, ...]) -> KeyPath:
    # pydantic adds validator names to the location of union and function errors.
    return tuple(p for p in loc if not (isinstance(p, str) and p.startswith("function-")))


def _describe(key: KeyPath, error: Any) -> str:
    name = _dotted(key)
    if error["type"] == "extra_forbidden":
        hint = _suggest(key)
        return f"unknown key {name!r}" + (f" (did you mean {hint!r}?)" if hint else "")
    message = str(error["msg"]).removeprefix("Value error, ")
    got = error.get("input")
    shown = "" if isinstance(got, dict | list) or got is None else f", got {got!r}"
    return f"key {name!r}: {message[0].lower()}{message[1:]}{shown}"


def _suggest(key: KeyPath) -> str | None:
    model: type[BaseModel] | None = Settings
    for part in key[:-1]:
        if model is None or not isinstance(part, str) or part not in model.model_fields:
            return None
        annotation = model.model_fields[part].annotation
        model = (
            annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel)
            else None
        )
    if model is None:
        return None
    matches = difflib.get_close_matches(str(key[-1]), list(model.model_fields), n=1)
    return _dotted((*key[:-1], matches[0])) if matches else None


def _dotted(key: KeyPath) -> str:
    out = ""
    for part in key:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out
