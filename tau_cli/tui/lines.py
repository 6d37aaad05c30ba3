"""Rendered lines that the mouse can select: shared by every line-drawn view of the pane.

Textual selects text in a widget by the ``offset`` each segment carries (its column and
row in the widget); a widget that draws through ``render_line`` must stamp those offsets
itself, show the selected span, and give back the text under a selection. These helpers
do that for lists of cached ``Strip``s, so caching and selection do not fight.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from textual.selection import Selection
from textual.strip import Strip


def selectable(line: Strip, y: int, selection: Selection | None, style: Style | None) -> Strip:
    """``line`` (row ``y`` of its widget) with selection offsets, the selected span in ``style``."""
    if selection is not None and style is not None and (span := selection.get_span(y)) is not None:
        start, end = span
        length = line.cell_length
        end = length if end == -1 else min(end, length)
        if start < end:
            before, chosen, after = line.divide([start, end, length])
            line = Strip.join([before, chosen.apply_style(style), after])
    return line.apply_offsets(0, y)


def selected_text(lines: Sequence[str], selection: Selection, first: int = 0) -> str:
    """The text a selection covers, given the plain text of rows ``first`` onwards.

    Trailing blanks of each row are padding, not text: they are left out.
    """
    start, end = selection
    shift = (0, -first)
    moved = Selection(
        None if start is None else start + shift,
        None if end is None else end + shift,
    )
    return moved.extract("\n".join(line.rstrip() for line in lines))
