"""Home changed behind a single-writer cache's back, and how AFM puts it right.

IBM ("Resync on SW filesets"): "If AFM detects inconsistencies during
flushing, the fileset goes into NeedsResync state. When this occurs AFM runs a
resynchronization automatically during the next request to the primary
gateway, and the inconsistencies are resolved." So in peersnap:

- a write at home under an SW export only marks the fileset `home_changed`:
  the cache cannot see home, so nothing shows yet;
- the next operation the gateway flushes finds it: the fileset is NeedsResync;
- the next request to the gateway (a change at the cache) first queues a
  resync: one operation that, when its turn comes, makes home equal to the
  cache as it was when it was queued;
- a peer snapshot's home half is only ever taken from a home that holds the
  cache half's contents: when the marker reaches home and home differs, AFM
  resynchronises home to the cache half first. A pair whose halves differ is
  never produced, whatever home did meanwhile.
"""

from __future__ import annotations

from .gateway import RESYNC, QueuedOp
from .model import AfmFileset, AfmMode
from .tree import DIR, Content, VersionedTree
from .tree_ops import force_set, remove_subtree
from .world import World


def content_size(content: Content) -> int:
    if content is DIR:
        return 0
    assert isinstance(content, str)
    return len(content) if content.isascii() else len(content.encode("utf-8", "surrogatepass"))


def queue_resync(world: World, fileset: AfmFileset, now: int) -> QueuedOp:
    """Queue one resync op: home is to be made equal to the cache's contents now.

    The contents are pinned (like a snapshot), not diffed now: ops still queued
    ahead of it (a rename, say) must not carry a home change past the resync.
    Nothing queued before it is filtered by what comes after (barriers)."""
    cache = world.cache.fs.trees[fileset.name]
    size = sum(content_size(content) for _, content in cache.items())
    queue = fileset.queue
    queue.barrier()
    op = queue.push(RESYNC, "", cache.pin(), size, now)
    queue.barrier()
    fileset.needs_resync = False
    return op


def make_equal(home: VersionedTree, wanted: dict[str, Content]) -> int:
    """Make `home` hold exactly `wanted`; returns how many entries changed."""
    changed = 0
    for path in sorted((p for p, _ in home.items() if p not in wanted), reverse=True):
        if home.get(path) is not None:
            remove_subtree(home, path)
            changed += 1
    for path in sorted(wanted):
        if home.get(path) != wanted[path]:
            force_set(home, path, wanted[path])
            changed += 1
    return changed


def apply_resync(world: World, fileset: AfmFileset, home: VersionedTree, epoch: int) -> int:
    """The resync op reached home: make the export equal to the cache's
    contents pinned at `epoch` and release the pin. Home is consistent again."""
    cache = world.cache.fs.trees[fileset.name]
    changed = make_equal(home, dict(cache.items_at(epoch)))
    cache.release(epoch)
    settled(world, fileset, changed > 0)
    return changed


def match_cache_half(world: World, fileset: AfmFileset, home: VersionedTree, epoch: int, digest: int) -> int:
    """Before a home half is taken: if home does not hold the cache half's
    contents (cache epoch `epoch`, digest `digest`), resynchronise it to them.
    Either way home is then consistent with the cache as of the marker, so
    nothing the gateway found or missed before it needs a resync any more.
    Returns how many entries had to be put right (0: home was consistent)."""
    changed = 0
    if home.digest != digest:
        cache = world.cache.fs.trees[fileset.name]
        changed = make_equal(home, dict(cache.items_at(epoch)))
    settled(world, fileset, changed > 0)
    return changed


def settled(world: World, fileset: AfmFileset, rewritten: bool) -> None:
    """Home now holds what `fileset`'s cache sent: whatever it found is resolved.
    When home was `rewritten`, any other SW cache of the same export had its
    home changed behind its back."""
    fileset.home_changed = False
    fileset.needs_resync = False
    if rewritten:
        home_written(world, world.home_dir(fileset), fileset)


def home_written(world: World, directory: str, writer: AfmFileset | None = None) -> list[AfmFileset]:
    """Home's `directory` was changed by someone other than its SW caches'
    gateways (a user at home, or `writer`'s gateway): each other SW cache of it
    now has a home that changed behind its back. Returns the ones newly marked."""
    marked = []
    for fileset in world.filesets_on_export(directory):
        if fileset is not writer and fileset.mode is AfmMode.SW and not fileset.home_changed:
            fileset.home_changed = True
            marked.append(fileset)
    return marked
