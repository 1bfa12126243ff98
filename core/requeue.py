"""What a recovery queues, worked out before anything changes, then queued in one go.

`plan` compares home with the cache and says what recovery would queue, changing
nothing: so the queued-ops cap is checked before the old queue is forgotten (a
recovery over the cap is refused whole), and running out of memory while
comparing a million entries leaves the world as it was. `push` then queues it.

An SW cache's plan has one part a queued psnap home half (the changes up to its
cache half's epoch, then its marker) and a last part up to the cache as it is
now; an IW cache's covers only its own pending changes (see core/recovery.py).

The comparison runs in C where it can (set differences of the keys, `map` over
the changed paths, `list.index` to find directories), so it costs tens of
nanoseconds an entry, not the microsecond a Python loop with a branch per entry
would: a recovery that walks a million entries takes a fraction of a second.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import field
from itertools import compress, islice
from operator import itemgetter, le, not_

from .fileops import text_size
from .gateway import MKDIR, PSNAP, REMOVE, RENAME, RESYNC, RMDIR, WRITE, GatewayQueue
from .model import AfmFileset, HomeHalf, PeerSnapshot
from .records import record
from .tree import DIR, Content, VersionedTree


@record(frozen=False)
class Differences:
    """What turns home's contents (`have`) into the wanted ones, in queue order:
    removals deepest first, then directories and files parents first (in sorted path
    order: a parent sorts before what it holds)."""

    removes: list[tuple[str, bool]] = field(default_factory=list)  # (path, whether home holds a directory there)
    paths: list[str] = field(default_factory=list)  # what home lacks, sorted
    contents: list[Content] = field(default_factory=list)  # what each of `paths` must hold
    rewritten: list[tuple[str, Content]] = field(default_factory=list)  # what home holds otherwise, sorted

    @property
    def ops(self) -> int:
        return len(self.removes) + len(self.paths) + len(self.rewritten)


@record(frozen=False)
class Part:
    """Changes, then (when `psnap` is set) that psnap's marker."""

    differences: Differences
    psnap: PeerSnapshot | None = None


@record(frozen=False)
class RequeuePlan:
    """Everything one recovery queues, in order; `orphans` are psnaps whose cache half is
    gone (nothing to match): their markers go last."""

    parts: list[Part]
    orphans: list[PeerSnapshot] = field(default_factory=list)

    @property
    def ops(self) -> int:
        """Operations it queues, markers not counted."""
        return sum(part.differences.ops for part in self.parts)

    @property
    def markers(self) -> int:
        return sum(part.psnap is not None for part in self.parts) + len(self.orphans)


def differences(have: dict[str, Content], wanted: dict[str, Content]) -> Differences:
    """What turns `have` into `wanted` (see `Differences`). A million paths home lacks are
    taken in C, in one pass over `wanted` in its order (`compress`: a lookup a path costs
    ten times more at that size); a tree's order is sorted for the most part, and checking
    that is linear. Python loops only over the smaller side, or over what differs."""
    removes = [(path, have[path] is DIR) for path in sorted(have.keys() - wanted.keys(), reverse=True)]
    if len(have) <= len(wanted):
        get = wanted.get
        # `!=` on the same string object is an identity test in C: unchanged files cost no comparison
        rewritten = [(path, content) for path, old in have.items()
                     if (content := get(path)) is not None and content != old]
        lacking = list(map(not_, map(have.__contains__, wanted)))
        paths, contents = list(compress(wanted, lacking)), list(compress(wanted.values(), lacking))
    else:
        held = have.get
        changed = [(path, content) for path, content in wanted.items() if held(path) != content]
        rewritten = [(path, content) for path, content in changed if path in have]
        paths = [path for path, _ in changed if path not in have]
        contents = list(map(wanted.__getitem__, paths))
    if not all(map(le, paths, islice(paths, 1, None))):
        order = sorted(range(len(paths)), key=paths.__getitem__)
        paths, contents = [paths[i] for i in order], [contents[i] for i in order]
    rewritten.sort()
    return Differences(removes, paths, contents, rewritten)


def plan_single_writer(fileset: AfmFileset, cache: VersionedTree, home: VersionedTree) -> RequeuePlan:
    """An SW cache: home up to each queued home half's cache epoch, its marker, then on
    to the cache as it is now. Contents are compared by their digests first (what the
    pairs' halves are held to, `resync.match_cache_half`): equal, nothing is copied or walked."""
    parts: list[Part] = []
    orphans: list[PeerSnapshot] = []
    have: dict[str, Content] | None = None  # what home holds by then; None: home as it is (copied when needed)
    have_digest: int | None = home.digest
    for psnap in fileset.psnaps.values():
        if psnap.home is not HomeHalf.QUEUED:
            continue
        epoch = psnap.cache_snap.epochs.get(fileset.name)
        if psnap.broken == "cache" or epoch is None:
            orphans.append(psnap)  # its cache half is gone: nothing to match, it goes last
            continue
        digest = psnap.cache_snap.digests.get(fileset.name)
        if digest is not None and digest == have_digest:
            parts.append(Part(Differences(), psnap))  # home already holds this half's contents
            continue
        wanted = cache.contents_at(epoch)
        parts.append(Part(differences(home.contents() if have is None else have, wanted), psnap))
        have, have_digest = wanted, digest
    if cache.digest == have_digest:
        parts.append(Part(Differences()))  # home will hold what the cache holds
    else:
        parts.append(Part(differences(home.contents() if have is None else have, cache.contents())))
    return RequeuePlan(parts, orphans)


def plan_independent_writer(fileset: AfmFileset, queue: GatewayQueue, cache: VersionedTree,
                            home: VersionedTree) -> RequeuePlan:
    """An IW cache: only the paths it changed and did not send (see `own_scope`)."""
    scope = own_scope(fileset, queue, cache, home)
    have = {path: content for path in scope if (content := home.get(path)) is not None}
    wanted = {path: content for path in scope if (content := cache.get(path)) is not None}
    return RequeuePlan([Part(differences(have, wanted))])


def own_scope(fileset: AfmFileset, queue: GatewayQueue, cache: VersionedTree, home: VersionedTree) -> set[str]:
    """IW: the paths this cache changed and did not send: those `remember_unsent` kept
    and those of `queue` (about to be lost), what changed at the cache since its pin,
    what a directory made (or moved in) at the cache holds, their parents, and what a
    directory removed at the cache held at home. Reads only."""
    scope = set(fileset.unsent)
    for op in queue:
        if op.kind not in (PSNAP, RESYNC):
            scope.add(op.path)
            if op.kind == RENAME:
                scope.add(str(op.data))
    if fileset.unsent_pin >= 0:
        then = dict(cache.items_at(fileset.unsent_pin))
        scope.update(path for path, content in cache.items() if then.pop(path, None) != content)
        scope.update(then)  # gone since
    for path in list(scope):
        if cache.get(path) is DIR and home.get(path) is None:
            scope.update(cache.walk(path))
    for path in list(scope):
        while "/" in path and (path := path.rpartition("/")[0]) not in scope:
            scope.add(path)
    for path in [p for p in scope if cache.get(p) is None and home.get(p) is DIR]:
        scope.update(home.walk(path))
    return scope


def push(queue: GatewayQueue, plan: RequeuePlan, now: int) -> None:
    """Queue `plan`, in order: each part's changes, then its psnap marker; the orphans' last."""
    for part in plan.parts:
        push_differences(queue, part.differences, now)
        if part.psnap is not None:
            part.psnap.marker = queue.push(PSNAP, "", part.psnap.name, 0, now)
    for psnap in plan.orphans:
        psnap.marker = queue.push(PSNAP, "", psnap.name, 0, now)
    queue.barrier()


def push_differences(queue: GatewayQueue, found: Differences, now: int) -> None:
    """Queue what `found` says, in sorted path order: a file changed is sent whole (IBM:
    "AFM ... replicates a full file again"); new files go in batches (`push_creates`),
    broken only where a new directory or a path home holds otherwise comes between them."""
    queue.barrier()
    for path, is_dir in found.removes:
        queue.push(RMDIR if is_dir else REMOVE, path, None, 0, now)
    paths, contents = found.paths, found.contents
    # (position among the new paths, 0: a rewritten path before it / 1: it is a new directory)
    breaks = [(bisect_left(paths, path), 0, path, content) for path, content in found.rewritten]
    breaks += [(i, 1, paths[i], DIR) for i in _directories(contents)]
    breaks.sort(key=itemgetter(0, 1))
    start = 0
    for i, new_dir, path, content in breaks:
        _creates(queue, paths[start:i], contents[start:i], now)
        start = i
        if content is DIR:
            queue.push(MKDIR, path, None, 0, now)
            start += new_dir
        else:
            assert isinstance(content, str)
            queue.push(WRITE, path, content, text_size(content), now)
    _creates(queue, paths[start:], contents[start:], now)
    queue.barrier()


def _directories(contents: list[Content]) -> list[int]:
    """The positions of the directories among `contents` (found by `list.index`, in C)."""
    at: list[int] = []
    i = 0
    while True:
        try:
            i = contents.index(DIR, i)
        except ValueError:
            return at
        at.append(i)
        i += 1


def _creates(queue: GatewayQueue, paths: list[str], contents: list[Content], now: int) -> None:
    if not paths:
        return
    texts: list[str] = contents  # type: ignore[assignment]  # a run of new files holds no directory
    sizes = list(map(len, texts)) if all(map(str.isascii, texts)) else list(map(text_size, texts))
    queue.push_creates(paths, texts, sizes, now)
