"""Structured notes: what an agent learned, kept where the next session can find it.

Notes are markdown files under ``.tau/notes/<kind>/<slug>.md`` with a small YAML
frontmatter (title, tags). The four kinds follow the concept document: ``concepts``
(how something works), ``guides`` (how to do something), ``sessions`` (hand-offs
written at the end of a session) and ``reviews``. ``INDEX.md`` lists them all and is
rewritten with every note, so a person browsing the folder sees the same index the
agent lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal, get_args

import yaml

from tau_cli.memory._errors import MemoryFileError
from tau_cli.memory._files import read_text, write_atomic
from tau_cli.memory.frontmatter import Frontmatter, parse_frontmatter

NOTES_DIR = Path(".tau") / "notes"
INDEX_FILE = "INDEX.md"

NoteKind = Literal["concepts", "guides", "sessions", "reviews"]
NOTE_KINDS: tuple[NoteKind, ...] = get_args(NoteKind)

HANDOFF_REQUEST = (
    "The session is ending. Write a hand-off note for whoever continues this work: "
    "what was done, what is in progress, what is next, decisions made and why, and "
    "anything that surprised you. Be specific: name files, commands and open questions."
)
"""What the runtime may ask the model at session end; the answer goes to ``write_handoff``."""

_SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")
_REF = re.compile(r"^(?P<kind>[a-z]+)/(?P<slug>[a-z0-9][a-z0-9-]*)(?:\.md)?$")
_MAX_SLUG = 80


@dataclass(frozen=True)
class Note:
    """A note's identity and metadata; its body is read with ``NoteStore.read``."""

    kind: NoteKind
    slug: str
    title: str
    tags: tuple[str, ...]
    path: Path

    @property
    def ref(self) -> str:
        """How the agent names the note: ``kind/slug``."""
        return f"{self.kind}/{self.slug}"


@dataclass(frozen=True)
class NoteHit:
    """A note that matches a search, with the first matching line of its body to show."""

    note: Note
    score: int
    line: int | None
    excerpt: str


class NoteStore:
    """The notes of one project."""

    def __init__(self, project_root: Path) -> None:
        self.folder = project_root / NOTES_DIR

    def write(self, kind: NoteKind, title: str, body: str, *, tags: tuple[str, ...] = ()) -> Note:
        """Create the note, or replace the one with the same title; updates the index.

        Raises:
            ValueError: the kind is unknown or the title has no letters or digits.
        """
        _check_kind(kind)
        title = " ".join(title.split())
        slug = _slugify(title)
        if not slug:
            raise ValueError("a note's title needs at least one letter or digit")
        clean_tags = tuple(t.strip() for t in tags if t.strip())
        meta: dict[str, object] = {"title": title}
        if clean_tags:
            meta["tags"] = list(clean_tags)
        header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
        path = self.folder / kind / f"{slug}.md"
        write_atomic(path, f"---\n{header}---\n\n{body.strip()}\n")
        write_atomic(self.folder / INDEX_FILE, self.render_index())
        return Note(kind, slug, title, clean_tags, path)

    def write_handoff(self, text: str, *, at: datetime, tags: tuple[str, ...] = ()) -> Note:
        """Keep a session's hand-off as a ``sessions`` note named after its time.

        ``at`` comes from the caller's clock, so the note's name is testable and
        notes sort by time.

        Raises:
            ValueError: the hand-off is empty.
        """
        if not text.strip():
            raise ValueError("the hand-off note is empty")
        title = f"Hand-off {at:%Y-%m-%d %H%M%S}"
        return self.write("sessions", title, text, tags=("hand-off", *tags))

    def read(self, ref: str) -> tuple[Note, str]:
        """The note named ``kind/slug`` and its body.

        Raises:
            ValueError: ``ref`` is not a ``kind/slug`` name (so it cannot name a path
                outside the notes folder) or no such note exists.
            MemoryFileError: the note's frontmatter is malformed.
        """
        match = _REF.match(ref.strip())
        if match is None or match["kind"] not in NOTE_KINDS:
            kinds = ", ".join(NOTE_KINDS)
            raise ValueError(f"{ref!r} is not a note name: use kind/slug, kind one of {kinds}")
        path = self.folder / match["kind"] / f"{match['slug']}.md"
        if not path.is_file():
            raise ValueError(f"there is no note {match['kind']}/{match['slug']}")
        return self._load(path)

    def notes(self, kind: NoteKind | None = None) -> list[Note]:
        """Every note (of one kind, if given), by kind and then by name."""
        kinds = NOTE_KINDS if kind is None else (_check_kind(kind),)
        found: list[Note] = []
        for each in kinds:
            folder = self.folder / each
            if folder.is_dir():
                found.extend(self._load(p)[0] for p in sorted(folder.glob("*.md")) if p.is_file())
        return found

    def search(self, query: str, *, limit: int = 20) -> list[NoteHit]:
        """Notes holding every word of ``query`` (any case), most mentions first."""
        terms = [t.lower() for t in query.split()]
        if not terms:
            return []
        hits: list[NoteHit] = []
        for note in self.notes():
            _, body = self._load(note.path)
            haystack = "\n".join([note.title, " ".join(note.tags), body]).lower()
            if not all(term in haystack for term in terms):
                continue
            score = sum(haystack.count(term) for term in terms)
            line, excerpt = _first_mention(body, terms) or (None, note.title)
            hits.append(NoteHit(note, score, line, excerpt))
        hits.sort(key=lambda h: (-h.score, h.note.ref))
        return hits[:limit]

    def render_index(self) -> str:
        """``INDEX.md``: every note by kind, with its tags."""
        lines = ["# Notes", ""]
        notes = self.notes()
        if not notes:
            lines.append("No notes yet.")
        for kind in NOTE_KINDS:
            of_kind = [n for n in notes if n.kind == kind]
            if not of_kind:
                continue
            lines += [f"## {kind.capitalize()}", ""]
            for note in of_kind:
                tags = f" ({', '.join(note.tags)})" if note.tags else ""
                lines.append(f"- [{note.title}]({note.ref}.md){tags}")
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    def _load(self, path: Path) -> tuple[Note, str]:
        kind = path.parent.name
        if kind not in NOTE_KINDS:
            raise MemoryFileError(path, "is not inside a notes kind folder")
        front, body = parse_frontmatter(path, read_text(path).text)
        data = front.data if front is not None else {}
        title = data.get("title", path.stem)
        tags = data.get("tags", [])
        if not isinstance(title, str):
            raise MemoryFileError(path, "'title' must be text", line=_line(front, "title"))
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise MemoryFileError(path, "'tags' must be a list of text", line=_line(front, "tags"))
        note = Note(kind, path.stem, title, tuple(tags), path)
        return note, body.strip("\n")


def _check_kind(kind: str) -> NoteKind:
    if kind not in NOTE_KINDS:
        raise ValueError(f"unknown note kind {kind!r}; use one of: {', '.join(NOTE_KINDS)}")
    return kind


def _slugify(title: str) -> str:
    return _SLUG_UNSAFE.sub("-", title.lower()).strip("-")[:_MAX_SLUG].rstrip("-")


def _first_mention(body: str, terms: list[str]) -> tuple[int, str] | None:
    for number, line in enumerate(body.splitlines(), start=1):
        if any(term in line.lower() for term in terms):
            return number, line.strip()
    return None


def _line(front: Frontmatter | None, key: str) -> int | None:
    return front.key_lines.get(key) if front is not None else None
