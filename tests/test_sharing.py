"""Checkpoints that share the world (issue 13): twins never see each other's later writes.

A fork freezes the trees' entries and the queues' full chunks into parts both twins
share (core.layers, core.gateway). The properties: after any mix of writes, deletes,
forks and compactions, each twin reads exactly what a tree (or queue) that had the same
history and never forked reads; and at a moderate size a checkpoint is taken, so an undo
replays a few entries, not the whole log.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from peersnap.core import gateway, layers, queue_columns, timeline
from peersnap.core.gateway import PSNAP, GatewayQueue, LinkSettings
from peersnap.core.session import Session
from peersnap.core.tree import DIR, VersionedTree
from peersnap.core.tree_ops import remove_subtree

SW = "/gpfs/fs1/sw"
NAMES = ["a", "b", "d", "d/x", "d/y", "d/e", "d/e/z", "c"]

# tree steps: (what, twin, name, text)
tree_steps = st.lists(st.tuples(st.sampled_from(["set", "set", "set", "delete", "rmtree", "fork", "pin", "release"]),
                                st.integers(0, 7), st.sampled_from(NAMES), st.sampled_from(["1", "2", "3"])),
                      max_size=60)


def tree_apply(tree: VersionedTree, pins: list[int], what: str, name: str, text: str) -> None:
    """One step on a tree; a step the tree refuses (no parent, a directory in the way) changes nothing."""
    if what == "set":
        content = DIR if name in ("d", "d/e") else text
        parent = name.rpartition("/")[0]
        if (parent and tree.get(parent) is not DIR) or (tree.get(name) is not None and (tree.get(name) is DIR) != (content is DIR)):
            return
        tree.set(name, content)
    elif what == "delete":
        if tree.get(name) is not None and not tree.child_count(name):
            tree.delete(name)
    elif what == "rmtree":
        if tree.get(name) is not None:
            remove_subtree(tree, name)
    elif what == "pin":
        pins.append(tree.pin())
    elif what == "release" and pins:
        tree.release(pins.pop(0))


def tree_view(tree: VersionedTree, pins: list[int]) -> tuple:
    """Everything a tree shows: entries, children, counts, digest, and every pinned snapshot."""
    names = ["", *NAMES]
    return (sorted(tree.items(), key=str), len(tree), tree.digest, tree.data_bytes,
            [(n, tree.get(n), tree.is_dir(n), tree.children(n), tree.child_count(n)) for n in names],
            list(tree.walk()), [sorted(tree.items_at(p), key=str) for p in pins],
            [[tree.get_at(n, p) for n in NAMES] for p in pins])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree_steps)
def test_tree_twins_read_what_an_unforked_tree_with_their_history_reads(monkeypatch_depth, steps):
    twins = [(VersionedTree(), [], [])]  # (tree, its pins, its history of steps)
    for what, which, name, text in steps:
        tree, pins, history = twins[which % len(twins)]
        if what == "fork":
            twins.append((tree.fork(), list(pins), list(history)))
            continue
        tree_apply(tree, pins, what, name, text)
        history.append((what, name, text))
        for tree, pins, history in twins:  # every twin, after every step: no one sees another's write
            plain, plain_pins = VersionedTree(), []
            for step in history:
                tree_apply(plain, plain_pins, *step)
            assert tree_view(tree, pins) == tree_view(plain, plain_pins)


@pytest.fixture
def monkeypatch_depth():
    """Shallow stacks and small chunks: compactions and chunk edges within a few steps."""
    saved = layers.MAX_DEPTH, [(m, m.SHIFT, m.CHUNK, m.LOW) for m in (gateway, queue_columns)]
    layers.MAX_DEPTH = 2
    for module in (gateway, queue_columns):
        module.SHIFT, module.CHUNK, module.LOW = 2, 4, 3
    yield
    layers.MAX_DEPTH = saved[0]
    for module, *constants in saved[1]:
        module.SHIFT, module.CHUNK, module.LOW = constants


queue_steps = st.lists(st.tuples(st.sampled_from(["write", "write", "remove", "load", "psnap", "flush", "skip", "fork",
                                                  "mkdir", "rmdir"]),
                                 st.integers(0, 7), st.sampled_from(["p0", "p1", "p2", "p3"]), st.integers(0, 300)),
                       max_size=80)
LINK = LinkSettings(bandwidth=10**6, latency_us=10)


def queue_apply(queue: GatewayQueue, what: str, path: str, n: int) -> None:
    now = n * 10
    if what == "write":
        queue.push_write(path, f"text {n}", 2, now, created=n % 3 == 0)
    elif what == "remove":
        queue.push_remove(path, now)
    elif what == "load":
        names = [f"load/{path}-{n}-{k}" for k in range(n % 11)]
        queue.push_creates(names, ["x"] * len(names), 1, now)
    elif what == "psnap":
        queue.push(PSNAP, "", f"snap{n}", 0, now)
        queue.barrier()
    elif what == "mkdir":
        queue.push_mkdir(path + "d", now)
    elif what == "rmdir":
        queue.push_rmdir(path + "d", now)
    elif what == "flush":
        queue.flush(now * 3, async_delay_us=20, link=LINK)
    elif what == "skip":
        queue.skip_dropped()


def queue_view(queue: GatewayQueue) -> tuple:
    seqs = range(queue.head_seq() - 2, queue.next_seq + 1)
    return (queue.window(0, 10**6), list(queue), queue.length, queue.bytes, queue.markers, queue.slots(),
            queue.head(), queue.head_seq(), queue.num_exec, queue.busy_until, queue.waiting(PSNAP),
            queue.first_live_queued_us(), queue.newest_queued_us(), [queue.is_dropped(s) for s in seqs],
            [queue.find(s) for s in seqs])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(queue_steps)
def test_queue_twins_read_what_an_unforked_queue_with_their_history_reads(monkeypatch_depth, steps):
    twins = [(GatewayQueue(), [])]
    for what, which, path, n in steps:
        queue, history = twins[which % len(twins)]
        if what == "fork":
            twins.append((queue.fork(), list(history)))
            continue
        queue_apply(queue, what, path, n)
        history.append((what, path, n))
        for queue, history in twins:
            plain = GatewayQueue()
            for step in history:
                queue_apply(plain, *step)
            assert queue_view(queue) == queue_view(plain)


def test_a_twins_write_into_a_shared_chunk_copies_that_chunk_alone():
    """A drop in a full chunk both twins hold copies that chunk (for the one that drops) and
    nothing else; the other twin still sees the op live."""
    queue = GatewayQueue()
    names = [f"load/f{k}" for k in range(3 * gateway.CHUNK)]
    queue.push_creates(names, ["x"] * len(names), 1, 0)
    twin = queue.fork()
    before = dict(twin.shared_parts())
    queue.push_write("load/f5", "new", 3, 1, created=False)  # supersedes the loaded create of f5
    chunks = [id(chunk) for chunk in queue._chunks[:-1]]
    assert chunks[1:] == [id(chunk) for chunk in twin._chunks[1:-1]] and chunks[0] != id(twin._chunks[0])
    assert queue.is_dropped(6) and not twin.is_dropped(6) and twin.length == 3 * gateway.CHUNK
    assert dict(twin.shared_parts()) == before and twin.find(6).data == "x"


def test_a_checkpoint_is_taken_at_100k_ops_and_undo_replays_few_entries():
    """Issue 13: a checkpoint copied ~37% of the world, so at scale none fitted the budget and
    every undo replayed the whole log. Counted in entries replayed, not seconds."""
    session = Session(allow_files=False)
    assert session.run("sim load 100000").rc == 0
    for i in range(400):
        if i % 10 == 9:
            session.advance_clock(1_000_000)
        else:
            assert session.run(f"echo v{i} > {SW}/f{i % 30}").rc == 0
    line = session.timeline.current
    assert line.checkpoints and 1 in line.checkpoints  # the one after the load is worth the most
    replayed: list[object] = []
    apply = session.timeline.apply
    session.timeline.apply = lambda engine, entry: (replayed.append(entry), apply(engine, entry))[1]
    end = len(session.log)
    assert session.undo() == "Undid: echo v398 > /gpfs/fs1/sw/f8"
    assert 0 < len(replayed) <= end - max(line.checkpoints) + 1 < end // 2, (len(replayed), sorted(line.checkpoints))
    live = timeline.parts(session.engine)
    private = timeline.private_entries(list(line.checkpoints.values()), live, timeline.parts)
    assert private <= timeline.BUDGET_SHARE * (sum(live[0].values()) + live[1])
    fresh = Session(session.scenario, allow_files=False)
    fresh.replay(session.log)
    assert repr(fresh.engine.fingerprint()) == repr(session.engine.fingerprint())
