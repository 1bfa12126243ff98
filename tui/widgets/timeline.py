"""The timeline strip: the session's line of time under the panes, clickable to go back to a moment.

Row 1 is the cache's clock, row 2 the home's (the same instant reads differently: the
skew); each peer snapshot is a pair of marks, ◆ on the cache lane when its cache half
was taken and ◆ on the home lane when its home half was, joined by ┄ while it waited.
Link-down spans are shaded. Row 3 is the queue's length as a sparkline, with its length
and lag now. The ┃ is the moment shown; past it, when the session looks back, the rest
of the line is dotted. Focused, Left/Right pan and +/- zoom; a click asks to go to
that moment.
"""

from __future__ import annotations

from typing import ClassVar

from peersnap.core import clock
from peersnap.core.engine import Engine
from peersnap.core.model import AfmFileset, HomeHalf, Sample
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.strip import Strip
from textual.visual import Visual
from textual.widget import Widget

LABEL = 15  # "cache 02:27:28 "
TAIL = 22  # " 3 ops · lag 15s" and the end clock
MIN_SPAN = 60 * clock.SECOND  # a short session still gets a minute's scale
SPARKS = "▁▂▃▄▅▆▇█"
Run = tuple[str, str]  # text and the style string (Content's markup) it is drawn in


class TimelineStrip(Widget, can_focus=True):
    FOCUS_ON_CLICK = False  # a click goes to a moment and leaves the cursor where it was (the console, mostly)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "pan(-1)", "Earlier", show=False),
        Binding("right", "pan(1)", "Later", show=False),
        Binding("plus,equals_sign", "zoom(2)", "Zoom in", show=False),
        Binding("minus", "zoom(0.5)", "Zoom out", show=False),
    ]

    class Seek(Message):
        """Go to the moment at simulated time `at` (a click on the strip)."""

        def __init__(self, at: int) -> None:
            super().__init__()
            self.at = at

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._engine: Engine | None = None
        self._fileset: AfmFileset | None = None
        self._end = 0
        self._key: object = None
        self._rows: list[list[Run]] = []
        self._drawn_for = 0  # the width the rows were drawn for
        self._strips: list[Strip] | None = None
        self._styles: dict[str, RichStyle] = {}  # a style string, resolved for the theme and widget style below
        self._styles_for: object = None
        self.zoom = 1.0
        self.start_us = 0  # the first moment drawn (panning moves it)

    # -- what it shows -------------------------------------------------------------
    def show(self, engine: Engine, fileset: AfmFileset, end_us: int) -> None:
        """Draw the line up to `end_us` (its end, when the session looks back) at `engine`'s moment."""
        self._engine, self._fileset, self._end = engine, fileset, max(end_us, engine.now)
        history = engine.world.history
        samples = history.samples.get(fileset.name, ())
        key = (id(engine), engine.now // clock.SECOND, self._end // clock.SECOND, fileset.name, self.size.width,
               self.zoom, self.start_us, len(samples), samples[-1] if samples else None, len(history.link_down),
               tuple((p.name, p.home, p.broken) for p in fileset.psnaps.values()), self.app.theme)
        if key == self._key:
            return
        self._key = key
        self._rows, self._drawn_for = self._draw(), self.size.width
        self._strips = None
        self.refresh()

    def render(self) -> Content:
        """The strip as Content (what `render_line` draws, the slow way: for reading it as text)."""
        return Content("\n").join(Content.assemble(*row) for row in self._rows)

    def render_line(self, y: int) -> Strip:
        """Rows drawn straight to strips, each style resolved once per theme: going through
        Content each frame cost a fifth of a dashboard frame (the strip redraws every
        simulated second)."""
        width, base = self.size.width, self.visual_style
        if width != self._drawn_for and self._engine is not None:  # shown before its first layout: draw to fit
            self._rows, self._drawn_for, self._strips = self._draw(), width, None
        if self._styles_for != (base, self.app.theme):
            self._styles_for, self._styles, self._strips = (base, self.app.theme), {}, None
        if not self._strips or self._strips[0].cell_length != width:  # (none before the first show)
            self._strips = [self._strip(row, width) for row in self._rows]
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(width, base.rich_style)

    def _strip(self, row: list[Run], width: int) -> Strip:
        segments, used = [], 0
        for text, style in row:
            text = text[: width - used]
            if not text:
                break
            segments.append(Segment(text, self._rich(style)))
            used += len(text)
        if used < width:
            segments.append(Segment(" " * (width - used), self.visual_style.rich_style))
        return Strip(segments, width)

    def _rich(self, style: str) -> RichStyle:
        """The rich style Content gives `style` on this widget (found by drawing one cell that way)."""
        rich = self._styles.get(style)
        if rich is None:
            strips = Visual.to_strips(self, Content.styled("x", style), 1, 1, self.visual_style)
            rich = self._styles[style] = next(iter(strips[0]), Segment("x", self.visual_style.rich_style)).style
        return rich

    @property
    def lane_width(self) -> int:
        return max(self.size.width - LABEL - TAIL, 8)

    @property
    def us_per_col(self) -> float:
        span = max(self._end, MIN_SPAN) / self.zoom
        return max(span / (self.lane_width - 1), 1.0)  # the end falls in the last column, not past it

    def column(self, at: int) -> int:
        return int((at - self.start_us) / self.us_per_col)

    def time_at(self, x: int) -> int:
        """The simulated time under cell `x` (the start of its column)."""
        return max(0, int(self.start_us + (x - LABEL) * self.us_per_col))

    def _draw(self) -> list[list[Run]]:
        engine, fileset = self._engine, self._fileset
        assert engine is not None and fileset is not None
        world, width, now = engine.world, self.lane_width, engine.now
        cache = [("─", "$text-muted")] * width
        home = [("─", "$text-muted")] * width
        now_col = self.column(now)
        end_col = self.column(self._end)
        for lane in (cache, home):
            for c in range(max(now_col + 1, 0), min(end_col + 1, width)):
                lane[c] = ("┈", "$text-muted")  # the line's future, when the session looks back
            for c in range(max(end_col + 1, 0), width):
                lane[c] = (" ", "")  # past the line's end: nothing yet
        shade = [False] * width
        for down, up in world.history.link_down:
            for c in range(max(self.column(down), 0), min(self.column(up if up >= 0 else now) + 1, width)):
                shade[c] = True
        for psnap in fileset.psnaps.values():
            start = self.column(psnap.cache_snap.created_us)
            mark = ("✗", "bold $error") if psnap.broken == "cache" else ("◆", "bold $accent")
            _put(cache, start, mark)
            if psnap.home is HomeHalf.CREATED and psnap.home_snap is not None:
                done = self.column(psnap.home_snap.created_us)
                for c in range(start + 1, done):
                    _put(home, c, ("┄", "$accent"))
                ok = psnap.identical and not psnap.broken
                _put(home, done, ("◆", "bold $success") if ok else ("✗", "bold $error"))
            elif psnap.home is HomeHalf.QUEUED:
                for c in range(start, now_col + 1):
                    _put(home, c, ("┄", "$warning"))
        for lane in (cache, home):
            _put(lane, now_col, ("┃", "bold $primary"))
        spark = self._sparkline(world.history.samples.get(fileset.name, []), width)
        queue = fileset.queue
        head = next(iter(queue), None)
        lag = clock.format_duration(now - head.queued_us) if head is not None else "0s"
        end_cache = clock.hms(world.clock("cache", self._end))
        rows = [
            self._row("cache", clock.hms(world.clock("cache", self.start_us)), cache, shade,
                      f" {end_cache} (cache)"),
            self._row("home", clock.hms(world.clock("home", self.start_us)), home, shade,
                      f" {clock.hms(world.clock('home', self._end))} (home)"),
            self._row("queue", "", spark, [False] * width, f" {queue.length:,} ops · lag {lag}"),
        ]
        return rows

    def _row(self, name: str, start: str, cells: list[tuple[str, str]], shade: list[bool], tail: str) -> list[Run]:
        """One row; runs of cells in one style make one span (a few spans a row, not one a cell)."""
        parts: list[tuple[str, str]] = [(f"{name:<6}{start:<9}"[:LABEL], "$text-muted")]
        run, run_style = [], None
        for (char, style), dark in zip(cells, shade):
            style = f"{style} on $error 30%" if dark else style
            if style != run_style and run:
                parts.append(("".join(run), run_style or ""))
                run = []
            run_style = style
            run.append(char)
        if run:
            parts.append(("".join(run), run_style or ""))
        parts.append((tail[:TAIL], "$text-muted"))
        return parts

    def _sparkline(self, samples: list[Sample], width: int) -> list[tuple[str, str]]:
        """Per column, the queue's greatest length in that column's time (the last known before it
        when nothing changed in it), as a block of 8 heights scaled to the greatest shown."""
        values = [0] * width
        last, i, per, now = 0, 0, self.us_per_col, self._engine.now if self._engine else 0
        for c in range(width):
            low = self.start_us + c * per
            if low > now:
                break  # the future of a line looked back on: not known here
            best = last  # the length when the column starts
            while i < len(samples) and samples[i].at < low + per:
                last = samples[i].length
                best = max(best, last)
                i += 1
            values[c] = best
        top = max(values) or 1
        return [(SPARKS[min(7, v * 8 // (top + 1))] if v else " ", "$warning") for v in values]

    # -- mouse and keys ------------------------------------------------------------
    def on_click(self, event: events.Click) -> None:
        if event.x >= LABEL and event.x < LABEL + self.lane_width:
            self.post_message(self.Seek(self.time_at(event.x)))

    def action_pan(self, direction: int) -> None:
        step = int(self.lane_width * self.us_per_col / 4)
        self.start_us = max(0, self.start_us + direction * step)
        self._key = None
        if self._engine is not None and self._fileset is not None:
            self.show(self._engine, self._fileset, self._end)

    def action_zoom(self, factor: float) -> None:
        self.zoom = min(max(self.zoom * factor, 1.0), 1024.0)
        if self.zoom == 1.0:
            self.start_us = 0
        self._key = None
        if self._engine is not None and self._fileset is not None:
            self.show(self._engine, self._fileset, self._end)


def _put(lane: list[tuple[str, str]], column: int, cell: tuple[str, str]) -> None:
    if 0 <= column < len(lane):
        lane[column] = cell
