"""`mmpsnap ... --wait`: it returns once this psnap's home half exists (or
fails), and not an instant later; other filesets' queues drain only that far.

IBM, mmpsnap: "--wait Makes the creation of cache snapshot to wait for the
home snapshot to complete." The simulator never blocks: when nothing
scheduled could let the half through it moves no time and says what it would
wait for (rc 1, never a made-up success).
"""

from __future__ import annotations

from peersnap.core import clock
from peersnap.core.model import HomeHalf
from peersnap.core.psnap_wait import WaitOutcome, wait_for_psnap
from peersnap.core.scenario import load
from peersnap.core.session import Session

FAILED = "mmpsnap: Command failed. Examine previous error messages to determine cause."


def ok(session: Session, line: str) -> list[str]:
    result = session.run(line)
    assert result.rc == 0, (line, result.lines)
    return result.lines


def test_wait_does_not_drain_another_filesets_long_delay():
    """Issue 10: an IW queue with afmAsyncDelay=80000 held --wait for 22 hours."""
    session = Session()
    for line in ("mmunlinkfileset fs1 iw", "mmchfileset fs1 iw -p afmAsyncDelay=80000",
                 "mmlinkfileset fs1 iw -J /gpfs/fs1/iw", "echo hello > /gpfs/fs1/iw/x"):
        ok(session, line)
    lines = ok(session, "mmpsnap fs1 create -j sw --wait")
    assert lines[-1].startswith("Core snapshot psnap-") and lines[-1].endswith("created with id 8.")
    assert session.engine.now < 2 * clock.SECOND  # quiesce plus one round trip, not 22 h
    assert session.engine.world.filesets["iw"].queue.length == 1  # still waiting its delay


def test_wait_stops_the_moment_its_own_half_is_taken():
    session = Session()
    ok(session, "echo x > /gpfs/fs1/sw/a")
    ok(session, "mmpsnap fs1 create -j sw --wait")
    first = session.engine.now
    ok(session, "echo y > /gpfs/fs1/sw/b")  # queued after; must not have been waited for
    assert session.engine.world.filesets["sw"].queue.length == 1
    assert 15 * clock.SECOND < first < 16 * clock.SECOND


def test_a_half_queued_behind_a_stopped_fileset_is_not_waited_for():
    """A psnap cannot be created while Stopped; one created before the stop
    would wait for `mmafmctl start`: the wait moves no time and says so."""
    session = Session()
    ok(session, "echo x > /gpfs/fs1/sw/a")
    ok(session, "mmpsnap fs1 create -j sw")
    ok(session, "mmafmctl fs1 stop -j sw")
    psnap = next(iter(session.engine.world.filesets["sw"].psnaps.values()))
    before = session.engine.now
    assert wait_for_psnap(session.engine, psnap) is WaitOutcome.STOPPED
    assert session.engine.now == before


def test_wait_with_a_reconnect_scheduled_waits_for_it():
    """The disconnect drill brings the link back at 3 min: --wait waits for that."""
    session = Session(load("disconnect-drill"))
    ok(session, "sim advance 2m")  # the link dropped at 1 min, Disconnected at 1m30s
    lines = ok(session, "mmpsnap fs1 create -j sw --wait")
    assert lines[-1].startswith("Core snapshot psnap-")
    assert 3 * clock.MINUTE <= session.engine.now < 3 * clock.MINUTE + clock.SECOND


def test_wait_with_the_link_down_and_no_reconnect_moves_no_time():
    session = Session()
    ok(session, "sim link down")
    ok(session, "sim advance 61s")
    before = session.engine.now
    result = session.run("mmpsnap fs1 create -j sw --wait")
    assert result.rc == 1 and result.lines[-1] == FAILED
    assert "would wait for the link to home" in result.lines[-3]
    assert session.engine.now == before + clock.SECOND  # the quiesce only
    psnap = next(iter(session.engine.world.filesets["sw"].psnaps.values()))
    assert psnap.home is HomeHalf.QUEUED
