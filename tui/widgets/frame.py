"""A bordered pane whose children cover its inside (the console, the event log, the queue).

Textual renders every row of a container, though the compositor then shows only its
border. A frame's rows between its top and bottom border rows are all one row (the side
borders around its background: a Vertical draws nothing else, and its title and
subtitle are on the top and bottom rows), so that row is rendered once and repeated:
~2 M instructions of the first frame for each of the three. tests/tui/test_blank_bands.py
compares what they draw with Textual's full rendering.
"""

from __future__ import annotations

from textual.containers import Vertical
from textual.geometry import Region
from textual.strip import Strip


class Frame(Vertical):
    def render_lines(self, crop: Region) -> list[Strip]:
        last = self.outer_size.height - 1  # the bottom border's row
        if last < 2:
            return super().render_lines(crop)
        lines: list[Strip] = []
        inside: Strip | None = None
        for y in range(crop.y, crop.bottom):
            if 0 < y < last:
                if inside is None:
                    inside = super().render_lines(Region(crop.x, y, crop.width, 1))[0]
                lines.append(inside)
            else:
                lines.extend(super().render_lines(Region(crop.x, y, crop.width, 1)))
        return lines
