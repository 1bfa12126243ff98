"""The columns a gateway queue keeps its ops in, cut in chunks that forked twins share.

An op's fields are one slot each in six columns (one list per field, a bytearray
of dropped flags) indexed by position: an op's seq is `base + position`. The
columns are cut in chunks of CHUNK positions: a fork (a checkpoint, a branch)
shares the full ones and copies only the last, growing one, and a twin copies a
full chunk's data and dropped flags only when it writes in it (filtering drops an
op). The head lets go of whole chunks as it passes them.

A full chunk's columns are tuples: Python's cyclic garbage collector stops
looking into a tuple of strings and numbers, where it walks every slot of a list
at each full collection (~100 ms at a million queued ops, in the middle of a frame).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import repeat

from .records import record

SHIFT = 10
CHUNK = 1 << SHIFT  # positions in one chunk
LOW = CHUNK - 1
KIND, PATH, DATA, SIZE, QUEUED, GONE_FLAG = range(6)  # a chunk's columns


@record
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


class Columns:
    """The queue's ops by position; the gateway queue builds its filtering and flushing on it."""

    __slots__ = ("_base", "_chunks", "_data", "_gone", "_head", "_kind", "_owned", "_path", "_queued", "_size")

    def _start_columns(self, first_seq: int) -> None:
        self._base = first_seq  # the seq at position 0 of the first chunk
        self._head = 0  # the position of the first op not yet flushed
        self._chunks: list[list] = []  # each: the six columns of CHUNK positions; the last one grows
        # per full chunk: 1 when its data column is a list and its dropped flags this twin's alone
        self._owned = bytearray()
        self._new_tail()

    def _new_tail(self) -> None:
        """Seal the last chunk (it is full), start a new one (the one pushes append to) and bind its columns."""
        chunks = self._chunks
        if chunks:
            chunks[-1][:GONE_FLAG] = map(tuple, chunks[-1][:GONE_FLAG])
            self._owned.append(0)
        chunks.append([[], [], [], [], [], bytearray()])  # 1 in the last column: dropped by filtering
        self._bind_tail()

    def _bind_tail(self) -> None:
        self._kind, self._path, self._data, self._size, self._queued, self._gone = self._chunks[-1]

    def _end(self) -> int:
        """The position after the last op queued."""
        return ((len(self._chunks) - 1) << SHIFT) + len(self._gone)

    def _share_columns(self, twin: Columns) -> None:
        """Give `twin` the columns as they are: the full chunks shared, the last one copied."""
        twin._base, twin._head = self._base, self._head
        twin._chunks = [*self._chunks[:-1], [column.copy() for column in self._chunks[-1]]]
        twin._bind_tail()
        self._owned = bytearray(len(self._owned))  # both twins hold every full chunk now
        twin._owned = bytearray(len(self._owned))

    def _writable(self, c: int) -> list:
        """Chunk `c` with a data column and dropped flags this twin may write (copied first when
        the chunk is full and not yet so; its other columns never change and stay shared)."""
        chunk = self._chunks[c]
        if c < len(self._owned) and not self._owned[c]:
            chunk = [*chunk[:DATA], list(chunk[DATA]), *chunk[DATA + 1:GONE_FLAG], bytearray(chunk[GONE_FLAG])]
            self._chunks[c] = chunk
            self._owned[c] = 1
        return chunk

    def _move_head(self, i: int) -> bool:
        """Put the head at position `i`, letting go of the chunks it left behind; True when
        that emptied the queue (the columns start again, seqs going on)."""
        self._head = i
        if i == self._end():
            self._base += i
            self._head = 0
            self._chunks, self._owned = [], bytearray()
            self._new_tail()
            return True
        if i >= CHUNK:
            passed = i >> SHIFT
            del self._chunks[:passed]
            del self._owned[:passed]
            self._base += passed << SHIFT
            self._head -= passed << SHIFT
        return False

    def _chunk_parts(self) -> Iterator[tuple[int, int]]:
        """(identity, rows) of the full chunks (what twins may share), paired in C."""
        return zip(map(id, self._chunks[:-1]), repeat(CHUNK))

    def is_dropped(self, seq: int) -> bool:
        """Whether op `seq`, still queued, was dropped by filtering."""
        i = seq - self._base
        return self._head <= i < self._end() and bool(self._chunks[i >> SHIFT][GONE_FLAG][i & LOW])

    # -- views -------------------------------------------------------------------
    def _view(self, i: int) -> QueuedOp:
        kinds, paths, datas, sizes, queued, gone = self._chunks[i >> SHIFT]
        j = i & LOW
        return QueuedOp(self._base + i, kinds[j], paths[j], datas[j], sizes[j], queued[j], bool(gone[j]))

    def head_seq(self) -> int:
        """The seq of the first op still queued (`next_seq` when none is)."""
        return self._base + self._head

    def head(self) -> QueuedOp | None:
        """The first op still queued (dropped or not), or None."""
        return self._view(self._head) if self._head < self._end() else None

    def window(self, start: int, count: int) -> list[QueuedOp]:
        """`count` ops from position `start` (dropped ones included, marked):
        for views that render only their visible rows."""
        first = self._head + max(start, 0)
        end = min(self._end(), self._head + start + count)
        return [self._view(i) for i in range(first, end)]

    def find(self, seq: int) -> QueuedOp | None:
        """Op `seq` while it is still queued (a dropped one too), else None."""
        i = seq - self._base
        return self._view(i) if self._head <= i < self._end() else None

    def _positions(self, kind: str | None = None) -> Iterator[int]:
        """The positions of the live ops still queued (of one kind: a scan of that column at C speed)."""
        for c, (kinds, _, _, _, _, gone) in enumerate(self._chunks):
            at = c << SHIFT
            j = max(self._head - at, 0)
            if j >= len(gone):
                continue
            if kind is None:
                yield from (at + k for k in range(j, len(gone)) if not gone[k])
                continue
            while True:
                try:
                    j = kinds.index(kind, j)
                except ValueError:
                    break
                if not gone[j]:
                    yield at + j
                j += 1

    def __iter__(self) -> Iterator[QueuedOp]:
        return map(self._view, self._positions())

    def waiting(self, kind: str) -> list[QueuedOp]:
        """The live ops of one kind still queued, in order."""
        return [self._view(i) for i in self._positions(kind)]

    def first_live_queued_us(self) -> int | None:
        """When the first live (not dropped) op still queued was queued; None if none is."""
        head = self._head
        chunk = self._chunks[head >> SHIFT]  # the head's own op first: live but for a filtered head
        if (head & LOW) < len(chunk[GONE_FLAG]) and not chunk[GONE_FLAG][head & LOW]:
            return chunk[QUEUED][head & LOW]  # (asked for every op queued: the timeline's samples)
        for i in self._positions():
            return self._chunks[i >> SHIFT][QUEUED][i & LOW]
        return None

    def newest_queued_us(self) -> int | None:
        """When the newest op still queued (dropped or not) was queued; None if none is."""
        end = self._end()
        return self._chunks[(end - 1) >> SHIFT][QUEUED][(end - 1) & LOW] if self._head < end else None

    def slots(self) -> int:
        """Rows a view needs: every op still queued, dropped included."""
        return self._end() - self._head
