"""A bordered pane whose children cover its inside (the console, the event log, the queue).

Textual renders every row of a container, though the compositor then shows only its
border. A frame's rows between its top and bottom border rows are all one row (the side
borders around its background: a Vertical draws nothing else, and its title and
subtitle are on the border rows), so that row is rendered once and repeated:
~2 M instructions of the first frame for each of the three. tests/tui/test_blank_bands.py
compares what they draw with Textual's full rendering.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.containers import Vertical
from textual.geometry import Region
from textual.strip import Strip


def repeating_rows(crop: Region, start: int, end: int, render: Callable[[Region], list[Strip]]) -> list[Strip]:
    """The rows of `crop`, where the rows from `start` to `end` (the widget's own, end excluded) are
    one row: that row rendered once and repeated, the others rendered by `render` (Textual's)."""
    start, end = max(start, crop.y), min(end, crop.bottom)
    if end - start < 2:
        return render(crop)
    above = render(Region(crop.x, crop.y, crop.width, start - crop.y)) if start > crop.y else []
    below = render(Region(crop.x, end, crop.width, crop.bottom - end)) if crop.bottom > end else []
    return above + render(Region(crop.x, start, crop.width, 1)) * (end - start) + below


class Frame(Vertical):
    def render_lines(self, crop: Region) -> list[Strip]:
        top, _, bottom, _ = self.styles.gutter  # (its border and padding: inside them, its background alone)
        return repeating_rows(crop, top, self.outer_size.height - bottom, super().render_lines)
