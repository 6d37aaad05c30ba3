"""The agent's own memory as tools: the progress hand-off, the feature list, notes.

Long tasks outlive a context window and a session. These tools let the model keep
what it did, what is next and the decisions it made (``progress``), a pass/fail
feature list (``features``), and organised notes (``notes``) — plain files under
``.tau/`` that the next session, and the user, can read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, JsonValue

from tau_cli.core import ToolDefinition, ToolResult
from tau_cli.memory import MemoryFileError, NoteStore, WorkingMemory
from tau_cli.tools import ToolContext
from tau_cli.tools.builtin import Arguments


class _ProgressArguments(Arguments):
    action: Literal["read", "append", "write"] = Field(
        description="read the file, append one entry to a section, or write it whole."
    )
    section: Literal["done", "next", "decisions"] | None = Field(
        default=None, description="For append: which section."
    )
    text: str = Field(default="", description="For append: the entry. For write: the file.")


class _FeaturesArguments(Arguments):
    action: Literal["list", "set"] = Field(description="list the features, or set one.")
    name: str = Field(default="", description="For set: the feature's name.")
    status: Literal["pass", "fail"] = Field(default="fail", description="For set.")
    description: str = Field(default="", description="For set: what the feature is.")


class _NotesArguments(Arguments):
    action: Literal["list", "search", "read", "write"] = Field(description="What to do.")
    kind: Literal["concepts", "guides", "sessions", "reviews"] | None = Field(
        default=None, description="For list (optional) and write."
    )
    query: str = Field(default="", description="For search: words that must all appear.")
    ref: str = Field(default="", description="For read: the note as kind/slug.")
    title: str = Field(default="", description="For write.")
    body: str = Field(default="", description="For write: markdown.")


class _MemoryTool:
    read_only = True  # only tau's own files under .tau/ change
    name: str
    _definition: ToolDefinition

    @property
    def definition(self) -> ToolDefinition:
        return self._definition


class ProgressTool(_MemoryTool):
    name = "progress"

    def __init__(self, root: Path) -> None:
        self._memory = WorkingMemory(root)
        self._definition = ToolDefinition.from_model(
            self.name,
            "Keep the task's hand-off notes in .tau/memory/progress.md: what is done, what is "
            "next, key decisions. Read it at the start of long work; append as you finish "
            'steps. Example: {"action": "append", "section": "done", "text": "Parser handles '
            'CRLF"}.',
            _ProgressArguments,
        )

    async def execute(self, arguments: dict[str, JsonValue], context: ToolContext) -> ToolResult:
        args = _ProgressArguments.model_validate(arguments)
        try:
            if args.action == "read":
                return ToolResult(
                    text=self._memory.read_progress() or "The progress file is empty."
                )
            if args.action == "write":
                self._memory.write_progress(args.text)
                return ToolResult(text="Progress file written.")
            if args.section is None:
                return ToolResult.error("append needs a section: done, next or decisions.")
            self._memory.append_progress(args.section, args.text)
        except (ValueError, MemoryFileError) as exc:
            return ToolResult.error(str(exc))
        return ToolResult(text=f"Added to {args.section}.")


class FeaturesTool(_MemoryTool):
    name = "features"

    def __init__(self, root: Path) -> None:
        self._memory = WorkingMemory(root)
        self._definition = ToolDefinition.from_model(
            self.name,
            "The task's feature list with pass/fail status (.tau/memory/features.json). Mark a "
            "feature pass only after verifying it. Example: "
            '{"action": "set", "name": "login", "status": "pass"}.',
            _FeaturesArguments,
        )

    async def execute(self, arguments: dict[str, JsonValue], context: ToolContext) -> ToolResult:
        args = _FeaturesArguments.model_validate(arguments)
        try:
            if args.action == "set":
                if not args.name:
                    return ToolResult.error("set needs the feature's name.")
                self._memory.set_feature(
                    args.name, args.status, description=args.description or None
                )
            return ToolResult(text=self._memory.render_features() or "No features yet.")
        except (ValueError, MemoryFileError) as exc:
            return ToolResult.error(str(exc))


class NotesTool(_MemoryTool):
    name = "notes"

    def __init__(self, root: Path) -> None:
        self._store = NoteStore(root)
        self._definition = ToolDefinition.from_model(
            self.name,
            "Organised notes under .tau/notes/ (concepts, guides, sessions, reviews) that last "
            "beyond this conversation: list, search, read by kind/slug, or write. Example: "
            '{"action": "search", "query": "retry policy"}.',
            _NotesArguments,
        )

    async def execute(self, arguments: dict[str, JsonValue], context: ToolContext) -> ToolResult:
        args = _NotesArguments.model_validate(arguments)
        try:
            if args.action == "list":
                notes = self._store.notes(args.kind)
                return ToolResult(
                    text="\n".join(f"{n.ref}: {n.title}" for n in notes) or "No notes."
                )
            if args.action == "search":
                hits = self._store.search(args.query)
                return ToolResult(
                    text="\n".join(f"{h.note.ref}: {h.excerpt}" for h in hits) or "No note matches."
                )
            if args.action == "read":
                note, body = self._store.read(args.ref)
                return ToolResult(text=f"# {note.title}\n\n{body}")
            if args.kind is None or not args.title:
                return ToolResult.error("write needs a kind and a title.")
            note = self._store.write(args.kind, args.title, args.body)
            return ToolResult(text=f"Saved {note.ref}.")
        except (ValueError, MemoryFileError) as exc:
            return ToolResult.error(str(exc))
