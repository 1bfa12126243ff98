"""The gateway queue: its counters, and its ops in order, one row each.

`QueueView` is a line-API widget: it asks the queue for the visible window
only (`GatewayQueue.window`), so a million queued ops scroll and update like ten.
"""

from __future__ import annotations

from typing import ClassVar

from peersnap.core import clock
from peersnap.core.engine import Engine
from peersnap.core.gateway import PSNAP, QueuedOp, drain_done
from peersnap.core.model import AfmFileset
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.strip import Strip
from textual.widgets import Static

from .. import format as fmt
from .line_view import LineView


def drain_estimate(engine: Engine, fileset: AfmFileset) -> str:
    """How long until the queue is empty at the link's speed, in words."""
    queue = fileset.queue
    if not queue.length:
        return "empty"
    if not fileset.mode.pushes_home:
        return "never (mode keeps changes local)"
    if fileset.stopped:
        return "held (replication stopped)"
    if not engine.world.link_up:
        return "waits for the link"
    now = engine.now
    done = drain_done(queue, fileset.async_delay_us, engine.world.link, now)
    return f"≈ {clock.format_duration(done - now)}"


def lag_seconds(engine: Engine, fileset: AfmFileset) -> int:
    """The age of the oldest op still owed to home."""
    queue = fileset.queue
    if not queue.length:
        return 0
    for op in queue.window(0, 64):
        if not op.dropped:
            return max(0, engine.now - op.queued_us)
    head = queue.head()
    return max(0, engine.now - head.queued_us) if head is not None else 0


class QueueSummary(Static):
    """Queue length (exact), numExec, and lag as ops, bytes and seconds."""

    _height = 3
    _shown: Text | None = None

    def show(self, engine: Engine, fileset: AfmFileset) -> None:
        queue = fileset.queue
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("length ", "dim")
        text.append(f"{queue.length:,}", "bold")
        text.append("  numExec ", "dim")
        text.append(f"{queue.num_exec:,}", "bold")
        text.append("\nlag ", "dim")
        if queue.length:
            text.append(f"{fmt.count(queue.length, 'op')} · {fmt.size(queue.bytes)} · "
                        f"{clock.format_duration(lag_seconds(engine, fileset))}", "bold")
        else:
            text.append("none", "bold")
        text.append("\ndrain ", "dim")
        text.append(drain_estimate(engine, fileset))
        text.append("  delay ", "dim")
        text.append(clock.format_duration(fileset.async_delay_us))
        waiting = [p for p in fileset.psnaps.values() if p.marker is not None and not queue.is_dropped(p.marker.seq)]
        if waiting:
            first = min(waiting, key=lambda p: p.marker.seq if p.marker else 0)
            assert first.marker is not None
            text.append("\n◆ ", "bold")
            more = f" (+{len(waiting) - 1} more)" if len(waiting) > 1 else ""
            text.append(f"psnap #{first.marker.seq}: {engine.snapshots.psnap_ahead(first):,} ahead{more}", "bold")
        height = 4 if waiting else 3
        if height != self._height:  # a new height needs a layout; new text in the same rows does not
            self._height = height
            self.styles.height = height
        if text != self._shown:  # (rich's Text compares text and styles)
            self._shown = text
            self.update(text, layout=False)


class QueueView(LineView, can_focus=True):
    """The ops in order (head first), rendered a visible row at a time."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "queue-view--psnap",
        "queue-view--dropped",
        "queue-view--dim",
        "queue-view--empty",
    }

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._engine: Engine | None = None
        self._fileset: AfmFileset | None = None
        self._generation = 0
        self._window_key: tuple[int, int, int] = (-1, -1, -1)
        self._window: list[QueuedOp] = []
        self._key: tuple[int, ...] = ()

    def show(self, engine: Engine, fileset: AfmFileset) -> None:
        """Point at `fileset`'s queue and redraw what is visible (O(rows on screen)),
        only when the queue or the simulated time (the ages) moved."""
        if fileset is not self._fileset:
            self.scroll_to(0, 0, animate=False)
        queue = fileset.queue
        rows = max(queue.slots(), 1)
        width = self.scrollable_content_region.width or 1
        # drops change `length`, flushes the head, pushes `next_seq`; ages change with `now`
        key = (rows, queue.length, queue.next_seq, queue.head_seq(), engine.now, width)
        if key == self._key and engine is self._engine and fileset is self._fileset:
            return
        self._key = key
        self._engine, self._fileset = engine, fileset
        self._generation += 1
        self.set_virtual_size(Size(width, rows))
        self.refresh()

    # keyboard scrolling jumps at once: an animation across a million rows helps nobody
    def action_scroll_home(self) -> None:
        self.scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self.scroll_end(animate=False)

    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)

    def action_scroll_down(self) -> None:
        self.scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.scroll_up(animate=False)

    def on_resize(self) -> None:
        if self._engine is not None and self._fileset is not None:
            self._key = ()
            self.show(self._engine, self._fileset)

    def _visible(self, start: int, count: int) -> list[QueuedOp]:
        key = (start, count, self._generation)
        if key != self._window_key and self._fileset is not None:
            self._window = self._fileset.queue.window(start, count)
            self._window_key = key
        return self._window

    def render_line(self, y: int) -> Strip:
        region = self.scrollable_content_region
        width = region.width
        base = self.visual_style.rich_style  # (cached; `rich_style` walks the ancestors on every call)
        if self._engine is None or self._fileset is None or width <= 0:
            return Strip.blank(max(width, 0), base)
        _, scroll_y = self.scroll_offset
        ops = self._visible(scroll_y, region.height)
        if y >= len(ops):
            if y == 0 and not ops:
                text = Text("  queue empty: home has everything", self.get_component_rich_style("queue-view--empty"))
                return self._strip(text, width, base)
            return Strip.blank(width, base)
        return self._strip(self._row(ops[y], width), width, base)

    def _strip(self, text: Text, width: int, base: Style) -> Strip:
        text.truncate(width, overflow="ellipsis")
        segments = [Segment(s.text, base + s.style if s.style else base) for s in text.render(self.app.console)]
        return Strip(segments).adjust_cell_length(width, base)

    def _seq_width(self) -> int:
        return len(str(self._fileset.queue.next_seq)) + 1 if self._fileset is not None else 4

    def _row(self, op: QueuedOp, width: int) -> Text:
        engine = self._engine
        assert engine is not None and self._fileset is not None
        age = clock.format_duration(engine.now - op.queued_us)
        seq = f"#{op.seq}"
        if op.kind == PSNAP:
            style = self.get_component_rich_style("queue-view--psnap")
            name = fmt.fit_psnap(str(op.data), max(width - len(seq) - 16, 8))
            state = "removed" if op.dropped else f"{age:>5}"
            text = Text(f"◆{seq:>{self._seq_width()}} PSNAP  ", style)
            tail = f"  {state}"
            text.append(fmt.elide(name, max(width - len(text) - len(tail), 8)), style)
            text.append(tail.rjust(max(width - len(text), 0)), style)
            return text
        dim = self.get_component_rich_style("queue-view--dim")
        tail = ""
        if width >= 40:
            tail += f" {fmt.size(op.size):>8}" if op.size else f" {'':>8}"
        if width >= 30:
            tail += f" {age:>5}"
        if op.dropped:
            tail = "  filtered"
        text = Text(f" {seq:>{self._seq_width()}} ", dim)
        text.append(f"{op.kind:<6} ")
        path_room = max(width - len(text) - len(tail), 4)
        text.append(fmt.elide(op.path, path_room).ljust(path_room))
        text.append(tail, dim)
        if op.dropped:
            text.stylize(self.get_component_rich_style("queue-view--dropped"))
        return text
