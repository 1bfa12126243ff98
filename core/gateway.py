"""The gateway queue: the ordered operations a cache fileset owes its home.

Operations leave only from the head, in order. AFM's queue filtering marks an
operation `dropped` in place (a write superseded by a later write or undone by
a remove, a mkdir undone by its rmdir) and the flusher skips it, so the seqs
in the deque always form one contiguous range. A peer snapshot marker is a
barrier: nothing queued before it is ever filtered by what comes after.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

SECOND = 1_000_000  # microseconds (clock.SECOND; the queue sits below the clock's users)

# Operation kinds (plain strings keep a queued op small and fast to compare).
CREATE = "create"
WRITE = "write"
REMOVE = "remove"
MKDIR = "mkdir"
RMDIR = "rmdir"
RENAME = "rename"
PSNAP = "psnap"
RESYNC = "resync"  # data: the cache epoch whose contents home must match


@dataclass(slots=True)
class LinkSettings:
    """How fast the gateway reaches home."""

    bandwidth: int = 100 * 1024 * 1024  # bytes per second, per gateway
    latency_us: int = 500  # per operation round trip
    disconnect_timeout_us: int = 60 * SECOND


class QueuedOp:
    """One queued operation. `data` is the file content (create/write), the
    destination (rename) or the peer snapshot's name (psnap)."""

    __slots__ = ("data", "dropped", "kind", "path", "queued_us", "seq", "size")

    def __init__(self, seq: int, kind: str, path: str, data: object, size: int, queued_us: int) -> None:
        self.seq = seq
        self.kind = kind
        self.path = path
        self.data = data
        self.size = size
        self.queued_us = queued_us
        self.dropped = False

    def __repr__(self) -> str:
        return f"QueuedOp({self.seq}, {self.kind}, {self.path!r}, size={self.size})"


class GatewayQueue:
    """The queue, its counters and the indexes its filtering needs."""

    __slots__ = (
        "_dropped",
        "_mkdirs",
        "_writes",
        "busy_until",
        "bytes",
        "flush_through",
        "length",
        "next_seq",
        "num_exec",
        "ops",
    )

    def __init__(self) -> None:
        self.ops: deque[QueuedOp] = deque()
        self.length = 0  # live (not dropped) ops waiting
        self.bytes = 0  # their bytes
        self.next_seq = 1
        self.num_exec = 0  # ops executed at home so far
        self.busy_until = 0  # when the gateway is free to start the next op
        self.flush_through = 0  # ops with a lower seq skip the async delay (flushPending)
        self._dropped: list[int] = []  # seqs of dropped ops still in `ops`, sorted
        self._writes: dict[str, QueuedOp] = {}  # newest filterable write per path
        self._mkdirs: dict[str, QueuedOp] = {}  # filterable mkdir per path

    # -- queueing ------------------------------------------------------------
    def push(self, kind: str, path: str, data: object, size: int, now: int) -> QueuedOp:
        op = QueuedOp(self.next_seq, kind, path, data, size, now)
        self.next_seq += 1
        self.ops.append(op)
        self.length += 1
        self.bytes += size
        return op

    def push_new(self, path: str, content: str, size: int, now: int) -> None:
        """Queue the creation of a file that had no queued write (`sim load`'s fast path)."""
        op = QueuedOp(self.next_seq, CREATE, path, content, size, now)
        self.next_seq += 1
        self.ops.append(op)
        self.length += 1
        self.bytes += size
        self._writes[path] = op

    def push_write(self, path: str, content: str, size: int, now: int, created: bool) -> tuple[QueuedOp, QueuedOp | None]:
        """Queue a write of the whole file; coalesce with an earlier queued write of it."""
        earlier = self._writes.get(path)
        if earlier is not None and not earlier.dropped and earlier.seq >= self._head_seq():
            self._drop(earlier)
            created = created or earlier.kind == CREATE
        else:
            earlier = None
        op = self.push(CREATE if created else WRITE, path, content, size, now)
        self._writes[path] = op
        return op, earlier

    def push_remove(self, path: str, now: int) -> tuple[QueuedOp | None, QueuedOp | None]:
        """Queue a remove; a queued write of the file is dropped, and when that
        write created the file, the remove is not needed at all."""
        earlier = self._writes.pop(path, None)
        if earlier is not None and not earlier.dropped and earlier.seq >= self._head_seq():
            self._drop(earlier)
            if earlier.kind == CREATE:
                return None, earlier
            return self.push(REMOVE, path, None, 0, now), earlier
        return self.push(REMOVE, path, None, 0, now), None

    def push_mkdir(self, path: str, now: int) -> QueuedOp:
        op = self.push(MKDIR, path, None, 0, now)
        self._mkdirs[path] = op
        return op

    def push_rmdir(self, path: str, now: int) -> tuple[QueuedOp | None, QueuedOp | None]:
        earlier = self._mkdirs.pop(path, None)
        if earlier is not None and not earlier.dropped and earlier.seq >= self._head_seq():
            self._drop(earlier)
            return None, earlier
        return self.push(RMDIR, path, None, 0, now), None

    def barrier(self) -> None:
        """Nothing queued so far may be filtered by what comes next."""
        self._writes.clear()
        self._mkdirs.clear()

    def _drop(self, op: QueuedOp) -> None:
        op.dropped = True
        self.length -= 1
        self.bytes -= op.size
        insort(self._dropped, op.seq)

    def _head_seq(self) -> int:
        return self.ops[0].seq if self.ops else self.next_seq

    def remove_marker(self, op: QueuedOp) -> None:
        """Take a psnap marker out of the queue (its pair was deleted first)."""
        if not op.dropped and op.seq >= self._head_seq():
            self._drop(op)

    # -- flushing --------------------------------------------------------------
    def skip_dropped(self) -> None:
        ops = self.ops
        while ops and ops[0].dropped:
            ops.popleft()
        if not ops:
            self.clear_indexes()

    def clear_indexes(self) -> None:
        self._dropped.clear()
        self._writes.clear()
        self._mkdirs.clear()

    # -- views -------------------------------------------------------------------
    def ahead_of(self, op: QueuedOp) -> int:
        """How many live ops wait before `op` (0 once it reached the head)."""
        head = self._head_seq()
        if op.seq < head:
            return 0
        dropped = bisect_left(self._dropped, op.seq) - bisect_left(self._dropped, head)
        return op.seq - head - dropped

    def window(self, start: int, count: int) -> list[QueuedOp]:
        """`count` ops from position `start` (dropped ones included, marked):
        for views that render only their visible rows."""
        ops = self.ops
        end = min(len(ops), start + count)
        # deque indexing walks blocks from the nearer end: cheap for a screenful
        return [ops[i] for i in range(max(start, 0), end)]

    def __iter__(self) -> Iterator[QueuedOp]:
        return (op for op in self.ops if not op.dropped)

    def slots(self) -> int:
        """Rows a view needs: every op still in the deque, dropped included."""
        return len(self.ops)


# -- op timing: pure functions, shared by the engine's drain loop and the dashboard ------------
def ready_at(op: QueuedOp, async_delay_us: int, flush_through: int) -> int:
    """When `op` may leave for home: a psnap marker (and an op flushPending
    lifted) at once, everything else after the fileset's async delay."""
    if op.kind == PSNAP or op.seq < flush_through:
        return op.queued_us
    return op.queued_us + async_delay_us


def transfer_us(size: int, link: LinkSettings) -> int:
    """One op's trip to home: a round trip plus its bytes at the link's bandwidth."""
    return link.latency_us + size * SECOND // link.bandwidth


def done_at(op: QueuedOp, busy_until: int, async_delay_us: int, flush_through: int, link: LinkSettings) -> int:
    """When `op` reaches home, if the gateway is free from `busy_until`:
    ops leave one at a time, each once it is ready and the one before it is done."""
    return max(busy_until, ready_at(op, async_delay_us, flush_through)) + transfer_us(op.size, link)


def drain_done(queue: GatewayQueue, async_delay_us: int, link: LinkSettings, now: int) -> int:
    """When the whole queue will have reached home, if nothing stops it: every
    live op back to back at the link's speed, and no sooner than the newest op
    is ready (an estimate: it ignores the psnap markers' and flushPending's head start)."""
    start = max(now, queue.busy_until)
    serial = queue.length * link.latency_us + queue.bytes * SECOND // max(link.bandwidth, 1)
    ready = queue.ops[-1].queued_us + async_delay_us if queue.ops else now
    return max(start + serial, ready + link.latency_us)
