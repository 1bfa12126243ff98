"""The peer snapshot rules, one test each: what is refused, in which words, and
that a refused command changes nothing (the clock included).

Then what happens when a psnap is allowed: the disconnected case, several
psnaps in the queue, deleting both halves, --wait, flushPending, changing the
AFM mode. (Writes at home behind an SW cache's back: tests/test_resync.py.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from peersnap.core.events import OpsFlushed, PeerSnapshotCompleted
from peersnap.core.model import CacheState, HomeHalf
from peersnap.core.scenario import parse
from peersnap.core.session import Session
from peersnap.core.tree import DIR

FAILED = "mmpsnap: Command failed. Examine previous error messages to determine cause."
SEED_TOML = (Path(__file__).resolve().parent.parent / "core" / "scenarios" / "seed.toml").read_text(encoding="utf-8")


def psnap_name(stamp: str) -> str:
    return f"psnap-13882361812785649740-C0A80E85:4F44B305-59-16-10-27-{stamp}"


FIRST = psnap_name("02-27-28")  # a psnap taken at the very start


def ok(session: Session, line: str) -> list[str]:
    result = session.run(line)
    assert result.rc == 0, (line, result.lines)
    return result.lines


def refused(session: Session, line: str, message_id: str, text: str, command: str = "mmpsnap"):
    """`line` is refused with `<command>: <id> [E] <text>` (plus a plain detail
    line for 6027-2224, whose product text names no cause) then the failure
    line, rc 1, the refusal recorded, and nothing changed."""
    before = session.engine.fingerprint()
    result = session.run(line)
    ident = f"{message_id} [E] " if message_id else ""
    detail = [line for line in result.lines[1:-1] if message_id == "6027-2224"]
    if message_id == "6027-2224":
        assert len(detail) == 1 and ("mmafmconfig enable /gpfs/fs1/" in detail[0] or "unlink and relink" in detail[0])
    assert result.lines == [
        f"{command}: {ident}{text}",
        *detail,
        f"{command}: Command failed. Examine previous error messages to determine cause.",
    ]
    assert result.rc == 1
    assert result.refusal is not None and result.refusal.message_id == message_id
    assert result.refusal.hint  # every refusal says how to fix it
    assert session.engine.fingerprint() == before
    return result


def scenario_with(fileset_state: str) -> Session:
    """The seed world with the sw fileset starting in `fileset_state`."""
    text = SEED_TOML.replace(
        'target = "nfs://home1/gpfs/fs1/sw"', f'target = "nfs://home1/gpfs/fs1/sw"\nstate = "{fileset_state}"', 1
    )
    return Session(parse(text))


def tree_items(tree, epoch=None) -> dict:
    items = tree.items() if epoch is None else tree.items_at(epoch)
    return {path: ("DIR" if content is DIR else content) for path, content in items}


def home_half_matches_cache_half(session: Session, name: str, fileset: str = "sw") -> bool:
    engine = session.engine
    cache = engine.world.cache.fs.snapshot(name, "sw")
    home = engine.world.home.fs.snapshot(name)
    cache_items = tree_items(engine.world.cache.fs.trees[fileset], cache.epochs[fileset])
    home_items = tree_items(engine.world.home.fs.trees[fileset], home.epochs[fileset])
    return cache_items == home_items


# -- the create rules -----------------------------------------------------------------


@pytest.mark.parametrize("fileset", ["ro", "iw", "lu"])
def test_only_single_writer_filesets_take_peer_snapshots(fileset):
    refused(
        Session(),
        f"mmpsnap fs1 create -j {fileset}",
        "6027-2183",
        "Peer snapshots using mmpsnap are allowed only for single-writer or primary filesets.",
    )


def test_peer_snapshots_need_an_nfs_target():
    refused(
        Session(),
        "mmpsnap fs1 create -j swnsd",
        "6027-2232",
        "Peer snapshots are allowed only for targets using the NFS protocol.",
    )


def test_a_stopped_fileset_is_refused_naming_its_state():
    session = Session()
    ok(session, "mmafmctl fs1 stop -j sw")
    refused(
        session,
        "mmpsnap fs1 create -j sw",
        "6027-2293",
        "The peer snapshot creation failed because fileset sw is in Stopped state.",
    )
    ok(session, "mmafmctl fs1 start -j sw")
    # issue 11: start runs a recovery first (QueueOnly while its policy scan runs); Active once it is done
    refused(session, "mmpsnap fs1 create -j sw", "6027-2293",
            "The peer snapshot creation failed because fileset sw is in QueueOnly state.")
    ok(session, "sim settle")
    ok(session, "mmpsnap fs1 create -j sw")


def test_an_inactive_fileset_is_refused_until_first_accessed():
    session = scenario_with("Inactive")
    assert session.engine.world.filesets["sw"].state is CacheState.INACTIVE
    result = refused(
        session,
        "mmpsnap fs1 create -j sw",
        "6027-2293",
        "The peer snapshot creation failed because fileset sw is in Inactive state.",
    )
    assert "ls /gpfs/fs1/sw" in result.refusal.hint
    ok(session, "ls /gpfs/fs1/sw")
    assert session.engine.world.filesets["sw"].state is CacheState.ACTIVE
    ok(session, "mmpsnap fs1 create -j sw")


def test_home_must_have_run_mmafmconfig_enable():
    session = Session()
    ok(session, "@home mmafmconfig disable /gpfs/fs1/sw")
    result = refused(session, "mmpsnap fs1 create -j sw", "6027-2224", "Peer snapshot creation failed. Error code 2.")
    assert "mmafmconfig enable /gpfs/fs1/sw" in result.refusal.hint
    ok(session, "@home mmafmconfig enable /gpfs/fs1/sw")
    # issue 11: enabled after the fileset was linked, the cache needs an unlink and relink
    refused(session, "mmpsnap fs1 create -j sw", "6027-2224", "Peer snapshot creation failed. Error code 2.")
    ok(session, "mmunlinkfileset fs1 sw")
    ok(session, "mmlinkfileset fs1 sw -J /gpfs/fs1/sw")
    ok(session, "mmpsnap fs1 create -j sw")


def test_rules_are_checked_in_order_mode_target_state_home():
    session = Session()
    # swnsd is SW over NSD: make it IW too; the mode is reported, not the target
    ok(session, "mmunlinkfileset fs1 swnsd")
    ok(session, "mmchfileset fs1 swnsd -p afmMode=iw")
    ok(session, "mmlinkfileset fs1 swnsd -J /gpfs/fs1/swnsd")
    ok(session, "mmafmctl fs1 stop -j swnsd")
    ok(session, "@home mmafmconfig disable /gpfs/fs1/swnsd")
    refused(session, "mmpsnap fs1 create -j swnsd", "6027-2183",
            "Peer snapshots using mmpsnap are allowed only for single-writer or primary filesets.")
    # back to SW: now the NSD target is what is wrong, though it is also stopped
    ok(session, "mmafmctl fs1 start -j swnsd")
    ok(session, "sim settle")  # issue 11: start's recovery ends before the mode may change
    ok(session, "mmunlinkfileset fs1 swnsd")
    ok(session, "mmchfileset fs1 swnsd -p afmMode=sw")
    ok(session, "mmlinkfileset fs1 swnsd -J /gpfs/fs1/swnsd")
    ok(session, "mmafmctl fs1 stop -j swnsd")
    refused(session, "mmpsnap fs1 create -j swnsd", "6027-2232",
            "Peer snapshots are allowed only for targets using the NFS protocol.")
    # over NFS: the state comes before the home export
    ok(session, "mmunlinkfileset fs1 swnsd")
    ok(session, "mmchfileset fs1 swnsd -p afmTarget=nfs://home1/gpfs/fs1/swnsd")
    ok(session, "mmlinkfileset fs1 swnsd -J /gpfs/fs1/swnsd")
    refused(session, "mmpsnap fs1 create -j swnsd", "6027-2293",
            "The peer snapshot creation failed because fileset swnsd is in Stopped state.")
    ok(session, "mmafmctl fs1 start -j swnsd")
    ok(session, "sim settle")  # issue 11: start's recovery first
    refused(session, "mmpsnap fs1 create -j swnsd", "6027-2224", "Peer snapshot creation failed. Error code 2.")
    ok(session, "@home mmafmconfig enable /gpfs/fs1/swnsd")
    ok(session, "mmunlinkfileset fs1 swnsd")  # issue 11: enabled after linking: relink
    ok(session, "mmlinkfileset fs1 swnsd -J /gpfs/fs1/swnsd")
    ok(session, "mmpsnap fs1 create -j swnsd")


def test_a_refusal_is_announced_as_an_event():
    session = Session()
    seen = []
    session.engine.subscribe(seen.append)
    session.run("mmpsnap fs1 create -j ro")
    refusals = [e for e in seen if type(e).__name__ == "RuleRefused"]
    assert len(refusals) == 1 and refusals[0].message_id == "6027-2183" and refusals[0].fileset == "ro"


# -- disconnected ------------------------------------------------------------------------


def disconnected_session() -> Session:
    session = Session()
    ok(session, "sim link down")
    ok(session, "sim advance 61s")
    assert session.engine.world.filesets["sw"].state is CacheState.DISCONNECTED
    return session


def test_disconnected_psnap_creates_the_cache_half_and_records_the_home_half_as_pending():
    session = disconnected_session()
    lines = ok(session, "mmpsnap fs1 create -j sw")
    name = psnap_name("02-28-29")
    assert lines[3:] == [
        f"Snapshot {name} created with id 8.",
        f"Snapshot {name} created at the satellite.",
        "Core snapshot has not been created: home is unreachable. It will be created when the connection is restored.",
    ]
    engine = session.engine
    assert engine.world.cache.fs.has_snapshot(name, "sw")
    assert not engine.world.home.fs.has_snapshot(name)
    psnap = engine.world.filesets["sw"].psnaps[name]
    assert psnap.created_disconnected and psnap.home is HomeHalf.QUEUED
    assert "Pending reconnect" in ok(session, "mmpsnap fs1 status -j sw")[-1]


def test_reconnecting_creates_the_home_half_and_it_is_identical():
    session = disconnected_session()
    ok(session, "echo written while disconnected > /gpfs/fs1/sw/offline.txt")
    ok(session, "mmpsnap fs1 create -j sw")
    ok(session, "echo after the psnap > /gpfs/fs1/sw/later.txt")
    ok(session, "sim settle")
    name = psnap_name("02-28-29")
    assert not session.engine.world.home.fs.has_snapshot(name)  # still down: nothing moves
    ok(session, "sim link up")
    ok(session, "sim settle")
    psnap = session.engine.world.filesets["sw"].psnaps[name]
    assert psnap.home is HomeHalf.CREATED and psnap.identical is True
    assert home_half_matches_cache_half(session, name)
    assert ok(session, f"@home cat /gpfs/fs1/.snapshots/{name}/sw/offline.txt") == ["written while disconnected"]
    assert session.run(f"@home cat /gpfs/fs1/.snapshots/{name}/sw/later.txt").rc == 1
    assert ok(session, "@home cat /gpfs/fs1/sw/later.txt") == ["after the psnap"]


def test_a_psnap_taken_just_after_the_link_drops_also_waits_for_reconnect():
    """Before the 60 s disconnect timeout the state is still Active: the gateway
    does not know home is gone, so it queues the home half as usual; the half
    then waits for the connection all the same (status: Pending reconnect)."""
    session = Session()
    ok(session, "sim link down")
    lines = ok(session, "mmpsnap fs1 create -j sw")
    assert lines[-1] == "Core snapshot has been queued."
    assert ok(session, "mmpsnap fs1 status -j sw")[-1].endswith("Pending reconnect")
    ok(session, "sim link up")
    ok(session, "sim settle")
    assert session.engine.world.filesets["sw"].psnaps[FIRST].home is HomeHalf.CREATED


def test_disconnected_psnap_on_a_disabled_home_fails_its_home_half_on_reconnect():
    """With the link down the cache cannot ask home; the home half finds out."""
    session = Session()
    ok(session, "@home mmafmconfig disable /gpfs/fs1/sw")
    ok(session, "sim link down")
    ok(session, "mmpsnap fs1 create -j sw")
    ok(session, "sim link up")
    ok(session, "sim settle")
    psnap = session.engine.world.filesets["sw"].psnaps[FIRST]
    assert psnap.home is HomeHalf.FAILED
    assert not session.engine.world.home.fs.has_snapshot(FIRST)
    assert "AFM is not enabled for fileset sw in filesystem fs1." in session.engine.world.gpfs_log[-1]
    assert "Failed:" in ok(session, "mmpsnap fs1 status -j sw")[-1]
    ok(session, f"mmpsnap fs1 delete -s {FIRST} -j sw")
    assert not session.engine.world.cache.fs.has_snapshot(FIRST, "sw")


# -- several psnaps in the queue --------------------------------------------------------------


def test_each_queued_psnap_waits_only_for_what_was_queued_before_it():
    session = Session()
    engine = session.engine
    ok(session, "echo one > /gpfs/fs1/sw/a")
    ok(session, "mmpsnap fs1 create -j sw")  # psnap 1 behind a
    ok(session, "sim advance 5s")
    ok(session, "echo two > /gpfs/fs1/sw/b")
    ok(session, "mmpsnap fs1 create -j sw")  # psnap 2 behind a, b
    ok(session, "sim advance 5s")
    ok(session, "echo three > /gpfs/fs1/sw/c")
    first, second = list(engine.world.filesets["sw"].psnaps)
    completed = []
    engine.subscribe(lambda e: completed.append((e.name, engine.now)) if isinstance(e, PeerSnapshotCompleted) else None)

    ok(session, "sim advance 4s")  # a's async delay is over (15 s), b's is not (21 s)
    psnaps = engine.world.filesets["sw"].psnaps
    assert psnaps[first].home is HomeHalf.CREATED
    assert psnaps[second].home is HomeHalf.QUEUED
    assert engine.world.filesets["sw"].queue.length == 3  # b, psnap 2, c
    ok(session, "sim settle")
    assert [name for name, _ in completed] == [first, second]
    assert completed[0][1] < completed[1][1]

    home = engine.world.home.fs
    assert sorted(tree_items(home.trees["sw"], home.snapshot(first).epochs["sw"])) == ["README", "a", "data", "data/report.txt"]
    assert sorted(tree_items(home.trees["sw"], home.snapshot(second).epochs["sw"])) == [
        "README", "a", "b", "data", "data/report.txt"
    ]
    for name in (first, second):
        assert psnaps[name].identical is True and home_half_matches_cache_half(session, name)


def test_a_psnap_with_nothing_ahead_completes_at_once():
    session = Session()
    ok(session, "mmpsnap fs1 create -j sw")
    ok(session, "sim step")
    assert session.engine.world.filesets["sw"].psnaps[FIRST].home is HomeHalf.CREATED
    assert session.engine.now == 1_000_500  # the quiesce second, then one round trip


def test_status_says_how_many_ops_are_ahead():
    session = Session()
    ok(session, "echo 1 > /gpfs/fs1/sw/a")
    ok(session, "echo 2 > /gpfs/fs1/sw/b")
    ok(session, "mmpsnap fs1 create -j sw")
    status = ok(session, "mmpsnap fs1 status -j sw")
    assert status[0] == "Peer snapshots for fileset sw in file system fs1:"
    assert status[2].startswith(f"{FIRST} 8 ")
    assert status[2].endswith("Queued behind 2 ops")


# -- deleting both halves -----------------------------------------------------------------------


def no_orphans(session: Session) -> None:
    """Every peer snapshot at home has its cache half or a pending delete, and
    every cache psnap snapshot is known to the gateway."""
    engine = session.engine
    psnaps = engine.world.filesets["sw"].psnaps
    for snap in engine.world.home.fs.snapshots.values():
        if snap.peer:
            assert engine.world.cache.fs.has_snapshot(snap.name, "sw") or psnaps[snap.name].home is HomeHalf.DELETING
    for snap in engine.world.cache.fs.snapshots.values():
        if snap.peer:
            assert snap.name in psnaps


def test_delete_removes_both_halves_when_the_link_is_up():
    session = Session()
    ok(session, "mmpsnap fs1 create -j sw")
    ok(session, "sim settle")
    lines = ok(session, f"mmpsnap fs1 delete -s {FIRST} -j sw")
    assert lines == [
        f"Invalidating snapshot files in {FIRST}...",
        "Deleting files in snapshot",
        f"Delete snapshot {FIRST} successful.",
        f"Core snapshot {FIRST} deleted at home.",
    ]
    assert not session.engine.world.cache.fs.has_snapshot(FIRST, "sw")
    assert not session.engine.world.home.fs.has_snapshot(FIRST)
    assert ok(session, "mmpsnap fs1 status -j sw") == ["No peer snapshots for fileset sw in file system fs1."]
    no_orphans(session)


def test_delete_of_a_queued_psnap_removes_its_marker_from_the_queue():
    session = Session()
    ok(session, "echo x > /gpfs/fs1/sw/a")
    ok(session, "mmpsnap fs1 create -j sw")
    assert session.engine.world.filesets["sw"].queue.length == 2
    lines = ok(session, f"mmpsnap fs1 delete -s {FIRST} -j sw")
    assert lines[-1] == f"Queued core snapshot {FIRST} removed from the gateway queue."
    assert session.engine.world.filesets["sw"].queue.length == 1
    ok(session, "sim settle")
    assert not session.engine.world.home.fs.has_snapshot(FIRST)
    assert ok(session, "@home cat /gpfs/fs1/sw/a") == ["x"]  # the data still went home
    no_orphans(session)


def test_delete_while_disconnected_removes_the_home_half_on_reconnect():
    session = Session()
    ok(session, "mmpsnap fs1 create -j sw")
    ok(session, "sim settle")
    ok(session, "sim link down")
    lines = ok(session, f"mmpsnap fs1 delete -s {FIRST} -j sw")
    assert lines[-1] == f"Core snapshot {FIRST} will be deleted at home when the connection is restored."
    assert not session.engine.world.cache.fs.has_snapshot(FIRST, "sw")
    assert session.engine.world.home.fs.has_snapshot(FIRST)
    assert ok(session, "mmpsnap fs1 status -j sw")[-1].endswith("Deleting (pending reconnect)")
    no_orphans(session)
    # asking again says it is under way, and changes nothing
    before = session.engine.fingerprint()
    again = session.run(f"mmpsnap fs1 delete -s {FIRST} -j sw")
    assert again.rc == 1 and "already being deleted" in again.lines[0]
    assert session.engine.fingerprint() == before
    ok(session, "sim link up")
    assert not session.engine.world.home.fs.has_snapshot(FIRST)
    assert ok(session, "mmpsnap fs1 status -j sw") == ["No peer snapshots for fileset sw in file system fs1."]
    no_orphans(session)


def test_delete_of_a_psnap_pending_reconnect_leaves_nothing_behind():
    session = disconnected_session()
    ok(session, "mmpsnap fs1 create -j sw")
    name = psnap_name("02-28-29")
    ok(session, f"mmpsnap fs1 delete -s {name} -j sw")
    ok(session, "sim link up")
    ok(session, "sim settle")
    assert not session.engine.world.home.fs.has_snapshot(name)
    assert not session.engine.world.cache.fs.has_snapshot(name, "sw")
    no_orphans(session)


def test_delete_of_an_unknown_name_is_6027_2683():
    session = Session()
    before = session.engine.fingerprint()
    result = session.run("mmpsnap fs1 delete -s nosuch -j sw")
    assert result.rc == 1
    assert result.lines == [
        "mmpsnap: 6027-2683 Fileset sw in file system fs1 does not contain snapshot nosuch, err = 2",
        FAILED,
    ]
    assert session.engine.fingerprint() == before


# mmdelsnapshot on a psnap half is no longer refused (IBM's command does not refuse it):
# see tests/test_fidelity.py, test_mmdelsnapshot_on_a_psnap_half_breaks_the_pair.


# -- --wait --------------------------------------------------------------------------------------


def test_wait_returns_once_the_home_half_exists_in_simulated_time():
    session = Session()
    ok(session, "echo x > /gpfs/fs1/sw/a")
    lines = ok(session, "mmpsnap fs1 create -j sw --wait")
    assert lines[-2] == "Core snapshot has been queued."
    assert lines[-1] == f"Core snapshot {FIRST} created with id 8."
    assert session.engine.world.home.fs.has_snapshot(FIRST)
    # a waited behind its 15 s async delay; the clock moved on that far, no further
    assert 15_000_000 <= session.engine.now < 16_000_000


def test_wait_with_the_link_down_gives_up_with_a_clear_message():
    session = Session()
    ok(session, "sim link down")
    result = session.run("mmpsnap fs1 create -j sw --wait")
    assert result.rc == 1
    assert result.lines[-3:] == [
        ("mmpsnap: --wait would wait for the link to home: it is down and no reconnect is scheduled; "
         "the core snapshot is created once the connection is restored (sim link up)."),
        f"mmpsnap: The cache snapshot {FIRST} exists; the core snapshot stays queued (Pending reconnect).",
        FAILED,
    ]
    assert session.engine.world.cache.fs.has_snapshot(FIRST, "sw")
    ok(session, "sim link up")
    ok(session, "sim settle")
    assert session.engine.world.home.fs.has_snapshot(FIRST)


def test_wait_reports_a_home_half_that_fails():
    session = Session()
    ok(session, "@home mmafmconfig disable /gpfs/fs1/sw")
    ok(session, "sim link down")
    ok(session, "sim advance 1s")
    result = session.run("sim link up")
    assert result.rc == 0
    # the link is up again, home still disabled: create is refused before --wait matters
    refused(session, "mmpsnap fs1 create -j sw --wait", "6027-2224", "Peer snapshot creation failed. Error code 2.")


# -- flushPending ---------------------------------------------------------------------------------


def test_flush_pending_is_refused_while_a_psnap_is_queued():
    session = Session()
    ok(session, "echo x > /gpfs/fs1/sw/a")
    ok(session, "mmpsnap fs1 create -j sw")
    refused(session, "mmafmctl fs1 flushPending -j sw", "6027-2757",
            "The peer snapshot is in progress. Queue cannot be flushed now.", command="mmafmctl")
    ok(session, "sim settle")
    ok(session, "echo y > /gpfs/fs1/sw/b")
    assert ok(session, "mmafmctl fs1 flushPending -j sw") == []


def test_flush_pending_sends_the_queue_now_not_in_the_past():
    """flushPending skips the async delay: the ops go home at once, and the
    flush happens now (simulated time never runs backwards)."""
    session = Session()
    flushed = []
    session.engine.subscribe(lambda e: flushed.append(e) if isinstance(e, OpsFlushed) else None)
    ok(session, "echo x > /gpfs/fs1/sw/a")
    ok(session, "sim advance 5s")
    ok(session, "mmafmctl fs1 flushPending -j sw")
    ok(session, "sim step")
    assert ok(session, "@home cat /gpfs/fs1/sw/a") == ["x"]
    assert session.engine.now < 6_000_000
    assert len(flushed) == 1 and flushed[0].at >= 5_000_000


# -- changing the AFM mode --------------------------------------------------------------------------


def test_changing_the_mode_needs_an_unlinked_fileset():
    session = Session()
    result = refused(session, "mmchfileset fs1 iw -p afmMode=sw", "",
                     "Fileset iw must be unlinked to change afmMode.", command="mmchfileset")
    assert "mmunlinkfileset fs1 iw" in result.refusal.hint


def test_changing_the_mode_needs_an_empty_queue():
    session = Session()
    ok(session, "echo x > /gpfs/fs1/iw/a")
    ok(session, "mmunlinkfileset fs1 iw")
    refused(session, "mmchfileset fs1 iw -p afmMode=sw", "",
            "Fileset iw has 1 queued operations; afmMode cannot be changed until they reach home.",
            command="mmchfileset")
    ok(session, "sim settle")
    assert ok(session, "mmchfileset fs1 iw -p afmMode=sw") == ["Fileset iw changed."]


def test_a_local_updates_fileset_can_never_be_converted():
    session = Session()
    ok(session, "mmunlinkfileset fs1 lu")
    for mode in ("sw", "ro", "iw"):
        refused(session, f"mmchfileset fs1 lu -p afmMode={mode}", "",
                "Fileset lu is a local-updates cache; its afmMode cannot be changed.", command="mmchfileset")


def test_a_converted_fileset_takes_peer_snapshots():
    session = Session()
    ok(session, "mmunlinkfileset fs1 iw")
    ok(session, "mmchfileset fs1 iw -p afmMode=sw")
    ok(session, "mmlinkfileset fs1 iw -J /gpfs/fs1/iw")
    lines = ok(session, "mmpsnap fs1 create -j iw --wait")
    assert lines[-1].startswith("Core snapshot psnap-13882361812785649740-C0A80E85:4F44B305-61-16-10-27-02-27-28 ")


def test_a_home_half_is_taken_when_its_marker_arrives_whatever_other_gateways_do():
    session = Session()
    events = []
    session.engine.subscribe(events.append)
    ok(session, "mmunlinkfileset fs1 swnsd")
    ok(session, "mmchfileset fs1 swnsd -p afmTarget=nfs://home1/gpfs/fs1/swnsd")
    ok(session, "mmlinkfileset fs1 swnsd -J /gpfs/fs1/swnsd")
    ok(session, "sim load 4000")  # sw: two seconds of work for its gateway once the delay is over
    ok(session, "echo x > /gpfs/fs1/swnsd/a")
    ok(session, "mmpsnap fs1 create -j swnsd")
    ok(session, "sim advance 30s")
    name = psnap_name("02-27-28").replace("-59-", "-63-")
    home = session.engine.world.home.fs.snapshot(name)
    # a: ready at 15 s, home after one 500 us round trip; the marker right behind it
    assert home.created_us == 15_001_000
    times = [event.at for event in events]
    assert times == sorted(times), "simulated time ran backwards"
