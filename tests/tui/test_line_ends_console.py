"""Issue 10: in the console too, lines end at \\n, \\r\\n and the terminal's own \\r
(a pasted newline) only. A paste or a key burst holding U+2028, U+2029, U+0085,
\\v, \\f or \\x1c-\\x1e runs one command for each real line end, never more: the
rm after the break never runs, and what echo prints shows as one line."""

from __future__ import annotations

import pytest
from helpers import console_text, drive
from peersnap.core.session_file import LoggedCommand
from peersnap.tui.widgets.console import ConsoleInput, pasted_lines
from textual import events
from textual._xterm_parser import XTermParser

BREAKS = ["\u2028", "\u2029", "\u0085", "\v", "\f", "\x1c", "\x1d", "\x1e"]


def commands_run(app) -> list[str]:
    return [entry.line for entry in app.session.log if isinstance(entry, LoggedCommand)]


def data_kept(app) -> bool:
    return app.session.engine.world.cache.fs.trees["sw"].get("data/report.txt") == "Q3 numbers\n"


async def settle(pilot, frames: int = 4) -> None:
    for _ in range(frames):
        await pilot.pause()


@pytest.mark.parametrize("sep", BREAKS)
def test_a_paste_splits_only_at_real_line_ends(sep):
    assert pasted_lines(f"echo hi{sep}rm -r sw/data\nls sw\n") == [f"echo hi{sep}rm -r sw/data", "ls sw", ""]


@pytest.mark.parametrize("sep", ["\u2028", "\u0085", "\x1c"])
def test_a_pasted_unicode_break_never_runs_the_words_after_it(sep):
    async def check(app, pilot):
        app.query_one(ConsoleInput).post_message(events.Paste(f"echo hi{sep}rm -r sw/data\nls sw\n"))
        await settle(pilot)
        assert commands_run(app) == [f"echo hi{sep}rm -r sw/data", "ls sw"]
        assert data_kept(app)
        assert app.query_one(ConsoleInput).value == ""

    drive(check)


def test_a_typed_burst_with_a_line_separator_is_one_command_and_its_output_one_line():
    """Keys as the terminal sends them (one read, every event posted at once), time paused."""
    async def check(app, pilot):
        for event in XTermParser().feed("echo hi\u2028rm -r sw/data\rls sw\r"):
            app.post_message(event)
        await settle(pilot)
        first, second = commands_run(app)  # (the field does not insert U+2028, a non-printable key: typed, it is dropped)
        assert first.startswith("echo hi") and first.endswith("rm -r sw/data") and second == "ls sw"
        assert data_kept(app)
        lines = console_text(app).splitlines()
        printed = [line for line in lines if line.startswith("hi")]
        assert len(printed) == 1 and "rm -r sw/data" in printed[0]  # one line in the console's log

    drive(check)
