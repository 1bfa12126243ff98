"""A line-API scroll view that costs one frame per change, not three.

Textual lays out the whole screen whenever a widget's `virtual_size` changes,
and after every layout each scroll view repaints its scrollbars in a frame of
their own (the compositor hands a scroll view its region's size as the virtual
size, so ScrollView always thinks it changed). A log that grows by a line or a
queue that gains an op does not move any other widget: when the view's own
size is fixed by CSS, its new virtual size only needs its scrollbars updated,
in the same frame. A layout still happens when a scrollbar appears or goes.
"""

from __future__ import annotations

from rich.segment import Segment
from textual import events
from textual.content import Content
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual
from textual.widget import Widget

from .frame import repeating_rows


class PointedItems:
    """A one-row bar of items found by position (the toggle bar, the key bar): `_regions` holds each
    item's cells [start, end), `_hover` the item under the pointer (`_hovered` is told of a change)."""

    _regions: list[tuple[int, int]] = []  # noqa: RUF012 - (replaced whole, never changed in place)
    _hover: int | None = None

    def _at(self, x: int) -> int | None:
        return next((index for index, (start, end) in enumerate(self._regions) if start <= x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._set_hover(self._at(event.x))

    def on_leave(self, event: events.Leave) -> None:
        self._set_hover(None)

    def _set_hover(self, index: int | None) -> None:
        if index != self._hover:
            self._hover = index
            self._hovered(index)

    def _hovered(self, index: int | None) -> None:
        """The item under the pointer changed (a widget repaints)."""


def content_row(widget: Widget, content: Content, y: int) -> Strip | None:
    """Row `y` of a one-row widget showing one line of `content`: its segments in the widget's style,
    padded to its width. What Textual's content rendering draws (tests/tui/test_blank_bands.py compares
    them) for far less work; None for content wider than the widget (Textual wraps it: theirs)."""
    width = widget.size.width
    base = widget.visual_style
    if y or width <= 0:
        return Strip.blank(max(width, 0), base.rich_style)
    if content.cell_length > width or "\n" in content.plain:
        return None
    parse = widget.app.stylesheet.parse_style
    segments = [Segment(text, (base + style).rich_style) for text, style in content.render(base, "", parse)]
    return Strip(segments).adjust_cell_length(width, base.rich_style)


class LineView(ScrollView):
    """Base for the dashboard's line-API views (LineLog, QueueView, ContentView)."""

    _sized: tuple[Size, Size, Size] | None = None

    def blank_from(self) -> int:
        """The first of the view's rows past its content (each line is a row: `virtual_size`'s height,
        scrolled): from there on every row is one blank row."""
        return max(self.virtual_size.height - self.scroll_offset.y, 0)

    def render_lines(self, crop: Region) -> list[Strip]:
        """Textual renders each row; the rows past the content are all one blank row (inside a border, if
        any), rendered once: a log, a queue or a pane with little in it is mostly blank rows on the first
        frame. tests/tui/test_blank_bands.py compares it with Textual's full rendering."""
        top, _, bottom, _ = self.styles.gutter
        return repeating_rows(crop, top + self.blank_from(), self.outer_size.height - bottom, super().render_lines)

    def set_virtual_size(self, size: Size) -> None:
        """Set the scrollable size; no screen layout unless this view's size follows its content."""
        if size == self.virtual_size:
            return
        if self.styles.auto_dimensions or not self.size or not self.is_mounted:
            self.virtual_size = size  # the view's own size may change: a layout
            return
        self.set_reactive(Widget.virtual_size, size)  # (the reactive's watcher would ask for a screen layout)
        # private ScrollView step, called for what a layout would do for this view alone: the scrollbars'
        # windows (showing or hiding one asks for a layout itself)
        self._scroll_update(size)
        if self._sized is not None:
            self._sized = (self._sized[0], size, self._sized[2])
        self.refresh()

    # overrides a private Textual hook (the compositor calls it for every view on every layout): why, in the
    # module docstring; an unchanged view skips ScrollView's scrollbar repaint, a frame of its own
    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        seen = (size, self.virtual_size, container_size)
        if seen == self._sized:
            return False  # another widget's layout: nothing of ours moved, leave the scrollbars be
        self._sized = seen
        return super()._size_updated(size, virtual_size, container_size, layout)


class ContentView(LineView, can_focus=True):
    """Lines of styled `Content`, drawn a visible row at a time (no wrapping: a line
    wider than the view is cut, as a `width: auto` Static in a VerticalScroll was)."""

    DEFAULT_CSS = """
    ContentView { overflow-x: hidden; }
    """
    PAD_LEFT = 0  # blank cells left of every line

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._lines: list[Content] = []
        self._strips: dict[int, Strip] = {}
        self._strip_key: tuple[int, Style, str] | None = None

    @property
    def text(self) -> str:
        """What the view shows, as plain text (every line, not only the visible ones)."""
        return "\n".join(line.plain for line in self._lines)

    @property
    def rows(self) -> int:
        """How many rows the lines take (the dashboard shares the screen's height by it)."""
        return len(self._lines)

    def set_content(self, content: Content) -> None:
        """Show `content` (lines separated by newlines)."""
        self._lines = content.split("\n")
        self._strips.clear()
        width = max((line.cell_length for line in self._lines), default=0)
        self.set_virtual_size(Size(width, len(self._lines)))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        style = self.visual_style
        index = self.scroll_offset.y + y
        if index >= len(self._lines) or width <= 0:
            return Strip.blank(max(width, 0), style.rich_style)
        key = (width, style, self.app.theme)
        if self._strip_key != key:  # a new width or theme: draw again
            self._strip_key = key
            self._strips.clear()
        strip = self._strips.get(index)
        if strip is None:
            pad = min(self.PAD_LEFT, width)
            line = self._lines[index]
            if line.cell_length > width - pad:
                line = line.truncate(width - pad)  # cut, never wrapped
            strips = Visual.to_strips(self, line, width - pad, 1, style, pad=True)
            strip = strips[0] if strips else Strip.blank(width - pad, style.rich_style)
            if pad:  # drawn as CSS padding is (the background alone), so the screen is the same cell for cell
                background = Style(background=self.background_colors[1]).rich_style
                strip = Strip([Segment(" " * pad, background), *strip], width)
            self._strips[index] = strip
        return strip
