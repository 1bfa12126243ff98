"""The footer: the keys of every action declared with `footer=True`, clickable.

One widget instead of one per key (it is on screen from the first frame, so
it should cost little), trimmed to the terminal's width.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content, Span
from textual.widgets import Static

from ..actions import ACTIONS, short_key

MORE = ("ctrl+p", "command_palette", "more")  # the palette lists every action: the keys left out are there


def key_bar_markup(width: int) -> Content:
    """`F1 Help  ^S psnap  ...  ^P more  ^Q Quit`, each item a link to its action; Help first and Quit
    last whatever the width, and `^P more` when keys were left out for room.

    Built from spans, not markup: the same content as `[@click=screen.ACTION][bold $accent]KEY[/] LABEL[/]`
    per item, without parsing markup on the first frame."""
    shown = [a for a in ACTIONS if a.footer]
    first, last = shown[0], shown[-1]  # Help and Quit: kept
    items = [(short_key(a.keys), a.label, f"{a.target}.{a.action}") for a in shown]

    def width_of(chosen: list[tuple[str, str, str]]) -> int:
        return sum(cell_len(f"{k} {label}") for k, label, _ in chosen) + 2 * (len(chosen) - 1)

    chosen = items
    if width_of(items) > width:
        more = (short_key(MORE[0]), MORE[2], f"app.{MORE[1]}")
        undo = [item for item in items if item[2].endswith(".undo")]  # kept too while there is room
        kept = undo if width_of([items[0], *undo, more, items[-1]]) <= width else []
        middle: list[tuple[str, str, str]] = []
        for item in items[1:-1]:
            if item in kept:
                continue
            if width_of([items[0], *middle, item, *kept, more, items[-1]]) > width:
                break
            middle.append(item)
        chosen = [items[0], *middle, *kept, more, items[-1]]
    assert first.footer and last.footer
    text: list[str] = []
    spans: list[Span] = []
    for key, label, target in chosen:
        start = sum(len(part) for part in text)
        item = f"{key} {label}"
        text.append(item + "  ")
        spans.append(Span(start, start + len(item), f"@click={target}"))
        spans.append(Span(start, start + len(key), "bold $accent"))
    return Content("".join(text)[:-2], spans)


class KeyBar(Static):
    _width = -1
    _keys = Content("")

    def render(self) -> Content:
        if self.size.width != self._width:  # one row at full width: new keys, never a new layout
            self._width = self.size.width
            self._keys = key_bar_markup(self._width)
        return self._keys
