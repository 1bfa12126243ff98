"""The gateway's in-memory queue lost, and AFM's recovery that finds the changes again.

IBM ("Gateway node failure and recovery"): "When a gateway node fails, the
in-memory queue is lost. The queue is rebuilt in memory by the node taking over
for the failed gateway. The process of rebuilding the queue is called
recovery." ... "After the priority queue is flushed to home, the cache and home
become synchronized and recovery is said to be completed and the cache returns
to an Active state." And ("Stop and start replication on a fileset"): "The
start operation first triggers the 'recovery' phase on the fileset, which
determines the local changes and prepares the changed list for the replication."

So in peersnap, one mechanism serves a failed gateway, `mmafmctl start` and a
dropped queue:

- `lose_queue`: the queue's operations and psnap markers are forgotten; what they
  carried is still in the cache, so nothing is lost, only no longer queued.
- `begin`: the gateway compares the cache with home and queues what differs as
  ordinary operations, flushed without the async delay (IBM's priority queue)
  once the policy scan's simulated time has passed; the fileset shows Recovery
  until they are at home. Recovery needs home: with home unreachable it fails
  and the fileset is Dropped until home is reachable again.
- A psnap whose home half was queued is requeued, never failed and never a pair
  with differing halves: recovery queues what brings home to the cache half's
  contents (its epoch is known), then the psnap marker, then the changes made
  after it. Each psnap still waits only for what was queued before it.
- An IW cache shares its home with other IW caches, so its recovery touches only
  its own pending changes: the paths of the queue it lost, and what changed at the
  cache since (not queued while Stopped or Dropped). A full comparison would undo
  the other writers' work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .bulk_load import collector_paused
from .clock import MINUTE, SECOND, SimTime, plural
from .events import EventBus, FilesetChanged, GpfsLogged
from .gateway import CREATE, PSNAP, RENAME, RESYNC, GatewayQueue, QueuedOp
from .lazy import later
from .limits import CapExceeded, check_queue
from .model import AfmFileset, AfmMode, HomeHalf, RecoveryPhase
from .tree import VersionedTree
from .world import World

if TYPE_CHECKING:
    from .requeue import RequeuePlan

requeue = later("peersnap.core.requeue")  # (what recovery queues again: not needed until a recovery)

SCAN_BASE = 10 * SECOND  # the policy scan's fixed cost (a choice: IBM gives no figure)
SCAN_PER_ENTRY = 10  # microseconds per cache entry scanned (a million entries: 10 s more)
REQUEUE_RETRY = 2 * MINUTE  # a requeued op is tried again this long after home has space (a choice)
ENOSPC = 28


class Unplanned:
    """`Recovery.begin`'s default: no plan handed in, it works one out."""


UNPLANNED = Unplanned()


class Recovery:
    """Losing a gateway queue and rebuilding it. `wake(at)` asks the engine to run at `at`
    (the end of a policy scan), so the state moves on even when nothing was requeued."""

    def __init__(self, world: World, bus: EventBus, time: SimTime, wake: Callable[[int], None]) -> None:
        self.world = world
        self.bus = bus
        self.time = time
        self.wake = wake

    def _say(self, fileset: AfmFileset, text: str) -> None:
        self.bus.emit(FilesetChanged(self.time.now, fileset.name, text))

    # -- losing the queue ----------------------------------------------------------------
    def lose_queue(self, fileset: AfmFileset) -> tuple[int, int]:
        """Forget `fileset`'s in-memory queue; returns (operations, psnap markers) it held.
        Queued home halves keep their record (IBM: the cache records a home half not yet
        created) without a marker: recovery requeues them."""
        old = fileset.queue
        cache = self.world.cache.fs.trees[fileset.name]
        markers = old.markers
        ops = old.length - markers
        for op in old.waiting(RESYNC):
            cache.release(int(op.data))  # type: ignore[call-overload]  # its pinned contents are not needed
        if fileset.mode is AfmMode.IW:
            remember_unsent(fileset, old, cache)
        for psnap in fileset.psnaps.values():
            if psnap.home is HomeHalf.QUEUED:
                psnap.marker = None
        queue = GatewayQueue(old.next_seq, old.edits)  # sequence numbers stay unique for the fileset's life
        queue.num_exec = old.num_exec
        queue.busy_until = self.time.now
        fileset.queue = queue
        fileset.recovery = None
        fileset.requeued = 0
        return ops, markers

    def gateway_failed(self, fileset: AfmFileset, node: str, plan: RequeuePlan | None) -> list[str]:
        """The gateway node owning `fileset` failed and restarted: its queue is lost and
        recovery runs, queueing `plan` (`plan(fileset)`, worked out before: the caller
        checked `room_for` it). Returns what `sim gateway fail` prints about this fileset."""
        ops, markers = self.lose_queue(fileset)
        lost = plural(ops, "op") + (f" and {plural(markers, 'psnap marker')}" if markers else "")
        self._say(fileset, f"gateway {node} failed: in-memory queue lost ({lost})")
        outcome = self.begin(fileset, f"gateway {node} failed", plan)
        return [f"{fileset.name}: in-memory queue lost ({lost}); {outcome}"]

    # -- recovery --------------------------------------------------------------------------
    def home_reachable(self, fileset: AfmFileset) -> bool:
        return self.world.link_up and self.world.home_tree(fileset) is not None

    def plan(self, fileset: AfmFileset) -> RequeuePlan | None:
        """What recovery would queue for `fileset` now, changing nothing (core/requeue.py);
        None when it would fail for want of home."""
        if not self.home_reachable(fileset):
            return None
        cache = self.world.cache.fs.trees[fileset.name]
        home = self.world.home_tree(fileset)
        assert home is not None
        if fileset.mode is AfmMode.IW:  # other caches write this home too (IW has no psnaps)
            return requeue.plan_independent_writer(fileset, fileset.queue, cache, home)
        return requeue.plan_single_writer(fileset, cache, home)

    def room_for(self, plans: list[tuple[AfmFileset, RequeuePlan | None]]) -> None:
        """Refuse (CapExceeded) recoveries that would queue more than the queued-ops cap
        allows; the queues they rebuild are forgotten first, so theirs do not count."""
        forgotten = sum(fileset.queue.length for fileset, _ in plans)
        new = sum(plan.ops + plan.markers for _, plan in plans if plan is not None)
        check_queue(self.world.limits, self.world.queued_ops() - forgotten, new)

    def begin(self, fileset: AfmFileset, reason: str, plan: RequeuePlan | None | Unplanned = UNPLANNED) -> str:
        """Run recovery: compare the cache with home and queue what differs (psnap
        markers in their place), flushed as a priority queue once the scan is done.
        With home unreachable, recovery fails and the fileset is Dropped; so it does
        when what it would queue passes the queued-ops cap (a command that starts a
        recovery checks `room_for` first and is refused instead). `plan`: worked out
        already by the caller (`plan`), with nothing changed since."""
        now = self.time.now
        if not fileset.mode.pushes_home:
            return "no updates to send home"
        if isinstance(plan, Unplanned):
            plan = self.plan(fileset)  # before anything changes: it may be refused, or run out of memory
        over = ""
        if plan is not None:
            try:
                self.room_for([(fileset, plan)])
            except CapExceeded as exc:
                over = str(exc)
        # what was queued meanwhile (a resync while Stopped, say) is covered by the comparison
        self.lose_queue(fileset)
        if plan is None or over:
            fileset.dropped = True
            fileset.recovery = None
            why = over or f"home {fileset.target} is not reachable"
            line = f"AFM: Recovery of fileset {fileset.name} in file system fs1 failed: {why}; the queue is dropped."
            self.world.gpfs_log.append(line)
            self.bus.emit(GpfsLogged(now, fileset.name, line))
            if over:
                self._say(fileset, f"recovery failed ({reason}): it would pass the queued-ops cap, fileset Dropped")
                return ("recovery would queue more than the simulator's cap allows: Dropped until the queues have "
                        "room (sim settle) and the fileset is accessed again.")
            self._say(fileset, f"recovery failed ({reason}): home unreachable, fileset Dropped")
            return "recovery needs home, which is unreachable: Dropped until home is reachable again."
        fileset.dropped = False
        fileset.needs_resync = False  # the comparison with home covers what home changed
        fileset.home_changed = False
        if fileset.mode is AfmMode.IW:  # recovery queues them now: forget what it kept for this
            fileset.unsent = set()
            if fileset.unsent_pin >= 0:
                self.world.cache.fs.trees[fileset.name].release(fileset.unsent_pin)
                fileset.unsent_pin = -1
        queue = fileset.queue
        first = queue.next_seq
        with collector_paused():  # millions of acyclic entries queued: no cyclic GC passes
            requeue.push(queue, plan, now)
        ops, markers = plan.ops, plan.markers
        cache = self.world.cache.fs.trees[fileset.name]
        scan_done = now + SCAN_BASE + len(cache) * SCAN_PER_ENTRY
        queue.busy_until = max(queue.busy_until, scan_done)
        queue.flush_through = queue.next_seq  # the priority queue does not wait for afmAsyncDelay
        fileset.recovery = RecoveryPhase(now, scan_done, queue.next_seq - 1 if queue.next_seq > first else 0, reason)
        self.wake(scan_done)
        found = plural(ops, "op") + (f" and {plural(markers, 'psnap marker')}" if markers else "")
        scan = (scan_done - now) / SECOND
        self._say(fileset, f"recovery ({reason}): cache compared with home, {found} requeued; flushing after a "
                           f"{scan:g} s scan")
        return (f"Recovery compared the cache with home and requeued {found}, to flush after the {scan:g} s "
                "policy scan.")

    def finish(self, fileset: AfmFileset, now: int) -> bool:
        """End the recovery phase once its scan is done and everything it queued is at
        home; True when it ended now."""
        phase = fileset.recovery
        if phase is None or now < phase.scan_done_us:
            return False
        queue = fileset.queue
        queue.skip_dropped()
        if queue.head() is not None and queue.head_seq() <= phase.last_seq:
            return False
        fileset.recovery = None
        took = (now - phase.started_us) / SECOND
        self._say(fileset, f"recovery complete after {took:g} s: cache and home are synchronized")
        return True


    # -- requeued operations (home out of space) --------------------------------------------
    def requeued(self, fileset: AfmFileset, op: QueuedOp) -> None:
        """Home refused `op` (no space): the gateway requeues it; the GPFS log says so once."""
        if fileset.requeued == op.seq:
            return
        fileset.requeued = op.seq
        command = "Create" if op.kind == CREATE else "Write"
        line = (f"6027-3232 [E] AFM: {command} file system fs1 fileset {fileset.name} file IDs [-1.-1.-1.-1,N] "
                f"name {op.path} remote error {ENOSPC}")
        self.world.gpfs_log.append(line)
        self.bus.emit(GpfsLogged(self.time.now, fileset.name, line))
        self._say(fileset, f"#{op.seq} {op.kind} {op.path} failed at home (no space left) and was requeued")

    def home_has_space(self) -> list[str]:
        """`sim home free`: a requeued op is retried REQUEUE_RETRY later by the gateway
        itself (IBM: "If mmafmctl resumeRequeued is not run by an administrator, AFM would
        still execute the message in the regular order"), or at once with resumeRequeued."""
        lines = []
        for fileset in self.world.filesets.values():
            if fileset.requeued:
                queue = fileset.queue
                queue.busy_until = max(queue.busy_until, self.time.now + REQUEUE_RETRY)
                lines.append(f"{fileset.name}: requeued op #{fileset.requeued} is retried in "
                             f"{REQUEUE_RETRY // MINUTE} minutes, or now with mmafmctl fs1 resumeRequeued "
                             f"-j {fileset.name}.")
        return lines

    def resume_requeued(self, fileset: AfmFileset) -> int:
        """`mmafmctl fs1 resumeRequeued -j F`: retry the requeued op now; returns its seq (0: none)."""
        seq, fileset.requeued = fileset.requeued, 0
        if seq:
            fileset.queue.busy_until = self.time.now
            self._say(fileset, f"resumeRequeued: #{seq} is retried now")
        return seq


def remember_unsent(fileset: AfmFileset, queue: GatewayQueue, cache: VersionedTree) -> None:
    """IW: keep what recovery may touch before `queue` is forgotten: the paths its ops
    change, and (once) a pin of the cache, so that what changes from now on is found too."""
    unsent = fileset.unsent
    for op in queue:
        if op.kind not in (PSNAP, RESYNC):
            unsent.add(op.path)
            if op.kind == RENAME:
                unsent.add(str(op.data))
    if fileset.unsent_pin < 0:
        fileset.unsent_pin = cache.pin()
