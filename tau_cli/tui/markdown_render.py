"""Markdown to terminal lines, quickly enough to run per block and per frame.

Rich's ``Markdown`` builds a new markdown-it parser for every document it renders, and
building one costs more than parsing a paragraph with it. The pane renders an answer
block by block (and the unfinished block once a frame), so ``BlockMarkdown`` keeps one
parser, configured as Rich configures its own, and renders exactly as Rich does.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from rich.markdown import Markdown

_parser: MarkdownIt | None = None


def _shared_parser() -> MarkdownIt:
    global _parser
    if _parser is None:
        _parser = MarkdownIt().enable("strikethrough").enable("table")
    return _parser


class BlockMarkdown(Markdown):
    """Rich's ``Markdown`` over a shared parser (rendering is Rich's own)."""

    def __init__(self, markup: str, code_theme: str = "ansi_dark") -> None:
        # Rich's __init__ only builds the parser, parses, and stores these fields.
        self.markup = markup
        self.parsed = _shared_parser().parse(markup)
        self.code_theme = code_theme
        self.justify = None
        self.style = "none"
        self.hyperlinks = True
        self.inline_code_lexer = None
        self.inline_code_theme = code_theme
