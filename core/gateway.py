"""The gateway queue: the ordered operations a cache fileset owes its home.

Operations leave only from the head, in order. AFM's queue filtering marks an
operation dropped in place (a write superseded by a later write or undone by
a remove, a mkdir undone by its rmdir) and the flusher skips it, so the seqs
in the queue always form one contiguous range. A peer snapshot marker is a
barrier: nothing queued before it is ever filtered by what comes after.

The queue is kept in columns (core.queue_columns: one list per field, a
bytearray of dropped flags, cut in chunks that forked twins share) indexed by
position: an op's seq is `base + position`, so a queued op costs five list
slots and a byte, with no object or boxed seq of its own, and `sim load`
appends a whole batch with a few `extend`s per column. `QueuedOp` is a
read-only view of one op, made when a caller asks for it (a pane's visible
rows, the op a command just queued). A dropped write keeps no copy of its
text. The filtering index shares its frozen part with twins too (core.layers).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterator
from itertools import chain, repeat

from .edits import Edits
from .layers import Layers, find, frozen
from .queue_columns import CHUNK, DATA, GONE_FLAG, LOW, SHIFT, Columns, QueuedOp
from .records import record

COMPACT_AT = CHUNK  # flushed positions kept at most before the head's chunk is let go
RUN_MIN = 64  # a flush takes a uniform run of writes (see `_uniform_run`) this long or longer at once

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


@record(frozen=False)
class LinkSettings:
    """How fast the gateway reaches home."""

    bandwidth: int = 100 * 1024 * 1024  # bytes per second, per gateway
    latency_us: int = 500  # per operation round trip
    disconnect_timeout_us: int = 60 * SECOND


@record(frozen=False)
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


class Loaded:
    """`sim load` batches (paths, first seq) not yet in the filtering index: most flush before a
    file is written again. Shared by twins as it is; its index is built once, for all of them."""

    __slots__ = ("_index", "batches")

    def __init__(self, batches: tuple[tuple[tuple[str, ...], int], ...]) -> None:
        self.batches = batches
        self._index: dict[str, int] | None = None

    def index(self) -> dict[str, int]:
        """Each loaded path's seq (in queue order, so the newest write wins)."""
        if self._index is None:
            self._index = {}
            for paths, first in self.batches:
                self._index.update(zip(paths, range(first, first + len(paths))))
        return self._index


class GatewayQueue(Columns):
    """The queue, its counters and the indexes its filtering needs."""

    __slots__ = ("_dropped", "_loaded", "_mkdirs", "_writes", "_writes_below", "busy_until", "bytes", "edits",
                 "flush_through", "length", "markers", "next_seq", "num_exec")

    def __init__(self, first_seq: int = 1, edits: Edits | None = None) -> None:
        """An empty queue whose first op gets `first_seq` (a queue rebuilt after the
        gateway lost one continues its fileset's sequence numbers). `edits`: its world's
        counter (core.edits), bumped whenever `length`, `bytes`, `next_seq` or `num_exec` move."""
        self.edits = edits if edits is not None else Edits()
        self._start_columns(first_seq)
        self.length = 0  # live (not dropped) ops waiting
        self.bytes = 0  # their bytes
        self.markers = 0  # live psnap markers waiting
        self.next_seq = first_seq
        self.num_exec = 0  # ops executed at home so far
        self.busy_until = 0  # when the gateway is free to start the next op
        self.flush_through = 0  # ops with a lower seq skip the async delay (flushPending)
        self._dropped: list[int] = []  # seqs of dropped ops still queued, sorted
        self._writes: dict[str, int] = {}  # seq of the newest filterable write per path (see `_newest_write`)
        self._writes_below: Layers = ()  # its frozen layers (shared with twins; stale seqs are not live)
        self._loaded: Loaded | None = None
        self._mkdirs: dict[str, int] = {}  # seq of the filterable mkdir per path

    def fork(self, edits: Edits | None = None) -> GatewayQueue:
        """An independent twin (checkpoints, branches), counting its edits in `edits` (its world's; a
        counter of its own without): the full chunks and the index's frozen layers are shared, the
        last chunk and the small indexes copied (contents are immutable)."""
        self.freeze()
        twin = GatewayQueue.__new__(GatewayQueue)
        self._share_columns(twin)
        twin._writes, twin._writes_below = {}, self._writes_below
        twin._loaded = self._loaded  # (never changed: a load replaces it, and its index is built once for all)
        for name in ("_dropped", "_mkdirs"):
            setattr(twin, name, getattr(self, name).copy())
        for name in ("busy_until", "bytes", "flush_through", "length", "markers", "next_seq", "num_exec"):
            setattr(twin, name, getattr(self, name))
        twin.edits = edits if edits is not None else Edits(self.edits.count)
        return twin

    def freeze(self) -> None:
        """Move the filtering index's private part into its frozen layers (what `fork` does to this
        queue before it makes the twin)."""
        if self._writes:
            self._writes_below = frozen(self._writes_below, self._writes)
            self._writes = {}

    # -- queueing ------------------------------------------------------------
    def push(self, kind: str, path: str, data: object, size: int, now: int) -> QueuedOp:
        seq = self.next_seq
        self.next_seq += 1
        self.edits.count += 1
        self._kind.append(kind)
        self._path.append(path)
        self._data.append(data)
        self._size.append(size)
        self._queued.append(now)
        self._gone.append(0)
        if len(self._gone) == CHUNK:
            self._new_tail()
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
        if n:
            self.edits.count += 1
        one = isinstance(sizes, int)
        if one:
            self.bytes += sizes * n
        else:
            self.bytes += sum(sizes)
        chunks, tail, done = self._chunks, self._chunks[-1], 0
        while done < n:  # fill the last chunk, start another: C loops, a few per chunk, no Python call
            take = min(CHUNK - len(tail[GONE_FLAG]), n - done)
            part = slice(done, done + take)
            kinds, in_paths, datas, in_sizes, queued, gone = tail
            kinds.extend(repeat(CREATE, take))
            in_paths.extend(paths[part])
            datas.extend(contents[part])
            in_sizes.extend(repeat(sizes, take) if one else sizes[part])  # type: ignore[arg-type,index]
            queued.extend(repeat(now, take))
            gone.extend(bytes(take))
            done += take
            if len(gone) == CHUNK:  # (what _new_tail does)
                tail[:GONE_FLAG] = map(tuple, tail[:GONE_FLAG])
                self._owned.append(0)
                tail = [[], [], [], [], [], bytearray()]
                chunks.append(tail)
        self._bind_tail()
        self.length += n
        batch = (tuple(paths), first)  # (a tuple: the garbage collector does not walk it)
        self._loaded = Loaded((*self._loaded.batches, batch) if self._loaded else (batch,))

    def _newest_write(self, path: str) -> int | None:
        """The seq of the newest filterable write of `path` the index knows (perhaps no longer
        live: `_live` tells). The loaded batches join it first, as a frozen layer over it (they
        are newer than all it holds)."""
        if self._loaded:
            layer = self._loaded.index()
            self._loaded = None
            self._writes_below = frozen(frozen(self._writes_below, self._writes), layer)
            self._writes = {}
        seq = self._writes.get(path)
        if seq is None and self._writes_below:
            seq = find(self._writes_below, path)
        return seq

    def _live(self, seq: int | None) -> int:
        """The position of queued, not dropped op `seq`; -1 if it is not."""
        if seq is None or seq < self._base + self._head:
            return -1
        i = seq - self._base
        return -1 if i >= self._end() or self._chunks[i >> SHIFT][GONE_FLAG][i & LOW] else i

    def push_write(self, path: str, content: str, size: int, now: int, created: bool) -> tuple[QueuedOp, QueuedOp | None]:
        """Queue a write of the whole file; coalesce with an earlier queued write of it."""
        i = self._live(self._newest_write(path))
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
        i = self._live(self._newest_write(path))
        self._writes.pop(path, None)  # (a frozen layer's entry is stale once the op is dropped)
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
        self._writes_below = ()
        self._loaded = None
        self._mkdirs.clear()

    def _drop(self, i: int) -> QueuedOp:
        """Drop the op at position `i`; returns it as it was."""
        op = self._view(i)
        chunk = self._writable(i >> SHIFT)
        chunk[GONE_FLAG][i & LOW] = 1
        self.length -= 1
        self.edits.count += 1
        self.bytes -= op.size
        if op.kind == PSNAP:
            self.markers -= 1
        else:
            chunk[DATA][i & LOW] = None  # superseded or undone: its text is not needed any more
        insort(self._dropped, op.seq)
        return op

    def remove_marker(self, op: QueuedOp) -> None:
        """Take a psnap marker out of the queue (its pair was deleted first)."""
        i = self._live(op.seq)
        if i >= 0:
            self._drop(i)

    # -- flushing --------------------------------------------------------------
    def skip_dropped(self) -> None:
        """Move the head past dropped ops (they never go home)."""
        chunks, i, end = self._chunks, self._head, self._end()
        while i < end and chunks[i >> SHIFT][GONE_FLAG][i & LOW]:
            i += 1
        self._advance(i)

    def _advance(self, i: int) -> None:
        if self._move_head(i):
            self.clear_indexes()

    def clear_indexes(self) -> None:
        self._dropped.clear()
        self._writes.clear()
        self._writes_below = ()
        self._loaded = None
        self._mkdirs.clear()

    def flush(self, limit: int, async_delay_us: int, link: LinkSettings) -> Flushed:
        """Take from the head, in order, every op that reaches home by `limit`
        when the gateway sends them one at a time from `busy_until` (the
        timing of `done_at`, inlined: this is the drain's hot loop). Stops after
        a psnap marker, so other gateways catch up first."""
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
        chunks = self._chunks
        i, end = self._head, self._end()
        stopped = False
        while i < end and not stopped:  # chunk by chunk; within one, positions `at + j`
            at = i & ~LOW
            kinds, paths, datas, sizes, queued, gone = chunks[i >> SHIFT]
            lifted = lifted_end - at
            j, stop = i - at, len(gone)
            probe = j  # where a uniform run of writes is looked for next
            while j < stop:
                if j >= probe and stop - j >= RUN_MIN:
                    run = _uniform_run(kinds, sizes, queued, gone, j, stop, lifted)
                    if not run:
                        probe = j + RUN_MIN  # mixed ops here: the next RUN_MIN go one at a time
                    else:
                        # `run` live writes of one size queued at one instant: each leaves as the one before it
                        # is done (it was ready long before), so the k-th is done at start + k * cost, and how
                        # many fit by `limit` is a division, not a Python step per op.
                        size = sizes[j]
                        ready = queued[j] if j < lifted else queued[j] + async_delay_us
                        run_cost = latency + size * SECOND // bandwidth
                        start = busy if busy > ready else ready  # noqa: FURB136
                        fit = (limit - start) // run_cost if run_cost else (run if start <= limit else 0)
                        taken = min(run, fit) if fit > 0 else 0
                        if taken:
                            out_paths.extend(paths[j:j + taken])
                            out_contents.extend(datas[j:j + taken])
                            if not count:
                                first = at + j
                            last = at + j + taken - 1
                            count += taken
                            flushed_bytes += size * taken
                            busy = data_done = start + taken * run_cost
                            j += taken
                        if taken < run:
                            stopped = True  # the next op would reach home after `limit`
                            break
                        continue
                if gone[j]:
                    j += 1
                    continue
                kind = kinds[j]
                ready = queued[j] if kind == PSNAP or j < lifted else queued[j] + async_delay_us
                size = sizes[j]
                if size != last_size:
                    last_size, cost = size, latency + size * SECOND // bandwidth
                done = (busy if busy > ready else ready) + cost  # noqa: FURB136 (max() is a call per op)
                if done > limit:
                    stopped = True
                    break
                busy = done
                if kind == PSNAP:
                    marker = self._view(at + j)
                    self.markers -= 1
                    j += 1
                    stopped = True
                    break
                if kind == CREATE or kind == WRITE:
                    out_paths.append(paths[j])
                    out_contents.append(datas[j])
                else:
                    others.append((len(out_paths), self._view(at + j)))
                if not count:
                    first = at + j
                last = at + j
                count += 1
                flushed_bytes += size
                data_done = done
                j += 1
            i = at + j
        if count:
            first += self._base
            last += self._base
        executed = count + (marker is not None)
        self.busy_until = busy
        if executed:  # (a flush that ran nothing moved no counter)
            self.num_exec += executed
            self.edits.count += 1
        self.length -= executed
        self.bytes -= flushed_bytes
        self._advance(i)
        return Flushed(out_paths, out_contents, others, marker, count, first, last, flushed_bytes, data_done, busy)

    def ahead_of(self, op: QueuedOp) -> int:
        """How many live ops wait before `op` (0 once it reached the head)."""
        head = self.head_seq()
        if op.seq < head:
            return 0
        dropped = bisect_left(self._dropped, op.seq) - bisect_left(self._dropped, head)
        return op.seq - head - dropped

    def shared_parts(self) -> Iterator[tuple[int, int]]:
        """(identity, rows) of what this queue may share with twins: its full chunks and frozen index layers."""
        layers = self._writes_below
        return chain(self._chunk_parts(), zip(map(id, layers), map(len, layers)))

    def own_size(self) -> int:
        """Rows this queue holds alone: its last chunk and the small indexes."""
        return len(self._gone) + len(self._writes) + len(self._dropped) + len(self._mkdirs)


def _uniform_run(kinds, sizes, queued, gone, j: int, stop: int, lifted: int) -> int:  # type: ignore[no-untyped-def]
    """How many ops of one chunk's columns from `j` on (RUN_MIN to the chunk's end, 0 if fewer) are live
    creates or writes of one size, queued at one instant, all on one side of `lifted` (flushPending's
    range): what `sim load` queues. Tested a column slice at a time, in C; a mixed stretch costs two
    reads to turn down."""
    if j < lifted < stop:
        stop = lifted
    n = stop - j
    if n < RUN_MIN:
        return 0
    size, at, last = sizes[j], queued[j], stop - 1
    if sizes[last] != size or queued[last] != at or gone.find(1, j, stop) >= 0:
        return 0
    run_kinds = kinds[j:stop]
    if run_kinds.count(CREATE) + run_kinds.count(WRITE) != n or sizes[j:stop].count(size) != n \
            or queued[j:stop].count(at) != n:
        return 0
    return n


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
