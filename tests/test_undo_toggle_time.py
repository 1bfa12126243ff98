"""`undo` of a toggle whose steps have simulated time between them (the dashboard's timer, or a
saved session file in any order) rewinds the whole toggle and says so; it never fails."""

from __future__ import annotations

from peersnap.core import clock
from peersnap.core.session import Session
from peersnap.core.session_file import ClockEntry, LoggedCommand


def files(session: Session) -> set[str]:
    return set(session.engine.world.cache.fs.trees["sw"].contents())


def test_a_toggle_with_time_between_its_steps_is_undone_whole():
    session = Session(allow_files=False)
    before = files(session)
    session.run("echo a > /gpfs/fs1/sw/a", via="a key")
    session.advance_clock(2 * clock.SECOND)
    session.run("echo b > /gpfs/fs1/sw/b", via="a key", joined=True)
    assert isinstance(session.log[-2], ClockEntry)
    said = session.undo()
    assert said == "Undid: a key's 2 commands, echo a > /gpfs/fs1/sw/a … echo b > /gpfs/fs1/sw/b"
    assert files(session) == before and session.log == []


def test_a_joined_command_with_only_time_before_it_is_undone_alone():
    session = Session(allow_files=False)
    session.advance_clock(clock.SECOND)
    session.run("echo b > /gpfs/fs1/sw/b", via="a key", joined=True)
    assert session.undo() == "Undid: echo b > /gpfs/fs1/sw/b"
    assert isinstance(session.log[-1], ClockEntry) and "b" not in {p.rsplit("/", 1)[-1] for p in files(session)}


def test_an_undo_after_a_plain_command_and_time_leaves_the_time():
    session = Session(allow_files=False)
    session.run("echo a > /gpfs/fs1/sw/a")
    session.advance_clock(clock.SECOND)
    session.run("echo b > /gpfs/fs1/sw/b")
    assert session.undo() == "Undid: echo b > /gpfs/fs1/sw/b"
    assert [type(e) for e in session.log] == [LoggedCommand, ClockEntry]
