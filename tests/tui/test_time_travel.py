"""The dashboard shows why, and lets time be watched and moved through: pilot tests, as a user does it.

Selecting a pair highlights exactly the ops ahead of its marker; Enter or a click opens the
why chain (the `why` command's); `sim advance` and `sim settle` typed in the console play
and end where a script ends; the timeline strip and Ctrl+B / Ctrl+F move to earlier moments.
"""

from __future__ import annotations

import asyncio
import time

from helpers import drive, type_line
from peersnap.core.session import Session
from peersnap.tui.app import make_app
from peersnap.tui.why_card import WhyCard
from peersnap.tui.widgets.psnap_table import PsnapTable
from peersnap.tui.widgets.queue_view import QueueView
from peersnap.tui.widgets.timeline import LABEL, TimelineStrip

NAME = "psnap-13882361812785649740-C0A80E85:4F44B305-59-16-10-27-02-27-28"


def queued_pair() -> Session:
    """Three writes, a psnap, two writes after it: the pair waits for #1..#3."""
    session = Session()
    for line in ("echo a > /gpfs/fs1/sw/a", "echo b > /gpfs/fs1/sw/b", "echo c > /gpfs/fs1/sw/c",
                 "mmpsnap fs1 create -j sw", "echo d > /gpfs/fs1/sw/d", "echo e > /gpfs/fs1/sw/e"):
        assert session.run(line).rc == 0
    return session


def rows(view: QueueView) -> list[str]:
    return [view.render_line(y).text for y in range(6)]


def test_selecting_a_pair_highlights_exactly_the_ops_ahead_and_enter_explains():
    async def check(app, pilot):
        table = app.query_one(PsnapTable)
        view = app.query_one(QueueView)
        assert view.ahead is None and all("▰" not in row for row in rows(view))
        table.focus()
        await pilot.press("down")
        await pilot.pause()
        assert app.dashboard.selected_pair == NAME
        assert (view.ahead, view.marker) == ((1, 3), 4)
        shown = rows(view)
        assert all(row.rstrip().endswith("▰▰▰▰▰▰") for row in shown[:3]), shown  # 15 s of 15 s still to wait
        assert all("▰" not in row for row in shown[3:]), shown  # the marker and the ops after it: no bar
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WhyCard)
        assert app.screen.why.headline == f"home half of {NAME} waits for 3 ops (#1..#3)"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, WhyCard)
        app.dashboard.run_line("sim advance 10s")  # a third of the delay left: two of six cells
        await pilot.pause()
        assert rows(view)[0].rstrip().endswith("▰▰▱▱▱▱")

    drive(check, app=make_app(session=queued_pair()))


def test_a_click_on_a_queue_row_or_the_marker_explains_it():
    async def check(app, pilot):
        view = app.query_one(QueueView)
        await pilot.click(view, offset=(3, 3))  # the ◆ marker's row
        await pilot.pause()
        assert isinstance(app.screen, WhyCard) and app.screen.why.subject == f"home half of {NAME}"
        assert app.dashboard.selected_pair == NAME  # the marker selects its pair
        await pilot.press("escape")
        await pilot.click(view, offset=(3, 4))
        await pilot.pause()
        assert app.screen.why.headline == "#5 create d (2 B) waits for 4 ops (#1..#4)"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click(app.query_one(PsnapTable), offset=(4, 1))  # the pair's row
        await pilot.pause()
        assert app.screen.why.subject == f"home half of {NAME}"

    drive(check, app=make_app(session=queued_pair()))


def test_the_state_in_the_toggle_bar_runs_getstate_and_opens_the_filesets_why():
    from helpers import click_toggle, console_text

    async def check(app, pilot):
        await click_toggle(pilot, "show_state")
        assert "mmafmctl fs1 getstate -j sw" in console_text(app)
        assert isinstance(app.screen, WhyCard)
        assert app.screen.why.headline == "sw is Dirty: 6 ops queued (#1..#6)"

    drive(check, app=make_app(session=queued_pair()))


def _play(paused: bool) -> None:
    session = queued_pair()
    script = Session()  # the same lines, as a script runs them: the jump
    for line in ("echo a > /gpfs/fs1/sw/a", "echo b > /gpfs/fs1/sw/b", "echo c > /gpfs/fs1/sw/c",
                 "mmpsnap fs1 create -j sw", "echo d > /gpfs/fs1/sw/d", "echo e > /gpfs/fs1/sw/e", "sim advance 30s"):
        script.run(line)

    async def check(app, pilot):
        dashboard = app.dashboard
        frames: list[tuple[int, int]] = []  # (simulated time shown, queue length shown), frame by frame
        players = []
        began: list[float] = []
        refresh = dashboard.refresh_view

        def watched() -> None:
            if dashboard.player is not None:
                began.append(time.monotonic())
                players.append(dashboard.player)
                frames.append((dashboard.view_engine.now, dashboard.fileset.queue.length))
            refresh()

        dashboard.refresh_view = watched
        await type_line(pilot, "sim advance 30s", watch=True)
        start = time.monotonic()
        while dashboard.player is not None and time.monotonic() - start < 10:
            await asyncio.sleep(0.05)
        assert players and dashboard.player is None, "a typed sim advance plays, then ends"
        took = time.monotonic() - began[0]
        assert took < players[0].seconds + 1.5, took  # its length (1 s for 30 s) and a slow frame or two
        times = [t for t, _ in frames]
        assert times == sorted(times) and len(set(times)) >= 3, frames  # time moved on, frame by frame
        assert frames[0][1] == 6 and frames[-1][1] == 0, frames  # the queue drained as it was watched
        player = players[0]
        # where a script of the same history jumps to (with time running, the timer's entries are in it)
        log = app.session.log
        upto = max(i for i, entry in enumerate(log) if getattr(entry, "line", "") == "sim advance 30s") + 1
        jumped = Session()
        jumped.replay(log[:upto])
        assert player.engine.now == jumped.engine.now
        assert repr(player.engine.fingerprint()) == repr(jumped.engine.fingerprint())
        if paused:
            assert repr(app.session.engine.fingerprint()) == repr(script.engine.fingerprint())
        assert "Advanced 30s to" in "\n".join(line.plain for line in app.query_one("#console-output").lines)

    drive(check, app=make_app(session=session, paused=paused))


def test_a_typed_sim_advance_plays_and_ends_where_a_script_ends():
    _play(paused=True)


def test_a_typed_sim_advance_plays_with_time_running_too():
    _play(paused=False)


def test_escape_jumps_to_the_end_of_a_playing_settle(monkeypatch):
    from peersnap.tui import player

    monkeypatch.setattr(player, "SHORTEST", 30.0)  # a long show, so Esc comes before its end on any machine
    monkeypatch.setattr(player, "LONGEST", 30.0)

    async def check(app, pilot):
        await type_line(pilot, "sim settle", watch=True)
        assert app.dashboard.player is not None
        await pilot.press("escape")
        await pilot.pause()
        assert app.dashboard.player is None
        assert app.dashboard.fileset.queue.length == 0
        assert app.dashboard.view_engine is app.session.engine

    drive(check, app=make_app(session=queued_pair()))


def test_a_click_on_the_timeline_goes_back_and_a_command_there_branches():
    session = queued_pair()
    session.advance_clock(20_000_000)  # the queue drained at +15s

    async def check(app, pilot):
        strip = app.query_one(TimelineStrip)
        x = LABEL + strip.column(5_000_000) + 1
        await pilot.click(strip, offset=(x, 0))
        await pilot.pause()
        moment = app.session.moment
        assert app.session.timeline.at is not None and moment.index == 6
        assert abs(app.session.engine.now - strip.time_at(x)) < strip.us_per_col + 1_000_000
        assert app.dashboard.fileset.queue.length == 6  # before the flush
        assert "past: main after entry 6 of 7" in str(app.query_one("#header").render())
        await type_line(pilot, "echo f > /gpfs/fs1/sw/f")
        assert app.session.timeline.current.name == "b1", (app.session.log[-2:], app.session.moment) and app.session.timeline.at is None
        assert list(app.session.timeline.branches) == ["main", "b1"]

    drive(check, app=make_app(session=session))


def test_looking_back_with_time_running_pauses_it_so_no_branch_starts_by_itself():
    async def check(app, pilot):
        assert app.dashboard.ticker.running
        await pilot.press("ctrl+b")
        await asyncio.sleep(0.3)
        await pilot.pause()
        assert not app.dashboard.ticker.running
        assert list(app.session.timeline.branches) == ["main"] and app.session.timeline.at is not None

    drive(check, app=make_app(session=queued_pair(), paused=False))


def test_ctrl_b_and_ctrl_f_walk_back_and_forward_through_the_log():
    async def check(app, pilot):
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert app.session.moment.index == 5 and app.dashboard.fileset.queue.length == 5
        await pilot.press("ctrl+b", "ctrl+b")
        await pilot.pause()
        assert app.session.moment.index == 3
        await pilot.press("ctrl+f", "ctrl+f", "ctrl+f")
        await pilot.pause()
        assert app.session.timeline.at is None and app.dashboard.fileset.queue.length == 6

    drive(check, app=make_app(session=queued_pair()))


def _keys_on_the_queue(paused: bool) -> None:
    async def check(app, pilot):
        view = app.query_one(QueueView)
        view.focus()
        for _ in range(3):  # from #1 down to the ◆ marker, #4: its pair is selected
            await pilot.press("down")
        await pilot.pause()
        assert app.dashboard.selected_pair == NAME
        assert (view.ahead, view.marker) == ((1, 3), 4)
        await pilot.press("down", "enter")  # #5, after the marker: its own chain
        await pilot.pause()
        assert isinstance(app.screen, WhyCard)
        assert app.screen.why.headline.startswith("#5 create d (2 B) waits for 4 ops (#1..#4)")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("up", "enter")  # back on the marker: the pair's home half
        await pilot.pause()
        assert app.screen.why.subject == f"home half of {NAME}"

    drive(check, app=make_app(session=queued_pair(), paused=paused))


def test_keys_on_the_queue_select_the_marker_s_pair_and_enter_explains_the_op():
    _keys_on_the_queue(paused=True)


def test_keys_on_the_queue_work_with_time_running_too():
    _keys_on_the_queue(paused=False)


def test_enter_on_a_pair_whose_queue_was_stopped_explains_it_without_a_highlight():
    """Stopping drops the queue (issue 11): the pair's marker is gone, so nothing is highlighted,
    and Enter says what the home half waits for."""
    session = queued_pair()
    assert session.run("mmafmctl fs1 stop -j sw").rc == 0

    async def check(app, pilot):
        table = app.query_one(PsnapTable)
        table.focus()
        await pilot.press("down")
        await pilot.pause()
        assert app.dashboard.selected_pair == NAME and app.query_one(QueueView).ahead is None
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WhyCard)
        assert app.screen.why.headline == (f"home half of {NAME} waits for replication: sw Stopped since 02:27:29 "
                                           "(`mmafmctl fs1 stop -j sw`)")

    drive(check, app=make_app(session=session))
