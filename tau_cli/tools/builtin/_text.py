"""Telling text from binary, and keeping a file's encoding and line endings on a round trip."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

_SNIFF = 8192
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    """The content with every line ending turned into ``\\n``."""
    encoding: str
    newline: str
    """``\\r\\n`` when the file used CRLF line endings, else ``\\n``."""

    def encode(self, text: str) -> bytes:
        """``text`` (with ``\\n`` endings) as bytes in this file's encoding and endings."""
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        return text.encode(self.encoding)


def decode(data: bytes) -> Decoded | None:
    """The text of ``data``, or ``None`` when it is binary."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _decoded(data.decode(encoding), encoding)
            except UnicodeDecodeError:
                return None
    if b"\x00" in data[:_SNIFF]:
        return None
    try:
        return _decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    sample = data[:_SNIFF]
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if controls > len(sample) // 100:
        return None
    return _decoded(data.decode("latin-1"), "latin-1")  # legacy 8-bit text, kept byte-exact


def _decoded(text: str, encoding: str) -> Decoded:
    newline = "\r\n" if "\r\n" in text else "\n"
    if newline != "\n":
        text = text.replace("\r\n", "\n")
    return Decoded(text=text, encoding=encoding, newline=newline)
