"""Issue 10, "Bounded": the simulated world has documented caps (files, queued
ops, bytes of file data, one file's size), checked before anything changes.
A command over a cap is refused with the cap named and the world as it was;
`sim load` is all or nothing. The caps come from the scenario's `[limits]`
table (defaults in core.limits, documented in docs/simulator.md)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from peersnap.core import bulk_load, scenario
from peersnap.core.limits import DEFAULT_LIMITS, CapExceeded, GiB, Limits, check_cluster, check_queue
from peersnap.core.session import Session, load_session
from peersnap.core.tree import DIR, size_of

SEED_TEXT = (Path(__file__).resolve().parent.parent / "core" / "scenarios" / "seed.toml").read_text(encoding="utf-8")
SW = "/gpfs/fs1/sw"


def session_with(**caps: int) -> Session:
    table = "\n".join(f"{key} = {value}" for key, value in caps.items())
    return Session(scenario.parse(f"{SEED_TEXT}\n[limits]\n{table}\n", "capped.toml"), allow_files=False)


def refused_unchanged(session: Session, line: str) -> list[str]:
    """Run `line`, which must be refused and change nothing; its output."""
    before = session.engine.fingerprint()
    data = [t.data_bytes for c in (session.engine.world.cache, session.engine.world.home) for t in c.fs.trees.values()]
    result = session.run(line)
    assert result.rc == 1, (line, result.lines)
    assert session.engine.fingerprint() == before, line
    assert data == [t.data_bytes for c in (session.engine.world.cache, session.engine.world.home)
                    for t in c.fs.trees.values()]
    return result.lines


# -- the reproductions ----------------------------------------------------------------------
def test_a_load_of_twenty_gigabytes_is_refused_up_front_naming_the_cap():
    """`sim load 200000 --size 100000` was OOM-killed at 24 GB; now it is refused before one file is written."""
    session = Session(allow_files=False)
    lines = refused_unchanged(session, "sim load 200000 --size 100000")
    assert lines == [("sim: load: 200,000 files refused, nothing written: No space left on device (the simulator's "
                     "cap is 2 GiB of file data per cluster; the cache holds 202 bytes and this would add 18.6 GiB "
                     "(20,000,000,000 bytes)).")]
    assert session.engine.world.cache.fs.trees["sw"].get("load") is None  # not even the directory


def test_the_memory_benchmarks_largest_load_fits_the_default_caps_and_a_second_does_not():
    """`sim load 10000000` (benchmarks/bench_memory.py) is accepted and, once settled, home
    holds the same under the same per-cluster caps; a second one would pass 16,000,000 files."""
    session = Session(allow_files=False)
    world = session.engine.world
    fileset, tree = world.filesets["sw"], world.cache.fs.trees["sw"]
    plan = bulk_load.plan(fileset, tree, 1, 10_000_000, 0)
    assert plan == bulk_load.LoadPlan(10_000_001, 150_000_000, 10_000_001, 15)
    check_cluster(DEFAULT_LIMITS, world.cache, plan.entries, plan.data_bytes)
    check_cluster(DEFAULT_LIMITS, world.home, plan.entries, plan.data_bytes)
    check_queue(DEFAULT_LIMITS, world.queued_ops(), plan.ops)
    with pytest.raises(CapExceeded, match="16,000,000 files and directories per cluster"):
        check_cluster(DEFAULT_LIMITS, world.cache, 2 * plan.entries, 0)


def test_a_load_that_fits_exactly_is_accepted_and_one_file_more_is_refused_whole():
    session = session_with(files=60)
    held = sum(map(len, session.engine.world.cache.fs.trees.values()))
    room = 60 - held - 1  # the load/ directory is an entry too
    lines = refused_unchanged(session, f"sim load {room + 1}")
    assert f"the cache holds {held:,} and this would add {room + 2:,}" in lines[0]
    assert session.run(f"sim load {room}").ok
    assert sum(map(len, session.engine.world.cache.fs.trees.values())) == 60
    assert "cap is 60 files and directories" in refused_unchanged(session, f"touch {SW}/one-more")[0]


# -- each cap, each kind of command ----------------------------------------------------------------
def test_one_files_size_is_capped_as_file_too_large():
    session = session_with(file_size=100)
    assert session.run(f"echo {'a' * 99} > {SW}/f").ok  # 99 + the newline: exactly 100 bytes
    lines = refused_unchanged(session, f"echo b >> {SW}/f")
    assert lines == [(f"echo: {SW}/f: File too large (the simulator's cap is 100 bytes in one file; "
                     "this one would hold 102 bytes)")]
    assert refused_unchanged(session, "sim load 1 --size 101")[0].endswith(
        "File too large (the simulator's cap is 100 bytes in one file; this one would hold 101 bytes).")


def test_unicode_text_counts_its_utf8_bytes():
    session = session_with(file_size=10)
    assert session.run(f"echo {'é' * 4} > {SW}/u").ok  # 8 bytes and the newline
    assert "would hold 11 bytes" in refused_unchanged(session, f"echo {'é' * 5} > {SW}/u")[0]


def test_the_queue_cap_refuses_writes_psnaps_and_resyncs_until_it_drains():
    session = session_with(queued_ops=5)
    for i in range(5):
        assert session.run(f"echo {i} > {SW}/q{i}").ok
    assert session.engine.world.queued_ops() == 5
    lines = refused_unchanged(session, f"echo x > {SW}/q9")
    assert lines == [(f"echo: {SW}/q9: No space left on device (the simulator's cap is 5 operations queued at the "
                     "gateways; 5 wait and this would queue 1: let them flush first, e.g. sim settle)")]
    assert refused_unchanged(session, "mmpsnap fs1 create -j sw") == [
        ("mmpsnap: No space left on device (the simulator's cap is 5 operations queued at the gateways; 5 wait and "
        "this would queue 1: let them flush first, e.g. sim settle)"),
        "mmpsnap: Command failed. Examine previous error messages to determine cause.",
    ]
    for line in (f"mkdir {SW}/d", f"touch {SW}/t", f"mv {SW}/q0 {SW}/q00", "echo i > /gpfs/fs1/iw/i"):
        assert "operations queued at the gateways" in refused_unchanged(session, line)[0], line
    # an overwrite of a queued write coalesces into it, but is still checked as one op: refused too
    assert "operations queued" in refused_unchanged(session, f"echo again > {SW}/q1")[0]
    # the lu fileset queues nothing: its writes are never refused for the queue
    assert session.run("echo local > /gpfs/fs1/lu/x").ok
    assert session.run("sim settle").ok and session.engine.world.queued_ops() == 0
    assert session.run(f"echo x > {SW}/q9").ok and session.run("mmpsnap fs1 create -j sw").ok


def test_the_queue_cap_counts_every_fileset_s_queue_for_a_resync_and_a_failover():
    session = session_with(queued_ops=2)
    assert session.run("echo 1 > /gpfs/fs1/iw/a").ok and session.run("echo 2 > /gpfs/fs1/iw/b").ok
    assert refused_unchanged(session, "mmafmctl fs1 resync -j sw") == [
        ("mmafmctl: No space left on device (the simulator's cap is 2 operations queued at the gateways; 2 wait and "
        "this would queue 1: let them flush first, e.g. sim settle)"),
        "mmafmctl: Command failed. Examine previous error messages to determine cause.",
    ]
    session.run("sim settle")
    assert session.run("@home mkdir /gpfs/fs1/sw2").ok
    assert session.run("echo 1 > /gpfs/fs1/iw/a").ok and session.run("echo 2 > /gpfs/fs1/iw/b").ok
    lines = refused_unchanged(session, "mmafmctl fs1 failover -j sw --new-target=home1:/gpfs/fs1/sw2")
    assert "operations queued" in lines[0] and str(session.engine.world.filesets["sw"].target).endswith("/sw")


def test_rm_r_is_refused_when_its_removes_would_overfill_the_queue():
    session = session_with(queued_ops=21)
    assert session.run("sim load 20").ok and session.run("sim settle").ok  # the mkdir and 20 files: 21 ops
    assert session.run(f"echo x > {SW}/a").ok
    lines = refused_unchanged(session, f"rm -r {SW}/load")  # 20 files and the directory: 21 removes
    assert "1 wait and this would queue 21" in lines[0]
    assert session.run("sim settle").ok and session.run(f"rm -r {SW}/load").ok


def test_the_data_cap_counts_each_cluster_and_home_writes_are_checked_at_home():
    session = session_with(data_bytes=1000)
    home = session.engine.world.home
    held = sum(t.data_bytes for t in home.fs.trees.values())
    room = 1000 - held
    assert session.run(f"@home echo {'h' * (room - 1)} > /gpfs/fs1/iw/mine").ok  # and its newline
    lines = refused_unchanged(session, "@home echo z > /gpfs/fs1/iw/more")
    assert lines == [("echo: /gpfs/fs1/iw/more: No space left on device (the simulator's cap is 1,000 bytes of file "
                     "data per cluster; the home holds 1,000 bytes and this would add 2 bytes)")]
    # a smaller text in place of a larger one makes room
    assert session.run("@home echo s > /gpfs/fs1/iw/mine").ok
    assert session.run("@home echo z > /gpfs/fs1/iw/more").ok


def test_mkdir_p_of_a_new_home_directory_over_the_file_cap_creates_nothing():
    session = session_with(files=20)
    home_trees = set(session.engine.world.home.fs.trees)
    held = sum(map(len, session.engine.world.home.fs.trees.values()))
    deep = "/".join(f"d{i}" for i in range(20 - held + 1))
    assert "No space left on device" in refused_unchanged(session, f"@home mkdir -p /gpfs/fs1/newdir/{deep}")[0]
    assert set(session.engine.world.home.fs.trees) == home_trees


# -- where the caps come from --------------------------------------------------------------------------
def test_a_scenarios_limits_table_sets_the_caps_and_a_saved_session_keeps_them(tmp_path):
    session = session_with(files=1000, queued_ops=7, data_bytes=4096, file_size=512)
    assert session.engine.world.limits == Limits(1000, 7, 4096, 512)
    assert Session(allow_files=False).engine.world.limits == DEFAULT_LIMITS == Limits(16_000_000, 16_000_000,
                                                                                       2 * GiB, 16 * 2**20)
    session.allow_files = True
    assert session.run(f"save {tmp_path / 's.toml'}").ok
    again, _ = load_session(str(tmp_path / "s.toml"))
    assert again.engine.world.limits == Limits(1000, 7, 4096, 512)
    assert again.engine.fork().world.limits == Limits(1000, 7, 4096, 512)


@pytest.mark.parametrize(("table", "said"), [
    ("files = 0", ("key 'limits.files': expected a whole number from 1 to 1,125,899,906,842,624 (files and "
                  "directories per cluster), got 0")),
    ("queued_ops = '5'", "key 'limits.queued_ops': expected a whole number"),
    ("data_bytes = true", "key 'limits.data_bytes': expected a whole number"),
    ("inodes = 5", "key 'limits.inodes': expected one of: files, queued_ops, data_bytes, file_size"),
    ("file_size = " + "9" * 30, "key 'limits.file_size': expected a whole number"),
])
def test_a_bad_limits_table_is_one_clear_error(table, said):
    with pytest.raises(scenario.ScenarioError, match="^capped.toml: " + said.replace("(", r"\(").replace(")", r"\)")):
        scenario.parse(f"{SEED_TEXT}\n[limits]\n{table}\n", "capped.toml")


# -- the running byte count the data cap reads ---------------------------------------------------------
def recount(tree) -> int:
    return sum(size_of(content) for _, content in tree.items() if content is not DIR)


def test_every_trees_byte_count_agrees_with_a_recount_under_random_commands():
    """The counter is kept by the tree itself on every path (set, bulk create,
    flush, force_set, rename, rm -r, resync, fork): a recount after each command agrees."""
    rng = random.Random(10)
    session = Session(allow_files=False)
    words = ["x", "héllo", "∑∑", "a" * 300]
    for step in range(400):
        path = f"{SW}/d{rng.randrange(3)}/f{rng.randrange(4)}"
        line = rng.choice([
            f"echo {rng.choice(words)} > {path}", f"echo {rng.choice(words)} >> {path}", f"mkdir -p {SW}/d{rng.randrange(3)}",
            f"rm -r {SW}/d{rng.randrange(3)}", f"mv {path} {SW}/d{rng.randrange(3)}/g", f"touch {path}",
            f"@home echo {rng.choice(words)} > /gpfs/fs1/sw/h{rng.randrange(3)}", "sim advance 20s",
            "mmpsnap fs1 create -j sw", "sim link down", "sim link up", f"sim load {rng.randrange(1, 80)}",
            "mmafmctl fs1 resync -j sw", "undo", f"rm -r {SW}/load",
        ])
        session.run(line)
        for cluster in (session.engine.world.cache, session.engine.world.home):
            for name, tree in cluster.fs.trees.items():
                assert tree.data_bytes == recount(tree), (step, line, cluster.role, name)
        twin = session.engine.fork().world.cache.fs.trees["sw"]
        assert twin.data_bytes == recount(twin)


def test_sim_status_shows_what_the_world_holds_beside_each_cap():
    session = session_with(files=100, queued_ops=50, data_bytes=10_000, file_size=2048)
    assert session.run("sim load 3").ok
    lines = session.run("sim status").lines
    cache = sum(map(len, session.engine.world.cache.fs.trees.values()))
    at = lines.index("Gateway queues hold 4 of 50 operations")  # the load/ mkdir and three files
    assert lines[at - 2] == (f"Cache holds {cache} of 100 files and directories, 247 bytes of 9.8 KiB (10,000 bytes) "
                             "of file data (at most 2 KiB a file)")
    assert lines[at - 1].startswith("Home holds 7 of 100 files and directories, 202 bytes of ")
    assert lines[-1].startswith("Home exports: ")


# -- recovery's requeue ----------------------------------------------------------------------------------
def test_a_gateway_failure_whose_recovery_would_pass_the_queue_cap_is_refused_before_any_queue_is_lost():
    """Recovery compares the cache with home and requeues what differs: after home was
    changed behind the cache's back and a resync queued (one op), that is one remove a
    rogue file. Counted before anything changes: over the cap, the gateway does not fail."""
    session = session_with(queued_ops=5)
    for i in range(8):
        assert session.run(f"@home echo rogue > /gpfs/fs1/sw/r{i}").ok
    assert session.run("mmafmctl fs1 resync -j sw").ok
    assert session.engine.world.queued_ops() == 1
    assert refused_unchanged(session, "sim gateway fail") == [
        ("sim: gateway: gw1 did not fail, nothing changed: recovery would requeue too much: No space left on device "
         "(the simulator's cap is 5 operations queued at the gateways; 0 wait and this would queue 8: let them "
         "flush first, e.g. sim settle).")]
    assert session.engine.world.filesets["sw"].queue.waiting("resync")  # the resync is still queued
    assert session.run("sim settle").ok and session.run("sim gateway fail").ok  # home equals the cache: 0 to requeue


def test_mmafmctl_start_whose_recovery_would_pass_the_queue_cap_leaves_the_fileset_stopped():
    session = session_with(queued_ops=5)
    assert session.run("mmafmctl fs1 stop -j sw").ok
    assert session.run("sim load 10").ok  # Stopped: written, not queued
    assert refused_unchanged(session, "mmafmctl fs1 start -j sw") == [
        ("mmafmctl: No space left on device (the simulator's cap is 5 operations queued at the gateways; 0 wait and "
         "this would queue 11: let them flush first, e.g. sim settle)"),
        "mmafmctl: Command failed. Examine previous error messages to determine cause.",
    ]
    assert session.engine.world.filesets["sw"].stopped
    assert session.run(f"rm -r {SW}/load").ok and session.run("mmafmctl fs1 start -j sw").ok
    assert not session.engine.world.filesets["sw"].stopped


def test_a_recovery_started_by_home_coming_back_that_would_pass_the_cap_fails_dropped_and_is_tried_again():
    """A recovery no command asked for (the link comes back; a Dropped fileset accessed)
    cannot be refused: it fails as it does without home, the fileset stays Dropped and the
    GPFS log says why; the next access tries again, and goes through once it fits."""
    session = session_with(queued_ops=5)
    for line in ("sim link down", "sim gateway fail", "sim load 10", "sim link up"):
        assert session.run(line).ok, line
    world = session.engine.world
    assert world.filesets["sw"].dropped and world.filesets["sw"].state.value == "Dropped"
    assert world.gpfs_log[-1] == (
        "AFM: Recovery of fileset sw in file system fs1 failed: No space left on device (the simulator's cap is 5 "
        "operations queued at the gateways; 0 wait and this would queue 11: let them flush first, e.g. sim settle); "
        "the queue is dropped.")
    assert world.queued_ops() == 0
    for i in range(10, 5, -1):
        assert session.run(f"rm {SW}/load/f{i:07d}").ok  # each access tries again: still too much
    assert session.run(f"ls {SW}").ok  # five files and the directory: still one too many
    assert world.filesets["sw"].dropped and world.queued_ops() == 0
    assert session.run(f"rm {SW}/load/f0000005").ok and session.run(f"ls {SW}").ok
    assert not world.filesets["sw"].dropped and world.queued_ops() == 5
    assert session.run("sim settle").ok
    assert session.run("@home ls /gpfs/fs1/sw/load").lines == ["f0000001", "f0000002", "f0000003", "f0000004"]
