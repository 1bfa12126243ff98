"""A scrolling log of styled lines that renders only what is visible (line API).

Lines are `Content` (so theme colours resolve when drawn, and a theme change
recolours history). Long lines wrap at the widget's width like a terminal, except
lines written with `keep=True` (a GPFS command's output, a table that is being
taught): those keep their one row, the view scrolls sideways to show their end, and
a row cut at an edge is marked there (`›`, `‹`).
"""

from __future__ import annotations

from collections import deque
from typing import ClassVar

from rich.segment import Segment
from textual.content import Content
from textual.geometry import Size
from textual.strip import Strip
from textual.visual import Visual

from .line_view import LineView


def wrap_points(text: str, width: int, hang: int = 0) -> list[tuple[int, int]]:
    """Where a line breaks to fit `width`: at the last space that fits, else mid-word; rows
    after the first are `hang` cells narrower (they are drawn indented by that much)."""
    spans: list[tuple[int, int]] = []
    start = 0
    room = width
    while len(text) - start > room:
        cut = text.rfind(" ", start + 1, start + room + 1)
        if cut <= start:
            spans.append((start, start + room))
            start += room
        else:
            spans.append((start, cut))
            start = cut + 1
        room = max(width - hang, 1)
    spans.append((start, len(text)))
    return spans


class LineLog(LineView, can_focus=True):
    """Append-only, bounded, wrapped (or kept); follows the end unless scrolled up.

    A write costs what it adds, also once the log is full: the oldest line's rows
    leave from the front (rows and lines are numbered from the log's start, so
    nothing is renumbered). Drawn rows are kept, so a log that scrolls by a
    line draws one new row, not a screenful.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"line-log--cut"}
    DEFAULT_CSS = """
    LineLog > .line-log--cut { color: $accent; text-style: bold; }
    """

    def __init__(self, max_lines: int = 5000, *, id: str | None = None, classes: str | None = None,
                 hang: int = 0) -> None:
        """`hang`: a wrapped line's later rows are indented this much (at most half the width):
        the event log's start under its text column, not at column 0."""
        super().__init__(id=id, classes=classes)
        self.hang = hang
        self.lines: deque[Content] = deque(maxlen=max_lines)
        self.kept: deque[bool] = deque(maxlen=max_lines)  # per line: it keeps its row (never wrapped)
        self._widest = 0  # the widest kept line's cells: the sideways scroll's extent
        self._seen_height = 0  # the rows it had at the last resize
        self._first_line = 0  # the number of `lines[0]` since the log began
        self._rows: deque[tuple[int, int, int]] = deque()  # (line number, start, end) per screen row
        self._first_row = 0  # the number of `_rows[0]`
        self._width = 0
        self._rewrapping = False
        self._strips: dict[int, Strip] = {}  # drawn rows by number
        self._strip_key: tuple[object, ...] = ()

    def clear(self) -> None:
        self.lines.clear()
        self.kept.clear()
        self._widest = 0
        self._first_line = 0
        self._reflow()

    def write(self, line: Content | str, keep: bool = False) -> None:
        self.write_many([line], keep)

    def write_many(self, lines: list[Content | str], keep: bool = False) -> None:
        """Add `lines` at the end; with `keep`, each keeps its one row however wide (see the module docstring)."""
        if not lines:
            return
        follow = self.scroll_y >= self.max_scroll_y - 1
        maxlen = self.lines.maxlen or 0
        for line in lines:
            for part in (line if isinstance(line, Content) else Content(line)).split("\n"):
                if len(self.lines) == maxlen:
                    self._first_line += 1  # the append drops the oldest line
                self.lines.append(part)
                self.kept.append(keep)
                if keep:
                    self._widest = max(self._widest, part.cell_length)
                if self._width > 0:
                    self._add_rows(self._first_line + len(self.lines) - 1)
        if self._width <= 0:
            self._reflow()
        else:
            rows = self._rows
            while rows and rows[0][0] < self._first_line:
                rows.popleft()
                self._strips.pop(self._first_row, None)
                self._first_row += 1
            self._resize_virtual()
        if follow:
            self._follow()
            if self.scroll_x:
                self.scroll_to(x=0, animate=False)  # a new command's output is read from its first column
        self.refresh()

    def _follow(self) -> None:
        # at once when the new size is known (not after the next frame, which would cost one more)
        self.scroll_end(animate=False, x_axis=False, immediate=self.virtual_size.height == len(self._rows))

    @property
    def allow_horizontal_scroll(self) -> bool:
        """Shift+wheel and a sideways wheel scroll a log with kept lines wider than the view (no
        scrollbar is drawn for it: the rows cut at an edge are marked there instead)."""
        return self._widest > self._width and not self._check_disabled()

    def scroll_sideways(self, pages: float) -> None:
        """Scroll the kept lines sideways by `pages` of half the view's width (negative: left)."""
        step = max(self._width // 2, 1)
        self.scroll_to(x=max(0, min(self.scroll_x + round(pages * step), self.max_scroll_x)), animate=False)

    def _hang(self) -> int:
        return min(self.hang, max(self._width, 1) // 2)

    def _add_rows(self, number: int) -> None:
        index = number - self._first_line
        if self.kept[index]:
            self._rows.append((number, 0, -1))  # one row, whatever the width (end -1: the whole line)
            return
        for start, end in wrap_points(self.lines[number - self._first_line].plain, max(self._width, 1), self._hang()):
            self._rows.append((number, start, end))

    def _reflow(self) -> None:
        self._width = self.scrollable_content_region.width
        self._rows = deque()
        self._first_row = 0
        self._strips.clear()
        self._widest = max((line.cell_length for line, kept in zip(self.lines, self.kept) if kept), default=0)
        if self._width > 0:
            for index in range(len(self.lines)):
                self._add_rows(self._first_line + index)
        self._resize_virtual()
        self.refresh()

    def _resize_virtual(self) -> None:
        self.set_virtual_size(Size(max(self._width, self._widest, 1), len(self._rows)))

    def on_resize(self) -> None:
        # a log read at its end stays at its end when the dashboard gives it fewer rows (the panes
        # above took them back) or more
        old, self._seen_height = self._seen_height, self.scrollable_content_region.height
        at_end = self.scroll_y >= len(self._rows) - old - 1
        self._rewrap()
        if at_end and old != self._seen_height:
            self._follow()

    def watch_show_vertical_scrollbar(self) -> None:
        self._rewrap()  # the scrollbar takes (or gives back) a column: wrap to what is drawn

    def _rewrap(self) -> None:
        # Re-wrapping can show or hide the scrollbar, which changes the width and asks
        # for a re-wrap again; at a few columns that flips for ever. One level only: the
        # scrollbar's column is then either drawn over or left blank, never recursed on.
        if self._rewrapping or not self.is_mounted or self.scrollable_content_region.width == self._width:
            return
        self._rewrapping = True
        try:
            follow = self.scroll_y >= self.max_scroll_y - 1
            self._reflow()
            if follow:
                self._follow()
        finally:
            self._rewrapping = False

    def blank_from(self) -> int:
        if self._width <= 0 < self.scrollable_content_region.width and self.lines:
            self._reflow()  # (as the first row drawn would: the rows are known from here)
        return super().blank_from()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if self._width <= 0 < width and self.lines:
            self._reflow()
        style = self.visual_style
        index = self.scroll_offset.y + y
        if index >= len(self._rows) or width <= 0:
            return Strip.blank(max(width, 0), style.rich_style)
        scroll_x = self.scroll_offset.x
        key = (width, style, self.app.theme, scroll_x)
        if key != self._strip_key:  # a new width, theme or sideways scroll: draw again
            self._strip_key = key
            self._strips.clear()
        number = self._first_row + index
        strip = self._strips.get(number)
        if strip is None:
            if len(self._strips) > 4 * self.size.height + 64:  # keep about a screenful or two
                self._strips.clear()
            line_number, start, end = self._rows[index]
            if end < 0:
                strip = self._strips[number] = self._kept_strip(self.lines[line_number - self._first_line], width,
                                                                scroll_x)
                return strip
            part = self.lines[line_number - self._first_line][start:end]
            if start and self._hang():  # a wrapped line's later row: under the text column
                part = Content(" " * self._hang()) + part
            strips = Visual.to_strips(self, part, width, 1, style, pad=True)
            strip = self._strips[number] = strips[0] if strips else Strip.blank(width, style.rich_style)
        return strip

    def _kept_strip(self, line: Content, width: int, scroll_x: int) -> Strip:
        """A kept line's row: its cells from `scroll_x`, marked `‹` / `›` where it goes on past an edge."""
        style = self.visual_style
        cells = line.cell_length
        strips = Visual.to_strips(self, line, max(cells, scroll_x + width, 1), 1, style, pad=True)
        strip = (strips[0] if strips else Strip.blank(width, style.rich_style)).crop(scroll_x, scroll_x + width)
        left, right = scroll_x > 0 and cells > 0, cells > scroll_x + width
        if not (left or right) or width < 3:
            return strip
        mark = self.get_component_rich_style("line-log--cut", partial=True)
        base = style.rich_style
        segments = list(strip.crop(1 if left else 0, width - 1 if right else width))
        if left:
            segments.insert(0, Segment("‹", base + mark))
        if right:
            segments.append(Segment("›", base + mark))
        return Strip(segments, width)
