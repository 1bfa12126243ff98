"""The peersnap app: themes, settings and the command palette around the dashboard screen.

The app never sees the command line: `cli.py` parses it and hands over plain
objects (a `Start`, the settings), as `make_app` does for tests and screenshots.
The dashboard (`dashboard.py`) owns the panes, the console and their keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import peersnap.themes as theme_files
from peersnap.core.scenario import Scenario
from peersnap.core.session import Session
from textual import events
from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.screen import ModalScreen, Screen
from textual.widget import AwaitMount

from . import settings as config
from .actions import ACTIONS, app_bindings
from .css_cache import StylesheetCache
from .dashboard import Dashboard
from .launch import LaunchError, Start, prepare
from .themes import bundled_themes, user_themes

if TYPE_CHECKING:
    from peersnap.core.lessons import Lesson

THEME_ALIASES = {"dark": "peersnap-dark", "light": "peersnap-light", "high-contrast": "peersnap-contrast",
                 "contrast": "peersnap-contrast"}


def explanation_cards() -> tuple[type[Screen], ...]:
    """The cards a typed character closes (imported when first needed: the first frame shows none)."""
    from .screens import RefusalCard
    from .why_card import WhyCard

    return (RefusalCard, WhyCard)


class PeersnapApp(App[int]):
    CSS_PATH = str(theme_files.THEMES_DIR / "peersnap.tcss")
    TITLE = "peersnap"
    BINDINGS: ClassVar[list[BindingType]] = app_bindings()

    def __init__(self, dashboard: Dashboard, *, theme: str | None = None, settings_path: Path | None = None,
                 theme_dir: Path | None = None, css_cache: StylesheetCache | None = None) -> None:
        """`settings_path`: where theme and speed are saved when they change (None: nowhere);
        `theme_dir`: the user's theme files, beside the bundled ones; `css_cache`: parsed
        stylesheets kept between starts (tui/css_cache.py; None: parsed each start)."""
        self._themed = False  # (until the theme is set below: see get_css_variables)
        super().__init__()
        self.css_cache = css_cache
        if css_cache is not None:
            css_cache.install(self.stylesheet)
        self.dashboard = dashboard
        self.settings_path = settings_path
        self._quit_warned = False
        self._typed_early: list[events.Key | events.Paste] | None = []  # until the dashboard is Ready
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
        self._themed = True
        self.theme = wanted
        if not self.theme_variables:  # (the theme asked for is Textual's default: setting it changed nothing)
            self.stylesheet.set_variables(self.get_css_variables())
        dashboard.warnings[:0] = self.warnings

    def get_css_variables(self) -> dict[str, str]:
        """Textual's App.__init__ makes its stylesheet with the variables of its default theme, which
        this app replaces (`__init__`) before anything is parsed or styled: generating those was ~1 ms
        of the start, for nothing. Until then there are none."""
        return super().get_css_variables() if self._themed else {}

    def refresh_css(self, animate: bool = True) -> None:
        """Setting the theme in `__init__` queues a refresh that would parse the whole stylesheet, before
        anything is styled, in a throwaway copy: the first styled node then parses it all again (~15 ms
        of the first frame). Until the stylesheet is first parsed (`_rules`, private to Textual 8.2.8,
        stays empty), the theme's variables are all it needs; after that, a theme change refreshes."""
        if not self.stylesheet._rules:
            self.stylesheet.set_variables(self.get_css_variables())
            return
        super().refresh_css(animate)

    @property
    def session(self) -> Session:
        """The session the dashboard runs (its engine is the world on screen)."""
        return self.dashboard.session

    def get_default_screen(self) -> Screen:
        return self.dashboard

    async def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, lambda _theme: self._save_settings())
        # headless, the app is ready (a pilot's or a screenshot's first line may run) once the dashboard's
        # widgets are. In a terminal it does not wait: Textual holds the app's output until its on_mount
        # returns, and a frame drawn meanwhile would be thrown away, the one written coming a layout later
        # (~15 ms of the start). The dashboard draws its first frame whole (tests/tui/test_first_frame_written.py).
        if self.is_headless:
            await AwaitMount(self.dashboard, [self.dashboard])

    async def on_event(self, event: events.Event) -> None:
        """Keys and pastes that come before the dashboard is ready (a terminal's input starts before the
        first frame, and a terminal no longer waits for the mount: see `on_mount`) are kept, and
        given to it in their order once it is (`on_dashboard_ready`): none is lost.

        A character typed (or a paste) on an explanation card closes it and goes on to the
        dashboard (the console), so the next command typed is never lost. The card is popped here, in the app's
        own turn before the key is forwarded, not from the card's key handler (which cannot wait
        for its own screen to go): each key of a burst then finds the screen the one before it left."""
        if self._typed_early is not None and isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            self._typed_early.append(event)
            return
        typed = isinstance(event, events.Key) and event.is_printable and event.character not in (None, " ")
        if (typed or isinstance(event, events.Paste)) and not event.is_forwarded \
                and isinstance(self.screen, explanation_cards()) and len(self.screen_stack) > 1:
            self.screen.dismiss()  # (not awaited: the stack is popped at once, the screen goes by itself)
        await super().on_event(event)

    async def on_dashboard_ready(self, _message: Dashboard.Ready) -> None:
        early, self._typed_early = self._typed_early or [], None
        for event in early:
            await self.on_event(event)

    def on_dashboard_speed_changed(self, _message: Dashboard.SpeedChanged) -> None:
        self._save_settings()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for action in ACTIONS:
            target = self if action.on_app else self.dashboard
            title = f"{action.title} ({action.key_display})" if action.keys else action.title
            yield SystemCommand(title, action.help, partial(self.call_later, self._run_from_palette, target, action.action))
        yield from self._lesson_commands()
        yield from (c for c in super().get_system_commands(screen) if c.title not in ("Quit", "Keys"))

    def _lesson_commands(self) -> Iterable[SystemCommand]:
        """The lesson picker: one palette entry per bundled lesson, in the order they are best
        played (a classroom seat's lesson is the trainer's to choose: none there)."""
        if getattr(self.dashboard, "seat_link", None) is not None:
            return
        from peersnap.core.lessons import LESSON_ORDER, LessonError, load_lesson
        from peersnap.core.lessons import bundled as bundled_lessons

        shipped = bundled_lessons()
        for number, name in enumerate([*LESSON_ORDER, *sorted(set(shipped) - set(LESSON_ORDER))], start=1):
            if name not in shipped:
                continue
            try:
                lesson = load_lesson(name)
            except LessonError:
                continue
            yield SystemCommand(f"Lesson {number}: {lesson.title} ({len(lesson.steps)} steps)",
                                f"{lesson.description} (peersnap lesson {name})",
                                partial(self.call_later, self.open_lesson, name))

    def open_lesson(self, name: str) -> None:
        """Ask, then start the dashboard again on the lesson `name` (this world is autosaved first)."""
        try:
            start = prepare(lesson=name, allow_files=self.dashboard.session.allow_files)
        except LaunchError as exc:
            self.notify(str(exc), title="lesson", severity="error")
            return
        old = self.dashboard
        lesson = start.lesson
        assert lesson is not None

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            warning = old.autosave() if old.changed_commands() else ""
            dashboard = Dashboard(start, paused=lesson.paused, speed=old.ticker.speed, blink=old.blink, state=old.state)
            if warning:
                dashboard.warnings.append(warning)
            self.dashboard = dashboard
            self.call_after_refresh(self._replace_dashboard, old, dashboard)  # once the question is gone

        kept = "autosaved ('peersnap --resume' reopens it)" if old.state is not None else "not kept"
        from .screens import Confirm

        self.push_screen(Confirm(f"Open the lesson '{lesson.title}'?",
                                 f"The dashboard starts again on its scenario '{lesson.scenario}'. This world is {kept}.",
                                 "Enter opens it"), answered)

    async def _run_from_palette(self, target: App[int] | Screen[None], action: str) -> None:
        """Run a palette entry where it is seen: the cards over the dashboard close first
        (a question is answered no), so nothing acts under a card."""
        while len(self.screen_stack) > 1 and self.screen is not self.dashboard:
            top = self.screen
            if isinstance(top, ModalScreen):
                from .screens import Confirm

                await top.dismiss(False if isinstance(top, Confirm) else None)
            else:
                await self.pop_screen()
            if self.screen is top:  # (it would not go: leave it, run nothing under it)
                return
        await target.run_action(action)

    def _replace_dashboard(self, old: Dashboard, new: Dashboard) -> None:
        if self.screen is not old:  # (the question is still closing: try again after the next refresh)
            self.call_after_refresh(self._replace_dashboard, old, new)
            return
        if not old._result_callbacks:  # (private) the default screen was never pushed: switch_screen pops one
            old._push_result_callback(self, None)
        self.switch_screen(new)  # not awaited: the app's queue goes on (the old screen closes by itself)

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
