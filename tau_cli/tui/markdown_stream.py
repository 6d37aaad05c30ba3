"""A markdown view that stays fast while a long answer streams in.

Textual's stock ``Markdown`` widget re-parses and re-lays-out the whole
document as it grows, and a Rich ``Markdown`` in one ``Static`` re-renders all
of it on every update; both fall behind on long answers. ``MarkdownStream``
instead:

- splits the text into blocks (``BlockSplitter``) and renders each finished block
  once, to lines kept in a cache (re-rendered only when the width changes);
- re-renders only the unfinished tail;
- does that at most once a frame, however many deltas arrive in between
  (``append`` only adds to a buffer), and at once for a delta after a quiet spell;
- draws through Textual's line API, so only the lines on screen are painted;
- stamps each line with its position, so the mouse selects text and Ctrl+C copies it
  (``screen.copy_text``, over OSC 52 in a real terminal).
"""

from __future__ import annotations

import time
from typing import ClassVar

from textual.geometry import Size
from textual.selection import Selection
from textual.strip import Strip
from textual.widget import Widget

from tau_cli.tui.blocks import BlockSplitter
from tau_cli.tui.lines import selectable, selected_text
from tau_cli.tui.markdown_render import BlockMarkdown


class MarkdownStream(Widget):
    """Markdown that can grow by deltas; finished blocks are rendered once."""

    DEFAULT_CSS = """
    MarkdownStream {
        height: auto;
        padding: 0 1;
    }
    """
    FRAME_SECONDS: ClassVar[float] = 1 / 60
    """The longest a delta waits to be shown; deltas in one frame render together."""

    def __init__(
        self,
        text: str = "",
        *,
        code_theme: str = "ansi_dark",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._code_theme = code_theme
        self._splitter = BlockSplitter()
        self._blocks: list[str] = []
        self._block_lines: list[list[Strip]] = []
        self._lines: list[Strip] = []
        """Every finished block's lines, in order, with a blank line between blocks."""
        self._tail = ""
        self._tail_lines: list[Strip] = []
        self._buffer = text
        self._width = 0
        self._flush_pending = False
        self._last_flush = 0.0
        self._laid_out_lines = 0
        self._finished = False
        self.renders = 0
        """How many blocks were rendered to lines (the tail counts each time); for tests."""

    @property
    def text(self) -> str:
        """All the text received so far."""
        done = "\n\n".join(self._blocks)
        rest = self._tail + self._buffer if not self._finished else ""
        return f"{done}\n\n{rest}" if done and rest else done or rest

    @property
    def finished(self) -> bool:
        return self._finished

    def append(self, text: str) -> None:
        """Add a delta; it is shown within a frame, with every delta that follows it."""
        if self._finished:
            raise RuntimeError("this answer is finished")
        self._buffer += text
        if not self._flush_pending and self.is_mounted:
            # The first delta after a quiet spell is shown at once; while deltas keep
            # coming, they are shown together, a frame after the last render.
            self._flush_pending = True
            wait = self._last_flush + self.FRAME_SECONDS - time.monotonic()
            if wait > 0:
                self.set_timer(wait, self._flush)
            else:
                self.call_later(self._flush)

    def finish(self) -> None:
        """The answer is complete: the tail becomes a finished block."""
        if self._finished:
            return
        self._consume()
        last = self._splitter.finish()
        if last is not None:
            self._add_block(last)
        self._tail, self._tail_lines = "", []
        self._finished = True
        self._changed()

    def on_mount(self) -> None:
        if self._buffer:
            self._flush_pending = True
            self.call_after_refresh(self._flush)

    def _flush(self) -> None:
        self._flush_pending = False
        self._last_flush = time.monotonic()
        if self._finished or not self._buffer:
            return
        self._consume()
        tail = self._splitter.tail
        if tail != self._tail:
            self._tail = tail
            self._tail_lines = self._render_block(tail) if tail.strip() else []
        self._changed()

    def _consume(self) -> None:
        data, self._buffer = self._buffer, ""
        for block in self._splitter.feed(data):
            self._add_block(block)

    def _add_block(self, block: str) -> None:
        self._blocks.append(block)
        lines = self._render_block(block)
        self._block_lines.append(lines)
        if self._lines:
            self._lines.append(Strip.blank(self._width))
        self._lines.extend(lines)

    def _render_block(self, block: str) -> list[Strip]:
        if self._width <= 0:
            return []
        self.renders += 1
        console = self.app.console
        options = console.options.update_width(self._width)
        rendered = console.render_lines(
            BlockMarkdown(block, code_theme=self._code_theme), options, pad=False
        )
        return [Strip(line).simplify() for line in rendered]

    def _set_width(self, width: int) -> None:
        """Re-render everything for a new width (the only time finished blocks re-render)."""
        if width == self._width or width <= 0:
            return
        self._width = width
        self._block_lines = [self._render_block(block) for block in self._blocks]
        self._lines = []
        for lines in self._block_lines:
            if self._lines:
                self._lines.append(Strip.blank(width))
            self._lines.extend(lines)
        self._tail_lines = self._render_block(self._tail) if self._tail.strip() else []

    def _changed(self) -> None:
        # A new line changes the widget's height (a layout of the screen); a longer
        # last line needs only a repaint of this widget.
        lines = self.line_count
        self.refresh(layout=lines != self._laid_out_lines)
        self._laid_out_lines = lines

    @property
    def line_count(self) -> int:
        gap = 1 if self._lines and self._tail_lines else 0
        return len(self._lines) + gap + len(self._tail_lines)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._set_width(width)
        return self.line_count

    def render_line(self, y: int) -> Strip:
        done = len(self._lines)
        if y < done:
            line = self._lines[y]
        else:
            at = y - done - (1 if self._lines else 0)
            line = self._tail_lines[at] if 0 <= at < len(self._tail_lines) else Strip.blank(0)
        selection = self.text_selection
        style = self.screen.get_component_rich_style("screen--selection") if selection else None
        return selectable(line.apply_style(self.rich_style), y, selection, style)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The selected text as the reader sees it (rendered, not the markdown source)."""
        gap = [Strip.blank(0)] if self._lines and self._tail_lines else []
        lines = [line.text for line in (*self._lines, *gap, *self._tail_lines)]
        return selected_text(lines, selection), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()
