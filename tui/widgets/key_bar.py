"""The footer: the keys of every action declared with `footer=True`, clickable.

One widget instead of one per key (it is on screen from the first frame, so
it should cost little), trimmed to the terminal's width. A click runs the item
under the pointer, found by its position as the toggle bar finds its toggles,
drawn in the bar's link styles (the one under the pointer in its hover style):
each item a link instead (an `@click` style apiece) was ~1 ms of the first frame.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import events
from textual.content import Content, Span
from textual.strip import Strip
from textual.style import Style
from textual.widgets import Static

from ..actions import ACTIONS, short_key
from .line_view import PointedItems

MORE = ("ctrl+p", "command_palette", "more")  # the palette lists every action: the keys left out are there

BOLD = RichStyle(bold=True)
Item = tuple[str, str, str]  # key, label, action (`screen.help`)


def key_bar_items(width: int) -> list[Item]:
    """`F1 Help  ^S psnap  ...  ^P more  ^Q Quit`: Help first and Quit last whatever the width, and
    `^P more` when keys were left out for room."""
    shown = [a for a in ACTIONS if a.footer]
    first, last = shown[0], shown[-1]  # Help and Quit: kept
    items = [(short_key(a.keys), a.label, f"{a.target}.{a.action}") for a in shown]

    def width_of(chosen: list[Item]) -> int:
        return sum(cell_len(f"{k} {label}") for k, label, _ in chosen) + 2 * (len(chosen) - 1)

    chosen = items
    if width_of(items) > width:
        more = (short_key(MORE[0]), MORE[2], f"app.{MORE[1]}")
        undo = [item for item in items if item[2].endswith(".undo")]  # kept too while there is room
        kept = undo if width_of([items[0], *undo, more, items[-1]]) <= width else []
        middle: list[Item] = []
        for item in items[1:-1]:
            if item in kept:
                continue
            if width_of([items[0], *middle, item, *kept, more, items[-1]]) > width:
                break
            middle.append(item)
        chosen = [items[0], *middle, *kept, more, items[-1]]
    assert first.footer and last.footer
    return chosen


def key_bar_markup(width: int, hover: int | None = None, item: Style | str = "",
                   hovered: Style | str = "bold") -> Content:
    """The footer's line: each item in `item` with its key bold, two cells between items, and the
    item number `hover` (if any) in `hovered` (the bar's link styles: its CSS). Built from spans,
    without parsing markup on the first frame."""
    text: list[str] = []
    spans: list[Span] = []
    start = 0
    for index, (key, label, _action) in enumerate(key_bar_items(width)):
        text_of = f"{key} {label}"
        spans.append(Span(start, start + len(text_of), hovered if index == hover else item))
        spans.append(Span(start, start + len(key), "bold"))
        text.append(text_of)
        start += len(text_of) + 2
    return Content("  ".join(text), spans)


class KeyBar(PointedItems, Static):
    _width = -1
    _items: list[Item] = []  # noqa: RUF012 - (replaced whole, never changed in place)
    _strip: tuple[object, Strip] | None = None

    def render_line(self, y: int) -> Strip:
        """The line drawn from segments: what `render`'s content draws (tests/tui/test_toggles.py compares
        them), without Textual's content rendering (~0.5 ms of the first frame)."""
        self._fit()
        base = self.visual_style.rich_style
        key = (self._width, self._hover, base, self.app.theme)
        if self._strip is None or self._strip[0] != key:
            item, hovered = base + self.link_style, base + self.link_style_hover
            segments: list[Segment] = []
            for index, (key_text, label, _action) in enumerate(self._items):
                style = hovered if index == self._hover else item
                if index:
                    segments.append(Segment("  ", base))
                segments += [Segment(key_text, style + BOLD), Segment(f" {label}", style)]
            self._strip = key, Strip(segments).adjust_cell_length(self._width, base)
        return self._strip[1] if y == 0 else Strip.blank(self._width, base)

    def render(self) -> Content:
        """The line as content, in this bar's link styles (as its items' links were drawn: `link-style`,
        `link-color` and their hover twins, from the stylesheet)."""
        self._fit()
        return key_bar_markup(self._width, self._hover, Style.from_rich_style(self.link_style),
                              Style.from_rich_style(self.link_style_hover))

    def _fit(self) -> None:
        """The items for this width, and the cells each takes."""
        if self.size.width != self._width:  # one row at full width: new keys, never a new layout
            self._width = self.size.width
            self._items = key_bar_items(self._width)
            self._regions = []
            x = 0
            for key, label, _action in self._items:
                self._regions.append((x, x + cell_len(f"{key} {label}")))
                x = self._regions[-1][1] + 2

    async def on_click(self, event: events.Click) -> None:
        index = self._at(event.x)
        if index is not None:
            event.stop()
            await self.run_action(self._items[index][2])

    def _hovered(self, index: int | None) -> None:
        self.refresh()
