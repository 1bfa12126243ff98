"""The session knows whether a command changed the world from a change key, not
by comparing whole-world fingerprints (O(snapshots + psnaps)) before and after
every command. The key must say "changed" exactly when the fingerprint does."""

from __future__ import annotations

import random
import timeit

import pytest
from peersnap.core.session import Session

SW = "/gpfs/fs1/sw"
FILES = ["a", "b", "d/a", "load/f0000001", "README", "data/report.txt"]
SCRIPT_LINES = [
    "echo {t} > {sw}/{f}", "echo {t} >> {sw}/{f}", "echo same > {sw}/{f}", "rm {sw}/{f}", "rm -r {sw}/d",
    "mkdir {sw}/d", "mkdir -p {sw}/d/x", "rmdir {sw}/d", "mv {sw}/{f} {sw}/{g}", "touch {sw}/{f}", "cat {sw}/{f}",
    "ls -l {sw}", "@home echo {t} > {sw}/{f}", "@home rm {sw}/{f}", "echo {t} > /gpfs/fs1/lu/{f}",
    "echo same > /gpfs/fs1/lu/x", "echo {t} > /gpfs/fs1/iw/x", "echo x > /gpfs/fs1/ro/x",
    "mmpsnap fs1 create -j sw", "mmpsnap fs1 create -j sw --wait", "mmpsnap fs1 status -j sw",
    "mmpsnap fs1 create -j ro", "mmlssnapshot fs1", "mmcrsnapshot fs1 s{n}", "mmcrsnapshot fs1 s{n} -j sw",
    "mmdelsnapshot fs1 s{n}", "mmdelsnapshot fs1 s{m} -j sw", "mmafmctl fs1 getstate", "mmafmctl fs1 stop -j sw",
    "mmafmctl fs1 start -j sw", "mmafmctl fs1 flushPending -j sw", "mmafmctl fs1 resync -j sw",
    "@home mmafmconfig disable /gpfs/fs1/sw", "@home mmafmconfig enable /gpfs/fs1/sw",
    "mmchfileset fs1 sw -p afmAsyncDelay={d}", "mmunlinkfileset fs1 lu", "mmlinkfileset fs1 lu -J /gpfs/fs1/lu",
    "sim link down", "sim link up", "sim advance {d}s", "sim step", "sim settle", "sim load {n}", "sim status",
    "help", "bogus", "mmpsnap", "echo 'unterminated",
    "sim gateway fail", "sim home full", "sim home free", "mmafmctl fs1 resumeRequeued -j sw",  # issue 11
]


def random_script(seed: int, length: int) -> list[str]:
    rng = random.Random(seed)
    lines = []
    for i in range(length):
        template = rng.choice(SCRIPT_LINES)
        lines.append(template.format(sw=SW, t=f"text{i}", f=rng.choice(FILES), g=rng.choice(FILES),
                                     n=rng.randrange(1, 9), m=rng.randrange(1, 9), d=rng.choice([0, 1, 15, 61])))
    return lines


@pytest.mark.parametrize("seed", range(12))
def test_the_change_key_says_changed_exactly_when_the_fingerprint_does(seed):
    session = Session(allow_files=False)
    for line in random_script(seed, 120):
        before = session.engine.fingerprint()
        session.run(line)
        entry = session.log[-1] if session.log and session.log[-1].line == line else None
        if entry is None:  # a blank line or a session command: not logged the same way
            continue
        assert entry.changed == (session.engine.fingerprint() != before), line


def test_a_command_costs_the_same_with_a_thousand_snapshots():
    """The change key is O(filesets), so a command does not slow down with the
    snapshots: the key itself is compared, never rebuilt from every snapshot."""
    session = Session(allow_files=False)
    engine = session.engine

    def key_seconds() -> float:
        return min(timeit.repeat(engine.change_key, number=200, repeat=5))

    few = key_seconds()
    for i in range(1_000):
        engine.snapshots.take_snapshot("cache", f"s{i}", "sw")
    many = key_seconds()
    assert many < 3 * few, (few, many)  # the fingerprint would be ~100x slower here


def test_every_fileset_field_the_fingerprint_reads_moves_the_change_key_and_no_other_does():
    """A fileset's settings and state are stood for by its `settings_version`, bumped by any write that
    changes one of them: each field is set to another value of its kind on a fresh world, and the key
    must move exactly when the fingerprint does (a same-value write moves neither)."""
    from dataclasses import fields

    from peersnap.core.model import AfmFileset, AfmMode, CacheState, RecoveryPhase, Target

    others = {bool: lambda v: not v, int: lambda v: v + 7, AfmMode: lambda v: AfmMode.LU,
              CacheState: lambda v: CacheState.DIRTY, Target: lambda v: Target(v.protocol, "other", v.path),
              type(None): lambda v: RecoveryPhase(1, 2, 3, "test"), str: lambda v: v + "x",
              set: lambda v: {"x"}, dict: lambda v: v}
    moved = []
    for f in fields(AfmFileset):
        if f.name in ("queue", "name", "settings_version"):  # the queue: its counters are read; names never change
            continue
        session = Session(allow_files=False)
        engine = session.engine
        fileset = engine.world.filesets["sw"]
        value = getattr(fileset, f.name)
        key, print_ = engine.change_key(), engine.fingerprint()
        setattr(fileset, f.name, value)  # the same value again
        assert engine.change_key() == key, f.name
        setattr(fileset, f.name, others[type(value)](value))
        assert (engine.change_key() != key) == (engine.fingerprint() != print_), f.name
        if engine.change_key() != key:
            moved.append(f.name)
    assert {"mode", "target", "state", "dropped", "recovery", "requeued", "async_delay_us"} <= set(moved)


def _counters_of(world) -> list:  # type: ignore[no-untyped-def]
    """Every tree and queue of `world` with the counter it bumps."""
    trees = [t for c in (world.cache, world.home) for t in c.fs.trees.values()]
    return [*trees, *(f.queue for f in world.filesets.values())]


@pytest.mark.parametrize("seed", range(4))
def test_every_tree_and_queue_counts_in_its_own_worlds_edits(seed):
    """The key reads one counter (core.edits) that the world's trees, queues and filesets bump: each of
    them must hold that world's, also the trees a command adds, the queue a failed gateway rebuilds and
    every part of a checkpoint's twin (whose edits must never move the live world's key, nor its the twin's)."""
    session = Session(allow_files=False)
    lines = ["mkdir /gpfs/fs1/newtop", "@home mkdir /gpfs/fs1/hometop", "sim gateway fail", *random_script(seed, 300)]
    for i, line in enumerate(lines):
        session.run(line)
        world = session.engine.world
        assert all(part.edits is world.edits for part in _counters_of(world)), line
        if i % 40 == 0:
            twin = session.engine.fork()
            assert twin.world.edits is not world.edits
            assert all(part.edits is twin.world.edits for part in _counters_of(twin.world))
            key, twin_key = session.engine.change_key(), twin.change_key()
            twin.files.write_file("cache", f"{SW}/twin-only", "x\n")
            assert session.engine.change_key() == key and twin.change_key() != twin_key
    assert session.engine.world.cache.fs.trees["newtop"].edits is session.engine.world.edits


def test_a_rebuilt_queue_is_an_edit_exactly_when_its_counters_differ():
    """A failed gateway's new queue keeps next_seq and num_exec: with nothing queued, nothing the
    fingerprint reads changed (no edit); with ops queued, its length did (an edit)."""
    from peersnap.core.gateway import GatewayQueue

    session = Session(allow_files=False)
    fileset = session.engine.world.filesets["sw"]
    for queued in (False, True):
        if queued:
            session.run(f"echo a > {SW}/a")
        old = fileset.queue
        key, print_ = session.engine.change_key(), session.engine.fingerprint()
        new = GatewayQueue(old.next_seq, old.edits)
        new.num_exec = old.num_exec
        fileset.queue = new
        assert (session.engine.change_key() != key) == (session.engine.fingerprint() != print_) == queued
