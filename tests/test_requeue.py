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
