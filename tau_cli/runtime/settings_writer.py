"""Writing to settings files: the one change tau makes on the user's behalf.

When the user answers a permission question with "always allow", the rule goes
into the project's personal ``.tau/settings.local.yaml`` so it is not asked again
and is not shared through git. The file is rewritten atomically; comments in it
are not preserved (YAML round trips drop them), which the docs say.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from tau_cli.core import ConfigError

LOCAL_SETTINGS = Path(".tau") / "settings.local.yaml"


def add_allow_rule(project_root: Path, rule: str) -> Path:
    """Add ``rule`` to ``permissions.allow`` of the local settings; returns the file."""
    path = project_root / LOCAL_SETTINGS
    data: dict[str, Any] = {}
    if path.exists():
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ConfigError(f"cannot add the rule {rule!r}: {exc}", path=str(path)) from exc
        if isinstance(loaded, dict):
            data = loaded
    permissions = data.setdefault("permissions", {})
    allow = permissions.setdefault("allow", [])
    if rule not in allow:
        allow.append(rule)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        yaml.safe_dump(data, f, sort_keys=False, allow_unicode=True)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _keep_out_of_git(path)
    return path


def _keep_out_of_git(path: Path) -> None:
    ignore = path.parent / ".gitignore"
    lines = ignore.read_text(encoding="utf-8").splitlines() if ignore.exists() else []
    if path.name not in lines:
        with ignore.open("a", encoding="utf-8") as f:
            f.write(f"{path.name}\n")
