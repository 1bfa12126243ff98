"""The engine: one virtual clock, a timed-event scheduler and the gateways.

`Engine` is the world plus everything that makes time pass. The operations
users run are split over mixins, one concept each: file operations
(`fileops`), snapshots and peer snapshots (`snapshots`), and fileset/AFM
administration (`admin`). Every change is announced as a typed event to the
subscribers; nothing reads the wall clock or unseeded randomness.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from . import clock
from .admin import AdminOps
from .errors import SimError  # noqa: F401  (re-exported)
from .events import Event, LinkChanged, OpsFlushed, StateChanged
from .fileops import FileOps, collector_paused
from .gateway import CREATE, MKDIR, PSNAP, REMOVE, RENAME, RESYNC, RMDIR, WRITE, QueuedOp
from .model import AfmFileset, CacheState, Cluster, HomeExport, Protocol
from .snapshots import SnapshotOps
from .tree import DIR, VersionedTree, force_set, move_entry, remove_subtree

NEVER = 1 << 62
SETTLE_BOUND = clock.MAX_ADVANCE


@dataclass(slots=True)
class LinkSettings:
    bandwidth: int = 100 * 1024 * 1024  # bytes per second, per gateway
    latency_us: int = 500  # per operation round trip
    disconnect_timeout_us: int = 60 * clock.SECOND


class Engine(FileOps, SnapshotOps, AdminOps):
    """The simulated cache cluster, home cluster and the link between them."""

    def __init__(
        self,
        cache: Cluster,
        home: Cluster,
        filesets: dict[str, AfmFileset],
        exports: dict[str, HomeExport],
        link: LinkSettings,
        nfs_host: str = "home1",
    ) -> None:
        self.now = 0
        self.cache = cache
        self.home = home
        self.filesets = filesets
        self.exports = exports
        self.link = link
        self.nfs_host = nfs_host
        self.gateway_ip = "192.168.14.133"
        self.link_up = True
        self.link_down_since = 0
        self._heap: list[tuple[int, int, str, object]] = []
        self._heap_seq = 0
        self._subscribers: list[Callable[[Event], None]] = []
        self.gpfs_log: list[str] = []
        self._load_next: dict[str, int] = {}
        # The clocks stop short of the calendar's end (datetime cannot pass year 9999).
        self.max_now = min(clock.until_year(c.epoch_s, clock.LAST_YEAR) for c in (cache, home))
        for fileset in filesets.values():
            fileset.state = self.derive_state(fileset)

    # -- events ------------------------------------------------------------------
    def subscribe(self, listener: Callable[[Event], None]) -> Callable[[], None]:
        """Call `listener` with every event from now on; returns an unsubscribe function."""
        self._subscribers.append(listener)

        def unsubscribe() -> None:
            if listener in self._subscribers:
                self._subscribers.remove(listener)

        return unsubscribe

    def emit(self, event: Event) -> None:
        for listener in tuple(self._subscribers):
            listener(event)

    # -- clocks ------------------------------------------------------------------
    def cluster(self, role: str) -> Cluster:
        return self.home if role == "home" else self.cache

    def clock(self, role: str, at: int | None = None) -> datetime:
        """What `role`'s clock shows at simulated time `at` (default: now)."""
        return clock.to_datetime(self.cluster(role).epoch_s, self.now if at is None else at)

    def clock_text(self, role: str, at: int | None = None) -> str:
        return clock.ctime(self.clock(role, at))

    # -- world lookups -------------------------------------------------------------
    def export_for(self, fileset: AfmFileset) -> HomeExport | None:
        return self.exports.get(fileset.target.path)

    def filesets_on_export(self, tree: str) -> list[AfmFileset]:
        return [f for f in self.filesets.values() if self.export_tree(f) == tree]

    def export_tree(self, fileset: AfmFileset) -> str:
        """The name of the home directory (under the mount) that `fileset` mirrors."""
        path = fileset.target.path
        mount = self.home.fs.mount
        return path[len(mount) + 1:] if path.startswith(mount + "/") else ""

    def home_tree(self, fileset: AfmFileset) -> VersionedTree | None:
        return self.home.fs.trees.get(self.export_tree(fileset))

    # -- cache state -----------------------------------------------------------------
    def derive_state(self, fileset: AfmFileset) -> CacheState:
        if fileset.stopped:
            return CacheState.STOPPED
        if not fileset.activated:
            return CacheState.INACTIVE
        if self.export_tree(fileset) not in self.home.fs.trees:
            return CacheState.UNMOUNTED
        if not self.link_up:
            if fileset.target.protocol is Protocol.NSD:
                return CacheState.UNMOUNTED
            if self.now - self.link_down_since >= self.link.disconnect_timeout_us:
                return CacheState.DISCONNECTED
        if fileset.needs_resync:
            return CacheState.NEEDS_RESYNC
        return CacheState.DIRTY if fileset.queue.length else CacheState.ACTIVE

    def refresh_states(self) -> None:
        """Recompute every fileset's state; announce the ones that changed."""
        for fileset in self.filesets.values():
            new = self.derive_state(fileset)
            if new is not fileset.state:
                old, fileset.state = fileset.state, new
                self.emit(StateChanged(self.now, fileset.name, old.value, new.value))

    def can_flush(self, fileset: AfmFileset) -> bool:
        return (
            self.link_up
            and not fileset.stopped
            and fileset.mode.pushes_home
            and self.export_tree(fileset) in self.home.fs.trees
        )

    # -- scheduler -------------------------------------------------------------------
    def schedule(self, at: int, action: str, arg: object = None) -> None:
        self._heap_seq += 1
        heapq.heappush(self._heap, (at, self._heap_seq, action, arg))

    def _run_scheduled(self, action: str, arg: object) -> None:
        if action == "link":
            self.set_link(bool(arg))
        # "wake": a timer with no action of its own (the disconnect timeout);
        # refresh_states after every step notices what it changed.

    def next_event_time(self) -> int | None:
        """When something will next happen, or None when nothing is pending."""
        t = min(self._heap[0][0] if self._heap else NEVER, self._next_gateway_time())
        return None if t >= NEVER else t

    def _next_gateway_time(self) -> int:
        best = NEVER
        for fileset in self.filesets.values():
            done = self._head_done(fileset)
            best = min(best, done)
        return best

    def _head_done(self, fileset: AfmFileset) -> int:
        """When the op at the head of `fileset`'s queue would reach home."""
        queue = fileset.queue
        queue.skip_dropped()
        if not queue.ops or not self.can_flush(fileset):
            return NEVER
        op = queue.ops[0]
        eager = op.kind == PSNAP or op.seq < queue.flush_through
        ready = op.queued_us if eager else op.queued_us + fileset.async_delay_us
        start = max(queue.busy_until, ready)
        return start + self.link.latency_us + op.size * clock.SECOND // self.link.bandwidth

    def advance_to(self, target: int, stop_when_idle: bool = False, until: Callable[[], bool] | None = None) -> None:
        """Run the world up to `target`. With `stop_when_idle`, stop at the last
        thing that happened once nothing is pending; with `until`, stop as soon
        as it holds (in both cases the clock is not moved on to `target`).
        Time never passes `max_now`."""
        target = min(target, self.max_now)
        while until is None or not until():
            t_heap = self._heap[0][0] if self._heap else NEVER
            t_gateway = self._next_gateway_time()
            t_next = min(t_heap, t_gateway)
            if t_next > target:
                if not stop_when_idle or t_next < NEVER:
                    self.now = max(self.now, target)
                break
            if t_gateway <= t_heap:
                self._drain_all(min(t_heap, target))
            else:
                _, _, action, arg = heapq.heappop(self._heap)
                self.now = max(self.now, t_heap)
                self._run_scheduled(action, arg)
            self.refresh_states()
        self.refresh_states()

    def advance(self, duration: int) -> None:
        self.advance_to(self.now + duration)

    def step(self) -> bool:
        """Run to the next thing that happens; False when nothing is pending."""
        t = self.next_event_time()
        if t is None:
            return False
        self.advance_to(t)
        return True

    def time_left(self) -> int:
        """How much simulated time remains before the clocks' end (`max_now`)."""
        return self.max_now - self.now

    def settle(self, bound: int = SETTLE_BOUND) -> bool:
        """Run until nothing is pending (or `bound` passes); True when settled."""
        self.advance_to(self.now + bound, stop_when_idle=True)
        return self.next_event_time() is None

    # -- the gateway -------------------------------------------------------------------
    def _drain_all(self, limit: int) -> None:
        """Drain the gateways up to `limit` in time order: the gateway whose next
        op completes first runs until another gateway's op would complete
        before its own, so events and home snapshots keep simulated time."""
        with collector_paused():  # draining frees queued ops and makes home entries, no cycles
            while True:
                heads = sorted(
                    (done, i, fileset)
                    for i, fileset in enumerate(self.filesets.values())
                    if (done := self._head_done(fileset)) <= limit
                )
                if not heads:
                    return
                bound = heads[1][0] if len(heads) > 1 else limit
                self._drain(heads[0][2], bound)

    def _drain(self, fileset: AfmFileset, limit: int) -> None:
        """Execute at home, in order, every op of `fileset` that completes by
        `limit`. Stops after a psnap marker so other gateways catch up first."""
        queue = fileset.queue
        ops = queue.ops
        tree = self.home_tree(fileset)
        if tree is None:
            return
        delay = fileset.async_delay_us
        latency = self.link.latency_us
        bandwidth = self.link.bandwidth
        busy = queue.busy_until
        flush_through = queue.flush_through
        count = flushed_bytes = 0
        first = last = 0
        data_done = busy
        marker = None
        while ops:
            op = ops[0]
            if op.dropped:
                ops.popleft()
                continue
            kind = op.kind
            ready = op.queued_us if kind == PSNAP or op.seq < flush_through else op.queued_us + delay
            start = max(ready, busy)
            done = start + latency + op.size * 1_000_000 // bandwidth
            if done > limit:
                break
            ops.popleft()
            busy = done
            if kind == PSNAP:
                marker = op
                break
            if kind == CREATE or kind == WRITE:
                try:
                    tree.set(op.path, op.data)
                except (KeyError, IsADirectoryError, NotADirectoryError):
                    force_set(tree, op.path, op.data)
            elif kind == RESYNC:
                self.apply_resync(fileset, tree, int(op.data))  # type: ignore[call-overload]
            else:
                self._apply_other(tree, op)
            if not count:
                first = op.seq
            last = op.seq
            count += 1
            flushed_bytes += op.size
            data_done = done
        executed = count + (marker is not None)
        queue.busy_until = busy
        queue.num_exec += executed
        queue.length -= executed
        queue.bytes -= flushed_bytes
        if not ops:
            queue.clear_indexes()
        if count:
            self.now = max(self.now, data_done)
            self.emit(OpsFlushed(data_done, fileset.name, count, first, last, flushed_bytes))
        if marker is not None:
            self.now = max(self.now, busy)
            self.complete_home_half(fileset, str(marker.data))

    def _apply_other(self, tree: VersionedTree, op: QueuedOp) -> None:
        kind, path = op.kind, op.path
        if kind == REMOVE:
            if tree.get(path) not in (None, DIR):
                tree.delete(path)
        elif kind == MKDIR:
            if tree.get(path) is not DIR:
                force_set(tree, path, DIR)
        elif kind == RMDIR:
            if tree.get(path) is DIR:
                remove_subtree(tree, path)
        elif kind == RENAME and tree.get(path) is not None:
            dst = str(op.data)
            if tree.get(dst) is not None:
                remove_subtree(tree, dst)
            if "/" in dst:
                force_set(tree, dst.rpartition("/")[0], DIR)
            move_entry(tree, path, dst)

    # -- the link ------------------------------------------------------------------------
    def set_link(self, up: bool) -> bool:
        """Bring the link to home up or down; False when it already was."""
        if up == self.link_up:
            return False
        self.link_up = up
        self.emit(LinkChanged(self.now, up))
        if up:
            for fileset in self.filesets.values():
                fileset.queue.busy_until = max(fileset.queue.busy_until, self.now)
            # the disconnect timer is moot once home answers again
            self._heap = [entry for entry in self._heap if entry[2] != "wake"]
            heapq.heapify(self._heap)
            self.home_reachable()
        else:
            self.link_down_since = self.now
            self.schedule(self.now + self.link.disconnect_timeout_us, "wake")
        self.refresh_states()
        return True

    def fingerprint(self) -> tuple:
        """Everything observable about the world, for 'nothing changed' checks."""
        def tree_state(tree: VersionedTree) -> tuple:
            return (tree.digest, len(tree))

        def fs_state(cluster: Cluster) -> tuple:
            fs = cluster.fs
            return (
                tuple(sorted((k, tree_state(v)) for k, v in fs.trees.items())),
                tuple((s.id, s.name, s.created_us, s.fileset, s.status) for s in fs.snapshots.values()),
                fs.next_snap_id,
            )

        filesets = tuple(
            (
                f.name, f.mode, str(f.target), f.linked, f.activated, f.stopped, f.needs_resync, f.state,
                f.async_delay_us, f.queue.length, f.queue.bytes, f.queue.num_exec, f.queue.next_seq,
                tuple((p.name, p.home, p.identical, p.failure) for p in f.psnaps.values()),
            )
            for f in self.filesets.values()
        )
        exports = tuple((e.path, e.afm_enabled) for e in self.exports.values())
        return (self.now, self.link_up, fs_state(self.cache), fs_state(self.home), filesets, exports, len(self._heap))
