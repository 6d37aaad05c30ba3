"""One skill: a folder with a SKILL.md, loaded in three levels.

1. Metadata (name, description, triggers) comes from the frontmatter alone and is
   all that discovery reads; it is what every system prompt lists.
2. Instructions (the markdown body) are read from disk only when the skill is
   triggered, starting at the byte where the frontmatter ended.
3. Resources (any other file in the folder) are read one at a time on request,
   and a request can never leave the folder: not with ``..``, not with an absolute
   path, not through a symlink.

The format is Anthropic's Agent Skills format, so a skill written for Claude works
unchanged; tau adds the optional ``triggers`` list its matcher uses.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tau_cli.core import ConfigError, TauError
from tau_cli.memory import MemoryFileError, read_frontmatter, read_text

SKILL_FILE = "SKILL.md"
MAX_NAME = 64
MAX_DESCRIPTION = 1024
MAX_FRONTMATTER_BYTES = 64 * 1024
MAX_INSTRUCTION_CHARS = 50_000
"""About 12k tokens: Agent Skills asks for bodies under 5k tokens; this is the hard stop."""
MAX_RESOURCE_CHARS = 200_000
MAX_RESOURCES_LISTED = 200

_Fail = Callable[[str, str], ConfigError]
_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TOOL_ENTRY = re.compile(r"^[A-Za-z0-9_*.-]+(?:\(.*\))?$", re.DOTALL)
"""A tool, or a tool with a specifier: the form a permission rule takes."""
_UTF8_MAX_BYTES_PER_CHAR = 4


class SkillResourceError(TauError):
    """A resource request that cannot be served; the model sees the message."""


@dataclass(frozen=True)
class Instructions:
    """A skill's body as it goes into a request."""

    text: str
    truncated: bool


@dataclass(frozen=True)
class Skill:
    """A discovered skill: its metadata, and where to read the rest when asked."""

    name: str
    description: str
    folder: Path
    scope: str = ""
    """Which configured folder it came from (``project``, ``user``, ``shipped`` ...)."""
    triggers: tuple[str, ...] = ()
    when_to_use: str = ""
    allowed_tools: tuple[str, ...] = ()
    license: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict, hash=False)
    body_offset: int = 0
    body_line: int = 1
    size_bytes: int = 0

    @property
    def path(self) -> Path:
        return self.folder / SKILL_FILE

    @property
    def body_bytes(self) -> int:
        return max(self.size_bytes - self.body_offset, 0)

    def instructions(self, *, max_chars: int = MAX_INSTRUCTION_CHARS) -> Instructions:
        """Level 2: read the body, cut at a line boundary beyond ``max_chars``.

        Raises:
            ConfigError: the body cannot be read or is not UTF-8 text.
        """
        limit = max_chars * _UTF8_MAX_BYTES_PER_CHAR + 1
        try:
            with self.path.open("rb") as handle:
                handle.seek(self.body_offset)
                data = handle.read(limit)
        except OSError as exc:
            raise ConfigError(
                f"cannot be read ({exc.strerror or exc})", path=str(self.path)
            ) from None
        partial = len(data) == limit
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            if not (partial and exc.start >= len(data) - _UTF8_MAX_BYTES_PER_CHAR):
                line = self.body_line + data.count(b"\n", 0, exc.start)
                raise ConfigError("is not UTF-8 text", path=str(self.path), line=line) from None
            text = data[: exc.start].decode("utf-8")
        text = text.replace("\r\n", "\n").strip("\n")
        if len(text) <= max_chars and not partial:
            return Instructions(text, truncated=False)
        head = text[:max_chars]
        cut = head[: head.rfind("\n") + 1] if "\n" in head else head
        notice = f"[tau: the rest of {SKILL_FILE} was cut at {max_chars} characters]"
        return Instructions(f"{cut.rstrip()}\n{notice}", truncated=True)

    def resources(self, *, limit: int = MAX_RESOURCES_LISTED) -> list[str]:
        """Level 3 names: the folder's other files, relative and sorted.

        Symlinks that lead out of the folder are left out; so is anything past ``limit``.
        """
        root = self.folder.resolve()
        found: list[str] = []
        for current, dirs, files in os.walk(root):
            dirs.sort()
            for name in files:
                full = Path(current) / name
                relative = full.relative_to(root).as_posix()
                if relative == SKILL_FILE or not full.resolve().is_relative_to(root):
                    continue
                found.append(relative)
        return sorted(found)[:limit]

    def read_resource(self, relative: str, *, max_chars: int = MAX_RESOURCE_CHARS) -> str:
        """Level 3: the text of one file in the skill's folder.

        Raises:
            SkillResourceError: the path leaves the folder, does not exist, or is not
                readable text.
        """
        where = f"skill {self.name!r}"
        if not relative.strip() or Path(relative).is_absolute():
            raise SkillResourceError(f"{where}: give a path relative to the skill's folder")
        root = self.folder.resolve()
        target = (root / relative).resolve()
        if not target.is_relative_to(root):
            raise SkillResourceError(f"{where}: {relative!r} is outside the skill's folder")
        if not target.is_file():
            raise SkillResourceError(f"{where}: there is no file {relative!r}")
        try:
            content = read_text(target, max_chars=max_chars)
        except MemoryFileError as exc:
            raise SkillResourceError(f"{where}: {relative} {exc.detail}") from None
        if content.truncated:
            return f"{content.text}[tau: {relative} was cut at {max_chars} characters]"
        return content.text


def parse_skill(path: Path, *, scope: str = "") -> Skill:
    """Read a SKILL.md's frontmatter (never its body) and validate it.

    ``path`` is the SKILL.md file or the folder holding it.

    Raises:
        ConfigError: the frontmatter is missing, not YAML, or breaks a rule of the
            format; the error names the file and the line.
    """
    if path.is_dir():
        path = path / SKILL_FILE
    where = str(path)
    try:
        front = read_frontmatter(path, max_bytes=MAX_FRONTMATTER_BYTES)
    except MemoryFileError as exc:
        raise ConfigError(exc.detail, path=where, line=exc.line) from None
    if front is None:
        raise ConfigError(
            "must start with YAML frontmatter between '---' lines", path=where, line=1
        )
    data, lines = front.data, front.key_lines

    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(message, path=where, line=lines.get(key, 1), key=key)

    name = data.get("name")
    if name is None:
        raise fail("name", "the frontmatter needs a 'name'")
    if not isinstance(name, str) or not _NAME.match(name) or len(name) > MAX_NAME:
        raise fail(
            "name",
            f"'name' must be lowercase letters, digits and single hyphens, at most {MAX_NAME} "
            f"characters (got {name!r})",
        )
    description = data.get("description")
    if not isinstance(description, str) or not description.strip():
        raise fail("description", "the frontmatter needs a 'description' (text)")
    description = " ".join(description.split())
    if len(description) > MAX_DESCRIPTION:
        raise fail(
            "description",
            f"'description' is {len(description)} characters; the limit is {MAX_DESCRIPTION}",
        )
    when_to_use = data.get("when_to_use", data.get("when-to-use", ""))
    if not isinstance(when_to_use, str):
        raise fail("when_to_use", "'when_to_use' must be text")
    license_ = data.get("license")
    if license_ is not None and not isinstance(license_, str):
        raise fail("license", "'license' must be text")
    return Skill(
        name=name,
        description=description,
        folder=path.parent,
        scope=scope,
        triggers=_strings(data.get("triggers"), "triggers", fail),
        when_to_use=" ".join(when_to_use.split()),
        allowed_tools=_tools(data.get("allowed-tools"), fail),
        license=license_,
        metadata=_metadata(data.get("metadata"), fail),
        body_offset=front.body_offset,
        body_line=front.body_line,
        size_bytes=path.stat().st_size,
    )


def _strings(value: object, key: str, fail: _Fail) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise fail(key, f"'{key}' must be a list of text")
    return tuple(v.strip() for v in value)


def _tools(value: object, fail: _Fail) -> tuple[str, ...]:
    """``allowed-tools``: one text (Agent Skills separates entries with spaces, Claude
    Code's commands with commas) or a YAML list with one entry per item.

    Each entry is a tool name or ``tool(specifier)``, the form of a permission rule,
    which is how the runtime reads it when the skill is active; a malformed entry is
    an error here, so ``tau skills check`` reports it with the file and line.
    """
    if value is None:
        return ()
    if isinstance(value, str):
        entries = _split_tools(value, fail)
    elif isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        entries = [v.strip() for v in value]
    else:
        raise fail("allowed-tools", "'allowed-tools' must be text or a list of text")
    for entry in entries:
        if not _TOOL_ENTRY.match(entry):
            raise fail(
                "allowed-tools",
                f"'allowed-tools' entry {entry!r} is not a tool name or tool(specifier), "
                "e.g. Read or Bash(git log:*)",
            )
    return tuple(entries)


def _split_tools(text: str, fail: _Fail) -> list[str]:
    """Entries separated by spaces or commas, except inside parentheses
    (``Bash(git log:*)`` is one entry)."""
    entries: list[str] = []
    current = ""
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
        if depth == 0 and (char.isspace() or char == ","):
            entries += [current] if current else []
            current = ""
        else:
            current += char
    if depth != 0:
        raise fail(
            "allowed-tools",
            f"'allowed-tools' has unbalanced parentheses in {text.strip()!r}",
        )
    return entries + ([current] if current else [])


def _metadata(value: object, fail: _Fail) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise fail("metadata", "'metadata' must be a mapping of keys to values")
    return {str(k): str(v) for k, v in value.items()}
