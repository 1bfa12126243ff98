"""Peer snapshot pairs: one row per pair, updated in place by the pair's name."""

from __future__ import annotations

from typing import ClassVar

from peersnap.core import clock
from peersnap.core.engine import Engine
from peersnap.core.model import HomeHalf, HomeWait, PeerSnapshot
from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message

from .. import format as fmt
from ..layout import Room
from .line_view import ContentView


def home_cell(engine: Engine, psnap: PeerSnapshot) -> Content:
    """The home half's state, from the pair's `HomeHalf` and what its marker waits for (data, not text)."""
    if psnap.broken == "home":
        return Content.styled("BROKEN: deleted (mmdelsnapshot)", "bold $error")
    if psnap.home is HomeHalf.CREATED and psnap.home_snap is not None:
        when = clock.hms(engine.clock("home", psnap.home_snap.created_us))
        return Content.assemble(("created", "bold $success"), f" id {psnap.home_snap.id} at {when}")
    if psnap.home is HomeHalf.QUEUED:
        wait, ahead = engine.snapshots.home_wait(psnap)
        if wait is HomeWait.LINK:
            return Content.styled("pending reconnect", "bold $error")
        text = {HomeWait.STOPPED: "queued (replication stopped)", HomeWait.NEXT: "queued: next to flush",
                HomeWait.OPS: f"queued behind {clock.plural(ahead, 'op')}",
                HomeWait.RECOVERY: "waiting for recovery"}[wait]
        return Content.styled(text, "bold $warning")
    if psnap.home is HomeHalf.DELETING:
        return Content.styled("deleting (on reconnect)", "bold $warning")
    return Content.styled(f"failed: {psnap.failure}", "bold $error")


def same_cell(psnap: PeerSnapshot) -> Content:
    if psnap.broken:
        other = "home" if psnap.broken == "cache" else "cache"
        return Content.styled(f"✘ broken: {other} half orphaned, use mmpsnap delete", "bold $error")
    if psnap.identical is True:
        return Content.styled("✔ identical", "bold $success")
    if psnap.identical is False:
        return Content.styled("✘ differs", "bold $error")
    return Content.styled("… waits for home", "$text-muted")


class PsnapTable(ContentView):
    """Name, cache id and time, home state, and the verified-identical mark; one row a pair.

    Focused (Ctrl+O, or a click), Up/Down select a pair (the queue highlights the ops ahead of
    it), Enter asks why its home half waits and Esc goes back to the console; a click on a
    pair's row selects it and asks why."""

    PAD_LEFT = 1
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "select(-1)", "Previous pair", show=False),
        Binding("down", "select(1)", "Next pair", show=False),
        Binding("enter", "choose", "Why", show=False),
        Binding("escape", "screen.focus_console", "Back to the console", show=False),
    ]

    class Selected(Message):
        def __init__(self, name: str | None) -> None:
            super().__init__()
            self.name = name

    class Chosen(Message):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pane")
        self._last: object = None
        self.names: list[str] = []  # the pairs, in row order (row 0 is the heading)
        self.selected: str | None = None
        self._engine: Engine | None = None
        self._room = Room(120)

    def forget(self) -> None:
        """Redraw on the next `show` even if nothing seems to have changed (a new world)."""
        self._last = None

    def show(self, engine: Engine, room: Room) -> None:
        pairs = [(p, f.stopped) for f in engine.world.filesets.values() for p in f.psnaps.values()]
        self._engine, self._room = engine, room
        self.names = [p.name for p, _stopped in pairs]
        if self.selected not in self.names:
            self.selected = None
        width = self.scrollable_content_region.width - self.PAD_LEFT  # (drawn inside the scrollbar, if any)
        key = (room.wide, room.roomy, width, bool(pairs) and engine.world.link_up, self.selected,
               tuple((p.name, p.home, p.identical, p.broken, engine.snapshots.psnap_ahead(p), stopped)
                     for p, stopped in pairs))
        if key == self._last:
            return
        self._last = key
        self.set_content(render_pairs(engine, [p for p, _stopped in pairs], room, self.selected, max(width, 0)))

    def watch_show_vertical_scrollbar(self) -> None:
        """The scrollbar takes (or gives back) a column: fit the names to what is drawn."""
        if self._engine is not None:
            self.show(self._engine, self._room)

    def select(self, name: str | None) -> None:
        """Select the pair `name` (None: none), scrolled into sight, and say so."""
        self.selected = name
        self._last = None
        if self._engine is not None:
            self.show(self._engine, self._room)
        if name in self.names:
            row, height = self.names.index(name) + 1, max(self.scrollable_content_region.height, 1)  # row 0: heading
            if row >= self.scroll_y + height:
                self.scroll_to(y=row - height + 1, animate=False)
            elif row <= self.scroll_y:
                self.scroll_to(y=row - 1 if row == 1 else row, animate=False)
        self.post_message(self.Selected(name))

    def on_focus(self) -> None:
        if self.selected is None and self.names:  # the keyboard starts on a pair, highlighted
            self.select(self.names[0])

    def action_select(self, delta: int) -> None:
        if not self.names:
            return
        index = self.names.index(self.selected) + delta if self.selected in self.names else 0
        self.select(self.names[min(max(index, 0), len(self.names) - 1)])

    def action_choose(self) -> None:
        if self.selected is not None:
            self.post_message(self.Chosen(self.selected))

    def on_click(self, event: events.Click) -> None:
        row = self.scroll_offset.y + event.y - 1  # row 0 is the heading
        if 0 <= row < len(self.names):
            self.select(self.names[row])
            self.post_message(self.Chosen(self.names[row]))


def cache_cell(engine: Engine, psnap: PeerSnapshot, tight: bool) -> Content:
    when = clock.hms(engine.clock("cache", psnap.cache_snap.created_us))
    head = Content.styled("deleted", "bold $error") if psnap.broken == "cache" else Content(f"id {psnap.cache_snap.id}")
    if tight:
        return Content.assemble(head, " ", (when, "$text-muted"))
    return Content.assemble(head.pad_right(max(1, 6 - head.cell_length)), (f"at {when}", "$text-muted"))


def render_pairs(engine: Engine, pairs: list[PeerSnapshot], room: Room, selected: str | None = None,
                 width: int = 0) -> Content:
    """The table: each column as wide as its widest cell; in `width` cells (0: no limit) the
    cache half drops its "at", then the names give way to their distinguishing tail."""
    if not pairs:
        return Content.assemble(
            ("No peer snapshots yet. ", "$text-muted"),
            "Take one with ", ("Ctrl+S", "bold $accent"), " or type ", ("mmpsnap fs1 create -j sw", "bold"),
        )
    heads = ["Fileset", "Peer snapshot", "Cache half", "Home half", "Same data"]
    show_fileset = room.roomy
    homes = [home_cell(engine, p) for p in pairs]
    sames = [same_cell(p) for p in pairs]
    name_room = 0  # the last resort: each name fitted to what the other columns leave (fmt.fit_psnap)
    for attempt, (tight, short_names) in enumerate(((False, not room.wide), (True, not room.wide), (True, True),
                                                    (True, True))):
        names = [fmt.fit_psnap(p.name, name_room) if name_room else fmt.short_psnap(p.name) if short_names
                 else p.name for p in pairs]
        columns = [
            [Content(p.fileset) for p in pairs] if show_fileset else None,
            [Content.styled(n, "bold $accent") for n in names],
            [cache_cell(engine, p, tight) for p in pairs],
            homes,
            sames,
        ]
        least = (0, 0, 0, 0, 0) if tight else (0, 0, 16, 30, 0)  # roomy: the columns stay put as states change
        widths = [max(len(head), low, *(c.cell_length for c in cells)) if cells is not None else 0
                  for head, low, cells in zip(heads, least, columns)]
        total = sum(widths) + 2 * (len([c for c in columns if c is not None]) - 1)
        if not width or total <= width:
            break
        if attempt == 2:
            name_room = max(width - (total - widths[1]), len(heads[1]))

    def row(cells: list[Content]) -> Content:
        shown = [cell.pad_right(max(0, w - cell.cell_length)) for cell, w, column in zip(cells, widths, columns)
                 if column is not None]
        return Content("  ").join(shown[:-1] + [cells[-1]])  # (the last column is not padded)

    rows = [row([Content(h) for h in heads]).stylize_before("bold $text-muted")]
    for i, psnap in enumerate(pairs):
        line = row([column[i] if column is not None else Content("") for column in columns])
        rows.append(line.stylize_before("on $accent 25%") if psnap.name == selected else line)
    return Content("\n").join(rows)
