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

from .bulk_load import collector_paused
from .clock import MINUTE, SECOND, SimTime, plural
from .events import EventBus, FilesetChanged, GpfsLogged
from .fileops import text_size
from .gateway import CREATE, MKDIR, PSNAP, REMOVE, RENAME, RESYNC, RMDIR, WRITE, GatewayQueue, QueuedOp
from .model import AfmFileset, AfmMode, HomeHalf, RecoveryPhase
from .tree import DIR, Content, VersionedTree
from .world import World

SCAN_BASE = 10 * SECOND  # the policy scan's fixed cost (a choice: IBM gives no figure)
SCAN_PER_ENTRY = 10  # microseconds per cache entry scanned (a million entries: 10 s more)
REQUEUE_RETRY = 2 * MINUTE  # a requeued op is tried again this long after home has space (a choice)
ENOSPC = 28


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
        queue = GatewayQueue(old.next_seq)  # sequence numbers stay unique for the fileset's life
        queue.num_exec = old.num_exec
        queue.busy_until = self.time.now
        fileset.queue = queue
        fileset.recovery = None
        fileset.requeued = 0
        return ops, markers

    def gateway_failed(self, fileset: AfmFileset, node: str) -> list[str]:
        """The gateway node owning `fileset` failed and restarted: its queue is lost and
        recovery runs. Returns what `sim gateway fail` prints about this fileset."""
        ops, markers = self.lose_queue(fileset)
        lost = plural(ops, "op") + (f" and {plural(markers, 'psnap marker')}" if markers else "")
        self._say(fileset, f"gateway {node} failed: in-memory queue lost ({lost})")
        outcome = self.begin(fileset, f"gateway {node} failed")
        return [f"{fileset.name}: in-memory queue lost ({lost}); {outcome}"]

    # -- recovery --------------------------------------------------------------------------
    def home_reachable(self, fileset: AfmFileset) -> bool:
        return self.world.link_up and self.world.home_tree(fileset) is not None

    def begin(self, fileset: AfmFileset, reason: str) -> str:
        """Run recovery: compare the cache with home and queue what differs (psnap
        markers in their place), flushed as a priority queue once the scan is done.
        With home unreachable, recovery fails and the fileset is Dropped."""
        now = self.time.now
        if not fileset.mode.pushes_home:
            return "no updates to send home"
        # what was queued meanwhile (a resync while Stopped, say) is covered by the comparison
        self.lose_queue(fileset)
        if not self.home_reachable(fileset):
            fileset.dropped = True
            fileset.recovery = None
            line = (f"AFM: Recovery of fileset {fileset.name} in file system fs1 failed: home "
                    f"{fileset.target} is not reachable; the queue is dropped.")
            self.world.gpfs_log.append(line)
            self.bus.emit(GpfsLogged(now, fileset.name, line))
            self._say(fileset, f"recovery failed ({reason}): home unreachable, fileset Dropped")
            return "recovery needs home, which is unreachable: Dropped until home is reachable again."
        fileset.dropped = False
        fileset.needs_resync = False  # the comparison with home covers what home changed
        fileset.home_changed = False
        queue = fileset.queue
        first = queue.next_seq
        with collector_paused():  # millions of acyclic entries compared and queued: no cyclic GC passes
            ops, markers = self._requeue(fileset, now)
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

    def _requeue(self, fileset: AfmFileset, now: int) -> tuple[int, int]:
        """Queue the differences: up to each queued home half's cache epoch, its marker,
        then on to the cache as it is now. Returns (operations, markers) queued."""
        cache = self.world.cache.fs.trees[fileset.name]
        home = self.world.home_tree(fileset)
        assert home is not None
        queue = fileset.queue
        if fileset.mode is AfmMode.IW:  # other caches write this home too (IW has no psnaps)
            return push_differences(queue, *own_changes(fileset, cache, home), now), 0
        have: dict[str, Content] = dict(home.items())
        ops = markers = 0
        waiting = [p for p in fileset.psnaps.values() if p.home is HomeHalf.QUEUED and p.marker is None]
        orphans = []
        for psnap in waiting:
            epoch = psnap.cache_snap.epochs.get(fileset.name)
            if psnap.broken == "cache" or epoch is None:
                orphans.append(psnap)  # its cache half is gone: nothing to match, it goes last
                continue
            wanted = dict(cache.items_at(epoch))
            ops += push_differences(queue, have, wanted, now)
            psnap.marker = queue.push(PSNAP, "", psnap.name, 0, now)
            markers += 1
            have = wanted
        ops += push_differences(queue, have, dict(cache.items()), now)
        for psnap in orphans:
            psnap.marker = queue.push(PSNAP, "", psnap.name, 0, now)
            markers += 1
        queue.barrier()
        return ops, markers

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


def own_changes(fileset: AfmFileset, cache: VersionedTree, home: VersionedTree) -> tuple[dict, dict]:
    """IW: (home's, the cache's) contents of the paths this cache changed and did not send:
    `remember_unsent`'s paths, what changed at the cache since its pin, what a directory made
    (or moved in) at the cache holds, their parents, and what a directory removed at the
    cache held at home. Forgets them: recovery queues them now."""
    scope = set(fileset.unsent)
    fileset.unsent = set()
    if fileset.unsent_pin >= 0:
        then = dict(cache.items_at(fileset.unsent_pin))
        scope.update(path for path, content in cache.items() if then.pop(path, None) != content)
        scope.update(then)  # gone since
        cache.release(fileset.unsent_pin)
        fileset.unsent_pin = -1
    for path in list(scope):
        if cache.get(path) is DIR and home.get(path) is None:
            scope.update(cache.walk(path))
    for path in list(scope):
        while "/" in path and (path := path.rpartition("/")[0]) not in scope:
            scope.add(path)
    for path in [p for p in scope if cache.get(p) is None and home.get(p) is DIR]:
        scope.update(home.walk(path))
    have = {path: content for path in scope if (content := home.get(path)) is not None}
    wanted = {path: content for path in scope if (content := cache.get(path)) is not None}
    return have, wanted


def push_differences(queue: GatewayQueue, have: dict[str, Content], wanted: dict[str, Content], now: int) -> int:
    """Queue what turns `have` into `wanted`: removals deepest first, then directories
    and files parents first. A file changed is sent whole (IBM: "AFM ... replicates a full
    file again"). New files go in batches (`push_creates`). Returns how many were queued."""
    queue.barrier()
    count = 0
    for path in sorted((p for p in have if p not in wanted), reverse=True):
        queue.push(RMDIR if have[path] is DIR else REMOVE, path, None, 0, now)
        count += 1
    paths: list[str] = []
    contents: list[str] = []
    sizes: list[int] = []

    def creates() -> None:
        if paths:
            queue.push_creates(paths[:], contents[:], sizes[:], now)
            paths.clear()
            contents.clear()
            sizes.clear()

    for path in sorted(wanted):
        content, old = wanted[path], have.get(path)
        if content is DIR:
            if old is not DIR:
                creates()
                queue.push(MKDIR, path, None, 0, now)
                count += 1
        elif old is None:
            assert isinstance(content, str)
            paths.append(path)
            contents.append(content)
            sizes.append(text_size(content))
            count += 1
        elif old != content:
            creates()
            queue.push(WRITE, path, content, text_size(content), now)
            count += 1
    creates()
    queue.barrier()
    return count
