"""The world: the cache and home clusters, the AFM filesets, the home exports and the link.

`World` is plain state plus its lookups; it never moves time. The one rule of
which home directory a target names lives here (`home_directory`), so the
scenario reader, the engine and the commands agree on it.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import copy
from dataclasses import field
from datetime import datetime
from functools import lru_cache

from . import clock
from .edits import Edits
from .events import Event, StateChanged
from .gateway import LinkSettings
from .limits import DEFAULT_LIMITS, Limits
from .model import AfmFileset, CacheState, Change, Cluster, History, HomeExport, Protocol
from .records import record
from .tree import VersionedTree


@lru_cache(maxsize=1024)  # a pure function asked after every command and every drain step (`derive_state`, `can_flush`)
def home_directory(mount: str, path: str) -> str:
    """The home directory `path` (without a trailing slash) names: its name
    directly under `mount` (`/gpfs/fs1/sw` -> `sw`), or "" when `path` is not
    directly under the mount. AFM exports whole directories of the home file
    system, never deeper paths."""
    if not path.startswith(mount + "/"):
        return ""
    name = path[len(mount) + 1:]
    return "" if "/" in name else name


def _fork_cluster(cluster: Cluster, edits: Edits) -> Cluster:
    fs = copy(cluster.fs)
    fs.trees = {name: tree.fork(edits) for name, tree in cluster.fs.trees.items()}
    fs.snapshots = cluster.fs.snapshots.copy()
    twin = copy(cluster)
    twin.fs = fs
    return twin


def _fork_fileset(fileset: AfmFileset, edits: Edits) -> AfmFileset:
    twin = copy(fileset)
    twin.queue = queue = fileset.queue.fork(edits)
    twin.unsent = fileset.unsent.copy()
    twin.psnaps = {}
    for name, psnap in fileset.psnaps.items():
        twin.psnaps[name] = mine = copy(psnap)
        if psnap.marker is not None:
            mine.marker = queue.find(psnap.marker.seq) or psnap.marker
    return twin


@record(frozen=False, eq=False)
class World:
    """Everything simulated except time: two clusters, filesets, exports, the link."""

    cache: Cluster
    home: Cluster
    filesets: dict[str, AfmFileset]
    exports: dict[str, HomeExport]
    link: LinkSettings
    nfs_host: str = "home1"
    gateway_ip: str = "192.168.14.133"
    link_up: bool = True
    link_down_since: int = 0
    gpfs_log: list[str] = field(default_factory=list)  # GPFS log lines the simulator kept
    home_full: bool = False  # home's file system has no space left (`sim home full`)
    export_maps: dict[str, str] = field(default_factory=dict)  # cache: map name -> ExportServer/GatewayNode,...
    # bumped by every change to a snapshot or a peer snapshot (see `change_key`)
    snapshot_changes: int = 0
    changes: dict[str, Change] = field(default_factory=dict)  # the latest change of each setting (`why`)
    flushed_upto: dict[str, int] = field(default_factory=dict)  # per fileset, the newest seq executed at home
    order_breaches: list[str] = field(default_factory=list)  # ops seen reaching home out of order (none, we hope)
    history: History = field(default_factory=History)  # queue samples and link outages (the timeline)
    limits: Limits = DEFAULT_LIMITS  # the caps every adding command checks first (core.limits)
    edits: Edits = field(default_factory=Edits)  # counted by its trees, queues and filesets (see `change_key`)

    def __post_init__(self) -> None:
        """The world's trees and queues (and through them its filesets) count their edits in its `edits`."""
        for cluster in (self.cache, self.home):
            for tree in cluster.fs.trees.values():
                tree.edits = self.edits
        for fileset in self.filesets.values():
            fileset.queue.edits = self.edits

    def fork(self) -> World:
        """An independent twin of the world (checkpoints, branches). Trees and queues fork
        themselves; snapshots are immutable once taken and are shared."""
        twin = copy(self)
        twin.edits = edits = Edits(self.edits.count)
        twin.cache, twin.home = _fork_cluster(self.cache, edits), _fork_cluster(self.home, edits)
        twin.filesets = {name: _fork_fileset(f, edits) for name, f in self.filesets.items()}
        twin.exports = {path: copy(export) for path, export in self.exports.items()}
        twin.link = copy(self.link)
        twin.gpfs_log = self.gpfs_log.copy()
        twin.export_maps = self.export_maps.copy()
        twin.changes = self.changes.copy()
        twin.flushed_upto = self.flushed_upto.copy()
        twin.order_breaches = self.order_breaches.copy()
        twin.history = self.history.fork()
        return twin

    def freeze(self) -> None:
        """What `fork` does to this world before it makes the twin: every tree's and queue's private
        entries move into the frozen layers a twin would share (a fork right after changes nothing here)."""
        for cluster in (self.cache, self.home):
            for tree in cluster.fs.trees.values():
                tree.freeze()
        for fileset in self.filesets.values():
            fileset.queue.freeze()

    # -- lookups ------------------------------------------------------------------
    def queued_ops(self) -> int:
        """Operations waiting in all the gateway queues together (what `limits.queued_ops` caps)."""
        total = 0
        for fileset in self.filesets.values():  # a loop: asked before every queued change (3.11 calls a comprehension)
            total += fileset.queue.length
        return total

    def cluster(self, role: str) -> Cluster:
        return self.home if role == "home" else self.cache

    def clock(self, role: str, at: int) -> datetime:
        """What `role`'s clock shows at simulated time `at`."""
        return clock.to_datetime(self.cluster(role).epoch_s, at)

    def clock_text(self, role: str, at: int) -> str:
        return clock.ctime(self.clock(role, at))

    def home_directory(self, path: str) -> str:
        """`home_directory` under this world's home mount."""
        return home_directory(self.home.fs.mount, path)

    def home_dir(self, fileset: AfmFileset) -> str:
        """The name of the home directory (under the mount) that `fileset` mirrors."""
        return home_directory(self.home.fs.mount, fileset.target.path)

    def home_tree(self, fileset: AfmFileset) -> VersionedTree | None:
        return self.home.fs.trees.get(self.home_dir(fileset))

    def export_for(self, fileset: AfmFileset) -> HomeExport | None:
        return self.exports.get(fileset.target.path)

    def home_snap_fileset(self, fileset: AfmFileset) -> str | None:
        """Which home fileset a psnap's home half snapshots: the export's own when the
        export is an independent fileset at home, None (a global snapshot) otherwise."""
        export = self.export_for(fileset)
        return self.home_dir(fileset) if export is not None and export.fileset else None

    def home_filesets(self) -> list[str]:
        """The independent filesets at home (exports marked as filesets), in export order."""
        return [self.home_directory(e.path) for e in self.exports.values() if e.fileset]

    def export_at(self, directory: str) -> HomeExport | None:
        """The export of home directory `directory` (a name under the mount), if it is one."""
        return self.exports.get(f"{self.home.fs.mount}/{directory}")

    def filesets_on_export(self, directory: str) -> list[AfmFileset]:
        return [f for f in self.filesets.values() if self.home_dir(f) == directory]

    # -- cache state ------------------------------------------------------------------
    def derive_state(self, fileset: AfmFileset, now: int) -> CacheState:
        if fileset.stopped:
            return CacheState.STOPPED
        if not fileset.activated:
            return CacheState.INACTIVE
        if fileset.dropped:
            return CacheState.DROPPED
        if self.home_dir(fileset) not in self.home.fs.trees:
            return CacheState.UNMOUNTED
        if not self.link_up:
            if fileset.target.protocol is Protocol.NSD:
                return CacheState.UNMOUNTED
            if now - self.link_down_since >= self.link.disconnect_timeout_us:
                return CacheState.DISCONNECTED
        if fileset.recovery is not None:
            # IBM's state table: QueueOnly while "operations such as recovery ... are being
            # executed, and operations are being queued and not flushed" (the scan), then Recovery
            return CacheState.QUEUE_ONLY if now < fileset.recovery.scan_done_us else CacheState.RECOVERY
        if fileset.needs_resync:
            return CacheState.NEEDS_RESYNC
        return CacheState.DIRTY if fileset.queue.length else CacheState.ACTIVE

    def refresh_states(self, now: int, emit: Callable[[Event], None]) -> None:
        """Recompute every fileset's state; announce the ones that changed."""
        for fileset in self.filesets.values():
            self.refresh_state(fileset, now, emit)

    def refresh_state(self, fileset: AfmFileset, now: int, emit: Callable[[Event], None]) -> None:
        """Recompute one fileset's state (after a change only it can see); announce it if it changed."""
        new = self.derive_state(fileset, now)
        if new is not fileset.state:
            old, fileset.state = fileset.state, new
            emit(StateChanged(now, fileset.name, old.value, new.value))

    def can_flush(self, fileset: AfmFileset) -> bool:
        return (
            self.link_up
            and not fileset.stopped
            and fileset.mode.pushes_home
            and self.home_dir(fileset) in self.home.fs.trees
        )

    def change_key(self) -> tuple:
        """What `fingerprint` compares, in O(1) rather than O(snapshots + psnaps): the trees'
        contents, the queues' counters and the filesets' settings and state by the world's
        `edits` (core.edits), the snapshots and pairs by `snapshot_changes`. Equal before and
        after a command exactly when the fingerprints are (a command never undoes its own
        change), so the session compares these to know whether a command changed the world.
        Trees and exports are only ever added (a new top-level directory, `mmafmconfig enable`
        of a new path) and filesets never: their counts stand for their names."""
        cache, home = self.cache.fs, self.home.fs
        return (self.edits.count, self.link_up, self.home_full, self.snapshot_changes, cache.next_snap_id,
                home.next_snap_id, len(cache.trees), len(home.trees), len(self.exports))

    def fingerprint(self) -> tuple:
        """Everything observable about the world, for 'nothing changed' checks."""
        def fs_state(cluster: Cluster) -> tuple:
            fs = cluster.fs
            return (
                tuple(sorted((k, (v.digest, len(v))) for k, v in fs.trees.items())),
                tuple((s.id, s.name, s.created_us, s.fileset, s.status) for s in fs.snapshots.values()),
                fs.next_snap_id,
            )

        filesets = tuple(
            (
                f.name, f.mode, str(f.target), f.linked, f.activated, f.stopped, f.needs_resync, f.home_changed, f.state,
                f.dropped, f.recovery, f.requeued,
                f.async_delay_us, f.queue.length, f.queue.bytes, f.queue.num_exec, f.queue.next_seq,
                tuple((p.name, p.home, p.identical, p.failure) for p in f.psnaps.values()),
            )
            for f in self.filesets.values()
        )
        exports = tuple((e.path, e.afm_enabled) for e in self.exports.values())
        seen = tuple(f.home_afm_seen for f in self.filesets.values())
        return (self.link_up, self.home_full, fs_state(self.cache), fs_state(self.home), filesets, exports, seen)
