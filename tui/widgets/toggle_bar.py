"""The connection toggles: clickable, keyboard reachable, each runs a real command.

One widget draws the whole line (as the key bar does for the footer): six
toggle widgets in a container cost seven nodes to style, lay out and render on
every first frame, for one line of text. Each toggle is a region of the line:
a click runs the toggle under the pointer; with the bar focused (Tab),
Left/Right pick a toggle and Enter or Space runs it. The line is redrawn only
when what it shows changes, and never needs a layout (it is one row, full width).
"""

from __future__ import annotations

from typing import ClassVar

from peersnap.core.engine import Engine
from peersnap.core.model import AfmFileset, Protocol
from peersnap.core.records import record
from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from ..actions import TOGGLE_BAR, short_key
from ..format import STATE_CLASS
from .line_view import PointedItems, content_row


@record
class Toggle:
    """One toggle of the bar: `F2 link up`, its action's name, and how it looks (`tone`)."""

    action: str
    key: str
    tooltip: str
    label: str = ""
    value: str = ""
    style: str = ""
    tone: str = ""
    changed: bool = False  # the last command changed it (a command such as mmafmconfig prints nothing)

    class Pressed(Message):
        def __init__(self, action: str) -> None:
            super().__init__()
            self.action = action

    def text(self) -> Content:
        return Content.assemble((f"{self.key} ", "$text-muted"), self.label, (self.value, self.style),
                                (" ◂", "bold $accent") if self.changed else "")

    def background(self, focused: bool, hovered: bool) -> str:
        # the old per-toggle CSS, in its cascade order: a bad tone beats hover, focus beats hover
        if self.changed and not focused:
            return "on $accent 45%"
        if self.tone == "bad":
            return "on $error 40%" if focused else "on $error 20%"
        if focused:
            return "on $primary 45%"
        return "on $primary 25%" if hovered else "on $panel"


# keys and tooltips come from the action declarations; what each toggle shows is `ToggleBar.show`'s
TOGGLES: tuple[Toggle, ...] = tuple(Toggle(a.name, short_key(a.keys), a.tooltip) for a in TOGGLE_BAR)


def stretch(cells: int) -> Content:
    """The room between the toggles and the state at the bar's end: a faint rail, not a blank (on a
    light theme's white bar a blank run reads as a hole in the row)."""
    if cells < 4:
        return Content(" " * cells)
    return Content.assemble(" ", ("╶" + "─" * (cells - 4) + "╴", "$primary 35%"), " ")


class ToggleBar(PointedItems, Widget, can_focus=True):
    """Link, protocol, home mmafmconfig, AFM mode, fileset, cache state: one line."""

    FOCUS_ON_CLICK = False  # a click runs the toggle and leaves the cursor where it was (the console, mostly)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "cursor(-1)", "Previous toggle", show=False),
        Binding("right", "cursor(1)", "Next toggle", show=False),
        Binding("enter,space", "press", "Toggle", show=False),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.toggles: list[Toggle] = list(TOGGLES)
        self.cursor = 0  # the toggle Enter runs while the bar has focus
        self._hover: int | None = None
        self._regions: list[tuple[int, int]] = []  # (start, end) cells of each toggle, as last drawn
        self._seen: tuple[str, dict[str, str]] = ("", {})  # the fileset and each toggle's value, as last shown
        self._changed: dict[str, int] = {}  # toggle -> the command count when its value last changed

    # -- what it shows -------------------------------------------------------------
    def show(self, engine: Engine, fileset: AfmFileset, compact: bool, commands: int = 0) -> None:
        """`commands`: how many commands have run; a toggle whose value changed stands out
        (accent, ◂) until the next command runs, so a silent change is seen at once."""
        link_up = engine.world.link_up
        nfs = fileset.target.protocol is Protocol.NFS
        export = engine.world.export_for(fileset)
        enabled = export is not None and export.afm_enabled
        sw = fileset.mode.value == "sw"
        tone = STATE_CLASS.get(fileset.state, "idle")
        linked = "" if fileset.linked else " (unlinked)"
        good = {"good": "bold $success", "busy": "bold $warning", "bad": "bold $error"}
        shown = {  # each toggle's (label, value, value style, tone), by its action's name
            "toggle_link": (
                "" if compact else "link ",
                ("link up" if compact else "up") if link_up else ("link DOWN" if compact else "DOWN"),
                good["good" if link_up else "bad"], "good" if link_up else "bad"),
            "toggle_protocol": (
                "" if compact else "protocol ", "NFS" if nfs else "NSD", "bold" if nfs else "bold $warning",
                "good" if nfs else "busy"),
            "toggle_afmconfig": (
                "home AFM " if compact else "home mmafmconfig ",
                ("on" if enabled else "off") if compact else ("enabled" if enabled else "disabled"),
                good["good" if enabled else "bad"], "good" if enabled else "bad"),
            "cycle_mode": (
                "" if compact else "mode ", fileset.mode.value.upper(), "bold" if sw else "bold $warning",
                "good" if sw else "busy"),
            "next_fileset": ("" if compact else "fileset ", fileset.name, "bold", "idle"),
            "show_state": ("" if compact else "state ", fileset.state.value + linked, good.get(tone, "bold"), tone),
        }
        values = {"toggle_link": str(link_up), "toggle_protocol": str(nfs), "toggle_afmconfig": str(enabled),
                  "cycle_mode": fileset.mode.value}  # (the state changes with time: its colour says enough)
        seen_fileset, seen = self._seen
        if seen_fileset == fileset.name:  # (another fileset shown: nothing changed, it is another one)
            for action, value in values.items():
                if seen.get(action, value) != value:
                    self._changed[action] = commands
        else:
            self._changed.clear()
        self._seen = (fileset.name, values)
        toggles = [Toggle(t.action, t.key, t.tooltip, *shown[t.action], changed=self._changed.get(t.action) == commands)
                   for t in TOGGLES]
        if toggles != self.toggles:
            self.toggles = toggles
            self.refresh()  # one row at full width: a repaint, never a layout

    def toggle(self, action: str) -> Toggle:
        return next(t for t in self.toggles if t.action == action)

    # -- drawing -------------------------------------------------------------------
    def render(self) -> Content:
        width = self.size.width
        focused = self.has_focus
        items = [
            Content.assemble(" ", t.text(), " ").stylize_before(
                t.background(focused and i == self.cursor, i == self._hover)
                + (" bold" if focused and i == self.cursor else "")
            )
            for i, t in enumerate(self.toggles)
        ]
        *left, right = items
        room = max(width - right.cell_length, 0)
        regions: list[tuple[int, int]] = []
        parts: list[Content] = []
        x = 0
        for item in left:
            if x >= room:
                regions.append((x, x))
                continue
            item = item.truncate(room - x)
            parts.append(item)
            regions.append((x, x + item.cell_length))
            x += item.cell_length
            if x < room:
                parts.append(Content(" "))  # the gap between toggles shows the bar's background
                x += 1
        start = max(width - right.cell_length, x)
        parts.append(stretch(start - x))
        parts.append(right)
        regions.append((start, start + right.cell_length))
        self._regions = regions
        return Content("").join(parts)

    def render_line(self, y: int) -> Strip:
        """The row drawn from `render`'s content's segments (line_view.content_row: ~0.4 ms of the first frame)."""
        row = content_row(self, self.render(), y)
        return super().render_line(y) if row is None else row

    def offset_of(self, action: str) -> tuple[int, int]:
        """Where `action`'s toggle is drawn (its first label cell): for a click."""
        index = [t.action for t in self.toggles].index(action)
        start, _end = self._regions[index]
        return start + 1, 0

    # -- mouse and keys ------------------------------------------------------------
    def on_click(self, event: events.Click) -> None:
        event.stop()
        index = self._at(event.x)
        if index is not None:
            self.cursor = index
            self.post_message(Toggle.Pressed(self.toggles[index].action))

    def _hovered(self, index: int | None) -> None:
        self.tooltip = self.toggles[index].tooltip if index is not None else None
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        self.cursor = (self.cursor + delta) % len(self.toggles)
        self.refresh()

    def action_press(self) -> None:
        self.post_message(Toggle.Pressed(self.toggles[self.cursor].action))
