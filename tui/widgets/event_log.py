"""The engine's events, one line each with simulated time; filterable by topic or text."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from peersnap.core import clock
from peersnap.core.engine import Engine
from peersnap.core.events import Event
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input

from .. import format as fmt
from .compact import compact_input
from .frame import Frame
from .line_log import LineLog

KEEP = 5000
TEXT_COLUMN = 24  # time (8), topic (8), fileset (6) and their gaps: where an event's text starts
PSNAP_NAME = fmt.PSNAP_IDS
TOPIC_STYLES = {
    "psnap": "bold $accent",
    "refused": "bold $error",
    "link": "bold $warning",
    "state": "$warning",
    "flush": "$success",
    "snapshot": "$secondary",
    "command": "$primary",
}


class EventRecord:
    __slots__ = ("at", "fileset", "text", "time", "topic")

    def __init__(self, event: Event, time: str) -> None:
        self.at = event.at
        self.topic = event.topic
        self.fileset = event.fileset
        self.text = PSNAP_NAME.sub("…", event.describe())  # the short form every pane shows (fmt.fit_psnap)
        self.time = time

    def matches(self, words: list[str]) -> bool:
        hay = f"{self.topic} {self.fileset} {self.text}".lower()
        return all(word in hay for word in words)

    def line(self) -> Content:
        return Content.assemble(
            (self.time, "$text-muted"), " ",
            (f"{self.topic:<8}", TOPIC_STYLES.get(self.topic, "")), " ",
            (f"{self.fileset:<5} " if self.fileset else "      ", "$text-muted"),
            self.text,
        )


class EventLog(Frame):
    """A filter field over a bounded log of every event."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pane")
        self.records: deque[EventRecord] = deque(maxlen=KEEP)
        self._words: list[str] = []

    def compose(self) -> ComposeResult:
        yield compact_input(Input, placeholder="filter: psnap, flush, refused, sw ...", id="event-filter")
        yield LineLog(KEEP, id="event-lines", hang=TEXT_COLUMN)

    def add(self, engine: Engine, events: Iterable[Event]) -> None:
        new = [EventRecord(e, clock.hms(engine.clock("cache", e.at))) for e in events]
        self.records.extend(new)
        self.query_one(LineLog).write_many([r.line() for r in new if r.matches(self._words)])

    def set_filter(self, text: str) -> None:
        self._words = text.lower().split()
        log = self.query_one(LineLog)
        log.clear()
        log.write_many([r.line() for r in self.records if r.matches(self._words)])

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.set_filter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
