"""Snapshots on both clusters, and peer snapshots: the pair `mmpsnap` makes.

The cache half of a peer snapshot is a fileset snapshot taken at once; the
home half is a marker in the gateway queue. When every operation queued
before the marker has reached home, home takes a snapshot of its file system
with the same name. Both halves then hold the same contents: if home was
changed behind the cache's back meanwhile, it is resynchronised to the cache
half before its half is taken (`resync.match_cache_half`), and the engine
confirms it by comparing the two trees' digests.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from . import clock, rules
from .clock import SimTime, plural
from .errors import SimError
from .events import (
    EventBus,
    GpfsLogged,
    HomeResynced,
    PeerSnapshotBroken,
    PeerSnapshotCompleted,
    PeerSnapshotDeleted,
    PeerSnapshotFailed,
    PeerSnapshotQueued,
    SnapshotCreated,
    SnapshotDeleted,
)
from .gateway import PSNAP
from .limits import CapExceeded, check_queue
from .model import AfmFileset, CacheState, HomeHalf, HomeWait, PeerSnapshot, Snapshot
from .resync import match_cache_half
from .world import World

QUIESCE = clock.SECOND
_NAME = re.compile(r"^[A-Za-z0-9_.:+@%=,-]{1,255}$")
_COMMENT = re.compile(r"^[A-Za-z0-9]{1,64}$")  # IBM: "You must use alphanumeric characters"
_UID = re.compile(r"^[A-Za-z0-9:]{1,64}$")


RESERVED_NAMES = (".", "..", ".snapshots")  # a snapshot's name is a directory under .snapshots/


def check_snapshot_name(command: str, name: str) -> None:
    if name in RESERVED_NAMES:
        raise SimError(f"{command}: Invalid snapshot name '{name}': it is reserved (the snapshot would be "
                       f"{'the snapshots directory itself' if name == '.snapshots' else 'a directory of its own path'}).")
    if not _NAME.match(name) or name.startswith("-"):
        raise SimError(f"{command}: Invalid snapshot name '{name}': use up to 255 letters, digits and _ . : - + @ % = ,")


class Snapshots:
    """Snapshots on either cluster, and the peer snapshot pairs of the cache's filesets.

    `quiesce` is how the file system quiesces before a snapshot: the engine lets
    a second of simulated time pass (the gateway keeps draining meanwhile)."""

    def __init__(self, world: World, bus: EventBus, time: SimTime, quiesce: Callable[[], None]) -> None:
        self.world = world
        self.bus = bus
        self.time = time
        self.quiesce = quiesce

    # -- plain snapshots ---------------------------------------------------------------
    def take_snapshot(self, role: str, name: str, fileset: str | None, peer: bool = False) -> Snapshot:
        """Pin the trees (one fileset, or every tree of the file system): O(1) each."""
        fs = self.world.cluster(role).fs
        names = [fileset] if fileset is not None else list(fs.trees)
        epochs = {tree: fs.trees[tree].pin() for tree in names}
        digests = {tree: fs.trees[tree].digest for tree in names}
        snap = Snapshot(fs.next_snap_id, name, self.time.now, fileset, epochs, digests, peer)
        fs.next_snap_id += 1
        fs.snapshots[(fileset or "", name)] = snap
        self.world.snapshot_changes += 1
        self.bus.emit(SnapshotCreated(self.time.now, fileset or "", role, name, snap.id))
        return snap

    def drop_snapshot(self, role: str, name: str, fileset: str | None = None) -> Snapshot:
        fs = self.world.cluster(role).fs
        snap = fs.snapshots.pop((fileset or "", name))
        self.world.snapshot_changes += 1
        for tree, epoch in snap.epochs.items():
            if tree in fs.trees:
                fs.trees[tree].release(epoch)
        self.bus.emit(SnapshotDeleted(self.time.now, snap.fileset or "", role, name, snap.id))
        return snap

    # -- peer snapshots -------------------------------------------------------------------
    def psnap_name(self, fileset: AfmFileset, comment: str = "", uid: str = "") -> str:
        stamp = clock.stamp(self.world.clock("cache", self.time.now))
        name = f"psnap-{uid or self.world.cache.cluster_id}-{self.world.cache.fs.uid}-{fileset.id}-{stamp}"
        return f"{comment}-{name}" if comment else name

    def create_psnap(self, fileset_name: str, comment: str = "", uid: str = "") -> PeerSnapshot:
        """`mmpsnap fs1 create -j F`: check every rule, then take the cache half
        and queue the home half behind everything queued before it."""
        fileset = self.world.filesets[fileset_name]
        if comment and not _COMMENT.match(comment):
            raise SimError(
                f"mmpsnap: Incorrect comment '{comment}': the comment becomes part of the snapshot name and must "
                "be alphanumeric (up to 64 letters and digits)."
            )
        if uid and not _UID.match(uid):
            raise SimError(f"mmpsnap: Invalid cluster UID '{uid}': use letters, digits and ':'.")
        refusal = rules.psnap_create(fileset, self.world.export_for(fileset), self.world.link_up)
        rules.enforce(refusal, "mmpsnap", fileset_name, self.bus, self.time.now)
        name = self.psnap_name(fileset, comment, uid)
        home_fileset = self.world.home_snap_fileset(fileset)
        if (self.world.cache.fs.has_snapshot(name, fileset_name) or name in fileset.psnaps
                or self.world.home.fs.has_snapshot(name, home_fileset)):
            raise SimError(
                f"mmpsnap: Snapshot {name} already exists.",
                "mmpsnap: Peer snapshot names carry the time to the second; wait a second and try again.",
            )
        try:
            check_queue(self.world.limits, self.world.queued_ops(), 1)  # the psnap marker
        except CapExceeded as exc:
            raise SimError(f"mmpsnap: {exc}") from None
        self.quiesce()
        snap = self.take_snapshot("cache", name, fileset_name, peer=True)
        queue = fileset.queue
        queue.barrier()
        marker = queue.push(PSNAP, "", name, 0, self.time.now)
        # The gateway only knows home is gone once the disconnect timeout has passed.
        disconnected = fileset.state is CacheState.DISCONNECTED
        psnap = PeerSnapshot(name, fileset_name, snap, marker, created_disconnected=disconnected, comment=comment,
                             marker_seq=marker.seq)
        fileset.psnaps[name] = psnap
        self.world.snapshot_changes += 1
        fileset.last_psnap_id = snap.id
        self.bus.emit(PeerSnapshotQueued(self.time.now, fileset_name, name, marker.seq, queue.ahead_of(marker), disconnected))
        self.world.refresh_states(self.time.now, self.bus.emit)
        return psnap

    def complete_home_half(self, fileset: AfmFileset, name: str) -> None:
        """The marker reached home: take the home snapshot (or record why not)."""
        psnap = fileset.psnaps.get(name)
        if psnap is None or psnap.home is not HomeHalf.QUEUED:
            return
        psnap.marker = None
        export = self.world.export_for(fileset)
        if export is None or not export.afm_enabled:
            self.log_not_enabled(fileset)
            self._fail_home_half(psnap, f"AFM is not enabled at home for {fileset.target.path} (run mmafmconfig enable)")
            return
        if not fileset.home_afm_seen:  # enabled at home after the cache fileset was linked
            self.log_not_enabled(fileset)
            self._fail_home_half(psnap, f"home enabled AFM for {fileset.target.path} after fileset {fileset.name} "
                                        "was linked (unlink and relink it at the cache)")
            return
        home_fileset = self.world.home_snap_fileset(fileset)
        if self.world.home.fs.has_snapshot(name, home_fileset):
            self._fail_home_half(psnap, f"a snapshot named {name} already exists at home")
            return
        tree = self.world.home_dir(fileset)
        home = self.world.home.fs.trees[tree]
        cache_digest = psnap.cache_snap.digests[fileset.name]
        # The pair invariant, by construction: home takes its half only once it
        # holds the cache half's contents. If home changed behind the cache's
        # back, AFM resynchronises it to the cache half first.
        changed = match_cache_half(self.world, fileset, home, psnap.cache_snap.epochs[fileset.name], cache_digest)
        if changed:
            self.bus.emit(HomeResynced(self.time.now, fileset.name, 0, name, changed))
        home_snap = self.take_snapshot("home", name, home_fileset, peer=True)
        psnap.home_snap = home_snap
        psnap.home = HomeHalf.CREATED
        self.world.snapshot_changes += 1
        psnap.identical = home_snap.digests.get(tree) == cache_digest
        self.bus.emit(PeerSnapshotCompleted(self.time.now, fileset.name, name, home_snap.id, psnap.identical))

    def log_not_enabled(self, fileset: AfmFileset) -> None:
        """The GPFS log's line when the cache finds no AFM control file at home."""
        line = (f"6027-3258 [I] AFM: AFM is not enabled for fileset {fileset.name} in filesystem fs1. Some features "
                "will not be supported, see documentation for enabling AFM and unsupported features.")
        self.world.gpfs_log.append(line)
        self.bus.emit(GpfsLogged(self.time.now, fileset.name, line))

    def _fail_home_half(self, psnap: PeerSnapshot, reason: str) -> None:
        psnap.home = HomeHalf.FAILED
        self.world.snapshot_changes += 1
        psnap.failure = reason
        self.bus.emit(PeerSnapshotFailed(self.time.now, psnap.fileset, psnap.name, reason))

    def delete_snapshot(self, role: str, snap: Snapshot) -> None:
        """`mmdelsnapshot`: delete any snapshot. Half of a peer snapshot goes too (the
        real command does not refuse it); the pair is then broken, the other half an orphan."""
        psnap = self.psnap_of(role, snap)
        self.drop_snapshot(role, snap.name, snap.fileset)
        if psnap is not None and not psnap.broken:
            psnap.broken = role
            self.bus.emit(PeerSnapshotBroken(self.time.now, psnap.fileset, psnap.name, role))

    def psnap_of(self, role: str, snap: Snapshot) -> PeerSnapshot | None:
        """The peer snapshot `snap` is a half of, if any."""
        if not snap.peer:
            return None
        for fileset in self.world.filesets.values():
            psnap = fileset.psnaps.get(snap.name)
            if psnap is not None and (psnap.cache_snap if role == "cache" else psnap.home_snap) is snap:
                return psnap
        return None

    def delete_psnap(self, fileset_name: str, name: str) -> list[str]:
        """`mmpsnap fs1 delete -s NAME -j F`: remove both halves (or what is left of a
        broken pair). A home half that exists while home is unreachable is removed on reconnect."""
        fileset = self.world.filesets[fileset_name]
        psnap = fileset.psnaps.get(name)
        if psnap is None:
            raise SimError(f"mmpsnap: 6027-2683 Fileset {fileset_name} in file system fs1 does not contain snapshot {name}, err = 2")
        if psnap.home is HomeHalf.DELETING:
            raise SimError(
                f"mmpsnap: Peer snapshot {name} is already being deleted; its home half is removed when the connection is restored."
            )
        lines = []
        if psnap.broken != "cache":
            lines += [
                f"Invalidating snapshot files in {name}...",
                "Deleting files in snapshot",
                f"Delete snapshot {name} successful.",
            ]
            self.drop_snapshot("cache", name, fileset_name)
        if psnap.home is HomeHalf.QUEUED and psnap.marker is not None:
            fileset.queue.remove_marker(psnap.marker)
            lines.append(f"Queued core snapshot {name} removed from the gateway queue.")
            del fileset.psnaps[name]
            self.world.snapshot_changes += 1
        elif psnap.home is HomeHalf.CREATED and psnap.broken == "home":
            del fileset.psnaps[name]
            self.world.snapshot_changes += 1
        elif psnap.home is HomeHalf.CREATED and self.world.link_up:
            assert psnap.home_snap is not None
            self.drop_snapshot("home", name, psnap.home_snap.fileset)
            lines.append(f"Core snapshot {name} deleted at home.")
            del fileset.psnaps[name]
            self.world.snapshot_changes += 1
        elif psnap.home is HomeHalf.CREATED:
            psnap.home = HomeHalf.DELETING
            self.world.snapshot_changes += 1
            lines.append(f"Core snapshot {name} will be deleted at home when the connection is restored.")
        else:
            del fileset.psnaps[name]
            self.world.snapshot_changes += 1
        self.bus.emit(PeerSnapshotDeleted(self.time.now, fileset_name, name, psnap.home is HomeHalf.DELETING))
        self.world.refresh_states(self.time.now, self.bus.emit)
        return lines

    def home_reachable(self) -> None:
        """The link is back: finish the home deletions that waited for it."""
        for fileset in self.world.filesets.values():
            for psnap in [p for p in fileset.psnaps.values() if p.home is HomeHalf.DELETING]:
                home_fileset = psnap.home_snap.fileset if psnap.home_snap is not None else None
                if self.world.home.fs.has_snapshot(psnap.name, home_fileset):
                    self.drop_snapshot("home", psnap.name, home_fileset)
                del fileset.psnaps[psnap.name]
                self.world.snapshot_changes += 1

    # -- views --------------------------------------------------------------------------------
    def psnap_ahead(self, psnap: PeerSnapshot) -> int:
        if psnap.marker is None:
            return 0
        return self.world.filesets[psnap.fileset].queue.ahead_of(psnap.marker)

    def home_wait(self, psnap: PeerSnapshot) -> tuple[HomeWait, int]:
        """What a queued home half waits for, and how many ops are ahead of its marker."""
        if not self.world.link_up:
            return HomeWait.LINK, self.psnap_ahead(psnap)
        if self.world.filesets[psnap.fileset].stopped:
            return HomeWait.STOPPED, self.psnap_ahead(psnap)
        if psnap.marker is None:
            return HomeWait.RECOVERY, 0
        ahead = self.psnap_ahead(psnap)
        return (HomeWait.OPS, ahead) if ahead else (HomeWait.NEXT, 0)

    def home_half_text(self, psnap: PeerSnapshot) -> str:
        """`Queued behind 3 ops`, `Pending reconnect`, `Created with id 8 at ...`, ...;
        a broken pair says which half is an orphan and how to remove it."""
        text = self._home_half_state(psnap)
        if psnap.broken == "cache":
            return f"{text}; BROKEN: cache half deleted with mmdelsnapshot, use mmpsnap delete"
        if psnap.broken == "home":
            return "BROKEN: home half deleted with mmdelsnapshot, use mmpsnap delete"
        return text

    def _home_half_state(self, psnap: PeerSnapshot) -> str:
        if psnap.home is HomeHalf.QUEUED:
            wait, ahead = self.home_wait(psnap)
            return {HomeWait.LINK: "Pending reconnect", HomeWait.STOPPED: "Queued (replication stopped)",
                    HomeWait.OPS: f"Queued behind {plural(ahead, 'op')}", HomeWait.NEXT: "Queued (next)",
                    HomeWait.RECOVERY: "Waiting for recovery (the gateway queue was lost)"}[wait]
        if psnap.home is HomeHalf.CREATED and psnap.home_snap is not None:
            same = "identical" if psnap.identical else "DIFFERS"
            when = self.world.clock_text("home", psnap.home_snap.created_us)
            return f"Created with id {psnap.home_snap.id} at {when}, {same}"
        if psnap.home is HomeHalf.DELETING:
            return "Deleting (pending reconnect)"
        return f"Failed: {psnap.failure}"
