"""Property tests over gateway failure and recovery, stop/start, a dropped queue,
Fileset:Snapshot names and per-fileset snapshot namespaces.

Invariants, after every step:
- no peer snapshot pair completes with halves that differ: a created home half holds
  exactly the cache half's contents;
- snapshot names live per fileset: what the model expects exists, and nothing else, as
  the engine holds it and as `mmlssnapshot fs1 -Y` prints it (psnaps included);
- nothing is flushed while the fileset stays QueueOnly (IBM: "operations are being queued
  and not flushed"), and a psnap is refused while it is QueueOnly, Recovery, Dropped or
  Stopped (IBM: "the cache fileset must be in the active state");
and once settled (replication started, link up, home with space, `sim settle`):
- nothing queued before a failure is lost after recovery: home equals the cache and
  every home half is created.
"""

from __future__ import annotations

from typing import ClassVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from peersnap.core.model import HomeHalf
from peersnap.core.session import Session

FILES = ["a", "b", "data/c", "data/d"]
TEXT = st.text(alphabet="xyz019", min_size=0, max_size=6)
SNAP_NAMES = st.sampled_from(["s1", "s2", "before"])
FILESETS = st.sampled_from(["sw", "iw"])


def contents(tree, epoch=None) -> dict:
    items = tree.items() if epoch is None else tree.items_at(epoch)
    return dict(items)


class RecoveryMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.session = Session()
        self.snapshots: set[tuple[str, str]] = set()  # (fileset, name) the model expects at the cache
        self.psnaps: set[str] = set()  # psnap names taken (and not deleted) at the cache
        self.seen: tuple[str, int] = ("Active", 0)  # sw's Cache State and Queue numExec at the last step

    def run(self, line: str) -> int:
        result = self.session.run(line)
        assert result.rc != 70, result.lines  # never an internal error
        return result.rc

    # -- what users do ------------------------------------------------------------------
    @rule(path=st.sampled_from(FILES), text=TEXT, fileset=FILESETS)
    def write(self, path, text, fileset):
        self.run(f"echo {text or 'e'} > /gpfs/fs1/{fileset}/{path}")

    @rule(path=st.sampled_from(FILES), text=TEXT)
    def write_sw(self, path, text):  # the psnap fileset: changes before and after its psnaps matter most
        self.run(f"echo {text or 'e'} > /gpfs/fs1/sw/{path}")

    @rule(path=st.sampled_from(FILES), fileset=FILESETS)
    def remove(self, path, fileset):
        self.run(f"rm /gpfs/fs1/{fileset}/{path}")

    @rule(before=st.booleans(), then=st.sampled_from(["", "two", "three"]))
    def psnap(self, before, then):
        if before:  # a change queued ahead of the marker: the home half waits for it (afmAsyncDelay)
            self.run("echo one > /gpfs/fs1/sw/b")
        state = self.getstate()[0]
        result = self.session.run("mmpsnap fs1 create -j sw")
        taken = [line.split()[1] for line in result.lines if line.endswith("created at the satellite.")]
        if state in ("QueueOnly", "Recovery", "Dropped", "Stopped"):
            assert result.rc == 1 and not taken, (state, result.lines)
            assert f"fileset sw is in {state} state." in result.lines[0]
        self.psnaps.update(taken)
        self.run("sim advance 1s")  # psnap names carry the second: let the next one differ
        if then:  # a change right after the psnap: its home half must not see it
            self.run(f"echo {then} > /gpfs/fs1/sw/a")

    @rule(fileset=FILESETS, name=SNAP_NAMES)
    def fileset_snapshot(self, fileset, name):
        rc = self.run(f"mmcrsnapshot fs1 {fileset}:{name}")
        assert (rc == 0) == ((fileset, name) not in self.snapshots)
        self.snapshots.add((fileset, name))

    @rule(fileset=FILESETS, name=SNAP_NAMES)
    def delete_fileset_snapshot(self, fileset, name):
        rc = self.run(f"mmdelsnapshot fs1 {fileset}:{name}")
        assert (rc == 0) == ((fileset, name) in self.snapshots)
        self.snapshots.discard((fileset, name))

    @rule(data=st.data())
    def delete_psnap(self, data):
        if not self.psnaps:
            return
        name = data.draw(st.sampled_from(sorted(self.psnaps)))
        assert self.run(f"mmpsnap fs1 delete -s {name} -j sw") == 0
        self.psnaps.discard(name)

    @rule(data=st.data(), qualified=st.booleans())
    def list_one(self, data, qualified):
        """`-s [[Fileset]:]Snapshot`: `sw:NAME` is that fileset's snapshot, also when NAME is a
        psnap's (with a `:` of its own); a bare NAME is a global one (none here)."""
        known = sorted(self.snapshots | {("sw", name) for name in self.psnaps})
        fileset, name = data.draw(st.sampled_from(known or [("sw", "s1")]))
        result = self.session.run(f"mmlssnapshot fs1 -s {fileset + ':' if qualified else ''}{name}")
        if qualified and (fileset, name) in known:
            rows = [line.split() for line in result.lines[2:]]
            assert result.rc == 0 and [(r[0], r[-1]) for r in rows] == [(name, fileset)], result.lines
        else:
            assert result.rc == 1, result.lines
            assert "6027-2684" in result.lines[0] or "6027-2683" in result.lines[0], result.lines

    # -- what goes wrong, and what an administrator does ---------------------------------
    @rule()
    def gateway_fail(self):
        assert self.run("sim gateway fail") == 0

    @rule(steps=st.integers(min_value=1, max_value=6))
    def gateway_fail_and_watch(self, steps):
        """The moments in between: one event at a time, the state read after each."""
        assert self.run("sim gateway fail") == 0
        for _ in range(steps):
            self.nothing_flushes_while_queue_only()
            self.run("sim step")

    @rule()
    def stop(self):
        self.run("mmafmctl fs1 stop -j sw")

    @rule()
    def start(self):
        self.run("mmafmctl fs1 start -j sw")

    @rule(up=st.booleans())
    def link(self, up):
        self.run(f"sim link {'up' if up else 'down'}")

    @rule(full=st.booleans())
    def home_space(self, full):
        self.run(f"sim home {'full' if full else 'free'}")

    @rule()
    def resume_requeued(self):
        self.run("mmafmctl fs1 resumeRequeued -j sw")

    @rule(seconds=st.sampled_from([1, 5, 11, 16, 61, 300]))
    def advance(self, seconds):
        self.run(f"sim advance {seconds}s")

    @rule()
    def step(self):  # one event: the scan's end, or one op flushed (the moments between states)
        self.run("sim step")

    @rule()
    def settle_and_compare(self):
        self.run("sim link up")
        self.run("sim home free")
        self.run("mmafmctl fs1 start -j sw")
        self.run("mmafmctl fs1 start -j iw")
        self.run("mmafmctl fs1 resumeRequeued -j sw")
        assert self.run("sim settle") == 0
        world = self.session.engine.world
        for name in ("sw", "iw"):
            fileset = world.filesets[name]
            assert fileset.queue.length == 0 and fileset.recovery is None and not fileset.dropped
            assert contents(world.home_tree(fileset)) == contents(world.cache.fs.trees[name]), name
        for psnap in world.filesets["sw"].psnaps.values():
            assert psnap.home is HomeHalf.CREATED, (psnap.name, psnap.home, psnap.failure)

    # -- invariants --------------------------------------------------------------------------
    @invariant()
    def pairs_never_differ(self):
        world = self.session.engine.world
        sw = world.filesets["sw"]
        home_tree = world.home_tree(sw)
        cache_tree = world.cache.fs.trees["sw"]
        for psnap in sw.psnaps.values():
            if psnap.home is HomeHalf.CREATED:
                assert psnap.identical is True, psnap.name
                home_snap = psnap.home_snap
                assert home_snap is not None
                home = contents(home_tree, home_snap.epochs["sw"])
                cache = contents(cache_tree, psnap.cache_snap.epochs["sw"])
                assert home == cache, psnap.name

    @invariant()
    def snapshot_namespaces_are_per_fileset(self):
        fs = self.session.engine.world.cache.fs
        plain = {(s.fileset, s.name) for s in fs.snapshots.values() if not s.peer}
        assert plain == self.snapshots
        result = self.session.run("mmlssnapshot fs1 -Y")
        listed = set()
        for line in result.lines[1:]:
            fields = line.split(":")
            listed.add((fields[-3], fields[7].replace("%3A", ":")))  # fileset, directory
        assert listed == self.snapshots | {("sw", name) for name in self.psnaps}

    def getstate(self) -> tuple[str, int]:
        """sw's Cache State and Queue numExec, as `mmafmctl fs1 getstate -j sw` prints them."""
        fields = self.session.run("mmafmctl fs1 getstate -j sw").lines[2].split()
        return fields[2], int(fields[-1])

    @invariant()
    def nothing_flushes_while_queue_only(self):
        now = self.getstate()
        if self.seen[0] == "QueueOnly" and now[0] == "QueueOnly":
            assert now[1] == self.seen[1], (self.seen, now)
        self.seen = now


TestRecovery = RecoveryMachine.TestCase
TestRecovery.settings = settings(max_examples=40, stateful_step_count=30, deadline=None,
                                 suppress_health_check=[HealthCheck.too_slow])


class SharedHomeMachine(RuleBasedStateMachine):
    """Two IW caches of one home (iw, iw2) writing different files, while gateways fail,
    iw stops and starts and the link flaps: once settled, home holds each cache's files as
    that cache has them. A recovery never undoes what the other cache wrote (IBM: "Gateway
    node failures are not catastrophic and do not result in the loss of data")."""

    OWN: ClassVar[dict[str, list[str]]] = {"iw": ["a", "b", "d/c"], "iw2": ["x", "y"]}

    def __init__(self) -> None:
        super().__init__()
        from test_recovery import two_iw_caches

        self.session = two_iw_caches()

    def run(self, line: str) -> int:
        result = self.session.run(line)
        assert result.rc != 70, result.lines
        return result.rc

    @rule(fileset=st.sampled_from(["iw", "iw2"]), data=st.data(), text=TEXT)
    def write(self, fileset, data, text):
        path = data.draw(st.sampled_from(self.OWN[fileset]))
        if "/" in path:
            self.run(f"mkdir -p /gpfs/fs1/{fileset}/{path.rpartition('/')[0]}")
        self.run(f"echo {text or 'e'} > /gpfs/fs1/{fileset}/{path}")

    @rule(fileset=st.sampled_from(["iw", "iw2"]), data=st.data())
    def remove(self, fileset, data):
        self.run(f"rm /gpfs/fs1/{fileset}/{data.draw(st.sampled_from(self.OWN[fileset]))}")

    @rule()
    def remove_dir(self):
        self.run("rm -r /gpfs/fs1/iw/d")

    @rule()
    def gateway_fail(self):
        assert self.run("sim gateway fail") == 0

    @rule(start=st.booleans())
    def stop_start(self, start):
        self.run(f"mmafmctl fs1 {'start' if start else 'stop'} -j iw")

    @rule(up=st.booleans())
    def link(self, up):
        self.run(f"sim link {'up' if up else 'down'}")

    @rule(seconds=st.sampled_from([1, 11, 16, 61]))
    def advance(self, seconds):
        self.run(f"sim advance {seconds}s")

    @rule()
    def settle_and_compare(self):
        self.run("sim link up")
        self.run("mmafmctl fs1 start -j iw")
        assert self.run("sim settle") == 0
        world = self.session.engine.world
        home = contents(world.home_tree(world.filesets["iw"]))
        for name, paths in self.OWN.items():
            cache = contents(world.cache.fs.trees[name])
            for path in paths:
                assert home.get(path) == cache.get(path), (name, path, home, cache)
        assert home.get("README") is not None  # nobody removed it


TestSharedHome = SharedHomeMachine.TestCase
TestSharedHome.settings = settings(max_examples=30, stateful_step_count=25, deadline=None,
                                   suppress_health_check=[HealthCheck.too_slow])
