"""A scrolling log of styled lines that renders only what is visible (line API).

Lines are `Content` (so theme colours resolve when drawn, and a theme change
recolours history). Long lines wrap at the widget's width like a terminal.
"""

from __future__ import annotations

from collections import deque

from textual.content import Content
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.visual import Visual


def wrap_points(text: str, width: int) -> list[tuple[int, int]]:
    """Where a line breaks to fit `width`: at the last space that fits, else mid-word."""
    spans: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > width:
        cut = text.rfind(" ", start + 1, start + width + 1)
        if cut <= start:
            spans.append((start, start + width))
            start += width
        else:
            spans.append((start, cut))
            start = cut + 1
    spans.append((start, len(text)))
    return spans


class LineLog(ScrollView, can_focus=True):
    """Append-only, bounded, wrapped; follows the end unless scrolled up."""

    def __init__(self, max_lines: int = 5000, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.lines: deque[Content] = deque(maxlen=max_lines)
        self._rows: list[tuple[int, int, int]] = []  # (line index, start, end) per screen row
        self._width = 0

    def clear(self) -> None:
        self.lines.clear()
        self._reflow()

    def write(self, line: Content | str) -> None:
        self.write_many([line])

    def write_many(self, lines: list[Content | str]) -> None:
        if not lines:
            return
        follow = self.scroll_y >= self.max_scroll_y - 1
        before = len(self.lines)
        added = 0
        for line in lines:
            for part in (line if isinstance(line, Content) else Content(line)).split("\n"):
                self.lines.append(part)
                added += 1
        if before + added > (self.lines.maxlen or 0) or self._width <= 0:
            self._reflow()
        else:
            for index in range(before, len(self.lines)):
                self._add_rows(index)
            self._resize_virtual()
        if follow:
            self.scroll_end(animate=False, x_axis=False)
        self.refresh()

    def _add_rows(self, index: int) -> None:
        for start, end in wrap_points(self.lines[index].plain, max(self._width, 1)):
            self._rows.append((index, start, end))

    def _reflow(self) -> None:
        self._width = self.scrollable_content_region.width
        self._rows = []
        if self._width > 0:
            for index in range(len(self.lines)):
                self._add_rows(index)
        self._resize_virtual()
        self.refresh()

    def _resize_virtual(self) -> None:
        self.virtual_size = Size(max(self._width, 1), len(self._rows))

    def on_resize(self) -> None:
        if self.scrollable_content_region.width != self._width:
            follow = self.scroll_y >= self.max_scroll_y - 1
            self._reflow()
            if follow:
                self.scroll_end(animate=False, x_axis=False)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        style = self.visual_style
        index = self.scroll_offset.y + y
        if index >= len(self._rows) or width <= 0:
            return Strip.blank(max(width, 0), style.rich_style)
        line_index, start, end = self._rows[index]
        part = self.lines[line_index][start:end]
        strips = Visual.to_strips(self, part, width, 1, style, pad=True)
        return strips[0] if strips else Strip.blank(width, style.rich_style)
