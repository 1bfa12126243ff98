"""The footer: the keys of every action declared with `footer=True`, clickable.

One widget instead of one per key (it is on screen from the first frame, so
it should cost little), trimmed to the terminal's width.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from ..actions import ACTIONS, short_key


def key_bar_markup(width: int) -> Content:
    items: list[Content] = []
    used = 0
    for action in ACTIONS:
        if not action.footer:
            continue
        item = Content.from_markup(
            f"[@click=app.{action.action}][bold $accent]{short_key(action.keys)}[/] {action.label}[/]"
        )
        if used + item.cell_length + 1 > width:
            break
        items.append(item)
        used += item.cell_length + 2
    return Content("  ").join(items)


class KeyBar(Static):
    def on_resize(self) -> None:
        self.update(key_bar_markup(self.size.width))
