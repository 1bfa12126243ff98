"""Writes at home behind a single-writer cache's back: NeedsResync, the
automatic and the manual resync, and the pair invariant they protect.

IBM, "Resync on SW filesets": "If AFM detects inconsistencies during flushing,
the fileset goes into NeedsResync state. When this occurs AFM runs a
resynchronization automatically during the next request to the primary
gateway, and the inconsistencies are resolved. [...] When running a resync the
fileset must be in the Active or the NeedsResync state."

The mmpsnap page: "When all of the queued requests outstanding at the time the
snap was performed in cache have been flushed to the home fileset so that the
home data is consistent with cache, a snapshot of the corresponding home
fileset is performed. [...] Both refer to the same copy." So a pair whose
halves differ is never produced: home is made consistent first.
"""

from __future__ import annotations

import pytest
from command_runs import FAILED, fails, ok
from command_runs import FIRST_PSNAP as FIRST
from peersnap.core.events import FilesetChanged, HomeResynced, HomeWritten
from peersnap.core.gateway import RESYNC
from peersnap.core.model import CacheState, HomeHalf
from peersnap.core.session import Session
from peersnap.core.tree import DIR


def contents(tree, epoch: int | None = None) -> dict[str, object]:
    items = tree.items() if epoch is None else tree.items_at(epoch)
    return {path: ("DIR" if content is DIR else content) for path, content in items}


def state(session: Session, fileset: str = "sw") -> CacheState:
    return session.engine.world.filesets[fileset].state


def home_and_cache(session: Session) -> tuple[dict, dict]:
    world = session.engine.world
    return contents(world.home.fs.trees["sw"]), contents(world.cache.fs.trees["sw"])


def make_needs_resync(session: Session) -> None:
    """Home written, then a cache change flushes and finds it."""
    ok(session, "@home echo intruder > /gpfs/fs1/sw/intruder")
    ok(session, "echo mine > /gpfs/fs1/sw/mine")
    ok(session, "sim settle")
    assert state(session) is CacheState.NEEDS_RESYNC


# -- found while flushing ------------------------------------------------------------------------------


def test_a_home_write_alone_shows_nothing_at_the_cache():
    """The cache cannot see home: nothing flushed, nothing found, still Active."""
    session = Session()
    events = []
    session.engine.subscribe(events.append)
    ok(session, "@home echo intruder > /gpfs/fs1/sw/intruder")
    assert state(session) is CacheState.ACTIVE
    assert "Active" in ok(session, "mmafmctl fs1 getstate -j sw")[2]
    assert [e.path for e in events if isinstance(e, HomeWritten)] == ["/gpfs/fs1/sw/intruder"]
    assert session.engine.world.filesets["sw"].home_changed


@pytest.mark.parametrize("line", [
    "@home echo intruder > /gpfs/fs1/sw/intruder.txt",
    "@home mkdir /gpfs/fs1/sw/newdir",
    "@home rm /gpfs/fs1/sw/README",
    "@home mv /gpfs/fs1/sw/README /gpfs/fs1/sw/README.old",
    "@home touch /gpfs/fs1/sw/empty",
    "@home echo more >> /gpfs/fs1/sw/data/report.txt",
])
def test_the_next_flush_finds_any_home_change_and_the_cache_needs_resync(line):
    session = Session()
    ok(session, line)
    ok(session, "echo mine > /gpfs/fs1/sw/mine")
    assert state(session) is CacheState.DIRTY  # queued, not yet flushed: not found yet
    ok(session, "sim advance 16s")
    assert state(session) is CacheState.NEEDS_RESYNC
    assert "NeedsResync" in ok(session, "mmafmctl fs1 getstate -j sw")[2]


def test_a_home_write_under_an_iw_export_is_another_writer_not_an_inconsistency():
    session = Session()
    ok(session, "@home echo another writer > /gpfs/fs1/iw/other.txt")
    ok(session, "echo mine > /gpfs/fs1/iw/mine")
    ok(session, "sim settle")
    assert state(session, "iw") is CacheState.ACTIVE


# -- resynchronised automatically on the next request ---------------------------------------------------


def test_the_next_change_at_the_cache_queues_an_automatic_resync_first():
    session = Session()
    make_needs_resync(session)
    events = []
    session.engine.subscribe(events.append)
    ok(session, "echo again > /gpfs/fs1/sw/mine")
    queue = session.engine.world.filesets["sw"].queue
    assert [op.kind for op in queue] == [RESYNC, "write"]
    resync_seq = next(iter(queue)).seq
    assert state(session) is CacheState.DIRTY
    assert any(isinstance(e, FilesetChanged) and "automatic resync" in e.what for e in events)
    ok(session, "sim settle")
    home, cache = home_and_cache(session)
    assert home == cache and "intruder" not in home
    assert state(session) is CacheState.ACTIVE
    assert [e.seq for e in events if isinstance(e, HomeResynced)] == [resync_seq]


def test_flush_pending_is_a_request_too():
    session = Session()
    make_needs_resync(session)
    ok(session, "mmafmctl fs1 flushPending -j sw")
    ok(session, "sim settle")
    home, cache = home_and_cache(session)
    assert home == cache
    assert state(session) is CacheState.ACTIVE


# -- the manual resync ------------------------------------------------------------------------------------


def test_manual_resync_in_needs_resync_makes_home_equal_the_cache():
    session = Session()
    make_needs_resync(session)
    ok(session, "@home mkdir -p /gpfs/fs1/sw/intruded/deeper")
    ok(session, "@home echo changed > /gpfs/fs1/sw/README")
    assert ok(session, "mmafmctl fs1 resync -j sw") == ["mmafmctl: Performing resync of fileset: sw"]
    ok(session, "sim settle")
    home, cache = home_and_cache(session)
    assert home == cache
    assert state(session) is CacheState.ACTIVE
    ok(session, "mmpsnap fs1 create -j sw --wait")


def test_manual_resync_in_active_state_repairs_a_change_not_found_yet():
    session = Session()
    ok(session, "@home echo intruder > /gpfs/fs1/sw/intruder")
    assert state(session) is CacheState.ACTIVE
    ok(session, "mmafmctl fs1 resync -j sw")
    ok(session, "sim settle")
    home, cache = home_and_cache(session)
    assert home == cache
    assert not session.engine.world.filesets["sw"].home_changed


@pytest.mark.parametrize(("setup", "shown"), [
    (["echo queued > /gpfs/fs1/sw/q"], "Dirty"),
    (["mmafmctl fs1 stop -j sw"], "Stopped"),
    (["sim link down", "sim advance 61s"], "Disconnected"),
])
def test_manual_resync_needs_active_or_needs_resync(setup, shown):
    session = Session()
    for line in setup:
        ok(session, line)
    lines = fails(session, "mmafmctl fs1 resync -j sw")
    assert lines == [
        f"mmafmctl: Resync of fileset sw is not allowed in {shown} state; the fileset must be Active or NeedsResync.",
        f"mmafmctl: {FAILED}",
    ]


def test_resync_with_a_rename_still_queued_makes_home_equal_the_cache():
    """The resync pins the cache when it is queued and applies in queue order, so
    a rename queued before it cannot carry a home change past it."""
    session = Session()
    ok(session, "mkdir -p /gpfs/fs1/sw/d")
    ok(session, "sim settle")
    ok(session, "echo y > /gpfs/fs1/sw/b")
    ok(session, "@home echo intruder > /gpfs/fs1/sw/d/x")  # home writes under the old name
    ok(session, "sim advance 16s")  # b flushes and finds it
    assert state(session) is CacheState.NEEDS_RESYNC
    ok(session, "mv /gpfs/fs1/sw/d /gpfs/fs1/sw/a")  # the automatic resync, then the rename
    ok(session, "sim settle")
    home, cache = home_and_cache(session)
    assert home == cache


# -- peer snapshots and NeedsResync -------------------------------------------------------------------


def test_a_psnap_is_refused_while_the_cache_needs_resync():
    session = Session()
    make_needs_resync(session)
    lines = fails(session, "mmpsnap fs1 create -j sw")
    assert lines == [
        "mmpsnap: 6027-2293 [E] The peer snapshot creation failed because fileset sw is in NeedsResync state.",
        f"mmpsnap: {FAILED}",
    ]
    assert "mmafmctl fs1 resync -j sw" in session.run("mmpsnap fs1 create -j sw").refusal.hint


def test_a_psnap_is_refused_while_disconnected_when_the_cache_knows_it_needs_resync():
    """Choice (docs/simulator.md): Disconnected takes psnaps (the seed), but not
    once the cache knows home changed: its home half would wait for a resync."""
    session = Session()
    make_needs_resync(session)
    ok(session, "sim link down")
    ok(session, "sim advance 61s")
    assert state(session) is CacheState.DISCONNECTED
    lines = fails(session, "mmpsnap fs1 create -j sw")
    assert lines[0] == "mmpsnap: 6027-2293 [E] The peer snapshot creation failed because fileset sw is in NeedsResync state."
    assert "sim link up" in session.run("mmpsnap fs1 create -j sw").refusal.hint


def test_the_issue_reproduction_a_disconnected_psnap_after_a_home_write_completes_identical():
    """Issue 10: the home write is not found before the link drops (nothing
    flushed), so the psnap is accepted; its home half must hold the cache's data."""
    session = Session()
    original = ok(session, "cat /gpfs/fs1/sw/README")
    for line in ("@home echo rogue > /gpfs/fs1/sw/README", "sim link down", "sim advance 61s"):
        ok(session, line)
    name = ok(session, "mmpsnap fs1 create -j sw")[3].split()[1]
    ok(session, "sim link up")
    ok(session, "sim settle")
    status = ok(session, "mmpsnap fs1 status -j sw")[-1]
    assert status.endswith("identical"), status
    assert ok(session, f"@home cat /gpfs/fs1/.snapshots/{name}/sw/README") == original
    assert ok(session, f"cat /gpfs/fs1/sw/.snapshots/{name}/README") == original
    home, cache = home_and_cache(session)
    assert home == cache
    assert state(session) is CacheState.ACTIVE


@pytest.mark.parametrize("when", ["before the psnap", "between the psnap and its marker"])
def test_a_home_half_is_always_the_cache_half(when):
    session = Session()
    events = []
    session.engine.subscribe(events.append)
    ok(session, "echo x > /gpfs/fs1/sw/a")
    if when == "before the psnap":
        ok(session, "@home echo rogue > /gpfs/fs1/sw/README")
    ok(session, "mmpsnap fs1 create -j sw")
    if when != "before the psnap":
        ok(session, "@home echo rogue > /gpfs/fs1/sw/README")
        ok(session, "@home mkdir /gpfs/fs1/sw/rogue-dir")
    ok(session, "sim settle")
    world = session.engine.world
    psnap = world.filesets["sw"].psnaps[FIRST]
    assert psnap.home is HomeHalf.CREATED and psnap.identical is True
    cache_half = contents(world.cache.fs.trees["sw"], psnap.cache_snap.epochs["sw"])
    home_half = contents(world.home.fs.trees["sw"], psnap.home_snap.epochs["sw"])
    assert home_half == cache_half
    assert [e.psnap for e in events if isinstance(e, HomeResynced)] == [FIRST]
    assert ok(session, "mmpsnap fs1 status -j sw")[-1].endswith("identical")


def test_writes_queued_after_the_marker_still_reach_home_after_its_resync():
    session = Session()
    ok(session, "mmpsnap fs1 create -j sw")
    ok(session, "@home echo rogue > /gpfs/fs1/sw/README")
    ok(session, "echo after > /gpfs/fs1/sw/after")
    ok(session, "sim settle")
    home, cache = home_and_cache(session)
    assert home == cache and home["after"] == "after\n"
