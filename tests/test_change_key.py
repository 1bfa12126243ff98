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
