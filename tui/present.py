"""`peersnap present SCRIPT`: the dashboard as a slide deck.

Each step of a prepared script (see `script.py`) runs one command and shows its `#:`
caption lines large above the dashboard; `#: spotlight PANE` frames the pane the step is
about. PageDown, Space and Right (what a presentation clicker sends) go forward, PageUp
and Left go back. Going back rebuilds the world from the start up to the step before,
so every command the audience saw is shown again and the world is exactly as it was
(undo would skip commands that changed nothing, like a listing). Time stays paused: the
presenter decides when things happen.
"""

from __future__ import annotations

import contextlib
import sys
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.widget import Widget
from textual.widgets import Static

from .app import PeersnapApp
from .dashboard import Dashboard
from .launch import LaunchError, prepare
from .script import Beat, Script
from .shot import ShotError, Stage, stage_for
from .widgets.console import Console
from .widgets.event_log import EventLog

PANE_IDS = {"cache": "cache-pane", "home": "home-pane", "queue": "queue-pane", "psnaps": "psnaps",
            "console": "console", "events": "events", "toggles": "toggles", "header": "header", "lesson": "lesson"}


class Caption(Static):
    """The step's words, large: a bold band across the top; the dashboard fits below it."""

    DEFAULT_CSS = """
    Caption {
        dock: top;
        width: 100%;
        height: auto;
        padding: 1 3;
        background: $accent;
        color: $text;
        text-style: bold;
    }
    """


class PresenterApp(PeersnapApp):
    CSS = ".spotlight { outline: heavy $warning; }"
    BINDINGS: ClassVar[list[BindingType]] = [
        *PeersnapApp.BINDINGS,
        Binding("pagedown,space,right", "next_step", "Next", priority=True),
        Binding("pageup,left", "previous_step", "Back", priority=True),
    ]

    def __init__(self, script: Script, dashboard: Dashboard, **kwargs: object) -> None:
        super().__init__(dashboard, **kwargs)  # type: ignore[arg-type]
        self.script = script
        self.step = 0  # how many beats have been played

    @property
    def beats(self) -> tuple[Beat, ...]:
        return self.script.beats

    def on_mount(self) -> None:
        # (the app's own on_mount runs after this one and waits for the dashboard, which focuses the console)
        self.screen.mount(Caption(id="caption"))
        self.call_after_refresh(self._start)

    def _start(self) -> None:
        self.set_focus(None)  # the clicker's Space must not land in the console
        self._show()

    def action_next_step(self) -> None:
        if self.step >= len(self.beats):
            self.notify("That was the last step (PageUp goes back).", title="present")
            return
        self._play(self.beats[self.step])
        self.step += 1
        self._show()

    def action_previous_step(self) -> None:
        if self.step == 0:
            return
        target = self.step - 1
        self.dashboard.reset_world()
        self.query_one(Console).output.clear()
        self.query_one(EventLog).records.clear()
        for beat in self.beats[:target]:
            self._play(beat)
        self.step = target
        self._show()

    def _play(self, beat: Beat) -> None:
        if beat.command:
            self.dashboard.run_line(beat.command, explain=False)  # a card would need a key the clicker does not have

    def _show(self) -> None:
        total = len(self.beats)
        if self.step == 0:
            first = self.beats[0].caption if self.beats else ()
            words = [*first[:1], f"{self.script.path}: {total} steps · PageDown or Space to begin"]
            spotlight = ""
        else:
            beat = self.beats[self.step - 1]
            words = [*(beat.caption or (beat.command,)), f"step {self.step} of {total}"]
            spotlight = beat.spotlight
        self.query_one(Caption).update("\n".join(words))
        for name, pane_id in PANE_IDS.items():
            with contextlib.suppress(NoMatches):
                self.query_one(f"#{pane_id}", Widget).set_class(name == spotlight, "spotlight")
        self.dashboard.refresh_view()


def build_presenter(script: Script, stage: Stage) -> PresenterApp:
    try:
        start = prepare(stage.scenario, stage.lesson, None)
    except LaunchError as exc:
        raise ShotError(str(exc)) from None
    return PresenterApp(script, Dashboard(start, paused=True, blink=False), theme=stage.theme)


def present(script: Script, scenario: str | None, lesson: str | None, size: str | None, theme: str | None) -> int:
    """Open the presenter on the terminal (`size` is the script's to set, not the terminal's)."""
    try:
        app = build_presenter(script, stage_for(script, scenario, lesson, size, theme))
    except ShotError as exc:
        sys.stderr.write(f"peersnap present: {exc}\n")
        return 2
    app.run()
    return 0
