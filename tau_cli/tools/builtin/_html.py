"""HTML to readable markdown-ish text, with the standard library's parser.

A model reading a documentation page needs its headings, paragraphs, lists, code
and links, not its scripts, styles and layout. This keeps exactly that; it is not
a full markdown converter and does not try to be.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin

_SKIP = frozenset({"script", "style", "noscript", "svg", "template", "iframe", "head"})
_BLOCK = frozenset(
    {
        "p", "div", "section", "article", "main", "header", "footer", "nav", "aside",
        "ul", "ol", "table", "tr", "blockquote", "figure", "form", "dl", "dt", "dd",
    }
)  # fmt: skip
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class _Converter(HTMLParser):
    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.out: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False
        self._pre = 0
        self._links: list[str | None] = []
        self._link_text_start: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        if tag in _SKIP:
            self._skip += 1
            return
        if self._skip:
            return
        if tag in _BLOCK:
            self._newline(2 if tag in ("p", "table", "blockquote") else 1)
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._newline(2)
            self.out.append("#" * int(tag[1]) + " ")
        elif tag == "li":
            self._newline(1)
            self.out.append("- ")
        elif tag == "br":
            self.out.append("\n")
        elif tag == "pre":
            self._newline(2)
            self.out.append("```\n")
            self._pre += 1
        elif tag == "code" and not self._pre:
            self.out.append("`")
        elif tag in ("td", "th"):
            self.out.append(" | ")
        elif tag == "a":
            href = dict(attrs).get("href")
            self._links.append(urljoin(self.base_url, href) if href else None)
            self._link_text_start.append(len(self.out))
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.out.append(f"[image: {alt}]")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if self._skip:
            return
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6") or tag in _BLOCK:
            self._newline(2 if tag.startswith("h") or tag == "p" else 1)
        elif tag == "pre" and self._pre:
            self._pre -= 1
            self._newline(1)
            self.out.append("```")
            self._newline(2)
        elif tag == "code" and not self._pre:
            self.out.append("`")
        elif tag == "a" and self._links:
            href = self._links.pop()
            start = self._link_text_start.pop()
            text = "".join(self.out[start:]).strip()
            if href and text and not href.startswith(("javascript:", "#")):
                del self.out[start:]
                self.out.append(f"[{text}]({href})")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._skip:
            return
        self.out.append(data if self._pre else _SPACES.sub(" ", data.replace("\n", " ")))

    def _newline(self, count: int) -> None:
        self.out.append("\n" * count)


def html_to_text(html: str, base_url: str = "") -> tuple[str, str]:
    """``(title, text)`` of a page: headings, paragraphs, lists, code and links kept."""
    converter = _Converter(base_url)
    converter.feed(html)
    converter.close()
    text = "".join(converter.out)
    lines = [line.rstrip() if "```" in text else line.strip() for line in text.split("\n")]
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return converter.title.strip(), text
