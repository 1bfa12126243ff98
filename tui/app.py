"""The peersnap app: themes, settings and the command palette around the dashboard screen.

The app never sees the command line: `cli.py` parses it and hands over plain
objects (a `Start`, the settings), as `make_app` does for tests and screenshots.
The dashboard (`dashboard.py`) owns the panes, the console and their keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import ClassVar

import peersnap.themes as theme_files
from peersnap.core.lessons import Lesson
from peersnap.core.scenario import Scenario
from peersnap.core.session import Session
from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.screen import Screen
from textual.widget import AwaitMount

from . import settings as config
from .actions import ACTIONS, app_bindings
from .dashboard import Dashboard
from .launch import Start, prepare
from .themes import bundled_themes, user_themes

THEME_ALIASES = {"dark": "peersnap-dark", "light": "peersnap-light", "high-contrast": "peersnap-contrast",
                 "contrast": "peersnap-contrast"}


class PeersnapApp(App[int]):
    CSS_PATH = str(theme_files.THEMES_DIR / "peersnap.tcss")
    TITLE = "peersnap"
    BINDINGS: ClassVar[list[BindingType]] = app_bindings()

    def __init__(self, dashboard: Dashboard, *, theme: str | None = None, settings_path: Path | None = None,
                 theme_dir: Path | None = None) -> None:
        """`settings_path`: where theme and speed are saved when they change (None: nowhere);
        `theme_dir`: the user's theme files, beside the bundled ones."""
        super().__init__()
        self.dashboard = dashboard
        self.settings_path = settings_path
        self._quit_warned = False
        self.warnings: list[str] = []  # about themes; the dashboard says them in its console
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
        dashboard.warnings[:0] = self.warnings

    @property
    def session(self) -> Session:
        """The session the dashboard runs (its engine is the world on screen)."""
        return self.dashboard.session

    def get_default_screen(self) -> Screen:
        return self.dashboard

    async def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, lambda _theme: self._save_settings())
        # the app is ready (a pilot's or a screenshot's first line may run) once the dashboard's widgets are
        await AwaitMount(self.dashboard, [self.dashboard])

    def on_dashboard_speed_changed(self, _message: Dashboard.SpeedChanged) -> None:
        self._save_settings()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for action in ACTIONS:
            target = self if action.on_app else self.dashboard
            title = f"{action.title} ({action.key_display})" if action.keys else action.title
            yield SystemCommand(title, action.help,
                                partial(self.call_later, target.run_action, action.action))
        yield from (c for c in super().get_system_commands(screen) if c.title not in ("Quit", "Keys"))

    async def action_quit(self) -> None:
        """Quit, keeping the world: the session is autosaved (`peersnap --resume` reopens it).
        Where it cannot be kept (the classroom writes no host files, a failed write), the
        first Ctrl+Q says so and the second quits."""
        warning = self.dashboard.autosave()
        if warning and not self._quit_warned and self.dashboard.changed_commands():
            self._quit_warned = True
            self.notify(f"{warning}. Ctrl+Q again quits.", title="Quit?", severity="warning", timeout=8)
            return
        self.exit(0)

    def _save_settings(self) -> None:
        if self.settings_path is None:
            return
        settings = config.Settings(theme=self.theme, speed=self.dashboard.ticker.speed)
        warning = config.save(settings, self.settings_path)
        if warning:
            self.notify(warning, severity="warning")


def make_app(scenario: str | Scenario | None = None, *, session: Session | None = None,
             lesson: str | Lesson | None = None, replay: str | None = None,
             theme: str = config.DEFAULT_THEME, paused: bool = True, speed: int = 1, blink: bool = False,
             settings_path: Path | None = None, theme_dir: Path | None = None,
             state: Path | None = None) -> PeersnapApp:
    """A deterministic dashboard for tests, benchmarks and screenshots: paused by
    default, no settings file, no blinking cursor. `lesson` opens the lesson panel;
    `replay` (a saved session file) replays its log; `session` runs an existing one.
    `state`: the folder for the console history and the autosave (None: nothing is kept).
    The terminal's size is the harness's (`run_test(size=...)`, `snap_compare(terminal_size=...)`).
    Raises `LaunchError` for a file that cannot be used."""
    start = Start(session) if session is not None else prepare(scenario, lesson, replay)
    dashboard = Dashboard(start, paused=paused, speed=speed, blink=blink, state=state)
    return PeersnapApp(dashboard, theme=theme, settings_path=settings_path, theme_dir=theme_dir)
