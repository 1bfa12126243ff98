"""The first frame a terminal receives is the whole dashboard (issue 16, "first frame in a terminal").

In a terminal the app no longer holds its output while the dashboard mounts, so the first
layout is drawn and written at once (the frame drawn inside Textual's batch was thrown away,
and the one written came a layout later). That is only right if every pane is already what
it will stay: drawn at its own width, the key bar and the logs included. These tests run the
app with a driver that is not headless but keeps what it writes, replay the writes on a small
screen model (cursor moves and text: what Textual's frames are made of) and compare the screen
after the first frame with the screen once everything has settled.
"""

from __future__ import annotations

import asyncio
import re

import pytest
from peersnap.tui.app import make_app
from rich.cells import cell_len
from textual.drivers.headless_driver import HeadlessDriver

SEQUENCE = re.compile(r"\x1b\[(\d+);(\d+)H|\x1b\[[0-9;?<>=$]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[=>78]|[\r\n]")


class KeptWrites(HeadlessDriver):
    """A terminal's driver in every way that matters to the app (not headless), writing nowhere."""

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        self._app.kept_writes.append(data)  # type: ignore[attr-defined]


class Screen:
    """What a terminal shows after the writes it has been given (text only, no colours)."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.rows = [[" "] * width for _ in range(height)]
        self.x = self.y = 0

    def feed(self, data: str) -> None:
        at = 0
        for match in SEQUENCE.finditer(data):
            self._text(data[at:match.start()])
            at = match.end()
            if match.group(1):
                self.y, self.x = int(match.group(1)) - 1, int(match.group(2)) - 1
        self._text(data[at:])

    def _text(self, text: str) -> None:
        for char in text:
            if 0 <= self.y < self.height and 0 <= self.x < self.width:
                self.rows[self.y][self.x] = char
            self.x += max(cell_len(char), 1)

    def lines(self) -> list[str]:
        return ["".join(row).rstrip() for row in self.rows]


def written_frames(size: tuple[int, int], settle: float = 1.0, **kwargs) -> list[str]:  # type: ignore[no-untyped-def]
    app = make_app(**kwargs)
    app.kept_writes = []  # type: ignore[attr-defined]
    app.driver_class = KeptWrites

    async def run() -> None:
        task = asyncio.create_task(app.run_async(headless=False, size=size))
        await asyncio.sleep(settle)  # long enough for every later frame of a paused, untouched dashboard
        app.exit()
        await task

    asyncio.run(run())
    return app.kept_writes  # type: ignore[attr-defined]


def first_and_settled(size: tuple[int, int], **kwargs) -> tuple[list[str], list[str], int]:  # type: ignore[no-untyped-def]
    """The screen after the first frame written (the first write with the header's title in it:
    anything before it only sets terminal modes), and after the last."""
    writes = written_frames(size, **kwargs)
    first = next(i for i, data in enumerate(writes) if "peersnap" in data)
    screen = Screen(*size)
    for data in writes[: first + 1]:
        screen.feed(data)
    at_first = screen.lines()
    for data in writes[first + 1:]:
        screen.feed(data)
    return at_first, screen.lines(), first


@pytest.mark.parametrize("size", [(120, 40), (80, 24), (200, 60)])
def test_the_first_frame_written_is_the_settled_dashboard(size):
    at_first, settled, _ = first_and_settled(size)
    assert "Events" in "\n".join(settled) or size[0] < 100  # (the event log's title: the last pane at this size)
    assert "Quit" in settled[-1] and "Help" in settled[-1]  # the key bar, drawn at its width
    assert any("Console" in line for line in settled)
    assert at_first == settled


def test_the_first_frame_written_holds_the_lesson_panel_too():
    at_first, settled, _ = first_and_settled((120, 40), lesson="first-psnap")
    assert any("Lesson" in line or "lesson" in line for line in settled)
    assert at_first == settled


def test_the_screen_model_sees_a_pane_left_empty():
    """The comparison can fail: a frame that leaves a pane to a later write is told apart."""
    screen = Screen(20, 3)
    screen.feed("\x1b[1;1H\x1b[1mpeersnap\x1b[0m\x1b[3;1H^Q Quit")
    first = screen.lines()
    screen.feed("\x1b[2;3Hcache 02:27:28")
    assert first != screen.lines()
    assert screen.lines() == ["peersnap", "  cache 02:27:28", "^Q Quit"]


def _typed_before_the_first_frame(keys: list[str]) -> list[str]:
    """The commands the session ran after `keys` were sent at once, before the dashboard mounted."""
    from textual import events

    app = make_app()
    app.kept_writes = []  # type: ignore[attr-defined]
    app.driver_class = KeptWrites

    async def run() -> None:
        task = asyncio.create_task(app.run_async(headless=False, size=(120, 40)))
        await asyncio.sleep(0)  # the app has started, the dashboard is not mounted yet
        assert not app.dashboard.is_mounted
        for key in keys:
            character = key if len(key) == 1 else (" " if key == "space" else None)
            app.post_message(events.Key(key, character))
        await asyncio.sleep(1.0)
        app.exit()
        await task

    asyncio.run(run())
    return [entry.line for entry in app.session.log if hasattr(entry, "line")]


def test_keys_typed_before_the_dashboard_is_ready_are_all_run_in_order():
    """A terminal's input starts before the first frame: what is typed then is kept, not lost."""
    line = "echo early > /gpfs/fs1/sw/e1"
    keys = [("space" if c == " " else c) for c in line] + ["enter"] + list("mmlsfileset") + ["enter"]
    assert _typed_before_the_first_frame(keys)[-2:] == [line, "mmlsfileset"]


def test_ctrl_j_runs_the_line_as_enter_does():
    """In line mode (keys typed while peersnap starts) a terminal sends Enter as Ctrl+J; bash runs it too."""
    assert _typed_before_the_first_frame([*"mmlsfileset", "ctrl+j"])[-1:] == ["mmlsfileset"]
