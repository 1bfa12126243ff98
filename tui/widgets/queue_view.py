"""The gateway queue: its counters, and its ops in order, one row each.

`QueueView` is a line-API widget: it asks the queue for the visible window
only (`GatewayQueue.window`), so a million queued ops scroll and update like ten.
"""

from __future__ import annotations

from typing import ClassVar

from peersnap.core import clock
from peersnap.core.engine import Engine
from peersnap.core.gateway import PSNAP, QueuedOp, drain_done, ready_at
from peersnap.core.model import AfmFileset
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
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

    @property
    def rows(self) -> int:
        return self._height

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


BAR = 6  # cells of an op's countdown to its async-delay deadline


def countdown(op: QueuedOp, fileset: AfmFileset, now: int) -> str:
    """`▰▰▰▱▱▱` the share of afmAsyncDelay still to wait (full: just queued), or `ready `."""
    delay = fileset.async_delay_us
    left = ready_at(op, delay, fileset.queue.flush_through) - now
    if left <= 0 or delay <= 0:
        return "ready "
    filled = min(BAR, max(1, -(-left * BAR // delay)))
    return "▰" * filled + "▱" * (BAR - filled)


class QueueView(LineView, can_focus=True):
    """The ops in order (head first), rendered a visible row at a time.

    With the view focused, Up/Down move a cursor over the ops and Enter (or a click)
    asks for the op's why chain. When a pair is selected, the ops ahead of its marker
    are highlighted, each with a bar counting down to its async-delay deadline, and
    the rest dims."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "queue-view--psnap",
        "queue-view--dropped",
        "queue-view--dim",
        "queue-view--empty",
        "queue-view--ahead",
        "queue-view--faded",
        "queue-view--cursor",
        "queue-view--bar",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Previous op", show=False),
        Binding("down", "cursor(1)", "Next op", show=False),
        Binding("enter", "choose", "Why", show=False),
    ]

    class Chosen(Message):
        """Enter or a click on an op: show why it waits."""

        def __init__(self, seq: int) -> None:
            super().__init__()
            self.seq = seq

    class Pointed(Message):
        """The cursor moved to an op (a psnap marker selects its pair)."""

        def __init__(self, seq: int) -> None:
            super().__init__()
            self.seq = seq

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._engine: Engine | None = None
        self._fileset: AfmFileset | None = None
        self._generation = 0
        self._window_key: tuple[int, int, int] = (-1, -1, -1)
        self._window: list[QueuedOp] = []
        self._key: tuple[int, ...] = ()
        self.cursor = 0  # the row (position from the head) Enter explains
        self.ahead: tuple[int, int] | None = None  # seqs highlighted: the ops ahead of the selected pair
        self.marker = 0  # the selected pair's marker seq (0: none)

    @property
    def rows(self) -> int:
        """The rows its ops take (one for the empty queue's line)."""
        return max(self._fileset.queue.slots(), 1) if self._fileset is not None else 1

    def highlight(self, ahead: tuple[int, int] | None, marker: int) -> None:
        """Highlight the ops with seqs in `ahead` and the marker `marker`; dim the rest (None, 0: none)."""
        if (ahead, marker) != (self.ahead, self.marker):
            self.ahead, self.marker = ahead, marker
            self.refresh()

    def show(self, engine: Engine, fileset: AfmFileset) -> None:
        """Point at `fileset`'s queue and redraw what is visible (O(rows on screen)),
        only when the queue or the simulated time (the ages) moved."""
        if fileset is not self._fileset:
            self.scroll_to(0, 0, animate=False)
        queue = fileset.queue
        rows = max(queue.slots(), 1)
        width = self.scrollable_content_region.width or 1
        # drops change `length`, flushes the head, pushes `next_seq`; ages change with `now`, and
        # an empty queue shows no age: idle with nothing queued, a frame redraws nothing here
        key = (rows, queue.length, queue.next_seq, queue.head_seq(), engine.now if queue.slots() else 0, width)
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

    def action_cursor(self, delta: int) -> None:
        rows = self._fileset.queue.slots() if self._fileset is not None else 0
        if not rows:
            return
        self.cursor = min(max(self.cursor + delta, 0), rows - 1)
        _, top = self.scroll_offset
        height = self.scrollable_content_region.height
        if self.cursor < top or self.cursor >= top + height:
            self.scroll_to(0, max(self.cursor - height // 2, 0), animate=False)
        self.refresh()
        op = self._op_at(self.cursor)
        if op is not None:
            self.post_message(self.Pointed(op.seq))

    def action_choose(self) -> None:
        op = self._op_at(self.cursor)
        if op is not None:
            self.post_message(self.Chosen(op.seq))

    def on_click(self, event: events.Click) -> None:
        _, top = self.scroll_offset
        op = self._op_at(top + event.y)
        if op is None:
            return
        self.cursor = top + event.y
        self.refresh()
        self.post_message(self.Pointed(op.seq))
        self.post_message(self.Chosen(op.seq))

    def _op_at(self, position: int) -> QueuedOp | None:
        if self._fileset is None:
            return None
        ops = self._fileset.queue.window(position, 1)
        return ops[0] if ops else None

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
        op = ops[y]
        text = self._row(op, width - BAR - 1) if self._ahead_of(op) else self._row(op, width)
        if self._ahead_of(op):
            text.stylize(self.get_component_rich_style("queue-view--ahead"))
            text.append(" ")
            text.append(countdown(op, self._fileset, self._engine.now), self.get_component_rich_style("queue-view--bar"))
        elif self.marker and op.seq != self.marker:
            text.stylize(self.get_component_rich_style("queue-view--faded"))
        if self.has_focus and scroll_y + y == self.cursor:
            text.stylize(self.get_component_rich_style("queue-view--cursor"))
        return self._strip(text, width, base)

    def _ahead_of(self, op: QueuedOp) -> bool:
        return self.ahead is not None and self.ahead[0] <= op.seq <= self.ahead[1] and not op.dropped

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

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
            state = "removed" if op.dropped else f"{age:>5}"
            text = Text(f"◆{seq:>{self._seq_width()}} PSNAP  ", style)
            tail = f"  {state}"
            text.append(fmt.fit_psnap(str(op.data), max(width - len(text) - len(tail), 8)), style)
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
