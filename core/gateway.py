"""The gateway queue: the ordered operations a cache fileset owes its home.

Operations leave only from the head, in order. AFM's queue filtering marks an
operation dropped in place (a write superseded by a later write or undone by
a remove, a mkdir undone by its rmdir) and the flusher skips it, so the seqs
in the queue always form one contiguous range. A peer snapshot marker is a
barrier: nothing queued before it is ever filtered by what comes after.

The queue is kept in columns (one list per field, a bytearray of dropped
flags) indexed by position: an op's seq is `base + position`, so a queued op
costs five list slots and a byte, with no object or boxed seq of its own, and
`sim load` appends a whole batch with one `extend` per column. `QueuedOp` is
a read-only view of one op, made when a caller asks for it (a pane's visible
rows, the op a command just queued). A dropped write keeps no copy of its text.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat

SECOND = 1_000_000  # microseconds (clock.SECOND; the queue sits below the clock's users)
COMPACT_AT = 4096  # flushed positions kept before the columns are trimmed

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


@dataclass(frozen=True, slots=True)
class QueuedOp:
    """One queued operation, as it stood when asked for. `data` is the file
    content (create/write), the destination (rename), the peer snapshot's
    name (psnap) or the cache epoch (resync); None once a write is dropped."""

    seq: int
    kind: str
    path: str
    data: object
    size: int
    queued_us: int
    dropped: bool = False


@dataclass(slots=True)
class Flushed:
    """What one `GatewayQueue.flush` took from the head, in queue order: the
    created/written files as two parallel lists, and the other ops with the
    number of files written before each (so the caller applies them in order)."""

    paths: list[str]
    contents: list[object]
    others: list[tuple[int, QueuedOp]]
    marker: QueuedOp | None  # a psnap marker ends a flush
    count: int  # ops executed, the marker not counted
    first: int  # seqs of the first and last of them
    last: int
    bytes: int
    data_done: int  # when the last of them reached home
    busy_until: int  # when the gateway is free again (after the marker, if any)


class GatewayQueue:
    """The queue, its counters and the indexes its filtering needs."""

    __slots__ = ("_base", "_data", "_dropped", "_gone", "_head", "_kind", "_loaded", "_mkdirs", "_path", "_queued",
                 "_size", "_writes", "busy_until", "bytes", "flush_through", "length", "markers", "next_seq", "num_exec")

    def __init__(self, first_seq: int = 1) -> None:
        """An empty queue whose first op gets `first_seq` (a queue rebuilt after the
        gateway lost one continues its fileset's sequence numbers)."""
        self._base = first_seq  # the seq at position 0 of the columns
        self._head = 0  # the position of the first op not yet flushed
        self._kind: list[str] = []
        self._path: list[str] = []
        self._data: list[object] = []
        self._size: list[int] = []
        self._queued: list[int] = []
        self._gone = bytearray()  # 1: dropped by filtering
        self.length = 0  # live (not dropped) ops waiting
        self.bytes = 0  # their bytes
        self.markers = 0  # live psnap markers waiting
        self.next_seq = first_seq
        self.num_exec = 0  # ops executed at home so far
        self.busy_until = 0  # when the gateway is free to start the next op
        self.flush_through = 0  # ops with a lower seq skip the async delay (flushPending)
        self._dropped: list[int] = []  # seqs of dropped ops still queued, sorted
        self._writes: dict[str, int] = {}  # seq of the newest filterable write per path (see `_index`)
        # `sim load` batches (paths, first seq) not yet in `_writes`: most flush before a file is written again
        self._loaded: list[tuple[list[str], int]] = []
        self._mkdirs: dict[str, int] = {}  # seq of the filterable mkdir per path

    def fork(self) -> GatewayQueue:
        """An independent twin (checkpoints, branches): the columns and indexes are copied,
        the contents they hold (immutable strings) are shared."""
        twin = GatewayQueue.__new__(GatewayQueue)
        for name in ("_kind", "_path", "_data", "_size", "_queued", "_gone", "_dropped", "_writes", "_mkdirs", "_loaded"):
            setattr(twin, name, getattr(self, name).copy())
        for name in ("_base", "_head", "busy_until", "bytes", "flush_through", "length", "markers", "next_seq",
                     "num_exec"):
            setattr(twin, name, getattr(self, name))
        return twin

    # -- queueing ------------------------------------------------------------
    def push(self, kind: str, path: str, data: object, size: int, now: int) -> QueuedOp:
        seq = self.next_seq
        self.next_seq += 1
        self._kind.append(kind)
        self._path.append(path)
        self._data.append(data)
        self._size.append(size)
        self._queued.append(now)
        self._gone.append(0)
        self.length += 1
        self.bytes += size
        if kind == PSNAP:
            self.markers += 1
        return QueuedOp(seq, kind, path, data, size, now)

    def push_creates(self, paths: list[str], contents: list[str], sizes: int | list[int], now: int) -> None:
        """Queue the creation of files that had no queued write (`sim load`'s
        batch: one extend per column); `sizes` is one size for all, or one each."""
        n = len(paths)
        first = self.next_seq
        self.next_seq += n
        self._kind.extend(repeat(CREATE, n))
        self._path.extend(paths)
        self._data.extend(contents)
        if isinstance(sizes, int):
            self._size.extend(repeat(sizes, n))
            self.bytes += sizes * n
        else:
            self._size.extend(sizes)
            self.bytes += sum(sizes)
        self._queued.extend(repeat(now, n))
        self._gone.extend(bytes(n))
        self.length += n
        self._loaded.append((paths, first))

    def _index(self) -> dict[str, int]:
        """`_writes`, with the loaded batches in it (in queue order, so the newest write wins)."""
        if self._loaded:
            for paths, first in self._loaded:
                self._writes.update(zip(paths, range(first, first + len(paths))))
            self._loaded.clear()
        return self._writes

    def _live(self, seq: int | None) -> int:
        """The position of queued, not dropped op `seq`; -1 if it is not."""
        if seq is None or seq < self._base + self._head:
            return -1
        i = seq - self._base
        return -1 if self._gone[i] else i

    def push_write(self, path: str, content: str, size: int, now: int, created: bool) -> tuple[QueuedOp, QueuedOp | None]:
        """Queue a write of the whole file; coalesce with an earlier queued write of it."""
        i = self._live(self._index().get(path))
        earlier = None
        if i >= 0:
            earlier = self._drop(i)
            created = created or earlier.kind == CREATE
        op = self.push(CREATE if created else WRITE, path, content, size, now)
        self._writes[path] = op.seq
        return op, earlier

    def push_remove(self, path: str, now: int) -> tuple[QueuedOp | None, QueuedOp | None]:
        """Queue a remove; a queued write of the file is dropped, and when that
        write created the file, the remove is not needed at all."""
        i = self._live(self._index().pop(path, None))
        if i >= 0:
            earlier = self._drop(i)
            if earlier.kind == CREATE:
                return None, earlier
            return self.push(REMOVE, path, None, 0, now), earlier
        return self.push(REMOVE, path, None, 0, now), None

    def push_mkdir(self, path: str, now: int) -> QueuedOp:
        op = self.push(MKDIR, path, None, 0, now)
        self._mkdirs[path] = op.seq
        return op

    def push_rmdir(self, path: str, now: int) -> tuple[QueuedOp | None, QueuedOp | None]:
        i = self._live(self._mkdirs.pop(path, None))
        if i >= 0:
            return None, self._drop(i)
        return self.push(RMDIR, path, None, 0, now), None

    def barrier(self) -> None:
        """Nothing queued so far may be filtered by what comes next."""
        self._writes.clear()
        self._loaded.clear()
        self._mkdirs.clear()

    def _drop(self, i: int) -> QueuedOp:
        """Drop the op at position `i`; returns it as it was."""
        op = self._view(i)
        self._gone[i] = 1
        self.length -= 1
        self.bytes -= op.size
        if op.kind == PSNAP:
            self.markers -= 1
        else:
            self._data[i] = None  # superseded or undone: its text is not needed any more
        insort(self._dropped, op.seq)
        return op

    def remove_marker(self, op: QueuedOp) -> None:
        """Take a psnap marker out of the queue (its pair was deleted first)."""
        i = self._live(op.seq)
        if i >= 0:
            self._drop(i)

    def is_dropped(self, seq: int) -> bool:
        """Whether op `seq`, still queued, was dropped by filtering."""
        i = seq - self._base
        return self._head <= i < len(self._gone) and bool(self._gone[i])

    # -- flushing --------------------------------------------------------------
    def skip_dropped(self) -> None:
        """Move the head past dropped ops (they never go home)."""
        gone, i, end = self._gone, self._head, len(self._gone)
        while i < end and gone[i]:
            i += 1
        self._advance(i)

    def _advance(self, i: int) -> None:
        self._head = i
        if i == len(self._gone):
            self._base += i
            self._head = 0
            for column in (self._kind, self._path, self._data, self._size, self._queued, self._gone):
                column.clear()
            self.clear_indexes()
        elif i >= COMPACT_AT and 2 * i >= len(self._gone):
            self._base += i
            self._head = 0
            for column in (self._kind, self._path, self._data, self._size, self._queued, self._gone):
                del column[:i]

    def clear_indexes(self) -> None:
        self._dropped.clear()
        self._writes.clear()
        self._loaded.clear()
        self._mkdirs.clear()

    def head(self) -> QueuedOp | None:
        """The first op still queued (dropped or not), or None."""
        return self._view(self._head) if self._head < len(self._gone) else None

    def flush(self, limit: int, async_delay_us: int, link: LinkSettings) -> Flushed:
        """Take from the head, in order, every op that reaches home by `limit`
        when the gateway sends them one at a time from `busy_until` (the
        timing of `done_at`, inlined: this is the drain's hot loop). Stops after
        a psnap marker, so other gateways catch up first."""
        kinds, paths, datas, sizes, queued, gone = self._kind, self._path, self._data, self._size, self._queued, self._gone
        latency, bandwidth = link.latency_us, link.bandwidth
        lifted_end = self.flush_through - self._base  # positions below it skip the async delay
        busy = self.busy_until
        out_paths: list[str] = []
        out_contents: list[object] = []
        others: list[tuple[int, QueuedOp]] = []
        marker = None
        count = flushed_bytes = first = last = 0
        data_done = busy
        last_size, cost = -1, 0
        i, end = self._head, len(gone)
        while i < end:
            if gone[i]:
                i += 1
                continue
            kind = kinds[i]
            ready = queued[i] if kind == PSNAP or i < lifted_end else queued[i] + async_delay_us
            size = sizes[i]
            if size != last_size:
                last_size, cost = size, latency + size * SECOND // bandwidth
            done = (busy if busy > ready else ready) + cost  # noqa: FURB136 (max() is a call per op)
            if done > limit:
                break
            busy = done
            if kind == PSNAP:
                marker = self._view(i)
                self.markers -= 1
                i += 1
                break
            if kind == CREATE or kind == WRITE:
                out_paths.append(paths[i])
                out_contents.append(datas[i])
            else:
                others.append((len(out_paths), self._view(i)))
            if not count:
                first = i
            last = i
            count += 1
            flushed_bytes += size
            data_done = done
            i += 1
        if count:
            first += self._base
            last += self._base
        executed = count + (marker is not None)
        self.busy_until = busy
        self.num_exec += executed
        self.length -= executed
        self.bytes -= flushed_bytes
        self._advance(i)
        return Flushed(out_paths, out_contents, others, marker, count, first, last, flushed_bytes, data_done, busy)

    # -- views -------------------------------------------------------------------
    def _view(self, i: int) -> QueuedOp:
        return QueuedOp(self._base + i, self._kind[i], self._path[i], self._data[i], self._size[i], self._queued[i],
                        bool(self._gone[i]))

    def head_seq(self) -> int:
        """The seq of the first op still queued (`next_seq` when none is)."""
        return self._base + self._head

    def ahead_of(self, op: QueuedOp) -> int:
        """How many live ops wait before `op` (0 once it reached the head)."""
        head = self.head_seq()
        if op.seq < head:
            return 0
        dropped = bisect_left(self._dropped, op.seq) - bisect_left(self._dropped, head)
        return op.seq - head - dropped

    def window(self, start: int, count: int) -> list[QueuedOp]:
        """`count` ops from position `start` (dropped ones included, marked):
        for views that render only their visible rows."""
        first = self._head + max(start, 0)
        end = min(len(self._gone), self._head + start + count)
        return [self._view(i) for i in range(first, end)]

    def find(self, seq: int) -> QueuedOp | None:
        """Op `seq` while it is still queued (a dropped one too), else None."""
        i = seq - self._base
        return self._view(i) if self._head <= i < len(self._gone) else None

    def __iter__(self) -> Iterator[QueuedOp]:
        gone = self._gone
        return (self._view(i) for i in range(self._head, len(gone)) if not gone[i])

    def waiting(self, kind: str) -> list[QueuedOp]:
        """The live ops of one kind still queued, in order (a scan of one column at C speed)."""
        kinds, gone, found = self._kind, self._gone, []
        i = self._head
        while True:
            try:
                i = kinds.index(kind, i)
            except ValueError:
                return found
            if not gone[i]:
                found.append(self._view(i))
            i += 1

    def first_live_queued_us(self) -> int | None:
        """When the first live (not dropped) op still queued was queued; None if none is."""
        gone = self._gone
        for i in range(self._head, len(gone)):
            if not gone[i]:
                return self._queued[i]
        return None

    def newest_queued_us(self) -> int | None:
        """When the newest op still queued (dropped or not) was queued; None if none is."""
        return self._queued[-1] if self._head < len(self._queued) else None

    def slots(self) -> int:
        """Rows a view needs: every op still queued, dropped included."""
        return len(self._gone) - self._head


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
    is ready (an estimate: it ignores the psnap markers' head start, and flushPending's or a
    recovery's priority queue only when it lifted the delay for every op queued)."""
    start = max(now, queue.busy_until)
    serial = queue.length * link.latency_us + queue.bytes * SECOND // max(link.bandwidth, 1)
    newest = queue.newest_queued_us()
    ready = now if newest is None or queue.flush_through >= queue.next_seq else newest + async_delay_us
    return max(start + serial, ready + link.latency_us)
