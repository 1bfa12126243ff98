"""A typed command's answer comes first: in a classroom seat (thirty of them on two cores)
its console lines are drawn alone and the panes just after; outside the classroom both in
one frame. Typing costs no screen layout. (Counts and contents, no timings:
benchmarks/bench_serve.py measures thirty seats answering at once.)"""

from __future__ import annotations

import asyncio

from helpers import console_text, drive, type_line
from peersnap.tui.widgets.psnap_table import PsnapTable


async def _type(pilot, line: str) -> None:  # type: ignore[no-untyped-def]
    for ch in line:
        await pilot.press("space" if ch == " " else ch)
    await pilot.press("enter")
    await pilot.pause()


def test_a_classroom_seat_draws_the_answer_first_and_its_panes_just_after():
    async def check(app, pilot):
        app.dashboard.seat_link = object()  # (as a classroom seat's dashboard: tui/seat_link.py attached)
        table = app.dashboard.query_one(PsnapTable)
        await _type(pilot, "mmpsnap fs1 create -j sw")
        assert "created with id" in console_text(app)
        assert not table.names  # the panes follow the answer
        await asyncio.sleep(0.4)
        await pilot.pause()
        assert table.names

    drive(check)


def test_outside_the_classroom_the_answer_and_the_panes_come_together():
    async def check(app, pilot):
        await _type(pilot, "mmpsnap fs1 create -j sw")
        assert "created with id" in console_text(app)
        assert app.dashboard.query_one(PsnapTable).names

    drive(check)



def test_typing_a_line_and_its_enter_cost_no_screen_layout():
    """Textual's Input asks for a layout of the whole screen whenever its text's width
    changes, so every key did; the console line's virtual width now grows in steps."""
    async def check(app, pilot):
        for _ in range(4):  # fill the console: its scrollbar appears once, with a layout
            await type_line(pilot, "sim status")
        layouts = []
        screen = app.screen
        original = screen._refresh_layout  # (private: every screen layout goes through it, counted)
        screen._refresh_layout = lambda *a, **k: (layouts.append(a), original(*a, **k))[1]
        for ch in "sim status":
            await pilot.press("space" if ch == " " else ch)
            await pilot.pause()
        assert layouts == []
        await pilot.press("enter")
        await pilot.pause()
        assert layouts == [] and console_text(app).count("# sim status") == 5

    drive(check)
