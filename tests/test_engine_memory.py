"""Bounded memory and work: the queue's columns, the tree's bulk paths, appends, `sim load`.

Issue 10 ("Bounded"): a file built by `>>` appends must cost a small multiple of
its size (a superseded queued write keeps no copy of its text), and `sim load`
must cost the same per op at any N. Issue 16: no per-op objects or boxed seqs.
"""

from __future__ import annotations

import gc
import random
import sys
import tracemalloc

import pytest
from peersnap import core
from peersnap.core import gateway
from peersnap.core.gateway import CREATE, PSNAP, WRITE, GatewayQueue, LinkSettings
from peersnap.core.session import Session
from peersnap.core.tree import BULK, DIR, VersionedTree

SW = "/gpfs/fs1/sw"


def traced_growth(work) -> int:
    """Bytes still allocated after `work()` that were not before it."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        keep = work()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del keep
    return after - before


def test_a_file_built_by_appends_costs_a_small_multiple_of_its_size():
    """2 MiB built by 64 appends of 32 KiB: every superseded write used to keep its
    whole text (64 MiB here, quadratic in the appends); now within 3x the file."""
    engine = core.load().build()
    chunk = "y" * (32 * 1024 - 1) + "\n"

    def build():
        for _ in range(64):
            engine.files.write_file("cache", f"{SW}/big", chunk, append=True)
        return engine

    size = 64 * len(chunk)
    grown = traced_growth(build)
    assert engine.files.read_file("cache", f"{SW}/big") == chunk * 64
    assert grown <= 3 * size, f"{grown:,} B for a {size:,} B file"
    queue = engine.world.filesets["sw"].queue
    assert queue.length == 1 and queue.slots() == 64  # 63 dropped in place, still shown
    dropped = queue.window(0, 63)
    assert all(op.dropped and op.data is None for op in dropped)
    engine.settle()
    assert engine.world.home.fs.trees["sw"].get("big") == chunk * 64


def test_appends_through_the_language_keep_memory_linear():
    session = Session(allow_files=False)
    text = "z" * 3000

    def build():
        for _ in range(200):
            assert session.run(f"echo {text} >> {SW}/log").ok
        return session

    size = 200 * (len(text) + 1)
    # the tree's file plus the command log's own copy of every line typed
    assert traced_growth(build) <= 3 * size


def test_a_superseded_psnap_marker_keeps_its_name_for_the_queue_pane():
    session = Session(allow_files=False)
    assert session.run(f"echo a > {SW}/a").ok
    assert session.run("mmpsnap fs1 create -j sw").ok
    name = next(iter(session.engine.world.filesets["sw"].psnaps))
    assert session.run(f"mmpsnap fs1 delete -s {name} -j sw").ok
    marker = [op for op in session.engine.world.filesets["sw"].queue.window(0, 10) if op.kind == PSNAP]
    assert marker and marker[0].dropped and marker[0].data == name


def test_sim_load_does_the_same_python_work_per_op_at_any_n():
    """A noise-free linearity check: the Python calls `sim load` makes do not grow with N
    (the batch is built and stored with C loops)."""

    def calls(n: int) -> int:
        engine = core.load().build()
        count = 0

        def tally(frame, event, arg):
            nonlocal count
            if event == "call":
                count += 1

        sys.setprofile(tally)
        try:
            engine.files.load("sw", n)
        finally:
            sys.setprofile(None)
        return count

    small, large = calls(1_000), calls(50_000)
    assert large <= small + 50, (small, large)


def test_sim_load_queues_no_object_per_op():
    n = 20_000
    engine = core.load().build()
    per_op = traced_growth(lambda: engine.files.load("sw", n)) / n
    # path + content strings (~126 B), two tree dict entries, five list slots,
    # a byte and the filter index: an op object or a boxed seq would add 80+ B
    assert per_op < 330, per_op


def test_sim_load_skips_numbers_whose_file_exists_and_continues_after_them():
    session = Session(allow_files=False)
    assert session.run(f"mkdir {SW}/load").ok
    assert session.run(f"echo mine > {SW}/load/f0000002").ok
    assert session.run("sim load 3").ok
    tree = session.engine.world.cache.fs.trees["sw"]
    assert tree.get("load/f0000002") == "mine\n"
    assert [tree.get(f"load/f000000{k}") for k in (1, 3, 4)] == [f"load {k:>9}\n" for k in (1, 3, 4)]
    assert session.run("sim load 1").ok
    assert tree.get("load/f0000005") == f"load {5:>9}\n"


# -- the queue's columns ---------------------------------------------------------------------
def test_seqs_stay_contiguous_across_compaction():
    queue = GatewayQueue()
    link = LinkSettings(bandwidth=10**9, latency_us=1)
    for i in range(3 * gateway.COMPACT_AT):
        queue.push(WRITE, f"f{i}", "x", 1, 0)
    taken = queue.flush(limit=2 * gateway.COMPACT_AT + 10, async_delay_us=0, link=link)
    assert taken.first == 1 and taken.last == taken.count
    assert queue.head_seq() == taken.count + 1
    head = queue.head()
    assert head is not None and head.seq == taken.count + 1 and head.path == f"f{taken.count}"
    assert queue.window(0, 1) == [head]
    assert queue.slots() == queue.length == 3 * gateway.COMPACT_AT - taken.count


def test_the_columns_agree_with_a_list_of_ops_under_random_pushes_drops_and_flushes():
    """A reference model apart from the columns: a plain list of dicts."""
    rng = random.Random(16)
    link = LinkSettings(bandwidth=10**6, latency_us=10)
    for _ in range(20):
        queue = GatewayQueue()
        model: list[dict] = []
        now = 0
        for _ in range(400):
            roll = rng.random()
            path = f"p{rng.randrange(6)}"
            if roll < 0.55:
                op, earlier = queue.push_write(path, "d" * rng.randrange(3), 2, now, created=rng.random() < 0.3)
                if earlier is not None:
                    [m] = [m for m in model if m["seq"] == earlier.seq]
                    m["dropped"] = True
                model.append({"seq": op.seq, "kind": op.kind, "path": path, "dropped": False})
            elif roll < 0.65:
                op = queue.push(PSNAP, "", f"snap{now}", 0, now)
                queue.barrier()
                model.append({"seq": op.seq, "kind": PSNAP, "path": "", "dropped": False})
            elif roll < 0.8:
                now += rng.randrange(200)
                taken = queue.flush(now, async_delay_us=50, link=link)
                gone = [m for m in model if m["seq"] < queue.head_seq()]
                live = [m for m in gone if not m["dropped"]]
                assert taken.count + (taken.marker is not None) == len(live)
                assert taken.paths == [m["path"] for m in live if m["kind"] in (CREATE, WRITE)]
                model = [m for m in model if m["seq"] >= queue.head_seq()]
            else:
                queue.skip_dropped()
                while model and model[0]["dropped"]:
                    model.pop(0)
            views = queue.window(0, 10**6)
            assert [(v.seq, v.kind, v.path, v.dropped) for v in views] == [
                (m["seq"], m["kind"], m["path"], m["dropped"]) for m in model
            ]
            assert queue.length == sum(not m["dropped"] for m in model)
            assert queue.markers == sum(m["kind"] == PSNAP and not m["dropped"] for m in model)
            for m in model:
                assert queue.is_dropped(m["seq"]) == m["dropped"]



def _flush_one_by_one(ops, busy, limit, async_delay_us, flush_through, link):
    """The reference for `GatewayQueue.flush`: each live op's `done_at`, one at a time, to a marker."""
    taken, marker = [], None
    for op in ops:
        if op.dropped:
            continue
        done = gateway.done_at(op, busy, async_delay_us, flush_through, link)
        if done > limit:
            break
        busy = done
        if op.kind == PSNAP:
            marker = op
            break
        taken.append((op.seq, op.kind, op.path))
    return taken, marker, busy


def test_a_flush_takes_uniform_runs_of_writes_exactly_as_it_takes_them_one_by_one():
    """Issue 16: a flush takes a run of same-size writes queued at one instant (what `sim load`
    queues) by arithmetic, not a Python step per op. Runs cut by a drop, a marker, another size,
    another instant, flushPending's lifted range and the limit itself give what op-by-op timing gives."""
    rng = random.Random(1616)
    for trial in range(60):
        link = LinkSettings(bandwidth=rng.choice([10**6, 10**9]), latency_us=rng.choice([0, 1, 500]))
        queue = GatewayQueue(first_seq=rng.randrange(1, 50))
        now, delay = 0, rng.choice([0, 50, 15_000])
        for _ in range(rng.randrange(1, 6)):  # batches like sim load, between odd ops
            n = rng.randrange(1, rng.choice([3 * gateway.RUN_MIN, 3 * gateway.COMPACT_AT]))  # within a chunk, across
            size = rng.choice([1, 17, 4096])
            paths = [f"b{now}/f{k}" for k in range(n)]
            queue.push_creates(paths, ["x" * size] * n, size if rng.random() < 0.8 else [size] * (n - 1) + [size + 1], now)
            for _ in range(rng.randrange(3)):
                roll = rng.random()
                if roll < 0.4:
                    queue.push_write(rng.choice(paths), "changed", 7, now, created=False)  # drops the load's write
                elif roll < 0.7:
                    queue.push(PSNAP, "", f"snap{now}", 0, now)
                    queue.barrier()
                else:
                    queue.push(gateway.REMOVE, f"b{now}/gone", None, 0, now)
            now += rng.choice([0, 1, 1000])
        if rng.random() < 0.5:
            queue.flush_through = queue.head_seq() + rng.randrange(queue.slots() + 1)
        busy = 0
        while queue.slots():
            limit = busy + rng.choice([0, 1, 999, 10**5, 10**7, 10**12])
            queue.skip_dropped()
            ops = queue.window(0, 10**9)
            taken, marker, busy_after = _flush_one_by_one(ops, queue.busy_until, limit, delay, queue.flush_through, link)
            flushed = queue.flush(limit, delay, link)
            assert flushed.count == len(taken), trial
            assert flushed.paths == [path for _, kind, path in taken if kind in (CREATE, WRITE)], trial
            assert [op.seq for _, op in flushed.others] == [seq for seq, kind, _ in taken if kind not in (CREATE, WRITE)]
            assert (flushed.first, flushed.last) == ((taken[0][0], taken[-1][0]) if taken else (0, 0)), trial
            assert (flushed.marker.seq if flushed.marker else None) == (marker.seq if marker else None), trial
            assert flushed.busy_until == busy_after == queue.busy_until, trial
            busy = max(busy, limit)


# -- the tree's bulk paths -------------------------------------------------------------------
def _files(n: int, prefix: str = "d/") -> tuple[list[str], list[str]]:
    return [f"{prefix}f{i:04d}" for i in range(n)], [f"text {i}\n" for i in range(n)]


@pytest.mark.parametrize("pinned", [False, True])
def test_set_files_in_bulk_equals_setting_them_one_by_one(pinned):
    paths, contents = _files(3 * BULK)
    bulk, single = VersionedTree(), VersionedTree()
    for tree in (bulk, single):
        tree.set("d", DIR)
        if pinned:
            tree.pin()
    assert bulk.set_files(paths, contents, 0, len(paths)) == len(paths)
    for path, content in zip(paths, contents):
        single.set(path, content)
    assert bulk.digest == single.digest
    assert dict(bulk.items()) == dict(single.items())
    assert bulk.children("d") == single.children("d") == [p[2:] for p in paths]


def test_set_files_stops_where_a_parent_is_missing_or_a_directory_is_in_the_way():
    tree = VersionedTree()
    tree.set("d", DIR)
    tree.set("d/sub", DIR)
    paths, contents = _files(BULK)
    paths[BULK // 2] = "d/sub"  # a directory in the way
    assert tree.set_files(paths, contents, 0, len(paths)) == BULK // 2
    assert tree.get(paths[BULK // 2 - 1]) == contents[BULK // 2 - 1] and tree.get(paths[BULK // 2 + 1]) is None
    assert tree.set_files(["nowhere/x"], ["y"], 0, 1) == 0


def test_snapshots_read_what_was_there_across_pins_and_releases():
    tree = VersionedTree()
    tree.set("a", "1")  # written with no pin alive: no epoch kept
    first = tree.pin()
    tree.set("a", "2")
    tree.set("b", "new")
    second = tree.pin()
    tree.set("a", "3")
    tree.delete("b")
    assert (tree.get_at("a", first), tree.get_at("a", second), tree.get("a")) == ("1", "2", "3")
    assert (tree.get_at("b", first), tree.get_at("b", second), tree.get("b")) == (None, "new", None)
    assert dict(tree.items_at(first)) == {"a": "1"}
    tree.release(first)
    assert tree.get_at("a", second) == "2" and dict(tree.items_at(second)) == {"a": "2", "b": "new"}
    tree.release(second)
    assert not tree._since and not tree._old  # nothing pinned: no history, no epochs
    third = tree.pin()
    tree.set("a", "4")
    assert tree.get_at("a", third) == "3" and tree.get("a") == "4"
