"""Properties of the simulated world, checked by driving a Session with random
command lines (hypothesis stateful testing), and determinism.

The central invariant (design.md): both halves of a peer snapshot hold the
same file contents: no pair is ever reported complete with halves that
differ, whatever home did behind the cache's back, and a psnap refused or
accepted leaves every existing pair intact. Around it: nothing queued is lost
or reordered, home is never ahead of the cache, a failed command changes
nothing, simulated time never runs backwards, and the same script always
prints the same bytes.

The world has two SW filesets with different async delays (sw 15 s, swnsd
turned NFS with 3 s) and an IW one (40 s) draining beside them; link flaps
are timed to land exactly on, one microsecond before and one after the next
thing that happens.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from peersnap.core.events import Event, OpsFlushed, PeerSnapshotCompleted, PeerSnapshotQueued
from peersnap.core.model import AfmMode, HomeHalf
from peersnap.core.session import Session
from peersnap.core.tree import DIR

SW = "/gpfs/fs1/sw"
SW2 = "/gpfs/fs1/swnsd"  # the seed's NSD fileset, turned NFS at the start: a second SW cache
IW = "/gpfs/fs1/iw"
PAIRED = ("sw", "swnsd")
FILES = ["a", "b", "d/a", "d/x/a", "e/a"]
DIRS = ["d", "e", "d/x"]
PATHS = FILES + DIRS


def contents(tree, epoch: int | None = None) -> dict[str, str]:
    """A tree's full contents (directories shown as 'DIR')."""
    items = tree.items() if epoch is None else tree.items_at(epoch)
    return {path: ("DIR" if content is DIR else content) for path, content in items}


def weighted(*choices: tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """Draw from one of `choices`, each (weight, strategy), picked by weight."""
    return st.sampled_from([s for weight, s in choices for _ in range(weight)]).flatmap(lambda s: s)


# one file operation in the sw fileset; TEXT becomes a text never written before
FILE_OP = weighted(
    (3, st.builds(lambda p, op: f"echo TEXT {op} {SW}/{p}", st.sampled_from(FILES), st.sampled_from([">", ">>"]))),
    (2, st.builds(lambda p: f"rm {SW}/{p}", st.sampled_from(FILES))),
    (1, st.builds(lambda p, flag: f"{flag} {SW}/{p}", st.sampled_from(DIRS), st.sampled_from(["rm -r", "rmdir"]))),
    (1, st.builds(lambda p, flag: f"{flag} {SW}/{p}", st.sampled_from(DIRS), st.sampled_from(["mkdir", "mkdir -p"]))),
    (1, st.builds(lambda a, b: f"mv {SW}/{a} {SW}/{b}", st.sampled_from(PATHS), st.sampled_from(PATHS))),
)


# What the user does: mostly file work, psnaps and time; now and then something
# drastic (weighted towards the settings a psnap needs, so that a run does not
# get stuck without them).
CACHE_ACTIONS = [
    (8, st.tuples(st.just("file_work"), st.lists(FILE_OP, min_size=1, max_size=4))),
    (3, st.tuples(st.just("psnap_create"), st.booleans())),
    (3, st.tuples(st.just("advance"), st.sampled_from(["250ms", "1s", "5s", "15s", "61s"]))),
    (1, st.tuples(st.just("step"))),
    (1, st.tuples(st.just("link"), st.booleans())),
    (1, st.tuples(st.just("psnap_delete"), st.integers(0, 3))),
    (1, st.tuples(st.just("afmconfig"), st.sampled_from([True, True, False]))),
    (1, st.tuples(st.just("change_fileset"), st.sampled_from([
        "afmMode=sw", "afmMode=sw", "afmMode=sw", "afmMode=iw", "afmMode=ro",
        "afmTarget=nfs://home1/gpfs/fs1/sw", "afmTarget=nfs://home1/gpfs/fs1/sw", "afmTarget=gpfs:///gpfs/fs1/sw",
    ]))),
    (1, st.tuples(st.just("command"), st.sampled_from([
        "mmunlinkfileset fs1 sw",
        f"mmlinkfileset fs1 sw -J {SW}",
        f"mmlinkfileset fs1 sw -J {SW}",
        "mmafmctl fs1 stop -j sw",
        "mmafmctl fs1 start -j sw",
        "mmafmctl fs1 flushPending -j sw",
        "mmafmctl fs1 flushPending -j sw",
        "mmpsnap fs1 status -j sw",
        "mmafmctl fs1 getstate",
    ]))),
    (1, st.tuples(st.just("reconnect_and_settle"))),
    (2, st.tuples(st.just("flap"), st.sampled_from([-1, 0, 1]))),
    (2, st.tuples(st.just("other_fileset"), st.sampled_from([
        f"echo TEXT > {SW2}/a", f"echo TEXT >> {SW2}/b", f"rm {SW2}/a", "mmpsnap fs1 create -j swnsd",
        "mmpsnap fs1 create -j swnsd --wait", f"echo TEXT > {IW}/a", f"mkdir -p {IW}/d", "mmafmctl fs1 stop -j swnsd",
        "mmafmctl fs1 start -j swnsd",
    ]))),
]
HOME_ACTIONS = [
    (2, st.tuples(st.just("home_write"), st.sampled_from(FILES))),
    (1, st.tuples(st.just("home_write_other"), st.sampled_from(["a", "b", "c"]))),
    (1, st.tuples(st.just("resync"))),
]


class PeerSnapWorld(RuleBasedStateMachine):
    """A user at the console of the seed world, working in the sw fileset: the
    actions, the bookkeeping and the invariants. The machines below add the
    rule that picks the actions."""

    def __init__(self) -> None:
        super().__init__()
        self.session = Session()
        self.engine = self.session.engine
        self.counter = 0
        self.last_event_at = 0
        self.last_flushed: dict[str, int] = defaultdict(int)
        self.cache_history: dict[str, set[str]] = defaultdict(set)
        self.marker_seq: dict[str, int] = {}
        self.cache_half: dict[str, dict[str, str]] = {}  # what each psnap's cache half held when taken
        self.tainted = False  # home written since the last resync
        self.problems: list[str] = []
        self.engine.subscribe(self.on_event)
        self.remember_cache()

    # -- bookkeeping --------------------------------------------------------------------
    def on_event(self, event: Event) -> None:
        # a listener must not raise inside the engine: note problems, the invariant reports them
        if event.at < self.last_event_at:
            self.problems.append(f"time ran backwards: {event} after t={self.last_event_at}")
        self.last_event_at = max(self.last_event_at, event.at)
        if isinstance(event, OpsFlushed):
            if not self.last_flushed[event.fileset] < event.first_seq <= event.last_seq:
                self.problems.append(f"reordered or repeated: {event} after #{self.last_flushed[event.fileset]}")
            self.last_flushed[event.fileset] = event.last_seq
        elif isinstance(event, PeerSnapshotQueued):
            self.marker_seq[event.name] = event.seq
        elif isinstance(event, PeerSnapshotCompleted) and not event.identical:
            self.problems.append(f"{event.name} completed with halves that differ")

    def remember_cache(self) -> None:
        for path, content in self.engine.world.cache.fs.trees["sw"].items():
            if content is not DIR:
                self.cache_history[path].add(content)

    def text(self) -> str:
        self.counter += 1
        return f"v{self.counter}"

    def run(self, line: str, single: bool = True):
        """Run a line; a failed single-operand command must change nothing."""
        before = self.engine.fingerprint()
        result = self.session.run(line)
        assert result.rc != 70, (line, result.lines)
        if result.rc != 0 and single:
            assert self.engine.fingerprint() == before, f"failed but changed the world: {line} -> {result.lines}"
        self.remember_cache()
        return result

    @property
    def sw(self):
        return self.engine.world.filesets["sw"]

    # -- file operations in the sw fileset ----------------------------------------------------
    @initialize()
    def some_directories(self):
        """Start with the directories of the path alphabet in place, at home too;
        a second SW fileset (3 s) and the IW one (40 s) drain beside sw (15 s)."""
        self.run(f"mkdir -p {SW}/d/x {SW}/e")
        for line in ("mmunlinkfileset fs1 swnsd", "mmchfileset fs1 swnsd -p afmTarget=nfs://home1/gpfs/fs1/swnsd",
                     "mmchfileset fs1 swnsd -p afmAsyncDelay=3", f"mmlinkfileset fs1 swnsd -J {SW2}",
                     "mmunlinkfileset fs1 iw", "mmchfileset fs1 iw -p afmAsyncDelay=40", f"mmlinkfileset fs1 iw -J {IW}"):
            assert self.run(line).rc == 0, line
        self.run("sim settle")

    def file_work(self, lines):
        """A few file operations in a row (each line on its own)."""
        for line in lines:
            self.run(line.replace("TEXT", self.text()))

    # -- peer snapshots ---------------------------------------------------------------------------
    def psnap_create(self, wait, fileset: str = "sw"):
        self.run("sim advance 1s")
        before = self.pairs()
        names = set(self.fileset(fileset).psnaps)
        result = self.run(f"mmpsnap fs1 create -j {fileset}{' --wait' if wait else ''}", single=not wait)
        created = set(self.fileset(fileset).psnaps) - names
        if result.rc == 0 or wait:
            for name in created:
                snap = self.engine.world.cache.fs.snapshot(name, fileset)
                self.cache_half[name] = contents(self.engine.world.cache.fs.trees[fileset], snap.epochs[fileset])
                assert self.cache_half[name] == contents(self.engine.world.cache.fs.trees[fileset])
        self.pairs_intact(before, result.lines)

    def pairs(self) -> dict[str, tuple]:
        """Every pair: its home half's state and snapshot id."""
        return {name: (p.home, p.home_snap.id if p.home_snap else None)
                for f in PAIRED for name, p in self.fileset(f).psnaps.items()}

    def pairs_intact(self, before: dict[str, tuple], lines: list[str]) -> None:
        """A psnap, refused or accepted, leaves every existing pair as it was
        (a queued home half may complete meanwhile: time passes while it quiesces)."""
        after = self.pairs()
        for name, (home, snap_id) in before.items():
            assert name in after, f"pair {name} vanished: {lines}"
            if home is not HomeHalf.QUEUED:
                assert after[name] == (home, snap_id), f"pair {name} changed: {before[name]} -> {after[name]}"

    def fileset(self, name: str):
        return self.engine.world.filesets[name]

    def psnap_delete(self, index):
        names = sorted(self.sw.psnaps)
        name = names[index % len(names)] if names else "psnap-no-such-name"
        self.run(f"mmpsnap fs1 delete -s {name} -j sw")

    # -- the link and time --------------------------------------------------------------------------
    def link(self, up):
        self.run(f"sim link {'up' if up else 'down'}")

    def advance(self, duration):
        self.run(f"sim advance {duration}")

    def step(self):
        self.run("sim step")

    def flap(self, offset):
        """Flip the link exactly on the next event, or 1 us before or after it."""
        t = self.engine.next_event_time()
        if t is None:
            return
        gap = t + offset - self.engine.now
        if gap > 0:
            self.run(f"sim advance {gap}us")
        self.run(f"sim link {'down' if self.engine.world.link_up else 'up'}")

    def other_fileset(self, line):
        if line.startswith("mmpsnap"):
            self.psnap_create("--wait" in line, "swnsd")
        else:
            self.run(line.replace("TEXT", self.text()))

    # -- administration -------------------------------------------------------------------------------
    def afmconfig(self, enable):
        self.run(f"@home mmafmconfig {'enable' if enable else 'disable'} /gpfs/fs1/sw")

    def change_fileset(self, attribute):
        """What a user does: unlink, change, link again (each step may be refused)."""
        self.run("mmunlinkfileset fs1 sw")
        self.run(f"mmchfileset fs1 sw -p {attribute}")
        self.run(f"mmlinkfileset fs1 sw -J {SW}")

    def command(self, line):
        self.run(line)

    # -- home, behind the cache's back, and the repair ------------------------------------------------
    def home_write(self, path):
        self.counter += 1
        if self.run(f"@home echo HOME{self.counter} > {SW}/{path}").rc == 0:
            self.tainted = True

    def home_write_other(self, path):
        self.counter += 1
        self.run(f"@home echo HOME{self.counter} > {SW2}/{path}")

    def resync(self):
        if self.run("mmafmctl fs1 resync -j sw").rc == 0:
            self.tainted = False

    # -- nothing queued is lost ----------------------------------------------------------------------
    def reconnect_and_settle(self):
        """Link up, replication running, home repaired if it was written: after
        settling, home's export equals the cache fileset and nothing waits."""
        self.run("sim link up")
        for name in PAIRED:
            if self.fileset(name).stopped:
                self.run(f"mmafmctl fs1 start -j {name}")
        self.run("sim settle")
        if self.tainted and self.sw.mode is AfmMode.SW:
            self.resync()  # settled: Active or NeedsResync, so it is allowed
            assert not self.tainted or self.engine.world.home_tree(self.sw) is None
        self.run("sim settle")
        assert self.sw.queue.length == 0
        assert all(p.home is not HomeHalf.QUEUED for p in self.sw.psnaps.values())
        if not self.tainted:
            assert contents(self.engine.world.home.fs.trees["sw"]) == contents(self.engine.world.cache.fs.trees["sw"])

    def act(self, action) -> None:
        name, *args = action
        getattr(self, name)(*args)

    # -- invariants --------------------------------------------------------------------------------------
    @invariant()
    def time_runs_forward_and_ops_flush_in_order(self):
        assert not self.problems, self.problems

    @invariant()
    def both_halves_hold_the_same_copy(self):
        """No pair is ever complete with halves that differ, home writes or not."""
        world = self.engine.world
        cache_fs, home_fs = world.cache.fs, world.home.fs
        for fileset in PAIRED:
            for name, psnap in self.fileset(fileset).psnaps.items():
                if cache_fs.has_snapshot(name, fileset):
                    # the cache half never changes after it is taken (copy-on-write)
                    epoch = cache_fs.snapshot(name, fileset).epochs[fileset]
                    assert contents(cache_fs.trees[fileset], epoch) == self.cache_half[name]
                if psnap.home is not HomeHalf.CREATED:
                    continue
                directory = world.home_dir(self.fileset(fileset))
                assert psnap.home_snap is not None and home_fs.snapshot(name, psnap.home_snap.fileset) is psnap.home_snap
                home = contents(home_fs.trees[directory], psnap.home_snap.epochs[directory])
                assert home == self.cache_half[name], f"{name}: the home half differs from the cache half"
                assert psnap.identical is True

    @invariant()
    def home_is_never_ahead_of_the_cache(self):
        for path, content in self.engine.world.home.fs.trees["sw"].items():
            if content is DIR or content.startswith("HOME"):
                continue
            assert content in self.cache_history[path], f"home has {path}={content!r}, never seen at the cache"

    @invariant()
    def no_orphan_halves(self):
        cache_fs, home_fs = self.engine.world.cache.fs, self.engine.world.home.fs
        psnaps = {name: p for f in PAIRED for name, p in self.fileset(f).psnaps.items()}
        for snap in home_fs.snapshots.values():
            if snap.peer:
                psnap = psnaps.get(snap.name)
                assert psnap is not None, f"orphan home half {snap.name}"
                assert cache_fs.has_snapshot(snap.name, psnap.fileset) or psnap.home is HomeHalf.DELETING
        for snap in cache_fs.snapshots.values():
            assert snap.name in psnaps


class PeerSnapMachine(PeerSnapWorld):
    """Only the cache writes: every psnap's halves must be identical, and home
    must equal the cache whenever the queue has drained."""

    # One rule with the choice in its data: every action stays in play in every
    # test case (hypothesis would otherwise switch whole rules off at random).
    @rule(action=weighted(*CACHE_ACTIONS))
    def user_acts(self, action):
        self.act(action)


class HomeWriterMachine(PeerSnapWorld):
    """Someone also writes at home behind the SW cache's back, and resync repairs it."""

    @rule(action=weighted(*CACHE_ACTIONS, *HOME_ACTIONS))
    def user_acts(self, action):
        self.act(action)


MACHINE_SETTINGS = settings(
    max_examples=100,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PeerSnapMachine.TestCase.settings = MACHINE_SETTINGS
HomeWriterMachine.TestCase.settings = settings(MACHINE_SETTINGS, max_examples=60)
test_peer_snapshot_machine = PeerSnapMachine.TestCase
test_home_writer_machine = HomeWriterMachine.TestCase


# -- determinism ----------------------------------------------------------------------------------------

SCRIPT = """\
# a tour of everything that moves
mmpsnap fs1 create -j sw
mmlssnapshot fs1 -j sw
sim settle
@home mmlssnapshot fs1
echo one > /gpfs/fs1/sw/a
mkdir -p /gpfs/fs1/sw/d/e
echo two >> /gpfs/fs1/sw/d/e/f
mv /gpfs/fs1/sw/a /gpfs/fs1/sw/d/a
echo tmp > /gpfs/fs1/sw/tmp
rm /gpfs/fs1/sw/tmp
sim advance 1s
mmpsnap fs1 create -j sw --comment nightly
mmafmctl fs1 getstate
mmpsnap fs1 status -j sw
sim link down
sim advance 61s
mmafmctl fs1 getstate -j sw
mmpsnap fs1 create -j sw
sim load 50 --size 64
sim step
sim link up
sim step
sim settle
mmpsnap fs1 status -j sw
@home echo intruder > /gpfs/fs1/sw/intruder
mmafmctl fs1 resync -j sw
sim settle
@home ls -l /gpfs/fs1/sw
mmpsnap fs1 create -j ro
mmdelsnapshot fs1 nosuch
sim status
"""


def transcript(script: str) -> str:
    from io import StringIO

    from peersnap.tui.cli import run_lines

    out = StringIO()
    run_lines(Session(), script.splitlines(), True, out)
    return out.getvalue()


def test_the_same_script_prints_the_same_bytes_twice():
    first, second = transcript(SCRIPT), transcript(SCRIPT)
    assert first == second
    assert "psnap-13882361812785649740-C0A80E85:4F44B305-59-16-10-27-02-27-28" in first
    assert "  ~ +" in first  # the trace was on


def peersnap_run(seed: str, *options: str) -> bytes:
    exe = Path(sys.executable).with_name("peersnap")
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([str(exe), "run", *options, "-"], input=SCRIPT.encode(), capture_output=True, env=env,
                          timeout=120, check=False)
    assert done.returncode == 1, done.stderr  # the script has failing commands on purpose
    return done.stdout


def test_output_does_not_depend_on_the_hash_seed():
    assert peersnap_run("1") == peersnap_run("4242")
    traced = peersnap_run("1", "--trace")
    assert traced == peersnap_run("777", "--trace")
    assert traced.decode() == transcript(SCRIPT)
