"""A classroom seat's side channel to `peersnap serve` (the dashboard's end).

The server starts each seat with one end of a Unix socket pair (its fd in PEERSNAP_SEAT_FD).
Over it the seat writes one JSON object a line, its status, whenever it changed (checked
once a second): the lesson and step, the last command and its rc, the last refusal, whether
time runs. The server writes commands back, one JSON object a line: a trainer's `message`,
`freeze` and `release` of simulated time, `start` (a warm seat, started before its student
came with its time held, got its student), and `redraw` (a page reconnected and needs the
whole screen). Outside the classroom there is no fd and `attach` does nothing.

Both directions are best effort and never block the dashboard: a status line that does not
fit in the socket's buffer is dropped (the next one carries the same fields), a line that is
not a JSON object is ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from typing import TYPE_CHECKING, Any

from peersnap.core.events import CommandRan, Event, RuleRefused

from .classroom import LINK_ENV, WARM_ENV
from .ticker import Ticker

if TYPE_CHECKING:
    from textual.screen import Screen

MEMORY_EXIT = 75  # the seat's exit status when it ran out of memory (the server then replaces it)
HEADROOM = 64 * 1024 * 1024  # a seat that cannot map this much more is out of memory
MAX_LINE = 64 * 1024
REPORT_SECONDS = 1.0
FROZEN = "Time is frozen by the trainer; it runs again when the trainer releases it."


class SeatTicker(Ticker):
    """The dashboard's ticker, which the trainer can freeze: while frozen, run and step
    are refused (with a notice) and simulated time stands still."""

    __slots__ = ("frozen", "refused")

    @classmethod
    def like(cls, ticker: Ticker, refused) -> SeatTicker:  # type: ignore[no-untyped-def]
        seat = cls(ticker.session, running=ticker.running, speed=ticker.speed)
        seat.frozen, seat.refused = False, refused
        return seat

    @property  # type: ignore[override]
    def running(self) -> bool:
        return Ticker.running.__get__(self)  # type: ignore[attr-defined]

    @running.setter
    def running(self, value: bool) -> None:
        if value and getattr(self, "frozen", False):
            self.refused()
            return
        Ticker.running.__set__(self, value)  # type: ignore[attr-defined]

    def tick(self, real_seconds: float, planned: float = 0.0) -> bool:
        return False if self.frozen else super().tick(real_seconds, planned)

    def step(self) -> bool:
        if self.frozen:
            self.refused()
            return True  # handled: no "nothing is pending" notice on top of the refusal
        return super().step()


class SeatLink:
    def __init__(self, dashboard: Screen, sock: socket.socket) -> None:
        self.dashboard, self.sock = dashboard, sock  # the dashboard screen: its ticker, session and widgets
        self.inbox = b""
        self.sent: dict[str, Any] = {}
        self.command, self.rc, self.refusal = "", None, ""
        self.commands = 0
        self.was_running = False  # whether time ran when it was held
        self.trainer_froze = False
        self.waiting = os.environ.get(WARM_ENV) == "1"  # a warm seat: no student yet, time has not started
        self.dashboard.ticker = SeatTicker.like(self.dashboard.ticker, self._refused)  # type: ignore[attr-defined]
        self._unsubscribe = self.dashboard.session.subscribe(self._on_event)  # type: ignore[attr-defined]
        asyncio.get_running_loop().add_reader(sock.fileno(), self._readable)
        if self.waiting:
            self._hold()  # before the first frame's tick: a warm seat's world starts at its first second
        self.dashboard.set_interval(REPORT_SECONDS, self.report)
        self._steady_cursor()
        self.report()

    # -- seat -> server ---------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        from .widgets.lesson_panel import LessonPanel

        app: Any = self.dashboard
        state: dict[str, Any] = {"command": self.command, "rc": self.rc, "refusal": self.refusal,
                                 "commands": self.commands, "running": app.ticker.running,
                                 "frozen": app.ticker.frozen, "clock": app.session.engine.now}
        panels = list(app.query(LessonPanel))
        if panels:
            run = panels[0].lesson_run
            state.update(lesson=run.lesson.title, step=min(run.index, len(run.lesson.steps)),
                         steps=len(run.lesson.steps), done=run.done)
        return state

    def report(self) -> None:
        with contextlib.suppress(Exception):  # a closing app: its widgets may be gone
            state = self.status()
            if state != self.sent and self.send(state):
                self.sent = state

    def send(self, message: dict[str, Any]) -> bool:
        import json  # (here, not at the top: only a classroom seat links, and the dashboard's start need not load json)

        try:
            self.sock.send(json.dumps(message, separators=(",", ":")).encode() + b"\n")
            return True
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            self.close()
            return False

    def _on_event(self, event: Event) -> None:
        if isinstance(event, CommandRan):
            self.command, self.rc = event.line, event.rc
            self.commands += 1
            if event.rc == 70 and not _has_headroom():  # an internal error; was it memory?
                self.send({"event": "out of memory"})
                os._exit(MEMORY_EXIT)
        elif isinstance(event, RuleRefused):
            self.refusal = f"{event.message_id} {event.text}".strip()

    # -- server -> seat ---------------------------------------------------------------
    def _readable(self) -> None:
        try:
            data = self.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self.close()
            return
        self.inbox += data
        *lines, self.inbox = self.inbox.split(b"\n")
        if len(self.inbox) > MAX_LINE:
            self.inbox = b""
        import json

        for line in lines:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict):
                with contextlib.suppress(Exception):  # one bad command must not break the seat
                    self.obey(message)

    def obey(self, message: dict[str, Any]) -> None:
        app: Any = self.dashboard
        what = message.get("do")
        if what == "message":
            text = str(message.get("text", ""))[:500]
            app.notify(text, title="From the trainer", timeout=30)
            self._console_line(f"trainer: {text}")
        elif what == "freeze" and not self.trainer_froze:
            self.trainer_froze = True
            self._hold()
            self._console_line("peersnap: the trainer froze time for everyone")
        elif what == "release" and self.trainer_froze:
            self.trainer_froze = False
            self._hold()
            self._console_line("peersnap: the trainer released time")
        elif what == "start" and self.waiting:  # a warm seat got its student: its time starts now
            self.waiting = False
            self._hold()
        elif what == "redraw":
            screen = app.app.screen  # the top screen: a card or the help may be over the dashboard
            screen.refresh()
            for widget in screen.walk_children():
                widget.refresh()
        self.report()

    def _hold(self) -> None:
        """Stop simulated time while the trainer froze it or the seat waits for its student;
        then give the student back the time as they had it (paused stays paused)."""
        app: Any = self.dashboard
        hold = self.trainer_froze or self.waiting
        if hold and not app.ticker.frozen:
            self.was_running = app.ticker.running
            app.ticker.running = False
            app.ticker.frozen = True
        elif not hold and app.ticker.frozen:
            app.ticker.frozen = False
            app.ticker.running = self.was_running
            app._last_tick = time.monotonic()  # no jump over the held span
        with contextlib.suppress(Exception):
            app.refresh_view()

    def _steady_cursor(self) -> None:
        # Over the network every blink is a frame sent to the page: half an idle seat's cost.
        from .widgets.console import Console

        with contextlib.suppress(Exception):
            self.dashboard.query_one(Console).input.cursor_blink = False

    def _refused(self) -> None:
        self.dashboard.notify(FROZEN, title="time", severity="warning")

    def _console_line(self, text: str) -> None:
        from .widgets.console import Console

        with contextlib.suppress(Exception):
            self.dashboard.query_one(Console).output.write(text)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            asyncio.get_running_loop().remove_reader(self.sock.fileno())
        with contextlib.suppress(OSError):
            self.sock.close()


def _has_headroom() -> bool:
    import mmap

    try:
        mmap.mmap(-1, HEADROOM).close()  # address space only: nothing is touched
        return True
    except (OSError, MemoryError, ValueError):
        return False


def attach(dashboard: Screen) -> SeatLink | None:
    """Connect a classroom seat's dashboard (the screen) to its server; None outside the classroom."""
    fd = os.environ.get(LINK_ENV, "")
    if not fd.isdigit():
        return None
    try:
        sock = socket.socket(fileno=int(fd))
        sock.setblocking(False)
    except OSError:
        return None
    return SeatLink(dashboard, sock)
