"""The engine: one virtual clock, a scheduler of typed timers, the event bus
and the gateways' drain loop.

The world (`World`: clusters, filesets, exports, link) is plain state; what
users do to it is split over plain classes handed the world, the bus and the
clock, one concept each: `files` (file operations), `snapshots` (snapshots and
peer snapshots) and `admin` (fileset and AFM administration). The engine only
makes time pass. Nothing reads the wall clock or unseeded randomness.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from . import clock, gateway, resync
from .admin import Admin
from .bulk_load import collector_paused
from .clock import SimTime
from .events import Event, EventBus, FilesetChanged, HomeResynced, LinkChanged, OpsFlushed
from .fileops import FileOps
from .gateway import CREATE, MKDIR, REMOVE, RENAME, RESYNC, RMDIR, WRITE, QueuedOp
from .history import HistoryRecorder
from .invariants import FlushOrder
from .model import AfmFileset, AfmMode
from .provenance import FAULT, ChangeRecorder
from .recovery import Recovery
from .snapshots import QUIESCE, Snapshots
from .timers import DisconnectTimeout, LinkTimer, RecoveryScanDone, Timer
from .tree import DIR, VersionedTree
from .tree_ops import force_set, move_entry, remove_subtree
from .world import World

__all__ = ["NEVER", "SETTLE_BOUND", "DisconnectTimeout", "Engine", "LinkTimer", "RecoveryScanDone", "Timer"]

NEVER = 1 << 62
SETTLE_BOUND = clock.MAX_ADVANCE


class Engine:
    """The simulated cache cluster, home cluster and the link between them, in time."""

    def __init__(self, world: World) -> None:
        self._wire(world, SimTime())
        self._timers: list[tuple[int, int, Timer]] = []
        self._timer_seq = 0
        for fileset in world.filesets.values():
            fileset.state = world.derive_state(fileset, 0)

    def _wire(self, world: World, time: SimTime) -> None:
        """Hand the world, the clock and a new bus to the parts that act on them."""
        self.world = world
        self.time = time
        self.bus = EventBus()
        self.recovery = Recovery(world, self.bus, self.time, lambda at: self.schedule(at, RecoveryScanDone()))
        self.files = FileOps(world, self.bus, self.time, self._accessed)
        self.snapshots = Snapshots(world, self.bus, self.time, self.quiesce)
        self.admin = Admin(world, self.bus, self.time, self.recovery)
        self.changes = ChangeRecorder(world)
        self.bus.subscribe(self.changes, self.changes.WANTS)
        self.bus.subscribe(FlushOrder(world), FlushOrder.WANTS)
        self.bus.subscribe(HistoryRecorder(world), HistoryRecorder.WANTS)
        # The clocks stop short of the calendar's end (datetime cannot pass year 9999).
        self.max_now = min(clock.until_year(c.epoch_s, clock.LAST_YEAR) for c in (world.cache, world.home))

    def fork(self) -> Engine:
        """An independent twin at the same moment, with no subscribers: a checkpoint to
        come back to, or the start of a branch. Neither twin's future shows in the other."""
        twin = Engine.__new__(Engine)
        with collector_paused():  # the copies make no cycles: no collector passes over the whole world
            world = self.world.fork()
        twin._wire(world, SimTime(self.time.now))
        twin._timers = self._timers.copy()  # timers are immutable; the heap order is kept
        twin._timer_seq = self._timer_seq
        twin.files.continue_from(self.files)
        return twin

    # -- clock and events ----------------------------------------------------------------
    @property
    def now(self) -> int:
        """Simulated microseconds since the scenario started."""
        return self.time.now

    def subscribe(self, listener: Callable[[Event], None]) -> Callable[[], None]:
        """Call `listener` with every event from now on; returns an unsubscribe function."""
        return self.bus.subscribe(listener)

    def emit(self, event: Event) -> None:
        self.bus.emit(event)

    def clock(self, role: str, at: int | None = None) -> datetime:
        """What `role`'s clock shows at simulated time `at` (default: now)."""
        return self.world.clock(role, self.time.now if at is None else at)

    def clock_text(self, role: str, at: int | None = None) -> str:
        return clock.ctime(self.clock(role, at))

    def _refresh(self) -> None:
        for fileset in self.world.filesets.values():
            self.recovery.finish(fileset, self.time.now)
        self.world.refresh_states(self.time.now, self.bus.emit)

    def _accessed(self, fileset: AfmFileset) -> None:
        """The cache accessed a Dropped fileset: recovery is tried again (IBM's Recovery
        state: "The cache is accessed after primary gateway failure")."""
        if fileset.dropped:
            self.recovery.begin(fileset, "the fileset was accessed")
            self._refresh()

    # -- scheduler -------------------------------------------------------------------
    def schedule(self, at: int, timer: Timer) -> None:
        self._timer_seq += 1
        heapq.heappush(self._timers, (at, self._timer_seq, timer))

    def _fire(self, timer: Timer) -> None:
        if isinstance(timer, LinkTimer):
            with self.caused_by(FAULT):
                self.set_link(timer.up)

    @contextmanager
    def caused_by(self, cause: str) -> Iterator[None]:
        """Settings changed meanwhile are remembered as caused by `cause` (for `why`)."""
        recorder = self.changes
        outer, recorder.cause = recorder.cause, cause
        try:
            yield
        finally:
            recorder.cause = outer

    def next_event_time(self) -> int | None:
        """When something will next happen, or None when nothing is pending."""
        t = min(self._timers[0][0] if self._timers else NEVER, self._next_gateway_time())
        return None if t >= NEVER else t

    def _next_gateway_time(self) -> int:
        best = NEVER
        for fileset in self.world.filesets.values():
            best = min(best, self._head_done(fileset))
        return best

    def _head_done(self, fileset: AfmFileset) -> int:
        """When the op at the head of `fileset`'s queue would reach home."""
        queue = fileset.queue
        queue.skip_dropped()
        head = queue.head()
        if head is None or not self.world.can_flush(fileset):
            return NEVER
        if fileset.requeued and self.world.home_full:
            return NEVER  # it would only fail again: it waits for space (then a retry or resumeRequeued)
        return gateway.done_at(head, queue.busy_until, fileset.async_delay_us, queue.flush_through, self.world.link)

    def advance_to(self, target: int, stop_when_idle: bool = False, until: Callable[[], bool] | None = None) -> None:
        """Run the world up to `target`. With `stop_when_idle`, stop at the last
        thing that happened once nothing is pending; with `until`, stop as soon
        as it holds (in both cases the clock is not moved on to `target`).
        Time never passes `max_now`."""
        target = min(target, self.max_now)
        time = self.time
        while until is None or not until():
            t_timer = self._timers[0][0] if self._timers else NEVER
            t_gateway = self._next_gateway_time()
            t_next = min(t_timer, t_gateway)
            if t_next > target:
                if not stop_when_idle or t_next < NEVER:
                    time.now = max(time.now, target)
                break
            if t_gateway <= t_timer:
                self._drain_all(min(t_timer, target), until)
            else:
                _, _, timer = heapq.heappop(self._timers)
                time.now = max(time.now, t_timer)
                self._fire(timer)
            self._refresh()
        self._refresh()

    def advance(self, duration: int) -> None:
        self.advance_to(self.time.now + duration)

    def step(self) -> bool:
        """Run to the next thing that happens; False when nothing is pending."""
        t = self.next_event_time()
        if t is None:
            return False
        self.advance_to(t)
        return True

    def time_left(self) -> int:
        """How much simulated time remains before the clocks' end (`max_now`)."""
        return self.max_now - self.time.now

    def settle(self, bound: int = SETTLE_BOUND) -> bool:
        """Run until nothing is pending (or `bound` passes); True when settled."""
        self.advance_to(self.time.now + bound, stop_when_idle=True)
        return self.next_event_time() is None

    def quiesce(self) -> None:
        """Taking a snapshot quiesces the file system for a second of simulated time."""
        self.advance(QUIESCE)

    def reconnect_scheduled(self) -> bool:
        """Whether a scheduled link change (a scenario's fault) will bring the link up."""
        return any(isinstance(t, LinkTimer) and t.up for _, _, t in self._timers)

    # -- the gateway -------------------------------------------------------------------
    def _drain_all(self, limit: int, until: Callable[[], bool] | None = None) -> None:
        """Drain the gateways up to `limit` in time order: the gateway whose next
        op completes first runs until another gateway's op would complete
        before its own, so events and home snapshots keep simulated time.
        With `until`, stop as soon as it holds (a drain stops after each psnap
        marker, so `--wait` ends the moment its home half is taken)."""
        with collector_paused():  # draining frees queued ops and makes home entries, no cycles
            while True:
                heads = sorted(
                    (done, i, fileset)
                    for i, fileset in enumerate(self.world.filesets.values())
                    if (done := self._head_done(fileset)) <= limit
                )
                if not heads:
                    return
                bound = heads[1][0] if len(heads) > 1 else limit
                self._drain(heads[0][2], bound)
                if until is not None and until():
                    return

    def _drain(self, fileset: AfmFileset, limit: int) -> None:
        """Execute at home, in order, every op of `fileset` that completes by
        `limit`. Stops after a psnap marker so other gateways catch up first."""
        tree = self.world.home_tree(fileset)
        if tree is None:
            return
        if self.world.home_full:
            self._drain_home_full(fileset, tree, limit)
            return
        self._flush(fileset, tree, limit)

    def _drain_home_full(self, fileset: AfmFileset, tree: VersionedTree, limit: int) -> None:
        """Home has no space: ops go one at a time, and the first write of data fails at
        home and is requeued (IBM, "Messages requeuing in AFM": "if there is no space at home
        to perform a new write, a write message that is queued is not successful and gets
        requeued"). It stays at the head, so nothing behind it overtakes it."""
        queue = fileset.queue
        while True:
            queue.skip_dropped()
            head = queue.head()
            if head is None:
                return
            done = gateway.done_at(head, queue.busy_until, fileset.async_delay_us, queue.flush_through, self.world.link)
            if done > limit:
                return
            if head.kind in (CREATE, WRITE) and head.size:
                queue.busy_until = done
                self.time.now = max(self.time.now, done)
                self.recovery.requeued(fileset, head)
                return
            self._flush(fileset, tree, done)

    def _flush(self, fileset: AfmFileset, tree: VersionedTree, limit: int) -> None:
        flushed = fileset.queue.flush(limit, fileset.async_delay_us, self.world.link)
        paths, contents = flushed.paths, flushed.contents
        # The first op to reach a home changed behind an SW cache's back finds the
        # inconsistency (unless it is a resync, which puts home right).
        others = flushed.others
        found = (flushed.count > 0 and fileset.home_changed and not fileset.needs_resync
                 and fileset.mode is AfmMode.SW and not (others and others[0][0] == 0 and others[0][1].kind == RESYNC))
        if found:
            fileset.needs_resync = True
        written = 0
        for before, op in others:
            written = _write_files(tree, paths, contents, written, before)
            if op.kind == RESYNC:
                changed = resync.apply_resync(self.world, fileset, tree, int(op.data))  # type: ignore[call-overload]
                found = False  # found and put right in one flush: nothing left to report
                self.bus.emit(HomeResynced(flushed.data_done, fileset.name, op.seq, "", changed))
            else:
                apply_at_home(tree, op)
        _write_files(tree, paths, contents, written, len(paths))
        time = self.time
        if flushed.count:
            time.now = max(time.now, flushed.data_done)
            if found:
                self.bus.emit(FilesetChanged(flushed.data_done, fileset.name, "AFM found home changed behind the "
                                             "cache's back while flushing: NeedsResync (resynchronised with the next "
                                             "request)"))
            self.bus.emit(OpsFlushed(flushed.data_done, fileset.name, flushed.count, flushed.first, flushed.last,
                                     flushed.bytes))
            resync.home_written(self.world, self.world.home_dir(fileset), fileset)
        if flushed.marker is not None:
            time.now = max(time.now, flushed.busy_until)
            self.snapshots.complete_home_half(fileset, str(flushed.marker.data))

    # -- the link ------------------------------------------------------------------------
    def set_link(self, up: bool) -> bool:
        """Bring the link to home up or down; False when it already was."""
        world = self.world
        if up == world.link_up:
            return False
        world.link_up = up
        self.bus.emit(LinkChanged(self.time.now, up))
        if up:
            for fileset in world.filesets.values():
                fileset.queue.busy_until = max(fileset.queue.busy_until, self.time.now)
            # the disconnect timer is moot once home answers again
            self._timers = [entry for entry in self._timers if not isinstance(entry[2], DisconnectTimeout)]
            heapq.heapify(self._timers)
            self.snapshots.home_reachable()
            for fileset in world.filesets.values():
                if fileset.dropped:  # recovery failed for want of home: home answers again
                    self.recovery.begin(fileset, "home is reachable again")
        else:
            world.link_down_since = self.time.now
            self.schedule(self.time.now + world.link.disconnect_timeout_us, DisconnectTimeout())
        self._refresh()
        return True

    def change_key(self) -> tuple:
        """`fingerprint`'s cheap stand-in for "did this command change anything" (see World.change_key)."""
        return self.world.change_key(), self.time.now, len(self._timers)

    def fingerprint(self) -> tuple:
        """Everything observable about the world and its pending timers, for 'nothing changed' checks."""
        return (self.time.now, *self.world.fingerprint(), len(self._timers))


def _write_files(tree: VersionedTree, paths: list[str], contents: list, start: int, end: int) -> int:
    """Set `paths[start:end]` at home in order: in bulk, and one by one with
    `force_set` where home changed behind the cache's back (a missing parent,
    a directory in the way)."""
    while start < end:
        start = tree.set_files(paths, contents, start, end)
        if start < end:
            force_set(tree, paths[start], contents[start])
            start += 1
    return end


def apply_at_home(tree: VersionedTree, op: QueuedOp) -> None:
    """Execute a remove, mkdir, rmdir or rename at home, whatever home did meanwhile."""
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
