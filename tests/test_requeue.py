"""Recovery's requeue (core/requeue.py) queues exactly what the plain algorithm it replaced
queued: removals deepest first, then every path of the cache that home lacks or holds
otherwise, parents first, a new directory as a mkdir, a new file as a create, a changed
one as a write of the whole file. Checked against that algorithm, written out here, on
seeded random trees (dirs and files swapped, unchanged, changed, missing, extra)."""

from __future__ import annotations

import random

import pytest
from peersnap.core import requeue
from peersnap.core.gateway import CREATE, MKDIR, REMOVE, RMDIR, WRITE, GatewayQueue
from peersnap.core.tree import DIR, size_of


def reference(have: dict, wanted: dict) -> list[tuple]:
    """The ops the comparison must give, the slow and obvious way."""
    ops = [(RMDIR if have[p] is DIR else REMOVE, p, None, 0) for p in sorted((p for p in have if p not in wanted),
                                                                           reverse=True)]
    for path in sorted(wanted):
        content, old = wanted[path], have.get(path)
        if content is DIR:
            if old is not DIR:
                ops.append((MKDIR, path, None, 0))
        elif old is None:
            ops.append((CREATE, path, content, size_of(content)))
        elif old != content:
            ops.append((WRITE, path, content, size_of(content)))
    return ops


def queued(have: dict, wanted: dict) -> list[tuple]:
    queue = GatewayQueue()
    requeue.push_differences(queue, requeue.differences(have, wanted), 0)
    return [(op.kind, op.path, op.data, op.size) for op in queue]


def random_tree(rng: random.Random, size: int) -> dict:
    tree: dict = {}
    for _ in range(size):
        parts = [rng.choice("abcd") for _ in range(rng.randint(1, 3))]
        for depth in range(1, len(parts)):
            parent = "/".join(parts[:depth])
            if tree.get(parent, DIR) is DIR:
                tree[parent] = DIR
        path = "/".join(parts)
        if path not in tree:
            tree[path] = DIR if rng.random() < 0.2 else rng.choice(["x\n", "y\n", "é\n", "x\n" * 3])
    return {p: c for p, c in tree.items() if all(tree.get("/".join(p.split("/")[:d])) is DIR
                                                 for d in range(1, p.count("/") + 1))}


@pytest.mark.parametrize("seed", range(300))
def test_the_requeue_queues_what_the_plain_comparison_does(seed):
    rng = random.Random(seed)
    wanted = random_tree(rng, rng.randint(0, 30))
    have = dict(wanted) if rng.random() < 0.5 else random_tree(rng, rng.randint(0, 30))
    for path in rng.sample(sorted(have), min(len(have), rng.randint(0, 4))):  # some changed, some gone
        if have[path] is DIR:
            continue
        if rng.random() < 0.7:
            have[path] = "changed\n"
        else:
            del have[path]
    assert queued(have, wanted) == reference(have, wanted)


def test_many_new_files_go_in_one_batch_of_creates_after_their_directory():
    wanted = {"load": DIR} | {f"load/f{k:07d}": f"load {k:>9}\n" for k in range(1, 200_001)}
    found = requeue.differences({}, wanted)
    assert found.ops == 200_001 and found.rewritten == [] and found.paths[0] == "load"
    queue = GatewayQueue()
    requeue.push_differences(queue, found, 0)
    assert queue.length == 200_001 and queue.head().kind == MKDIR and queue.find(200_001).path == "load/f0200000"


@pytest.mark.parametrize("seed", range(40))
def test_a_trees_copies_hold_what_its_items_do_now_and_at_each_pinned_epoch(seed):
    """`contents()` and `contents_at(epoch)` (C copies the requeue compares) equal the
    dicts of `items()` and `items_at(epoch)` under random writes, removals, pins and forks
    (a fork freezes the entries into layers both twins share)."""
    from peersnap.core.tree import VersionedTree

    rng = random.Random(seed)
    tree = VersionedTree()
    tree.set("d", DIR)
    epochs: list[int] = []
    twins: list[VersionedTree] = []
    for _ in range(120):
        path = f"d/f{rng.randrange(12)}"
        roll = rng.random()
        if roll < 0.15:
            epochs.append(tree.pin())
        elif roll < 0.3 and tree.get(path) is not None:
            tree.delete(path)
        elif roll < 0.35 and epochs:
            tree.release(epochs.pop(rng.randrange(len(epochs))))
        elif roll < 0.45:
            twins.append(tree.fork())  # layers shared with a twin (checkpoints), tombstones after it
        else:
            tree.set(path, rng.choice(["a", "b", "c"]) * rng.randint(1, 3))
        for each in (tree, *twins[-2:]):
            assert each.contents() == dict(each.items())
        for epoch in epochs:
            assert tree.contents_at(epoch) == dict(tree.items_at(epoch)), (seed, epoch)


OWN = ("core/recovery.py", "core/requeue.py")


def python_calls(session, line: str) -> int:
    """Python-level calls (C calls not counted) made by running `line` under recovery's code
    (core/recovery.py, core/requeue.py, and what they call; the timeline's checkpoints after
    the command have costs of their own, measured by their own tests)."""
    import sys

    seen = [0]

    def count(frame, event, arg):  # type: ignore[no-untyped-def]
        if event == "call":
            caller = frame
            while caller is not None and not caller.f_code.co_filename.endswith(OWN):
                caller = caller.f_back
            seen[0] += caller is not None

    sys.setprofile(count)
    try:
        result = session.run(line)
    finally:
        sys.setprofile(None)
    assert result.ok, result.lines
    return seen[0]


@pytest.mark.parametrize("before", ["", "sim settle", "mmpsnap fs1 create -j sw"])
def test_a_gateway_failure_costs_no_python_call_per_file(before):
    """Issue 10: `sim gateway fail` with 1,000,000 files took 2.6 s of CPU, a Python step an
    entry. Its comparison and requeue now run in C loops: the Python calls they make are the
    same at 20,000 files and at 80,000 (measured at 1,000,000: 0.53 s queued, 0.001 s settled)."""
    from peersnap.core.session import Session

    counts = []
    for files in (20_000, 80_000):
        session = Session(allow_files=False)
        assert session.run(f"sim load {files}").ok
        if before:
            assert session.run(before).ok
        counts.append(python_calls(session, "sim gateway fail"))
    # (a call or two more or less where the collector runs a weakref callback; one a file would be 60,000)
    assert counts[0] > 10 and abs(counts[1] - counts[0]) <= 16, counts
