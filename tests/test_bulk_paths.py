"""`sim load` and the flush that takes its files home work on whole batches in C: the load's
paths and contents are formatted a batch at a time (`bulk_load.formatted`), and the flush's
test that a batch is all new files of one directory (`VersionedTree._new_siblings`) joins the
batch into one text. Both must give exactly what the plain per-path code gives."""

from __future__ import annotations

from itertools import repeat

from hypothesis import given, settings
from hypothesis import strategies as st
from peersnap.core import bulk_load
from peersnap.core.tree import BULK, DIR, VersionedTree


def reference_siblings(tree: VersionedTree, batch: list[str]) -> bool:
    """The test as it was before the joined text: a startswith and a slash count per path."""
    parent, slash, _ = batch[0].rpartition("/")
    if parent not in tree._kids or any(tree.get(p) is not None or p in tree._cur for p in batch):
        return False
    prefix = parent + slash
    depth = prefix.count("/")
    return all(map(str.startswith, batch, repeat(prefix))) and sum(map(str.count, batch, repeat("/"))) == depth * len(batch)


def a_tree() -> VersionedTree:
    tree = VersionedTree()
    for directory in ("load", "load/sub", "loader", "a", "a/b"):
        tree.set(directory, DIR)
    tree.set("load/f1", "there\n")
    return tree


NAMES = st.sampled_from(["load", "loader", "load/sub", "a", "a/b", "", "nosuch", "load/", "lo", "load\0x"])
LEAF = st.text(alphabet="fx1/\0.", min_size=1, max_size=4)
PATHS = st.builds(lambda parent, leaf: f"{parent}/{leaf}" if parent else leaf, NAMES, LEAF)


@settings(max_examples=400, deadline=None)
@given(first=PATHS, rest=st.lists(PATHS, max_size=6), siblings=st.integers(0, 5), freeze=st.booleans())
def test_the_joined_sibling_test_agrees_with_a_test_per_path(first, rest, siblings, freeze):
    tree = a_tree()
    if freeze:
        tree.freeze()  # the files that exist in a frozen layer, not the private dict
    parent = first.rpartition("/")[0]
    batch = [first, *(f"{parent}/g{i}" if parent else f"g{i}" for i in range(siblings)), *rest]
    # (a path with a NUL of its own is left to the per-path way, which sets it all the same)
    assert tree._new_siblings(batch) == (reference_siblings(tree, batch) and not any("\0" in p for p in batch)), batch


def test_the_joined_sibling_test_takes_a_loads_batch_and_turns_down_every_way_out():
    tree = a_tree()
    batch = [f"load/f{i:07d}" for i in range(2, 2 + BULK)]
    assert tree._new_siblings(batch)
    assert tree._new_siblings([p.removeprefix("load/") for p in batch])  # at the root
    for odd in ("load/sub/x", "loader/x", "loadx", "load/f1", "a/b/c", "load/x\0load/y", "load\0/x", "x", "load/a\0b"):
        for where in (0, 1, BULK // 2, BULK - 1):
            changed = [*batch[:where], odd, *batch[where + 1:]]
            assert not tree._new_siblings(changed), (odd, where)
    tree.set("load/gone", "x")
    tree.freeze()
    tree.delete("load/gone")  # a tombstone over the frozen layer: a path that was there is not taken in bulk
    assert not tree._new_siblings([*batch, "load/gone"])


def test_a_flush_of_a_whole_batch_with_a_stranger_in_it_sets_each_file_in_its_own_directory():
    tree = a_tree()
    paths = [f"load/f{i:07d}" for i in range(2, 2 + BULK)] + ["a/b/deeper"]
    contents = [f"{p}\n" for p in paths]
    assert tree.set_files(paths, contents, 0, len(paths)) == len(paths)
    assert all(tree.get(p) == c for p, c in zip(paths, contents))
    assert tree.children("a/b") == ["deeper"]
    assert len(tree.children("load")) == BULK + 2  # f1, sub and the batch


@settings(max_examples=200, deadline=None)
@given(template=st.sampled_from(["load/f%07d", "load %9d\n", "load %9d\n%%xx", "%d", "a%%b%5d%%", "load %9d\nxxxx"]),
       first=st.integers(0, 10**9), count=st.integers(0, 300))
def test_formatted_gives_what_formatting_each_number_gives(template, first, count):
    numbers = range(first, first + count)
    assert bulk_load.formatted(template, numbers) == [template % k for k in numbers]


def test_a_load_makes_the_same_paths_and_contents_with_and_without_padding():
    for size in (0, 10, 20, bulk_load._HEAD + bulk_load.BIG_FORMAT_PAD, bulk_load._HEAD + bulk_load.BIG_FORMAT_PAD + 1):
        pad = "x" * max(0, size - bulk_load._HEAD) if size else ""
        paths, contents, n = bulk_load._new_load_files(VersionedTree(), 9_999_990, 20, pad)
        assert n == 10_000_010
        assert paths == [f"load/f{k:07d}" for k in range(9_999_990, 10_000_010)]
        assert contents == [f"load {k:>9}\n{pad}" for k in range(9_999_990, 10_000_010)]


def test_a_load_formats_its_contents_a_batch_at_a_time_unless_the_padding_is_long(monkeypatch):
    calls = []
    real = bulk_load.formatted
    monkeypatch.setattr(bulk_load, "formatted", lambda template, numbers: calls.append(template) or real(template, numbers))
    for size, batched in ((0, True), (bulk_load._HEAD + bulk_load.BIG_FORMAT_PAD, True),
                          (bulk_load._HEAD + bulk_load.BIG_FORMAT_PAD + 1, False)):
        calls.clear()
        bulk_load._new_load_files(VersionedTree(), 1, 5, "x" * max(0, size - bulk_load._HEAD) if size else "")
        assert len(calls) == (2 if batched else 1), (size, calls)  # the paths always
