"""The footer: the keys of every action declared with `footer=True`, clickable.

One widget instead of one per key (it is on screen from the first frame, so
it should cost little), trimmed to the terminal's width.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content, Span
from textual.widgets import Static

from ..actions import ACTIONS, short_key


def key_bar_markup(width: int) -> Content:
    """`F1 Help  ^S psnap  ...`, each item a link to its action; as many as fit in `width`.

    Built from spans, not markup: the same content as `[@click=screen.ACTION][bold $accent]KEY[/] LABEL[/]`
    per item, without parsing markup on the first frame."""
    text: list[str] = []
    spans: list[Span] = []
    used = 0
    for action in ACTIONS:
        if not action.footer:
            continue
        key = short_key(action.keys)
        item = f"{key} {action.label}"
        if used + cell_len(item) + 1 > width:
            break
        start = sum(len(part) for part in text)
        text.append(item + "  ")
        spans.append(Span(start, start + len(item), f"@click={action.target}.{action.action}"))
        spans.append(Span(start, start + len(key), "bold $accent"))
        used += cell_len(item) + 2
    return Content("".join(text)[:-2], spans)


class KeyBar(Static):
    _width = -1

    def on_resize(self) -> None:
        if self.size.width != self._width:  # one row at full width: new keys, never a new layout
            self._width = self.size.width
            self.update(key_bar_markup(self._width), layout=False)
