"""`peersnap shot` and `peersnap cast`: the real dashboard, headless, playing a script.

Each command goes through the console the way a user's does (the line in the input,
then Enter), on a dashboard whose time is paused: only the script moves simulated
time, so the same script draws the same screen, byte for byte. `shot` writes the
screen after a line as SVG; `cast` records every change of the screen as an
asciinema v2 file whose times come from the script, not from the wall clock.

PNG is not offered: it would need a rasteriser (cairosvg and its C libraries) in the
install for something `rsvg-convert out.svg -o out.png` already does well.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Awaitable, Callable

from peersnap.core.records import record
from rich.console import Console as RichConsole
from textual.pilot import Pilot
from textual.screen import ModalScreen

from .app import THEME_ALIASES, PeersnapApp, make_app
from .launch import LaunchError
from .script import Beat, Script, ScriptError, parse_size
from .themes import bundled_themes
from .widgets.console import Console

DEFAULT_SIZE = "120x40"
TYPED_HOLD_US = 600_000  # a cast shows the typed command this long before Enter
DEFAULT_DELAY = "1500ms"  # and the result this long before the next command


class ShotError(Exception):
    """The picture or recording cannot be made; str() is the one line to print."""


@record
class Stage:
    """What a script is played on: the command line's choice, else the script's `#:` settings."""

    scenario: str | None
    lesson: str | None
    size: tuple[int, int]
    theme: str


def stage_for(script: Script, scenario: str | None = None, lesson: str | None = None, size: str | None = None,
              theme: str | None = None) -> Stage:
    chosen_size = size or script.settings.get("size") or DEFAULT_SIZE
    try:
        width_height = parse_size(chosen_size)
    except ValueError as exc:
        raise ShotError(str(exc)) from None
    chosen_theme = theme or script.settings.get("theme") or "dark"
    known = {*THEME_ALIASES, *(t.name for t in bundled_themes())}
    if chosen_theme not in known:
        raise ShotError(f"unknown theme '{chosen_theme}' (known: {', '.join(sorted(known))})")
    return Stage(scenario or script.settings.get("scenario"), lesson or script.settings.get("lesson"), width_height,
                 THEME_ALIASES.get(chosen_theme, chosen_theme))


def build_app(stage: Stage) -> PeersnapApp:
    """A paused dashboard that writes no files (a script's `save` is refused)."""
    try:
        app = make_app(stage.scenario, lesson=stage.lesson, theme=stage.theme, paused=True, blink=False)
    except LaunchError as exc:
        raise ShotError(str(exc)) from None
    app.session.allow_files = False
    return app


async def settle(pilot: Pilot) -> None:
    """Until the dashboard has drawn everything the last command caused."""
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def close_cards(pilot: Pilot) -> None:
    """A refusal card closes the way a user closes it (Esc) before the next command is typed."""
    for _ in range(8):
        if not isinstance(pilot.app.screen, ModalScreen):
            return
        await pilot.press("escape")
        await pilot.pause()


async def type_command(pilot: Pilot, line: str) -> Console:
    await close_cards(pilot)
    console = pilot.app.query_one(Console)
    console.input.focus()
    console.input.value = line
    console.input.cursor_position = len(line)
    await settle(pilot)
    return console


async def run_command(pilot: Pilot, line: str) -> None:
    """Type `line` into the console and press Enter, as a user does."""
    await type_command(pilot, line)
    await pilot.press("enter")
    await settle(pilot)


def play(stage: Stage, act: Callable[[PeersnapApp, Pilot], Awaitable[None]]) -> None:
    app = build_app(stage)

    async def main() -> None:
        async with app.run_test(size=stage.size) as pilot:
            await settle(pilot)
            await act(app, pilot)

    asyncio.run(main())


# -- shot -------------------------------------------------------------------------------------
def shot_svg(script: Script, stage: Stage, at: int | None = None) -> str:
    """The dashboard's screen after line `at` of the script (default: the end), as SVG."""
    if at is not None and not 1 <= at <= len(script.lines):
        raise ShotError(f"--at {at}: not a line of {script.path} (it has lines 1 to {len(script.lines)})")
    beats = script.beats if at is None else script.beats_until(at)
    pictures: list[str] = []

    async def act(app: PeersnapApp, pilot: Pilot) -> None:
        for beat in beats:
            if beat.command:
                await run_command(pilot, beat.command)
        await settle(pilot)
        pictures.append(app.export_screenshot(simplify=True))

    play(stage, act)
    return preserve_spaces(pictures[0])


def preserve_spaces(svg: str) -> str:
    """Mark the whole picture `xml:space="preserve"`: Textual's SVG draws spaces as U+00A0, which
    browsers keep, but librsvg (`rsvg-convert`) collapses a text run's leading ones without it,
    shifting indented text left in the PNG."""
    return svg.replace("<svg ", '<svg xml:space="preserve" ', 1) if 'xml:space="preserve"' not in svg else svg


# -- cast ---------------------------------------------------------------------------------------
class Recorder:
    """Frames of the screen as asciinema output events: the first draws every row, each
    later one only the rows that changed."""

    def __init__(self, app: PeersnapApp, width: int, height: int) -> None:
        self.app = app
        self.console = RichConsole(width=width, height=height, file=io.StringIO(), force_terminal=True,
                                   color_system="truecolor", legacy_windows=False, safe_box=False)
        self.rows: list[str] = []
        self.events: list[tuple[int, str]] = []

    def _render(self) -> list[str]:
        app = self.app
        update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens, simplify=True)
        return ["".join(strip.render(self.console) for strip in row) for row in update.strips]  # type: ignore[attr-defined]

    def frame(self, at_us: int) -> None:
        rows = self._render()
        if not self.rows:
            data = "\x1b[?25l\x1b[H\x1b[2J" + "".join(f"\x1b[{y};1H{row}" for y, row in enumerate(rows, 1))
        else:
            data = "".join(f"\x1b[{y};1H{row}" for y, (row, old) in enumerate(zip(rows, self.rows), 1) if row != old)
        self.rows = rows
        if data:
            self.events.append((at_us, data + "\x1b[0m"))


def cast_text(script: Script, stage: Stage, delay_us: int) -> str:
    """The recording: a v2 header line, then one `[time, "o", data]` line per frame."""
    recorders: list[Recorder] = []

    async def act(app: PeersnapApp, pilot: Pilot) -> None:
        recorder = Recorder(app, *stage.size)
        recorders.append(recorder)
        now = 0
        recorder.frame(now)
        for beat in script.beats:
            now += beat.pause_us
            if not beat.command:
                continue
            await type_command(pilot, beat.command)
            recorder.frame(now)
            now += TYPED_HOLD_US
            await pilot.press("enter")
            await settle(pilot)
            recorder.frame(now)
            now += delay_us
        recorder.events.append((now, "\x1b[?25h"))  # the last screen stays up until here

    play(stage, act)
    width, height = stage.size
    header = {"version": 2, "width": width, "height": height, "title": f"peersnap: {script.path}",
              "env": {"TERM": "xterm-256color"}}
    lines = [json.dumps(header, ensure_ascii=False)]
    lines.extend(json.dumps([round(at / 1_000_000, 6), "o", data], ensure_ascii=False)
                 for at, data in recorders[0].events)
    return "\n".join(lines) + "\n"


__all__ = ["Beat", "ScriptError", "ShotError", "Stage", "cast_text", "shot_svg", "stage_for"]
