"""One card at a time, over a dashboard that stays live and visible (issue 12): three
Ctrl+S in one terminal read give one card; simulated time runs on behind it and the
header's clock is seen advancing; the dashboard's keys (F-keys, Ctrl+Z) do nothing
under it; typing on a card goes on to the console; the palette closes cards before it
acts; refusals while a card shows (a pasted script) are counted on that card."""

from __future__ import annotations

import re

from helpers import click_toggle, console_text, drive
from peersnap.core.session_file import LoggedCommand
from peersnap.tui.app import make_app
from peersnap.tui.screens import Confirm, RefusalCard
from peersnap.tui.why_card import WhyCard
from peersnap.tui.widgets.console import ConsoleInput
from peersnap.tui.widgets.header import ClockHeader
from textual import events
from textual._xterm_parser import XTermParser

KEYS = {"F2": "\x1bOQ", "F5": "\x1b[15~", "Ctrl+S": "\x13", "Ctrl+Z": "\x1a", "Ctrl+B": "\x02"}
CLOCK = re.compile(r"\d\d:\d\d:\d\d")


def press_raw(app, *keys: str) -> None:
    for event in XTermParser().feed("".join(KEYS.get(k, k) for k in keys)):
        app.post_message(event)


async def settle(pilot, frames: int = 4) -> None:
    for _ in range(frames):
        await pilot.pause()


def screen_clock(app) -> str:
    """The cache clock as the terminal shows it (the header's first time, row 0 drawn first): the
    whole composited screen, card over dashboard, as a screenshot has it."""
    found = CLOCK.search(re.sub(r"<[^>]+>", "", app.export_screenshot()))
    assert found, "no clock on screen"
    return found.group(0)


def commands(app) -> list[str]:
    return [e.line for e in app.session.log if isinstance(e, LoggedCommand)]


def test_three_ctrl_s_in_one_read_give_one_card_with_the_clock_seen_advancing_behind_it():
    async def check(app, pilot):
        app.dashboard.run_line("@home mmafmconfig disable /gpfs/fs1/sw")
        await settle(pilot)
        press_raw(app, "Ctrl+S", "Ctrl+S", "Ctrl+S")
        await settle(pilot, 6)
        assert [type(s).__name__ for s in app.screen_stack] == ["Dashboard", "RefusalCard"]
        assert commands(app).count("mmpsnap fs1 create -j sw") == 1
        card = app.screen.query_one("#card")
        assert card.region.y > 0  # the header row stays in sight
        seen = screen_clock(app)
        header = str(app.query_one(ClockHeader).render())
        await pilot.pause(1.3)
        await settle(pilot)
        assert isinstance(app.screen, RefusalCard)
        assert str(app.query_one(ClockHeader).render()) != header
        assert screen_clock(app) > seen  # seen advancing on the screen, behind the card

    drive(check, app=make_app(paused=False))
    drive(check, size=(80, 24), app=make_app(paused=False))


def test_dashboard_keys_under_a_card_do_nothing_and_work_once_it_is_closed():
    async def check(app, pilot):
        app.dashboard.run_line("@home mmafmconfig disable /gpfs/fs1/sw")
        app.dashboard.run_line("mmpsnap fs1 create -j sw")
        await settle(pilot)
        assert isinstance(app.screen, RefusalCard)
        before = commands(app)
        press_raw(app, "F2", "F5", "Ctrl+Z", "Ctrl+B")
        await settle(pilot)
        assert commands(app) == before
        assert app.session.engine.world.link_up
        assert app.session.timeline.at is None
        await pilot.press("escape")
        press_raw(app, "Ctrl+Z")
        await settle(pilot)
        assert "[cache]# undo" in console_text(app)

    drive(check)
    drive(check, app=make_app(paused=False))


def test_refusals_of_a_pasted_script_make_one_card_that_counts_the_others():
    async def check(app, pilot):
        app.dashboard.run_line("@home mmafmconfig disable /gpfs/fs1/sw")
        await settle(pilot)
        app.query_one(ConsoleInput).post_message(
            events.Paste("mmpsnap fs1 create -j sw\nmmpsnap fs1 create -j sw\nmmpsnap fs1 create -j sw\n"))
        await settle(pilot)
        assert [type(s).__name__ for s in app.screen_stack] == ["Dashboard", "RefusalCard"]
        assert app.screen.more == ["mmpsnap fs1 create -j sw"] * 2
        assert "and 2 more refused commands" in str(app.screen.query_one("#card-more").render())

    drive(check)


def test_a_confirmed_long_paste_still_shows_its_refusal_card():
    async def check(app, pilot):
        app.dashboard.run_line("@home mmafmconfig disable /gpfs/fs1/sw")
        lines = [f"touch sw/f{i}" for i in range(6)] + ["mmpsnap fs1 create -j sw"]
        app.query_one(ConsoleInput).post_message(events.Paste("\n".join(lines) + "\n"))
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        await pilot.press("enter")
        await settle(pilot)
        assert commands(app)[-7:] == lines
        assert isinstance(app.screen, RefusalCard)

    drive(check)


def test_the_palette_closes_the_card_before_it_acts():
    async def check(app, pilot):
        app.dashboard.run_line("@home mmafmconfig disable /gpfs/fs1/sw")
        app.dashboard.run_line("mmpsnap fs1 create -j sw")
        await settle(pilot)
        assert isinstance(app.screen, RefusalCard)
        await app._run_from_palette(app.dashboard, "run_command('toggle_link')")  # what the palette entry calls
        await settle(pilot)
        assert app.screen is app.dashboard
        assert not app.session.engine.world.link_up

    drive(check)


def test_keys_typed_on_a_refusal_card_close_it_and_run_in_the_console_in_order():
    """A learner who reads the card and types the next command loses nothing: the first character
    closes the card, it and every key after it (one terminal read, as a fast typist's or a laggy
    link's) reach the console in order, and the line runs once."""
    async def check(app, pilot):
        app.dashboard.run_line("@home mmafmconfig disable /gpfs/fs1/sw")
        app.dashboard.run_line("mmpsnap fs1 create -j sw")
        await settle(pilot)
        assert isinstance(app.screen, RefusalCard)
        press_raw(app, "echo hi > sw/typed\r")
        await settle(pilot, 6)
        assert app.screen is app.dashboard
        assert commands(app)[-1] == "echo hi > sw/typed"
        assert app.session.engine.world.cache.fs.trees["sw"].get("typed") == "hi\n"
        assert app.query_one(ConsoleInput).value == ""

    drive(check)
    drive(check, size=(80, 24), app=make_app(paused=False))


def test_a_key_typed_on_a_why_card_goes_to_the_console_and_space_only_closes():
    async def check(app, pilot):
        await click_toggle(pilot, "show_state")
        await settle(pilot)
        assert isinstance(app.screen, WhyCard)
        await pilot.press("space")
        await settle(pilot)
        assert app.screen is app.dashboard
        assert app.query_one(ConsoleInput).value == ""
        await click_toggle(pilot, "show_state")
        await settle(pilot)
        assert isinstance(app.screen, WhyCard)
        await pilot.press("l", "s")
        await settle(pilot)
        assert app.screen is app.dashboard
        assert app.query_one(ConsoleInput).value == "ls"

    drive(check)


def test_a_paste_on_a_refusal_card_closes_it_and_runs_in_the_console():
    async def check(app, pilot):
        app.dashboard.run_line("@home mmafmconfig disable /gpfs/fs1/sw")
        app.dashboard.run_line("mmpsnap fs1 create -j sw")
        await settle(pilot)
        assert isinstance(app.screen, RefusalCard)
        app.post_message(events.Paste("touch sw/p1\ntouch sw/p2\n"))
        await settle(pilot, 6)
        assert app.screen is app.dashboard
        assert commands(app)[-2:] == ["touch sw/p1", "touch sw/p2"]

    drive(check)


def card_rows(app) -> list[str]:
    """The refusal card's rows as drawn (each Static's text)."""
    from textual.widgets import Static

    return [str(row.render()) for row in app.screen.query_one("#card").query(Static)]


def test_the_f5_refusal_with_ops_queued_shows_the_message_without_a_placeholder_id():
    """IBM, "Conversion of mode" (Storage Scale 5.2.3 and 6.0.1): "A single-writer (SW) or
    independent-writer (IW) fileset with pending requests in the queue cannot be converted."
    and "You cannot change the mode or disable AFM when the fileset is linked." IBM's docs give
    no 6027 message id (nor a sample output) for mmchfileset -p afmMode on a fileset with a
    non-empty queue: searched "Changing the AFM mode", "Conversion of mode", "mmchfileset
    afmMode" and the 6027 message pages. So the card shows the refusal in peersnap's words
    and no id, not a "(no message id)" placeholder; a refusal with an id still shows it."""
    async def check(app, pilot):
        app.dashboard.run_line("echo queued > /gpfs/fs1/sw/q")
        await settle(pilot)
        press_raw(app, "F5")
        await settle(pilot, 6)
        assert isinstance(app.screen, RefusalCard)
        assert app.screen.refusal.rule == "queue must be empty" and not app.screen.refusal.message_id
        rows = card_rows(app)
        assert not any("no message id" in row for row in rows)
        assert "message   Fileset sw has 1 queued operations; afmMode cannot be changed until they reach home." in rows
        await pilot.press("escape")
        await settle(pilot)
        app.dashboard.run_line("mmafmctl fs1 flushPending -j sw")  # allowed: no psnap queued
        app.dashboard.run_line("mmpsnap fs1 create -j sw")
        app.dashboard.run_line("mmafmctl fs1 flushPending -j sw")  # 6027-2757: a psnap is in progress
        await settle(pilot, 6)
        assert isinstance(app.screen, RefusalCard) and app.screen.refusal.message_id == "6027-2757"
        assert "message   6027-2757  The peer snapshot is in progress. Queue cannot be flushed now." in card_rows(app)

    drive(check, app=make_app(paused=True))
