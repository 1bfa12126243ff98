"""`sim load N`: N new files written at once in a fileset's `load/` directory.

It runs the same tree and queue operations as `echo > FILE` N times, in
batches and C loops (no Python work per file, no event per write: one
OpsLoaded event announces the batch), so its cost per op is the same at any N.
It is all or nothing: the files, bytes and queued ops it would add are
counted up front and checked against the world's caps before anything changes.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .errors import FsError
from .events import OpsLoaded
from .limits import check_cluster, check_file_size, check_queue
from .model import AfmFileset, AfmMode
from .records import record
from .tree import DIR, VersionedTree

MAX_LOAD = 10_000_000
LOAD_BATCH = 65_536  # files built and stored at a time
_HEAD = len("load 123456789\n")  # a load file's first line: its number in 9 columns
BIG_FORMAT_PAD = 64  # `--size` padding up to this many bytes a file: contents made by `formatted`


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector around bulk work that creates
    (or frees) millions of objects without cycles; it would rescan them all."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@record
class LoadPlan:
    """What a load adds, counted before it runs (an upper bound where numbers grow wider)."""

    entries: int  # files, and the load/ directory when it is new
    data_bytes: int
    ops: int  # queued: the files, the mkdir, an automatic resync
    file_size: int  # the largest file's


def plan(fileset: AfmFileset, tree: VersionedTree, start: int, count: int, size: int) -> LoadPlan:
    """The caps' view of `sim load count --size size` numbered from `start`."""
    new_dir = tree.get("load") is None
    # numbers whose file exists are skipped, so the last one is at most start + count + what load/ holds
    last = start + count + (0 if new_dir else tree.child_count("load"))
    per_file = len(f"load {last:>9}\n") + max(0, size - _HEAD)
    resync = fileset.needs_resync and fileset.mode is AfmMode.SW
    ops = count + new_dir + resync if fileset.queues_changes else 0
    return LoadPlan(count + new_dir, count * per_file, ops, per_file)


def load(files, fileset_name: str, count: int, size: int, emit: Callable) -> tuple[int, int]:
    """Write `count` files (each `size` bytes when given, else its one line)
    through `files` (a FileOps); returns the first and last seq queued."""
    world = files.world
    fileset = world.filesets[fileset_name]
    if not fileset.linked:
        raise FsError("No such file or directory (fileset is not linked)")
    if not fileset.mode.writes_at_cache:
        raise FsError("Read-only file system (read-only AFM fileset)")
    if not 1 <= count <= MAX_LOAD:
        raise FsError(f"N must be a whole number from 1 to {MAX_LOAD:,}")
    tree = world.cache.fs.trees[fileset_name]
    if tree.get("load") not in (None, DIR):
        raise FsError("load exists and is not a directory")
    start = files.load_next.get(fileset_name, 1)
    needs = plan(fileset, tree, start, count, size)
    check_file_size(world.limits, needs.file_size)
    check_cluster(world.limits, world.cache, needs.entries, needs.data_bytes)
    check_queue(world.limits, world.queued_ops(), needs.ops)
    # every check passed: from here on it changes the world, and all of it
    if tree.get("load") is None:
        files.mkdir("cache", f"{world.cache.fs.mount}/{fileset_name}/load")
    fileset.activated = True
    queue = fileset.queue
    pushes = fileset.queues_changes
    if pushes:
        files.request(fileset)
    pad = "x" * max(0, size - _HEAD) if size else ""
    now = files.time.now
    first_seq = queue.next_seq
    total = 0
    n = start
    with collector_paused():  # millions of acyclic objects: no cyclic GC passes meanwhile
        # in batches: C loops within one, and a batch's lists are all that is ever held twice
        for done in range(0, count, LOAD_BATCH):
            paths, contents, n = _new_load_files(tree, n, min(LOAD_BATCH, count - done), pad)
            tree.create_files("load", paths, contents)
            # sizes differ only where the number outgrows its 9 columns
            sizes: int | list[int] = len(contents[0])
            if len(contents[-1]) != sizes:
                sizes = [len(c) for c in contents]
            total += sizes * len(paths) if isinstance(sizes, int) else sum(sizes)
            if pushes:
                queue.push_creates(paths, contents, sizes, now)
    files.load_next[fileset_name] = n
    if pushes:
        emit(OpsLoaded(now, fileset_name, count, first_seq, queue.next_seq - 1, total))
    return first_seq, queue.next_seq - 1


def formatted(template: str, numbers: range) -> list[str]:
    """`[template % k for k in numbers]` (one `%d`-style field, no NUL in `template`), made in
    two C calls: the template repeated once per number, formatted with all of them at once,
    then split at the NULs between the copies. A third less time than mapping `%` per number
    (`sim load`'s paths and contents), for a text held once more for a moment (callers keep
    the repeated part small: see BIG_FORMAT_PAD)."""
    if not numbers:
        return []
    parts = ((template + "\0") * len(numbers) % tuple(numbers)).split("\0")
    parts.pop()  # (after the last NUL: empty)
    return parts


def _new_load_files(tree: VersionedTree, start: int, count: int, pad: str) -> tuple[list[str], list[str], int]:
    """The paths and contents of `count` load files numbered from `start` on,
    skipping numbers whose file exists; and the number to go on from."""
    paths: list[str] = []
    contents: list[str] = []
    n = start
    content_format = "load %9d\n" + pad.replace("%", "%%")
    while len(paths) < count:
        numbers = range(n, n + count - len(paths))
        n = numbers.stop
        batch = formatted("load/f%07d", numbers)
        fresh = tree.absent(batch)
        if len(fresh) == len(batch):
            paths.extend(batch)
            contents.extend(formatted(content_format, numbers) if len(pad) <= BIG_FORMAT_PAD
                            else map(content_format.__mod__, numbers))
        else:
            kept = set(fresh)
            for k, path in zip(numbers, batch):
                if path in kept:
                    paths.append(path)
                    contents.append(f"load {k:>9}\n{pad}")
    return paths, contents, n
