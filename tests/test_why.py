"""`why`, `diff` and the invariant checker, as a user meets them.

The chains are read from engine data: seqs, eligibility = queued + afmAsyncDelay
(afm-reference.md: "Ops are played at home asynchronously, in order, after
`afmAsyncDelay` (default **15 s**)"), the link and what changed it, Disconnected after
the 60 s disconnect timeout, Stopped ("any data modification at the cache or the home is
not synchronized"), and the refusals with their IBM message ids (6027-2232: "Peer
snapshots are allowed only for targets using the NFS protocol.").
"""

from __future__ import annotations

import time

from peersnap.core import invariants
from peersnap.core.session import Session
from peersnap.core.why import explain

NAME = "psnap-13882361812785649740-C0A80E85:4F44B305-59-16-10-27-02-27-28"


def ok(session: Session, line: str, via: str = "") -> list[str]:
    result = session.run(line, via)
    assert result.rc == 0, (line, result.lines)
    return result.lines


def two_writes_and_a_psnap() -> Session:
    session = Session()
    ok(session, "echo hello > /gpfs/fs1/sw/a.txt")
    ok(session, "echo b > /gpfs/fs1/sw/b.txt")
    ok(session, "mmpsnap fs1 create -j sw")
    return session


def test_why_a_psnap_waits_for_the_ops_ahead_and_their_async_delay():
    session = two_writes_and_a_psnap()
    assert ok(session, "why psnap") == [
        f"home half of {NAME} waits for 2 ops (#1..#2)",
        "  · #1 create a.txt becomes eligible at 02:27:43 (afmAsyncDelay 15s after 02:27:28)",
        "  · link up",
        "  · gateway gw1 free",
        "  · reaches home at 02:27:43 if nothing stops the gateway",
    ]
    assert ok(session, f"why {NAME}") == ok(session, "why 3")  # the marker's seq explains its pair


def test_why_an_op_names_the_ops_ahead_and_its_own_eligibility():
    session = two_writes_and_a_psnap()
    assert ok(session, "why '#2'") == [
        "#2 create b.txt (2 B) waits for 1 op (#1)",
        "  · #1 create a.txt becomes eligible at 02:27:43 (afmAsyncDelay 15s after 02:27:28)",
        "  · link up",
        "  · gateway gw1 free",
        "  · #2 create b.txt becomes eligible at 02:27:43 (afmAsyncDelay 15s after 02:27:28)",
        "  · reaches home at 02:27:43 if nothing stops the gateway",
    ]
    ok(session, "sim advance 20s")
    lines = ok(session, "why 1")
    assert lines == ["#1 of sw has left the queue", "  · sw has executed 3 ops at home; the queue now starts at #4"]
    assert ok(session, "why 3") == [  # the marker went home: its pair, complete, is the answer
        f"{NAME} is complete: home half id 8 taken at 02:27:43 (home clock 02:23:30), identical to the cache half",
        "  · #3 was its marker in sw's queue",
        "  · cache half id 8 taken at 02:27:29",
        "  · every op queued before it reached home first",
    ]


def test_why_the_link_is_down_cites_the_command_and_the_disconnect():
    session = two_writes_and_a_psnap()
    ok(session, "sim advance 4s")
    ok(session, "sim link down")
    ok(session, "sim advance 70s")
    assert ok(session, "why psnap") == [
        f"home half of {NAME} waits for the link: down since 02:27:33 (`sim link down`)",
        "  · Disconnected since 02:28:33",
        "  · its marker stays queued and goes home after the reconnect",
        "  · then for 2 ops (#1..#2)",
    ]


def test_a_psnap_taken_disconnected_is_retried_on_reconnect():
    session = Session()
    ok(session, "sim link down")
    ok(session, "sim advance 61s")
    ok(session, "mmpsnap fs1 create -j sw")
    lines = ok(session, "why psnap")
    assert lines[0].endswith("waits for the link: down since 02:27:28 (`sim link down`)")
    assert lines[1:] == ["  · Disconnected since 02:28:28", "  · retried on reconnect"]


def test_why_before_the_disconnect_timeout_says_when_it_would_come():
    session = two_writes_and_a_psnap()
    ok(session, "sim link down", via="F2")
    lines = ok(session, "why psnap")
    assert lines[0].endswith("waits for the link: down since 02:27:29 (F2)")
    assert lines[1] == "  · Disconnected at 02:28:29 if still down (disconnect timeout 1m00s)"


def test_why_stopped_replication():
    session = Session()
    ok(session, "mmafmctl fs1 stop -j sw")
    ok(session, "echo c > /gpfs/fs1/sw/c.txt")
    # issue 11: nothing is queued while Stopped (start's recovery finds the change), so
    # the fileset, not an op, says why nothing goes home
    assert ok(session, "why sw")[0] == ("sw is Stopped since 02:27:28 (`mmafmctl fs1 stop -j sw`): "
                                        "nothing it changes is queued")
    assert "  · mmpsnap now: refused: 6027-2293, state Stopped (`mmafmctl fs1 stop -j sw` set it at 02:27:28)" in ok(
        session, "why sw")


def test_why_a_home_half_whose_queue_was_stopped_then_recovered_then_dropped():
    """IBM: stopping drops the queue ("any data modification at the cache or the home is not
    synchronized"); start "first triggers the 'recovery' phase"; recovery needs home (issue 11:
    Dropped until home answers). The chain names each, and what caused it."""
    session = two_writes_and_a_psnap()
    ok(session, "mmafmctl fs1 stop -j sw")
    assert ok(session, "why 3") == [
        f"home half of {NAME} waits for replication: sw Stopped since 02:27:29 (`mmafmctl fs1 stop -j sw`)",
        "  · #3 was its marker in sw's queue",
        "  · its marker went with the dropped queue; the cache still records the home half as not created",
        "  · nothing goes home until mmafmctl fs1 start -j sw",
        ("  · recovery compares the cache with home, requeues what home lacks up to the cache half, then the marker: "
        "the halves still hold the same data"),
    ]
    assert f"  · {NAME} waits for recovery to requeue it (its marker went with the dropped queue)" in ok(
        session, "why sw")
    ok(session, "mmafmctl fs1 start -j sw")
    fileset = ok(session, "why sw")
    assert fileset[0] == "sw is QueueOnly since 02:27:29 (recovery: mmafmctl start), 3 ops queued (#4..#6)"
    recovery = ("  · recovery: policy scan until 02:27:39 (QueueOnly), then the requeued ops up to #6 flush without "
                "afmAsyncDelay (Recovery); Active once they are at home")
    assert recovery in fileset
    assert "  · mmpsnap now: refused: 6027-2293, state QueueOnly (recovery: mmafmctl start at 02:27:29)" in fileset
    op = ok(session, "why 4")
    assert op[1] == ("  · #4 create a.txt eligible at 02:27:39, when recovery's policy scan ends: the priority queue "
                     "skips afmAsyncDelay (recovery: mmafmctl start)")
    assert "  · gateway gw1 busy until 02:27:39" in op and op[-1] == recovery
    assert ok(session, "why 6")[0] == f"home half of {NAME} waits for 2 ops (#4..#5)"
    ok(session, "sim settle")
    ok(session, "mmafmctl fs1 stop -j sw")
    ok(session, "sim link down")
    ok(session, "mmafmctl fs1 start -j sw")  # recovery needs home: Dropped
    dropped = ok(session, "why sw")
    assert dropped[0] == ("sw is Dropped since 02:27:39 (`mmafmctl fs1 start -j sw`): its queue was dropped and "
                          "recovery waits for home")
    ok(session, "sim link up")
    assert ok(session, "why sw")[:4] == [
        "sw is QueueOnly since 02:27:39 (recovery: home is reachable again)",
        "  · mode sw, target nfs://home1/gpfs/fs1/sw",
        "  · link up since 02:27:39 (`sim link up`)",
        "  · recovery: policy scan until 02:27:49 (QueueOnly), nothing to requeue: Active once the scan is done",
    ]


def test_why_a_refused_psnap_names_the_rule_and_who_set_the_setting():
    session = Session()
    ok(session, "mmunlinkfileset fs1 sw")
    ok(session, "mmchfileset fs1 sw -p afmTarget=gpfs:///gpfs/fs1/sw", via="F3")
    ok(session, "mmlinkfileset fs1 sw -J /gpfs/fs1/sw")
    assert ok(session, "why sw") == [
        "sw is Active: nothing queued",
        "  · mode sw, target gpfs:///gpfs/fs1/sw",
        "  · link up since the scenario started",
        "  · mmpsnap now: refused: 6027-2232, target gpfs:///gpfs/fs1/sw (F3 set it at 02:27:28)",
        "  · home export /gpfs/fs1/sw AFM enabled since the scenario started",
    ]
    assert "  · mmpsnap now: refused: 6027-2183, mode iw (so since the scenario started)" in ok(session, "why iw")


def test_why_home_disabled_before_and_after_the_home_half():
    session = Session()
    ok(session, "@home mmafmconfig disable /gpfs/fs1/sw")
    assert ("  · mmpsnap now: refused: 6027-2224, home export /gpfs/fs1/sw not enabled "
            "(`@home mmafmconfig disable /gpfs/fs1/sw` set it at 02:27:28)") in ok(session, "why sw")
    ok(session, "@home mmafmconfig enable /gpfs/fs1/sw")
    assert ("  · mmpsnap now: refused: 6027-2224, home export /gpfs/fs1/sw enabled (`@home mmafmconfig enable "
            "/gpfs/fs1/sw` set it at 02:27:28) after sw was linked (so since the scenario started): unlink and "
            "relink sw") in ok(session, "why sw")
    ok(session, "mmunlinkfileset fs1 sw")
    ok(session, "mmlinkfileset fs1 sw -J /gpfs/fs1/sw")
    ok(session, "echo a > /gpfs/fs1/sw/a")
    ok(session, "mmpsnap fs1 create -j sw")
    ok(session, "@home mmafmconfig disable /gpfs/fs1/sw")
    assert ("  · home export /gpfs/fs1/sw not enabled since 02:27:29 (`@home mmafmconfig disable /gpfs/fs1/sw`): "
            "the home half fails when its turn comes (@home mmafmconfig enable /gpfs/fs1/sw)") in ok(session, "why psnap")
    ok(session, "sim settle")
    assert ok(session, "why psnap") == [
        f"home half of {NAME} failed: AFM is not enabled at home for /gpfs/fs1/sw (run mmafmconfig enable)",
        "  · home export /gpfs/fs1/sw not enabled since 02:27:29 (`@home mmafmconfig disable /gpfs/fs1/sw`)",
    ]


def test_a_scheduled_fault_is_named_as_the_cause():
    session = Session()
    session.engine.schedule(5_000_000, __import__("peersnap.core.engine", fromlist=["LinkTimer"]).LinkTimer(False))
    session.advance_clock(6_000_000)
    assert ok(session, "why sw")[2] == "  · link down since 02:27:33 (a scheduled fault of the scenario)"


def test_why_survives_undo_and_keeps_the_key_that_ran_a_command():
    session = two_writes_and_a_psnap()
    ok(session, "sim link down", via="F2")
    ok(session, "echo x > /gpfs/fs1/sw/x")
    before = ok(session, "why psnap")
    ok(session, "undo")
    ok(session, "echo x > /gpfs/fs1/sw/x")
    assert ok(session, "why psnap") == before


def test_why_errors_speak_in_the_commands_voice_and_change_nothing():
    session = two_writes_and_a_psnap()
    before = session.engine.fingerprint()
    for line, text in [
        ("why", "why: name one peer snapshot, queued op (why 12) or fileset (why sw)"),
        ("why 99", "why: sw has queued no op #99 (the next will be #4)"),
        ("why nothing-here", ("why: no peer snapshot, queued op or fileset named 'nothing-here' "
                             "(try: why sw, why 12, or why with a peer snapshot's name)")),
        ("why 1 -j nope", "why: fileset nope does not exist (filesets: sw, ro, iw, lu, swnsd)"),
    ]:
        result = session.run(line)
        assert result.rc == 1 and result.lines[0] == text, (line, result.lines)
    assert session.engine.fingerprint() == before


def test_a_filtered_op_says_it_never_goes_home():
    session = Session()
    ok(session, "echo v1 > /gpfs/fs1/sw/r")
    ok(session, "echo v2 > /gpfs/fs1/sw/r")
    assert ok(session, "why 1") == [
        "#1 create r was filtered: it never goes home",
        "  · a later write or remove of r made it unnecessary (AFM queue filtering)",
    ]


# -- diff ------------------------------------------------------------------------------------------------
def test_diff_of_an_identical_pair():
    session = two_writes_and_a_psnap()
    ok(session, "sim settle")
    assert ok(session, "diff psnap") == [f"diff {NAME}: cache half (id 8) and home half (id 8): identical (5 entries)"]
    snaps = (f"/gpfs/fs1/sw/.snapshots/{NAME}", f"home:/gpfs/fs1/.snapshots/{NAME}/sw")
    assert ok(session, f"diff {snaps[0]} {snaps[1]}") == [f"diff {snaps[0]} and {snaps[1]}: identical (5 entries)"]


def test_diff_of_a_pending_pair_shows_what_is_in_flight():
    session = two_writes_and_a_psnap()
    ok(session, "echo later > /gpfs/fs1/sw/a.txt")  # after the psnap: not in its cache half
    assert ok(session, "diff psnap") == [
        (f"diff {NAME}: home half not taken yet (queued behind 2 ops); cache half (id 8) against home now: "
        "2 differences in 5 entries"),
        '  only at cache: a.txt "hello\\n"',
        '  only at cache: b.txt "b\\n"',
    ]
    assert ok(session, "diff /gpfs/fs1/sw/a.txt") == [
        "diff /gpfs/fs1/sw/a.txt (cache) and /gpfs/fs1/sw/a.txt (home): 1 difference in 1 entry",
        '  only at cache: (the file) "later\\n"',
    ]


def test_diff_shows_both_contents_of_a_file_that_differs():
    session = Session()
    ok(session, "echo one > /gpfs/fs1/sw/f")
    ok(session, "sim settle")
    ok(session, "echo two > /gpfs/fs1/sw/f")
    assert ok(session, "diff /gpfs/fs1/sw") == [
        "diff /gpfs/fs1/sw (cache) and /gpfs/fs1/sw (home): 1 difference in 4 entries",
        '  f: cache "two\\n" | home "one\\n"',
    ]


def broken_on_purpose() -> Session:
    """A pair whose home half was deleted on its own with `mmdelsnapshot` (IBM: "Do not use the
    mmdelsnapshot command to delete peer snapshots"; the real command does not refuse it)."""
    session = two_writes_and_a_psnap()
    ok(session, "sim settle")
    ok(session, f"@home mmdelsnapshot fs1 {NAME}")
    return session


def test_a_broken_pair_in_diff_why_and_the_invariant_badge():
    session = broken_on_purpose()
    why = f"its home half was deleted at 02:27:43 (`@home mmdelsnapshot fs1 {NAME}`); the cache half stands alone"
    assert ok(session, "diff psnap") == [f"diff {NAME}: broken pair: {why}"]
    assert ok(session, "why psnap")[0] == f"{NAME} is a broken pair: {why}"
    verdict = invariants.check(session.engine.world)
    assert not verdict.ok
    assert verdict.text() == f"✗ {NAME}: {why}"
    ok(session, f"mmpsnap fs1 delete -s {NAME} -j sw")  # what is left goes: the badge is green again
    assert invariants.check(session.engine.world).ok


def test_the_invariant_badge_is_green_while_pairs_are_whole():
    session = two_writes_and_a_psnap()
    assert invariants.check(session.engine.world).text() == "✓ 0 pairs identical · queue order kept"
    ok(session, "sim settle")
    ok(session, "mmpsnap fs1 create -j sw")
    ok(session, "sim settle")
    assert invariants.check(session.engine.world).text() == "✓ 2 pairs identical · queue order kept"


def test_the_checker_sees_ops_reaching_home_out_of_order():
    session = Session()
    from peersnap.core.events import OpsFlushed

    session.engine.emit(OpsFlushed(0, "sw", 1, 5, 5, 0))
    session.engine.emit(OpsFlushed(0, "sw", 1, 3, 3, 0))
    verdict = invariants.check(session.engine.world)
    assert verdict.text() == "✗ queue order: sw: #3..#3 reached home after #5"


def test_why_on_the_last_of_a_million_ops_is_fast():
    session = Session()
    ok(session, "sim load 200000")
    ok(session, "mmpsnap fs1 create -j sw")
    world = session.engine.world
    start = time.perf_counter()
    chain = explain(world, str(world.filesets["sw"].queue.next_seq - 1), session.engine.now)
    took = time.perf_counter() - start
    assert chain.ahead == (1, 200001)
    assert chain.reasons[-1].text.startswith("reaches home about ")
    assert took < 0.05, took
