"""`mmpsnap ... --wait`: how long it waits for its home half, and what keeps a home half
from ever being taken unless the user acts (it then stops at once, moving no time)."""

from __future__ import annotations

from enum import Enum

from . import clock
from .engine import Engine
from .model import HomeHalf, HomeWait, PeerSnapshot

WAIT_BOUND = clock.DAY


class WaitOutcome(str, Enum):
    """How `mmpsnap --wait` ended."""

    DONE = "done"  # the home half exists or failed
    LINK_DOWN = "link down"  # it would wait for the link: no reconnect is scheduled
    STOPPED = "stopped"  # it would wait for mmafmctl start
    HOME_GONE = "home gone"  # the fileset cannot reach its home directory
    TIMED_OUT = "timed out"  # the bound passed


def wait_for_psnap(engine: Engine, psnap: PeerSnapshot, bound: int = WAIT_BOUND) -> WaitOutcome:
    """`mmpsnap ... --wait`: run simulated time until this psnap's home half
    exists or fails, and not an instant longer (other filesets' queues
    drain only as far as that moment). It stops at once, moving no time,
    when nothing scheduled can ever let the half through (the link down with
    no reconnect scheduled, replication stopped, home gone), and after `bound`."""
    def finished() -> bool:
        return psnap.home is not HomeHalf.QUEUED or psnap_blocked(engine, psnap) is not None

    engine.advance_to(engine.now + bound, stop_when_idle=True, until=finished)
    if psnap.home is not HomeHalf.QUEUED:
        return WaitOutcome.DONE
    blocker = psnap_blocked(engine, psnap)
    return blocker if blocker is not None else WaitOutcome.TIMED_OUT


def psnap_blocked(engine: Engine, psnap: PeerSnapshot) -> WaitOutcome | None:
    """What keeps a queued home half from ever being taken unless the user
    acts, or None when time alone will bring it (what it waits for is
    `Snapshots.home_wait`; a reconnect may already be scheduled)."""
    wait, _ = engine.snapshots.home_wait(psnap)
    if wait is HomeWait.LINK:
        return None if engine.reconnect_scheduled() else WaitOutcome.LINK_DOWN
    if wait is HomeWait.STOPPED:
        return WaitOutcome.STOPPED
    fileset = engine.world.filesets[psnap.fileset]
    if engine.world.home_tree(fileset) is None or not fileset.mode.pushes_home:
        return WaitOutcome.HOME_GONE
    return None
