"""The peersnap dashboard: cache and home panes, the gateway queue, peer
snapshot pairs, connection toggles, a console and the event log.

Time runs on a timer, through the session (so its log can be saved, replayed and
undone); the session's events are collected and the screen is refreshed once per
frame (at most ~20 a second), however many events happen. With a lesson, a lesson
panel sits beside the console; with a saved session, its log replays on the timer.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import ClassVar

import peersnap.themes as theme_files
from peersnap.core.completion import complete
from peersnap.core.events import Event, SessionReset
from peersnap.core.lessons import Lesson
from peersnap.core.scenario import Scenario
from peersnap.core.scenario import load as load_scenario
from peersnap.core.session import LoggedCommand, Session
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.screen import Screen

from . import seat_link
from . import settings as config
from .actions import ACTIONS, HELP_KEYS, bindings
from .launch import LaunchError, Start, prepare
from .lesson_controls import LessonControls
from .replay import Replay
from .screens import HelpScreen, RefusalCard
from .themes import bundled_themes, user_themes
from .ticker import FRAME, Ticker
from .time_controls import TimeControls
from .toggles import (
    Step,
    afmconfig_steps,
    link_steps,
    mode_steps,
    protocol_steps,
    psnap_steps,
    run_steps,
    state_steps,
)
from .widgets.console import Console
from .widgets.event_log import EventLog
from .widgets.file_pane import FilePane
from .widgets.header import ClockHeader
from .widgets.key_bar import KeyBar
from .widgets.lesson_panel import LessonPanel
from .widgets.psnap_table import PsnapTable
from .widgets.queue_view import QueuePane, QueueSummary, QueueView
from .widgets.toggle_bar import Toggle, ToggleBar

THEME_ALIASES = {"dark": "peersnap-dark", "light": "peersnap-light", "high-contrast": "peersnap-contrast",
                 "contrast": "peersnap-contrast"}
WELCOME = [
    "Welcome to peersnap: an AFM cache (left), its home (right) and the gateway queue between them.",
    "Try: mmpsnap fs1 create -j sw · echo hello > /gpfs/fs1/sw/a · sim load 1000 · @home mmlssnapshot fs1",
    "F1 help · F2-F5 toggles run real commands · Ctrl+P every action · Tab completes · Up/Down history",
]


def complete_line(session: Session, text: str) -> list[str]:
    return complete(session, text)


class PeersnapApp(TimeControls, LessonControls, App[int]):
    CSS_PATH = str(theme_files.THEMES_DIR / "peersnap.tcss")
    TITLE = "peersnap"
    BINDINGS: ClassVar[list[BindingType]] = [*bindings(), HELP_KEYS]

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        session: Session | None = None,
        theme: str | None = None,
        paused: bool = False,
        speed: int = 1,
        settings_path: Path | None = None,
        theme_dir: Path | None = None,
        blink: bool = True,
        allow_files: bool = True,
        lesson: Lesson | None = None,
        replay: list[LoggedCommand] | None = None,
    ) -> None:
        super().__init__()
        self.allow_files = allow_files  # False in the browser classroom: `save FILE` may not write host files
        if session is not None:
            self.scenario, self.session = session.scenario, session
        else:
            self.scenario = scenario if scenario is not None else load_scenario()
            self.session = Session(self.scenario, allow_files=allow_files)
        self.ticker = Ticker(self.session, running=not paused, speed=config.clamp_speed(speed))
        self.lesson = lesson
        self.replay = Replay(replay) if replay is not None else None
        self._reset_seen = False
        self.settings_path = settings_path
        self.blink = blink
        self.warnings: list[str] = []
        self._pending: list[Event] = []
        self._unsubscribe: Callable[[], None] = lambda: None
        self._last_tick = 0.0
        self._last_second = -1
        self.fileset_name = self._first_fileset()
        for item in bundled_themes():
            self.register_theme(item)
        if theme_dir is not None:
            found, warnings = user_themes(theme_dir)
            self.warnings.extend(warnings)
            for item in found:
                self.register_theme(item)
        wanted = THEME_ALIASES.get(theme or "", theme or config.DEFAULT_THEME)
        if wanted not in self.available_themes:
            self.warnings.append(f"unknown theme '{theme}'; using {config.DEFAULT_THEME} "
                                 f"(known: {', '.join(sorted(self.available_themes))})")
            wanted = config.DEFAULT_THEME
        self.theme = wanted

    # -- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield ClockHeader(id="header")
        yield ToggleBar(id="toggles")
        with Horizontal(id="main"):
            yield FilePane("cache", id="cache-pane")
            with QueuePane(id="queue-pane", classes="pane"):
                yield QueueSummary(id="queue-summary")
                yield QueueView(id="queue")
            yield FilePane("home", id="home-pane")
        yield PsnapTable(id="psnaps")
        with Horizontal(id="bottom"):
            yield Console(partial(complete_line, self.session), id="console", blink=self.blink)
            if self.lesson is not None:
                yield LessonPanel(self.lesson, self.session, id="lesson")
            yield EventLog(id="events")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.query_one("#cache-pane").border_title = "Cache"
        self.query_one("#home-pane").border_title = "Home"
        self.query_one("#queue-pane").border_title = "Gateway queue"
        self.query_one("#psnaps").border_title = "Peer snapshots"
        self.query_one("#console").border_title = "Console"
        self.query_one("#events").border_title = "Events"
        self._attach()
        console = self.query_one(Console)
        console.output.write_many(list(WELCOME))
        for warning in self.warnings:
            console.output.write(f"peersnap: {warning}")
        if self.replay is not None:
            console.output.write(f"peersnap: replaying {self.replay.total} log entries of a saved session "
                                 "(F7 pauses, F8 steps, F9/F10 change speed)")
        console.input.focus()
        self._last_tick = time.monotonic()
        self.set_interval(FRAME, self._tick)
        self.theme_changed_signal.subscribe(self, lambda _theme: self._save_settings())
        self._layout_classes()
        self.seat_link = seat_link.attach(self)  # a classroom seat reports to `peersnap serve` (else None)
        self.refresh_view()

    def on_resize(self) -> None:
        self._layout_classes()
        self.refresh_view()

    def _layout_classes(self) -> None:
        width, height = self.size
        wanted = {"narrow": width < 120, "tiny": width < 96, "short": height < 34,
                  "lesson": self.lesson is not None, "wide": width >= 150}
        screen = self.screen
        for name, on in wanted.items():
            if screen.has_class(name) != on:  # a class change restyles the whole screen
                screen.set_class(on, name)

    # -- engine wiring -------------------------------------------------------------------
    def _attach(self) -> None:
        self._unsubscribe()
        self._unsubscribe = self.session.subscribe(self._on_event)
        self.ticker.set_session(self.session)

    def _on_event(self, event: Event) -> None:
        self._pending.append(event)
        if isinstance(event, SessionReset):
            self._reset_seen = True  # undo rebuilt the world: redraw everything next frame

    def _first_fileset(self) -> str:
        names = list(self.session.engine.world.filesets)
        return "sw" if "sw" in names else (names[0] if names else "")

    @property
    def fileset(self):  # type: ignore[no-untyped-def]
        return self.session.engine.world.filesets[self.fileset_name]

    def refresh_view(self) -> None:
        """Bring every pane up to date with the engine (one frame's batch)."""
        if not self.is_mounted or not self.fileset_name:
            return
        engine = self.session.engine
        fileset = self.fileset
        width = self.size.width
        events, self._pending[:] = list(self._pending), []
        if self._reset_seen:
            self._reset_seen = False
            self.ticker.set_session(self.session)
            self._last_second = -1
            for pane in self.query(FilePane):
                pane.forget()
            self.query_one(PsnapTable).forget()
            for panel in self.query(LessonPanel):
                panel.rewind()
        note = self.replay.label() if self.replay is not None else ""
        self.query_one(ClockHeader).show(engine, fileset, self.ticker.running, self.ticker.speed, self.ticker.behind,
                                         note)
        self.query_one(ToggleBar).show(engine, fileset, compact=width < 120)
        self.query_one(QueueSummary).show(engine, fileset)
        self.query_one(QueueView).show(engine, fileset)
        self.query_one("#queue-pane").border_subtitle = f"{fileset.gateway} → {engine.world.home.name}"
        second = engine.now // 1_000_000
        if events or second != self._last_second:
            self._last_second = second
            self.query_one("#cache-pane", FilePane).show(engine, fileset)
            self.query_one("#home-pane", FilePane).show(engine, fileset)
            self.query_one(PsnapTable).show(engine, width)
        if events:
            self.query_one(EventLog).add(engine, events)
            for panel in self.query(LessonPanel):
                panel.check()

    # -- commands ------------------------------------------------------------------------
    def on_console_submitted(self, message: Console.Submitted) -> None:
        self.run_line(message.line)

    def run_line(self, line: str, explain: bool = True) -> None:
        """Run a console line through the session and show it like a terminal
        (`explain`: a refused command opens the explanation card)."""
        if line.strip() == "clear":
            self.query_one(Console).output.clear()
            return
        result = self.session.run(line)
        console = self.query_one(Console)
        if result.command or result.lines:
            console.echo(result.cluster, result.command, result.lines, result.rc)
        if result.refusal is not None and explain:
            self.push_screen(RefusalCard(result.command, result.refusal))
        self.refresh_view()

    def run_toggle(self, steps: list[Step], what: str) -> None:
        outcome = run_steps(self.session, steps)
        console = self.query_one(Console)
        for i, result in enumerate(outcome.results):
            console.echo(result.cluster, result.command, result.lines, result.rc, what if i == 0 else "")
        for result in outcome.undone:
            console.echo(result.cluster, result.command, result.lines, result.rc, "undo: the toggle changes nothing")
        if not outcome.ok:
            failed = outcome.results[-1]
            if outcome.refusal is not None:
                self.push_screen(RefusalCard(failed.command, outcome.refusal))
            else:
                self.notify("\n".join(outcome.failure[:3]) or "failed", title=f"{what} refused", severity="error")
        self.refresh_view()

    async def on_toggle_pressed(self, message: Toggle.Pressed) -> None:
        await self.run_action(message.action)

    # -- actions (declared in actions.py) ------------------------------------------------
    def action_toggle_link(self) -> None:
        self.run_toggle(link_steps(self.session), "link toggle")

    def action_toggle_protocol(self) -> None:
        self.run_toggle(protocol_steps(self.session, self.fileset_name), "protocol toggle")

    def action_toggle_afmconfig(self) -> None:
        self.run_toggle(afmconfig_steps(self.session, self.fileset_name), "mmafmconfig toggle")

    def action_cycle_mode(self) -> None:
        self.run_toggle(mode_steps(self.session, self.fileset_name), "mode toggle")

    def action_psnap(self) -> None:
        self.run_toggle(psnap_steps(self.session, self.fileset_name), "peer snapshot")

    def action_show_state(self) -> None:
        self.run_toggle(state_steps(self.session, self.fileset_name), "cache state")

    def action_next_fileset(self) -> None:
        names = list(self.session.engine.world.filesets)
        if names:
            self.fileset_name = names[(names.index(self.fileset_name) + 1) % len(names)]
        self.refresh_view()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_focus_console(self) -> None:
        self.query_one(Console).input.focus()

    def action_undo(self) -> None:
        self.run_line("undo")

    def action_reset(self) -> None:
        """Start the scenario again through the session (its listeners stay; the view redraws)."""
        self._pending.clear()
        events = self.query_one(EventLog)
        events.records.clear()
        events.set_filter("")
        self.session.reset()
        self.query_one(Console).output.write(f"peersnap: scenario '{self.scenario.name}' started again")
        self.fileset_name = self._first_fileset()
        for panel in self.query(LessonPanel):
            panel.restart(self.session)
        if self.replay is not None:
            self.replay.restart()
        self.refresh_view()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for action in ACTIONS:
            yield SystemCommand(f"{action.title} ({action.key_display})", action.help,
                                partial(self.call_later, self.run_action, action.action))
        yield from (c for c in super().get_system_commands(screen) if c.title not in ("Quit", "Keys"))

    # -- settings ------------------------------------------------------------------------
    def _save_settings(self) -> None:
        if self.settings_path is None:
            return
        warning = config.save(config.Settings(theme=self.theme, speed=self.ticker.speed), self.settings_path)
        if warning:
            self.notify(warning, severity="warning")

    def on_unmount(self) -> None:
        self._unsubscribe()


def make_app(scenario: str | Scenario | None = None, *, session: Session | None = None,
             lesson: str | Lesson | None = None, replay: str | None = None,
             theme: str = config.DEFAULT_THEME, paused: bool = True, speed: int = 1,
             size: tuple[int, int] | None = None, blink: bool = False) -> PeersnapApp:
    """A deterministic dashboard for tests and benchmarks: paused by default, no
    settings file, no blinking cursor. `lesson` opens the lesson panel; `replay`
    (a saved session file) replays its log. `size` is accepted for symmetry; the test
    harness (`run_test(size=...)`, `snap_compare(terminal_size=...)`) sets it."""
    start = Start(session=session) if session is not None else prepare(scenario, lesson, replay)
    del size
    app = PeersnapApp(start.scenario, session=start.session, lesson=start.lesson, replay=start.replay, theme=theme,
                      paused=paused, speed=speed, blink=blink)
    app.warnings.extend(start.warnings)
    return app


def run_dashboard(args: argparse.Namespace) -> int:
    """`peersnap [--scenario NAME|FILE] [--replay SESSION] [--speed N] [--theme NAME] [--paused]`,
    and `peersnap lesson NAME` (which sets `args.lesson`).

    Broken files are reported (exit 2) before the app starts. PEERSNAP_CLASSROOM=1
    (set by `peersnap serve` for each browser session) turns off everything that
    writes host files: `save FILE` and the settings file.
    """
    classroom = os.environ.get("PEERSNAP_CLASSROOM") == "1"
    try:
        start = prepare(getattr(args, "scenario", None), getattr(args, "lesson", None),
                        getattr(args, "replay_session", None), allow_files=not classroom)
    except LaunchError as exc:
        sys.stderr.write(f"peersnap: {exc}\n")
        return 2
    path = config.config_dir() / "config.toml"
    saved, warning = config.load(path)
    app = PeersnapApp(
        start.scenario,
        session=start.session,
        lesson=start.lesson,
        replay=start.replay,
        theme=getattr(args, "theme", None) or saved.theme,
        paused=bool(getattr(args, "paused", False)) or (start.lesson is not None and start.lesson.paused),
        speed=getattr(args, "speed", None) or saved.speed,
        settings_path=None if classroom else path,
        theme_dir=config.config_dir() / "themes",
        allow_files=not classroom,
    )
    app.warnings.extend(start.warnings)
    if warning:
        app.warnings.append(warning)
    app.run()
    return 0
