"""A toggle is one undo step (issue 12): Ctrl+Z after F3 or F5 undoes the whole toggle
(unlink, change, link), a refused toggle never leaves the fileset unlinked, and a change
a command makes silently (`@home mmafmconfig disable` prints nothing, as IBM's does) stands
out in the toggle bar and leads the event log, cause first. Keys are posted as a terminal
delivers them (the driver's parser on raw bytes), with time paused and running."""

from __future__ import annotations

import pytest
from helpers import console_text, drive
from peersnap.core.model import Protocol
from peersnap.core.session import load_session
from peersnap.core.session_file import LoggedCommand
from peersnap.tui.app import make_app
from peersnap.tui.screens import RefusalCard
from peersnap.tui.widgets.event_log import EventLog
from peersnap.tui.widgets.toggle_bar import ToggleBar
from textual._xterm_parser import XTermParser  # the driver's own parser: raw terminal bytes -> events

KEYS = {"F2": "\x1bOQ", "F3": "\x1bOR", "F4": "\x1bOS", "F5": "\x1b[15~", "Ctrl+S": "\x13", "Ctrl+Z": "\x1a"}


def press_raw(app, *keys: str) -> None:
    """Every key of one terminal read posted at once, before the app handles the first."""
    for event in XTermParser().feed("".join(KEYS[k] for k in keys)):
        app.post_message(event)


async def settle(pilot, frames: int = 4) -> None:
    for _ in range(frames):
        await pilot.pause()


def world_facts(app) -> tuple[object, ...]:
    """What the toggles change (not the clock, which runs on in half the tests)."""
    world = app.session.engine.world
    sw = world.filesets["sw"]
    return (world.link_up, sw.target.protocol, world.exports["/gpfs/fs1/sw"].afm_enabled, sw.mode, sw.linked,
            len(sw.psnaps), sw.queue.length)


@pytest.mark.parametrize("paused", [True, False], ids=["paused", "running"])
@pytest.mark.parametrize("key", ["F2", "F3", "F4", "F5", "Ctrl+S"])
def test_ctrl_z_after_a_toggle_undoes_the_whole_toggle(key, paused):
    async def check(app, pilot):
        before = world_facts(app)
        press_raw(app, key)
        await settle(pilot)
        assert world_facts(app) != before, f"{key} changed nothing"
        press_raw(app, "Ctrl+Z")
        await settle(pilot)
        assert world_facts(app) == before
        assert app.session.engine.world.filesets["sw"].linked
        assert "[cache]# undo" in console_text(app)
        changed = [e for e in app.session.log if isinstance(e, LoggedCommand) and e.changed]
        assert changed == [], f"one Ctrl+Z left {[e.line for e in changed]}"

    drive(check, app=make_app(paused=paused))


@pytest.mark.parametrize("paused", [True, False], ids=["paused", "running"])
@pytest.mark.parametrize("key", ["F3", "F5"])
def test_a_refused_relinking_toggle_leaves_the_fileset_linked_and_undoes_as_one(key, paused):
    """The queue holds an op: the change is refused after the unlink, the toggle links again."""
    async def check(app, pilot):
        app.dashboard.run_line("echo x > /gpfs/fs1/sw/queued")
        await settle(pilot)
        before = world_facts(app)
        press_raw(app, key)
        await settle(pilot)
        assert isinstance(app.screen, RefusalCard)
        assert world_facts(app) == before  # linked, the same mode and target
        await pilot.press("escape")  # (a lone ESC byte waits for the parser's timeout: pressed here)
        await settle(pilot)
        assert not isinstance(app.screen, RefusalCard)
        press_raw(app, "Ctrl+Z")  # the refused toggle (unlink ... link) is one step
        await settle(pilot)
        assert world_facts(app) == before
        press_raw(app, "Ctrl+Z")  # then the echo
        await settle(pilot)
        assert app.session.engine.world.filesets["sw"].queue.length == 0
        assert app.session.engine.world.filesets["sw"].linked

    drive(check, app=make_app(paused=paused))


def test_undo_says_which_toggle_it_undid():
    async def check(app, pilot):
        press_raw(app, "F5", "Ctrl+Z")
        await settle(pilot)
        assert "Undid: F5's 3 commands, mmunlinkfileset fs1 sw … mmlinkfileset fs1 sw -J /gpfs/fs1/sw" \
            in console_text(app)

    drive(check)


def test_undo_counts_only_the_toggles_commands_not_a_refused_one_after_it():
    """F3 (three commands), then Ctrl+S refused on NSD: Ctrl+Z undoes F3, and says 3 commands
    (it said "F3's 4 commands", counting the refused mmpsnap that changed nothing)."""
    async def check(app, pilot):
        press_raw(app, "F3", "Ctrl+S")
        await settle(pilot)
        assert isinstance(app.screen, RefusalCard)
        await pilot.press("escape")
        await settle(pilot)
        press_raw(app, "Ctrl+Z")
        await settle(pilot)
        text = console_text(app)
        assert "Undid: F3's 3 commands, mmunlinkfileset fs1 sw … mmlinkfileset fs1 sw -J /gpfs/fs1/sw" in text
        assert app.session.engine.world.filesets["sw"].target.protocol is Protocol.NFS

    drive(check, app=make_app(paused=True))


def test_a_toggle_keeps_its_undo_in_a_saved_session(tmp_path):
    """`joined` is saved: the session reopened undoes the toggle as one step too."""
    async def check(app, pilot):
        press_raw(app, "F3")
        await settle(pilot)
        app.dashboard.run_line(f"save {tmp_path / 's.toml'}")

    drive(check)
    assert "joined = true" in (tmp_path / "s.toml").read_text()
    session, entries = load_session(str(tmp_path / "s.toml"))
    session.replay(entries)  # as --resume does
    resumed = make_app(session=session)

    async def undo(app, pilot):
        sw = app.session.engine.world.filesets["sw"]
        assert sw.target.protocol is Protocol.NSD
        app.dashboard.run_line("undo")
        await settle(pilot)
        assert app.session.engine.world.filesets["sw"].target.protocol is Protocol.NFS
        assert app.session.engine.world.filesets["sw"].linked

    drive(undo, app=resumed)


@pytest.mark.parametrize("paused", [True, False], ids=["paused", "running"])
def test_a_silent_mmafmconfig_disable_stands_out_in_the_bar_and_leads_the_event_log(paused):
    """IBM, mmafmconfig: "disable: Removes extended attribute support ..." and prints nothing on
    success; so the dashboard must show the change itself."""
    async def check(app, pilot):
        app.dashboard.run_line("@home mmafmconfig disable /gpfs/fs1/sw")
        await settle(pilot)
        assert console_text(app).endswith("[home]# mmafmconfig disable /gpfs/fs1/sw")  # nothing printed
        bar = app.query_one(ToggleBar)
        assert bar.toggle("toggle_afmconfig").changed
        assert "disabled ◂" in str(bar.render())
        assert not bar.toggle("toggle_link").changed
        texts = [r.text for r in app.query_one(EventLog).records]
        ran = next(i for i, t in enumerate(texts) if "mmafmconfig disable" in t and "[home]#" in t)
        effect = next(i for i, t in enumerate(texts) if "mmafmconfig disabled" in t)
        assert ran < effect, texts  # cause first
        app.dashboard.run_line("ls /gpfs/fs1/sw")  # the next command: the mark has said its piece
        await settle(pilot)
        assert not bar.toggle("toggle_afmconfig").changed

    drive(check, app=make_app(paused=paused))
