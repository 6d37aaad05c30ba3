"""Bootstrap memory: the TAU.md files compiled into the system prompt.

Sources load in a fixed order, so the prompt reads from the most general to the
most specific instruction:

1. ``$TAU_HOME/TAU.md``, the user's own memory;
2. for every folder from the repository root down to the working directory, its
   ``TAU.md`` (or ``.tau/TAU.md``, for projects that keep tau's files together) and
   then (when enabled) ``AGENTS.md`` and ``CLAUDE.md``, which users bring from other
   agents;
3. ``.tau/TAU.local.md`` at the repository root, personal and git-ignored.

Each source is followed by the files it imports with ``@path`` (depth first, at most
five levels). A ``TAU.md`` in any other folder of the repository loads the first
time a tool touches that folder (``BootstrapMemory.touch``); its section is appended,
so everything compiled before stays byte-for-byte the same and a provider's prompt
cache keeps hitting.

Problems that leave the rest usable (an import cycle, a missing or untrusted import,
a file cut for size) become ``MemoryWarning``\\ s; a file that cannot be read as text
raises ``MemoryFileError`` naming it.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tau_cli.memory._files import read_text
from tau_cli.memory._imports import find_imports

SourceKind = Literal["user", "project", "compat", "local", "subfolder", "import"]
"""Why a source is in the prompt: see the module docstring for the order."""

MEMORY_FILE = "TAU.md"
DOTTED_MEMORY_FILE = Path(".tau") / "TAU.md"
LOCAL_MEMORY_FILE = Path(".tau") / "TAU.local.md"
COMPAT_FILES: tuple[str, ...] = ("AGENTS.md", "CLAUDE.md")

_TAG = "memory"


@dataclass(frozen=True)
class BootstrapOptions:
    """How bootstrap memory is gathered; the runtime builds this from settings."""

    tau_home: Path | None = None
    """Folder of the user's ``TAU.md``; ``None`` loads no user memory."""
    compat_files: tuple[str, ...] = COMPAT_FILES
    """Other agents' memory files read next to each ``TAU.md``; empty to switch off."""
    trusted: bool = False
    """Whether imports may reach outside the repository (or outside ``tau_home``)."""
    max_source_chars: int = 40_000
    """Longer files are cut at a line boundary, with a warning and a visible marker."""
    max_import_depth: int = 5
    """How deep ``@path`` imports may nest below a source."""


@dataclass(frozen=True)
class MemorySource:
    """One file as it appears in the prompt, with what it costs there."""

    path: Path
    """Resolved location on disk."""
    label: str
    """How the prompt names it: relative to the repository, or ``~/...``."""
    kind: SourceKind
    section: str
    """The exact text this source adds to the prompt, tags included."""
    tokens: int
    """Cost of ``section`` by the caller's counting function."""
    size_bytes: int
    truncated: bool
    imported_by: str | None = None


@dataclass(frozen=True)
class MemoryWarning:
    """A problem worth showing that did not stop the rest from loading."""

    label: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.label}:{self.line}" if self.line is not None else self.label
        return f"{where}: {self.message}"


class BootstrapMemory:
    """The loaded memory of one working directory; grows as sub-folders are touched.

    Build it with ``load_bootstrap``. ``sources`` and ``warnings`` are what ``/memory``
    and ``tau memory show`` display; ``render()`` is what the system prompt holds.
    """

    def __init__(
        self,
        repo_root: Path,
        cwd: Path,
        options: BootstrapOptions,
        count_tokens: Callable[[str], int],
    ) -> None:
        self.repo_root = repo_root
        self.cwd = cwd
        self.options = options
        self.count_tokens = count_tokens
        self.sources: list[MemorySource] = []
        self.warnings: list[MemoryWarning] = []
        self._home = _resolve(Path.home())
        self._loaded: set[Path] = set()
        self._visited_dirs: set[Path] = set()
        self._touched: list[Path] = []

    def render(self) -> str:
        """The memory part of the system prompt: the same bytes for the same sources."""
        return "\n\n".join(source.section for source in self.sources)

    @property
    def total_tokens(self) -> int:
        return sum(source.tokens for source in self.sources)

    def touch(self, path: Path) -> list[MemorySource]:
        """Load the memory of the folders leading to ``path`` that were not loaded yet.

        Call this when a tool reads, writes or lists ``path``. Returns the sources it
        added (already appended to ``sources``); paths outside the repository add none.
        """
        target = _resolve(self.cwd / path)
        folder = target if target.is_dir() else target.parent
        if not folder.is_relative_to(self.repo_root):
            return []
        before = len(self.sources)
        self._touched.append(folder)
        for directory in _chain(self.repo_root, folder):
            if directory in self._visited_dirs:
                continue
            self._visited_dirs.add(directory)
            for name in (MEMORY_FILE, *self.options.compat_files):
                self._load_top(directory / name, "subfolder", root=self.repo_root)
        return self.sources[before:]

    def reload(self) -> BootstrapMemory:
        """Read every file again, keeping the sub-folders touched so far, in order.

        For after a memory file changed (a ``#`` note, an edit): the prompt changes
        once, then stays stable again.
        """
        fresh = load_bootstrap(self.cwd, self.count_tokens, self.options)
        for folder in self._touched:
            fresh.touch(folder)
        return fresh

    def describe(self) -> str:
        """A plain-text account of what is loaded and what it costs, for people."""
        total = f"{self.total_tokens:,}"
        lines = [f"Memory: {len(self.sources)} file(s), {total} tokens"]
        width = max((len(s.label) for s in self.sources), default=0)
        for source in self.sources:
            notes = [f"imported by {source.imported_by}"] if source.imported_by else []
            if source.truncated:
                notes.append("cut for size")
            extra = f"  ({'; '.join(notes)})" if notes else ""
            lines.append(
                f"  {source.label:<{width}}  {source.kind:<9}  {source.tokens:>7,} tokens{extra}"
            )
        if self.warnings:
            lines.append("Warnings:")
            lines.extend(f"  {warning}" for warning in self.warnings)
        return "\n".join(lines)

    # -- loading -----------------------------------------------------------------

    def _load_startup(self) -> None:
        if self.options.tau_home is not None:
            tau_home = _resolve(self.options.tau_home)
            self._load_top(tau_home / MEMORY_FILE, "user", root=tau_home)
        for directory in _chain(self.repo_root, self.cwd):
            self._visited_dirs.add(directory)
            self._load_top(directory / MEMORY_FILE, "project", root=self.repo_root)
            self._load_top(directory / DOTTED_MEMORY_FILE, "project", root=self.repo_root)
            for name in self.options.compat_files:
                self._load_top(directory / name, "compat", root=self.repo_root)
        self._load_top(self.repo_root / LOCAL_MEMORY_FILE, "local", root=self.repo_root)

    def _load_top(self, path: Path, kind: SourceKind, *, root: Path) -> None:
        if path.is_file():
            self._load(path, kind, root=root, chain=(), imported_by=None)

    def _load(
        self,
        path: Path,
        kind: SourceKind,
        *,
        root: Path,
        chain: tuple[Path, ...],
        imported_by: str | None,
    ) -> None:
        resolved = _resolve(path)
        if resolved in self._loaded:
            return
        self._loaded.add(resolved)
        label = self._label(resolved)
        content = read_text(resolved, max_chars=self.options.max_source_chars)
        text = content.text
        if content.truncated:
            limit = self.options.max_source_chars
            self.warnings.append(
                MemoryWarning(
                    label,
                    f"is {content.size_bytes} bytes; only its first {len(text)} characters "
                    f"are loaded (the limit is {limit})",
                )
            )
            text = f"{text.rstrip()}\n[tau: the rest of this file was cut at {limit} characters]"
        section = _section(label, kind, text, imported_by)
        self.sources.append(
            MemorySource(
                path=resolved,
                label=label,
                kind=kind,
                section=section,
                tokens=self.count_tokens(section),
                size_bytes=content.size_bytes,
                truncated=content.truncated,
                imported_by=imported_by,
            )
        )
        self._follow_imports(resolved, label, text, root=root, chain=(*chain, resolved))

    def _follow_imports(
        self, path: Path, label: str, text: str, *, root: Path, chain: tuple[Path, ...]
    ) -> None:
        for ref in find_imports(text):
            target = _resolve(_import_path(path.parent, ref.target))
            if target in chain:
                cycle = " -> ".join(self._label(p) for p in (*chain[chain.index(target) :], target))
                self._warn(label, ref.line, f"import cycle {cycle}; @{ref.target} is skipped")
            elif len(chain) > self.options.max_import_depth:
                self._warn(
                    label,
                    ref.line,
                    f"@{ref.target} is nested deeper than {self.options.max_import_depth} "
                    "imports and is not loaded",
                )
            elif not self.options.trusted and not target.is_relative_to(root):
                self._warn(
                    label,
                    ref.line,
                    f"@{ref.target} is outside {self._root_name(root)} and is loaded "
                    "only in a trusted workspace",
                )
            elif not target.exists():
                self._warn(label, ref.line, f"@{ref.target} does not exist")
            elif target.is_dir():
                self._warn(label, ref.line, f"@{ref.target} is a folder, not a file")
            else:
                self._load(target, "import", root=root, chain=chain, imported_by=label)

    def _warn(self, label: str, line: int, message: str) -> None:
        self.warnings.append(MemoryWarning(label, message, line))

    def _root_name(self, root: Path) -> str:
        return "the repository" if root == self.repo_root else self._label(root)

    def _label(self, path: Path) -> str:
        if path.is_relative_to(self.repo_root):
            return path.relative_to(self.repo_root).as_posix() or "."
        if path.is_relative_to(self._home):
            return "~/" + path.relative_to(self._home).as_posix()
        return path.as_posix()


def load_bootstrap(
    cwd: Path,
    count_tokens: Callable[[str], int],
    options: BootstrapOptions | None = None,
) -> BootstrapMemory:
    """Load every bootstrap source for a session started in ``cwd``.

    Args:
        cwd: the working directory; the repository is the nearest folder above it
            holding ``.git`` (or ``cwd`` itself when there is none).
        count_tokens: measures each source's section, e.g. a token counter's
            ``count_text``; this package knows no tokenizer of its own.
        options: where the user's memory lives, compatibility files, trust, limits.

    Raises:
        MemoryFileError: a source or import is not readable UTF-8 text.
    """
    options = options or BootstrapOptions()
    cwd = _resolve(cwd)
    repo_root = find_repo_root(cwd)
    memory = BootstrapMemory(repo_root, cwd, options, count_tokens)
    memory._load_startup()
    return memory


def find_repo_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding ``.git``; ``start`` if none does."""
    start = _resolve(start)
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def _chain(top: Path, bottom: Path) -> Sequence[Path]:
    """``top``, then each folder below it down to ``bottom`` (which lies inside ``top``)."""
    parts = bottom.relative_to(top).parts
    return [top.joinpath(*parts[:i]) for i in range(len(parts) + 1)]


def _import_path(folder: Path, target: str) -> Path:
    if target.startswith("~/"):
        return Path.home() / target[2:]
    return folder / target


def _resolve(path: Path) -> Path:
    return path.expanduser().resolve()


def _section(label: str, kind: SourceKind, text: str, imported_by: str | None) -> str:
    attrs = f'source="{html.escape(label)}" kind="{kind}"'
    if imported_by is not None:
        attrs += f' imported-by="{html.escape(imported_by)}"'
    body = text.strip("\n").replace(f"</{_TAG}", f"&lt;/{_TAG}")
    return f"<{_TAG} {attrs}>\n{body}\n</{_TAG}>"
