"""The console gets the rows the panes do not need, and GPFS output keeps its lines (issue 12).

The screen's height is shared by content: the file panes, the queue and the pair table get what
their rows need up to the share they had in the fixed layout, and the console (where learners read
GPFS output) gets the rest; a pane that fills takes its rows back. Command output is never
wrapped: IBM prints `mmlssnapshot` as one row per snapshot ("Listing snapshots", IBM Storage Scale
6.0.1: "mmlssnapshot fs1 -d / The system displays information similar to: / Snapshots in file
system fs1: [data and metadata in KB] / Directory  SnapId  Status  Created  Data  Metadata /
snap1  1  Valid  Fri Oct 17 10:56:22 2003  0  512"), so a row wider than the console stays one row,
marked `›` where it goes on, and Left/Right on an empty prompt (or Shift+wheel) scroll sideways."""

from __future__ import annotations

import pytest
from helpers import drive, type_line
from peersnap.tui.layout import CONSOLE_ROWS, CONSOLE_ROWS_SHORT, PAIRS_ROWS, PAIRS_ROWS_SHORT, Room
from peersnap.tui.widgets.console import ConsoleInput
from peersnap.tui.widgets.file_pane import FilePane
from peersnap.tui.widgets.line_log import LineLog
from textual import events

SIZES = [(80, 24), (90, 28), (120, 40), (200, 60)]


def test_share_rows_gives_the_console_what_the_panes_do_not_need_and_takes_it_back_when_they_fill():
    for width, height in SIZES:
        room = Room(width, height)
        share = CONSOLE_ROWS_SHORT if room.short else CONSOLE_ROWS
        small = room.share_rows(lesson=False, main=6, pairs=1)
        full = room.share_rows(lesson=False, main=10_000, pairs=10_000)
        fixed = 3 + (0 if room.short else 3)
        for rows in (small, full):
            assert rows.main + rows.pairs + rows.bottom == height - fixed, (width, height, rows)
        assert full.bottom == share  # full panes: the fixed layout's console, not less
        assert small.bottom > share  # the panes' empty rows are the console's
        assert small.main == 6 + (1 if room.short else 2)  # its rows and its border, no more
    tall = Room(200, 60)
    assert tall.share_rows(lesson=False, main=6, pairs=12).pairs > tall.share_rows(lesson=False, main=6, pairs=3).pairs


@pytest.mark.parametrize("size", SIZES)
def test_the_console_shows_more_rows_while_the_panes_are_nearly_empty_and_fewer_once_they_fill(size):
    async def check(app, pilot):
        output = app.query_one("#console-output", LineLog)
        room = Room(*size)
        old_rows = (CONSOLE_ROWS_SHORT - 1 if room.short else CONSOLE_ROWS - 2) - 1  # border and the prompt row
        roomy = output.size.height
        assert roomy > old_rows, (size, roomy)
        cache = app.query_one("#cache-pane", FilePane)
        assert cache.size.height >= cache.rows  # every row of the pane still shows
        await type_line(pilot, "sim load 60")
        for _ in range(3):
            await pilot.pause()
        # the filled panes took their rows back (at 80x24 the seed's files already fill their share)
        assert output.size.height < roomy or size == (80, 24), size
        pairs_share = PAIRS_ROWS_SHORT if room.short else PAIRS_ROWS
        console_share = CONSOLE_ROWS_SHORT if room.short else CONSOLE_ROWS
        fixed = 3 + (0 if room.short else 3)
        assert app.query_one("#main").size.height == size[1] - fixed - pairs_share - console_share  # as before
        assert output.size.height >= old_rows  # and the console never has fewer rows than it had
        assert cache.size.height < cache.rows

    drive(check, size=size)


def test_help_shows_whole_at_200x60_and_more_than_its_tail_at_120x40():
    async def check(app, pilot):
        app.dashboard.run_line("help")
        await pilot.pause()
        output = app.query_one("#console-output", LineLog)
        shown = [output.render_line(y).text for y in range(output.size.height)]
        helped = app.dashboard.session.run("help").lines
        return shown, helped

    async def whole(app, pilot):
        shown, helped = await check(app, pilot)
        assert all(any(line.rstrip() and r.startswith(line.rstrip()[:60]) for r in shown) for line in helped if line)

    async def most(app, pilot):
        shown, _helped = await check(app, pilot)
        assert len([r for r in shown if r.strip()]) >= 17

    drive(whole, size=(200, 60))
    drive(most, size=(120, 40))


def rows_of(log: LineLog) -> list[str]:
    return [log.render_line(y).text for y in range(log.size.height)]


@pytest.mark.parametrize("size", [(90, 28), (120, 40)])
def test_mmlssnapshot_keeps_one_row_per_snapshot_and_scrolls_sideways_from_an_empty_prompt(size):
    async def check(app, pilot):
        app.dashboard.run_line("mmpsnap fs1 create -j sw")
        app.dashboard.run_line("mmlssnapshot fs1")
        await pilot.pause()
        name = next(iter(app.session.engine.world.filesets["sw"].psnaps))
        log = app.query_one("#console-output", LineLog)
        rows = rows_of(log)
        row = next(r for r in rows if r.startswith(name[:40]))
        assert row.endswith("›")  # cut at the edge, marked, not wrapped
        assert not any(r.lstrip().startswith(("Valid", "8  ")) for r in rows)  # no second row of it
        assert log.scroll_x == 0
        await pilot.press("right", "right", "right")
        await pilot.pause()
        assert log.scroll_x == log.max_scroll_x > 0
        row = next(r for r in rows_of(log) if "Valid" in r and "2016" in r)
        assert row.startswith("‹") and row.rstrip().endswith("sw")  # the row's end, its fileset
        await pilot.press("left", "left", "left")
        await pilot.pause()
        assert log.scroll_x == 0
        # with text on the line, Left and Right are the line editor's
        await pilot.press("l", "s", "left")
        field = app.query_one(ConsoleInput)
        assert (field.value, field.cursor_position, log.scroll_x) == ("ls", 1, 0)
        log.post_message(events.MouseScrollDown(log, 2, 2, 0, 1, 0, shift=True, meta=False, ctrl=False))
        await pilot.pause()
        assert log.scroll_x > 0  # Shift+wheel
        await type_line(pilot, "")  # a new command's output is read from its first column
        assert log.scroll_x == 0

    drive(check, size=size)


def test_peersnaps_own_output_still_wraps_like_a_terminal():
    """Only GPFS commands keep their lines: the welcome and `help` (peersnap's own) wrap."""
    async def check(app, pilot):
        log = app.query_one("#console-output", LineLog)
        rows = [r.rstrip() for r in rows_of(log) if r.strip()]
        assert any(r.startswith("gateway queue between them") for r in rows)  # the welcome's second row
        app.dashboard.run_line("help")
        await pilot.pause()
        rows = [r.rstrip() for r in rows_of(log) if r.strip()]
        assert not any(r.endswith("›") for r in rows), rows
        helped = app.dashboard.session.run("help").lines
        wrapped = [r for r in rows if not any(h.startswith(r) for h in helped) and any(r.strip() in h for h in helped)]
        assert wrapped, rows  # a long line's later row, shown

    drive(check, size=(120, 40))
