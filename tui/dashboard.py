"""The dashboard screen: cache and home panes, the gateway queue, peer snapshot
pairs, connection toggles, a console and the event log; it owns their keys.

One command's way: the console posts `Console.Submitted`; `run_line` runs it
through the `Session` (the engine's events are collected as they happen) and
echoes its result; `refresh_view` then hands the frame's batch of events and the
engine's state to each widget, which redraws only what changed. Time runs on a
timer through the session too (so its log can be saved, replayed and undone), and
the screen is refreshed once per frame (at most ~20 a second), however many events
happen. With a lesson, a lesson panel sits beside the console; with a saved
session, its log replays on the timer.
"""

from __future__ import annotations

import contextlib
import os
import time
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from peersnap.core import invariants
from peersnap.core.engine import Engine
from peersnap.core.events import CommandRan, Event, SessionReset
from peersnap.core.lazy import later
from peersnap.core.model import AfmFileset
from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.geometry import Size
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget

from . import collector
from . import state as saved_state
from .actions import dashboard_bindings
from .dashboard_input import DashboardInput
from .launch import Start
from .layout import Room, Rows
from .settings import clamp_speed
from .ticker import FRAME, Ticker, frame_delay
from .widgets.console import Console
from .widgets.event_log import EventLog
from .widgets.file_pane import FilePane
from .widgets.frame import Frame
from .widgets.header import ClockHeader
from .widgets.key_bar import KeyBar
from .widgets.psnap_table import PsnapTable
from .widgets.queue_view import QueueSummary, QueueView
from .widgets.timeline import TimelineStrip
from .widgets.toggle_bar import ToggleBar

if TYPE_CHECKING:
    from .player import Player

# Tab completion and the explanations: loaded when first asked for, not for the first frame (core/lazy.py);
# the side channel of a classroom seat, only in a seat
completion = later("peersnap.core.completion")
why = later("peersnap.core.why")
seat_link = later("peersnap.tui.seat_link")
SEAT_FD = "PEERSNAP_SEAT_FD"  # (tui/classroom.py's LINK_ENV: where a seat finds its socket to the server)

WELCOME = [
    "Welcome to peersnap: an AFM cache (left), its home (right) and the gateway queue between them.",
    "Try: mmpsnap fs1 create -j sw · echo hello > /gpfs/fs1/sw/a · sim load 1000 · @home mmlssnapshot fs1",
    "F1 help · F2-F5 toggles run real commands · Ctrl+P every action · Tab completes · Up/Down history",
]
PANE_TITLES = {"cache-pane": "Cache", "home-pane": "Home", "queue-pane": "Gateway queue", "psnaps": "Peer snapshots",
               "console": "Console", "events": "Events"}


class Band(Horizontal):
    """A row of panes (#main, #bottom). Blank, in Textual's words: no border, no content of its own, so
    each of its rows is its background (the panes cover it), drawn without rendering every row."""

    BLANK = True


class Dashboard(DashboardInput):
    BINDINGS: ClassVar[list[BindingType]] = dashboard_bindings()
    BLANK = True  # (the screen, like a Band: its rows are its background, behind the panes)
    # on_mount gives the console the focus: Textual's own choice when the screen is first shown, the first
    # focusable widget (the toggle bar), was focused and restyled first, then blurred and restyled again
    AUTO_FOCUS = ""

    class SpeedChanged(Message):
        """Time's speed changed (the app keeps it in the settings)."""

        def __init__(self, speed: int) -> None:
            super().__init__()
            self.speed = speed

    class Ready(Message):
        """Mounted, the console focused: keys typed meanwhile can be given to it now."""

    def __init__(self, start: Start, *, paused: bool = False, speed: int = 1, blink: bool = False,
                 state: Path | None = None) -> None:
        """`state`: the folder for the console history and the autosave (None: nothing is kept)."""
        super().__init__()
        self.state = state
        self.autosaved: Path | None = None  # where the session was last autosaved
        self.session = start.session
        self.scenario = start.session.scenario
        self.lesson = start.lesson
        self.replay = None
        if start.replay is not None:
            from .replay import Replay

            self.replay = Replay(start.replay)
        self.ticker = Ticker(self.session, running=not paused, speed=clamp_speed(speed))
        self.blink = blink
        self.warnings: list[str] = list(start.warnings)  # said in the console when the dashboard opens
        self.fileset_name = self._first_fileset()
        self._pending: list[Event] = []  # this frame's events, handed to the widgets together
        self._reset_seen = False
        self.commands_seen = 0  # commands run (the toggle bar marks what the last one changed)
        self._last_tick = 0.0
        self._last_second = -1
        self._frame: Timer | None = None  # the next frame (one-shot; none while paused with nothing to draw)
        self._planned = FRAME  # how long the armed frame waits (that much real time is owed to the clock)
        self._ticking = False
        self._answer_first = False  # a typed command in a classroom seat: its answer is drawn before the panes
        self._view_due = False
        self._queue_route = ""
        self.player: Player | None = None  # a `sim advance` or `sim settle` playing
        self.selected_pair: str | None = None  # its ops ahead are highlighted in the queue
        self._rows: Rows | None = None  # the stacked regions' heights, shared by content
        self._composed = False  # in a terminal, on_mount has begun: the panes are filled there (before is_mounted)
        self._shown = False  # the screen has been shown once (on_screen_resume)
        self._fitted = Size(0, 0)  # the size the panes were last fitted to (on_resize)
        self._unsubscribe = self.session.subscribe(self._on_event)

    # -- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield ClockHeader(id="header")
        yield ToggleBar(id="toggles")
        with Band(id="main"):
            yield FilePane("cache", id="cache-pane")
            with Frame(id="queue-pane", classes="pane"):
                yield QueueSummary(id="queue-summary")
                yield QueueView(id="queue")
            yield FilePane("home", id="home-pane")
        yield TimelineStrip(id="timeline")
        yield PsnapTable(id="psnaps")
        with Band(id="bottom"):
            yield Console(self._complete, typo_guesser=self._did_you_mean, id="console", blink=self.blink)
            if self.lesson is not None:
                from .widgets.lesson_panel import LessonPanel  # (a start without a lesson never loads it)

                self.lesson_panel = LessonPanel(self.lesson, self.session, id="lesson")
                yield self.lesson_panel
            yield EventLog(id="events")
        yield KeyBar(id="keys")

    def _complete(self, text: str) -> list[str]:
        return completion.complete(self.session, text)

    def _did_you_mean(self, text: str) -> list[str]:
        return completion.did_you_mean(self.session, text)

    def on_mount(self) -> None:
        # in a terminal the first layout is the frame written: fill the panes now. Headless (tests,
        # screenshots) the app waits for this mount, and the panes fill at the first resize as before
        # (filling them here too moved the scrollbars of snapshots with a settled world)
        self._composed = not self.app.is_headless
        for pane_id, title in PANE_TITLES.items():
            self.query_one(f"#{pane_id}").border_title = title
        console = self.query_one(Console)
        console.output.write_many(list(WELCOME))
        for warning in self.warnings:
            console.output.write(f"peersnap: {warning}")
        if self.replay is not None:
            console.output.write(f"peersnap: replaying {self.replay.total} log entries of a saved session "
                                 "(F7 pauses, F8 steps, F9/F10 change speed)")
        if self.state is not None:
            console.input.history = saved_state.load_history(self.state / saved_state.HISTORY_FILE)
            console.input.on_remember = self._save_history
        console.input.focus()
        self._last_tick = time.monotonic()
        self._arm(FRAME)
        self._set_layout_classes()
        # a classroom seat reports to `peersnap serve` (else None)
        self.seat_link = seat_link.attach(self) if SEAT_FD in os.environ else None
        css_cache = getattr(self.app, "css_cache", None)
        if css_cache is not None:  # every stylesheet of the first frame is parsed by now: the next start unpickles
            css_cache.save()  # them (tui/css_cache.py; this start pays ~2 ms for it, only when it parsed anything)
        self.refresh_view()
        self.post_message(self.Ready())
        # after the first refresh (the first frame) the collector may run again (release is only a freeze),
        # and the style strings that frame parsed are kept for the next start
        self.call_after_refresh(collector.release)
        if css_cache is not None:
            self.call_after_refresh(css_cache.save)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """Textual styles every widget as it mounts, then styles the whole screen again when it is first
        shown (~12 ms of the first frame, for nothing): the first showing keeps the styles the widgets
        mounted with. (This handler runs before Screen's own, which reads `refresh_styles`.)"""
        if not self._shown:
            self._shown = True
            event.refresh_styles = False

    def on_resize(self) -> None:
        if self.size == self._fitted:  # (Textual sends a new screen its size twice): nothing to fit again
            return
        self._fitted = self.size
        self._set_layout_classes()
        self._last_second = -1  # the panes fit their text to their width: show them again
        self.refresh_view()

    def _set_layout_classes(self) -> None:
        width, height = self.size
        for name, on in Room(width, height).screen_classes(lesson=self.lesson is not None).items():
            if self.has_class(name) != on:  # a class change restyles the whole screen
                self.set_class(on, name)

    def _share_rows(self, room: Room) -> None:
        """The console gets the rows the panes above it do not need (`Room.share_rows`); a new
        height is set only when the content's rows change it (each costs a layout)."""
        queue = self.query_one(QueueSummary).rows + self.query_one(QueueView).rows
        main = max(queue, *(pane.rows for pane in self.query(FilePane)))
        rows = room.share_rows(lesson=self.lesson is not None, main=main, pairs=self.query_one(PsnapTable).rows)
        if rows == self._rows:
            return
        self._rows = rows
        for selector, height in (("#main", rows.main), ("#psnaps", rows.pairs), ("#bottom", rows.bottom)):
            self.query_one(selector).styles.height = height

    # -- engine wiring -------------------------------------------------------------------
    def _on_event(self, event: Event) -> None:
        self._take_event(event)
        self._wake()
        if isinstance(event, CommandRan):
            self.commands_seen += 1
        if isinstance(event, SessionReset):
            self._reset_seen = True  # undo rebuilt the world: redraw everything next frame

    def _first_fileset(self) -> str:
        names = list(self.session.engine.world.filesets)
        return "sw" if "sw" in names else (names[0] if names else "")

    @property
    def view_engine(self) -> Engine:
        """The world the panes show: the session's, or the twin of a playing `sim advance`."""
        return self.player.engine if self.player is not None else self.session.engine

    @property
    def fileset(self) -> AfmFileset:
        return self.view_engine.world.filesets[self.fileset_name]

    def _arm(self, delay: float | None) -> None:
        self._frame = None if delay is None else self.set_timer(delay, self._tick)

    def _wake(self) -> None:
        """Something may have changed (a key, an event, time started, the trainer): the next frame
        comes within FRAME, not at the next second (nor never, paused)."""
        if self._ticking or not self.is_mounted:
            return
        if self._frame is None:
            self._last_tick = time.monotonic()  # paused meanwhile: nothing is owed to the clock
            self._planned = FRAME
        elif self._planned <= FRAME:
            return
        else:
            self._frame.stop()  # (the time it waited stays owed: `_planned` is kept)
        self._arm(FRAME)

    @cached_property
    def _panes(self) -> tuple[ClockHeader, ToggleBar, QueueSummary, QueueView, TimelineStrip, Widget, FilePane,
                              FilePane, PsnapTable, EventLog]:
        """What `refresh_view` draws: composed once and never replaced, so found once rather than at every frame
        (ten queries, ~0.3 ms)."""
        find = self.query_one
        return (find(ClockHeader), find(ToggleBar), find(QueueSummary), find(QueueView), find(TimelineStrip),
                find("#queue-pane"), find("#cache-pane", FilePane), find("#home-pane", FilePane), find(PsnapTable),
                find(EventLog))

    def refresh_view(self) -> None:
        """Bring every pane up to date with the engine (one frame's batch)."""
        self._wake()  # whatever changed (a key, time started, the trainer) may need the next frames too
        if not (self.is_mounted or self._composed) or not self.fileset_name:
            return
        engine = self.view_engine
        fileset = self.fileset
        room = Room(*self.size)
        events, self._pending[:] = list(self._pending), []
        if self._reset_seen:
            self._reset_seen = False
            self.ticker.set_session(self.session)
            self._last_second = -1
            for pane in self.query(FilePane):
                pane.forget()
            self.query_one(PsnapTable).forget()
        note = self.replay.label() if self.replay is not None else ""
        if self.session.timeline.at is not None:
            note = f"past: {self.session.moment_text(self.session.moment)}" + (f" · {note}" if note else "")
        header, toggles, summary, queue, timeline, queue_pane, cache_pane, home_pane, psnaps, event_log = self._panes
        header.show(engine, fileset, self.ticker.running, self.ticker.speed, self.ticker.behind, room, note,
                    invariants.check(engine.world))
        toggles.show(engine, fileset, compact=room.narrow, commands=self.commands_seen)
        summary.show(engine, fileset)
        queue.show(engine, fileset)
        self._highlight(engine, queue)
        ends = self.session.timeline.current.ends
        timeline.show(engine, fileset, ends[-1] if ends else engine.now)
        route = f"{fileset.gateway} → {engine.world.home.name}"
        if route != self._queue_route:  # setting a border subtitle repaints the pane, even to the same text
            self._queue_route = route
            queue_pane.border_subtitle = route
        second = engine.now // 1_000_000
        if events or second != self._last_second:
            self._last_second = second
            cache_pane.show(engine, fileset)
            home_pane.show(engine, fileset)
            psnaps.show(engine, room)
            self._share_rows(room)
        if events:
            event_log.add(engine, events)
            if self.lesson_panel is not None:
                self.lesson_panel.check()

    # -- time ----------------------------------------------------------------------------
    def _tick(self) -> None:
        self._ticking = True
        try:
            self._frame_work()
        finally:
            self._ticking = False
            busy = self.player is not None or (self.replay is not None and not self.replay.done and self.ticker.running)
            delay = frame_delay(self.ticker, self.session.engine, busy) if self.is_mounted else None
            self._planned = delay or FRAME
            self._arm(delay)

    def _catch_up(self) -> None:
        """A line runs at the moment it is typed: time first makes up the real time since the last
        frame (with nothing due, frames are up to a second apart)."""
        if self._ticking or self.player is not None or self.replay is not None or not self.ticker.running:
            return
        now = time.monotonic()
        elapsed, self._last_tick = now - self._last_tick, now
        self.ticker.tick(elapsed, self._planned)

    def _frame_work(self) -> None:
        now = time.monotonic()
        elapsed, self._last_tick = now - self._last_tick, now
        if self.player is not None:  # time's own ticking waits while a time command plays
            if self.player.frame(elapsed):
                self._end_play()
            with contextlib.suppress(NoMatches):
                self.refresh_view()
            return
        try:
            if self.replay is not None and not self.replay.done:
                moved = self.replay.tick(self.session, elapsed, self.ticker.speed, self._replayed) \
                    if self.ticker.running else False
                self._replay_finished()
            else:
                moved = self.ticker.tick(elapsed, self._planned)
        except Exception as exc:  # noqa: BLE001 - never a traceback on screen
            self.ticker.running = False
            self.notify(f"simulation paused: {type(exc).__name__}: {exc}", severity="error")
            moved = True
        if self._view_due:  # a typed command's answer is being drawn: the panes follow it (_due_view)
            return
        # Redraw when something happened or the clock's shown second changed: at 1x with nothing
        # queued that is once a second, not every frame (an idle classroom seat costs almost nothing).
        if self._pending or (moved and (self.session.engine.now // 1_000_000 != self._last_second
                                        or self.ticker.behind or self.replay is not None)):
            with contextlib.suppress(NoMatches):  # a last frame while the app closes: its widgets are gone
                self.refresh_view()

    def _replayed(self, line: str) -> None:
        """One replayed command, echoed like a typed one (no explanation cards: the replay goes on)."""
        self.run_line(line, explain=False)

    def _replay_finished(self) -> None:
        replay = self.replay
        if replay is not None and replay.done and not replay.announced:
            replay.announced = True
            self.ticker.running = False
            self.query_one(Console).output.write(
                f"peersnap: replay finished ({replay.total} log entries); time is paused, F7 runs it on")

    def action_pause(self) -> None:
        self.ticker.running = not self.ticker.running
        self._last_tick = time.monotonic()
        self.refresh_view()

    def action_step(self) -> None:
        self.behind_typed(self._step_now)

    def _step_now(self) -> None:
        if self.replay is not None and not self.replay.done:
            self.ticker.running = False
            self.replay.step(self.session, self._replayed)
            self._replay_finished()
        elif not self.ticker.step():
            self.notify("Nothing is pending: no queued ops, no timers.", title="step")
        self.refresh_view()

    def action_faster(self) -> None:
        self.post_message(self.SpeedChanged(self.ticker.faster()))
        self.refresh_view()

    def action_slower(self) -> None:
        self.post_message(self.SpeedChanged(self.ticker.slower()))
        self.refresh_view()

    # -- playing, time travel -----------------------------------------------------------------
    def _end_play(self) -> None:
        """Finish a playing time command at once: the session's own world shows again."""
        player = self.player
        if player is None:
            return
        player.finish()
        self.player = None
        self._reset_seen = True  # the panes drew the twin: draw the session's world afresh
        self._last_tick = time.monotonic()
        self._echo(player.result, False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "skip_play":
            return self.player is not None  # Esc is everyone else's while nothing plays
        return True

    def action_skip_play(self) -> None:
        self._end_play()
        self.refresh_view()

    def _pause_for_travel(self) -> None:
        """Looking back pauses time: time running at an earlier moment would start a branch at once."""
        if self.ticker.running:
            self.ticker.running = False
            self.notify("Time is paused while you look back; F7 runs it on (from here, as a branch).",
                        title="time travel")

    def action_travel_back(self) -> None:
        self.behind_typed(self._travel_back_now)

    def _travel_back_now(self) -> None:
        self._end_play()
        self._pause_for_travel()
        if not self.session.step_back():
            self.notify("This is the start of the line.", title="time travel")
        self.refresh_view()

    def action_travel_forward(self) -> None:
        self.behind_typed(self._travel_forward_now)

    def _travel_forward_now(self) -> None:
        self._end_play()
        if not self.session.step_forward():
            self.notify("This is the end of the line: the present.", title="time travel")
        self.refresh_view()

    def on_timeline_strip_seek(self, message: TimelineStrip.Seek) -> None:
        self._end_play()
        self._pause_for_travel()
        self.session.seek_time(message.at)
        self.refresh_view()

    # -- why, and the pair whose ops ahead are highlighted ----------------------------------
    def _why(self, subject: str) -> None:
        engine = self.view_engine
        try:
            from .why_card import WhyCard

            self.app.push_screen(WhyCard(why.explain(engine.world, subject, engine.now, self.fileset_name)))
        except why.WhyError as exc:
            self.notify(str(exc), title="why")

    def _highlight(self, engine: Engine, queue: QueueView) -> None:
        psnap = self.fileset.psnaps.get(self.selected_pair or "")
        if psnap is None or psnap.marker is None:
            queue.highlight(None, 0)
            return
        chain = why.explain(engine.world, psnap.name, engine.now)
        queue.highlight(chain.ahead, psnap.marker.seq)

    def on_queue_view_chosen(self, message: QueueView.Chosen) -> None:
        self._why(str(message.seq))

    def on_queue_view_pointed(self, message: QueueView.Pointed) -> None:
        op = self.fileset.queue.find(message.seq)
        if op is not None and op.kind == "psnap" and str(op.data) in self.fileset.psnaps:
            self.query_one(PsnapTable).select(str(op.data))

    def on_psnap_table_selected(self, message: PsnapTable.Selected) -> None:
        self.selected_pair = message.name
        self.refresh_view()

    def on_psnap_table_chosen(self, message: PsnapTable.Chosen) -> None:
        self._why(message.name)

    def on_unmount(self) -> None:
        self._unsubscribe()
