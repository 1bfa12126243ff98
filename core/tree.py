"""A copy-on-write file tree: snapshots cost the same for ten files or a million.

Every entry remembers the epoch it was written in. Taking a snapshot pins the
current epoch and starts a new one; a later change to an entry that a pinned
snapshot can see moves the old value into a short history instead of
overwriting it. Reading a snapshot looks up the value that was current at its
epoch. Nothing is copied when the snapshot is taken. A fork (a checkpoint, a
branch) makes only an empty dict per directory: twins share the entries as
frozen layers (core.layers).

Paths are relative to the tree's root (`dir/file`); the root itself is `""`.
The tree also keeps a running digest of its contents so that two trees (or
two snapshots) can be compared without walking them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from itertools import chain, repeat
from operator import attrgetter
from typing import Final

from .edits import Edits
from .layers import GONE, Layers, disjoint, find, flattened, frozen, held, items, keys

MASK = (1 << 64) - 1
BULK = 64  # files in one `set_files` call worth checking for the whole-batch path


# The content of a directory entry: a bare object, compared by identity like `None`. Not an
# instance of a class of ours: the cyclic garbage collector tracks every such instance, and every
# dict that holds one, so a tree's million-entry dict was walked at each full collection (~70 ms
# at a million files, in the middle of a frame); a dict of strings and bare objects is not tracked.
DIR: Final = object()
Content = str | object


def entries_in(trees: Iterable[VersionedTree]) -> int:
    """Entries in all of `trees` (summed in C: the caps ask before every write)."""
    return sum(map(_LIVE, trees))


def data_bytes_in(trees: Iterable[VersionedTree]) -> int:
    """Bytes of file text in all of `trees`."""
    return sum(map(_DATA_BYTES, trees))


def size_of(content: Content) -> int:
    """A file's size in bytes (its text in UTF-8); a directory's is 0."""
    if content is DIR:
        return 0
    assert isinstance(content, str)
    return len(content) if content.isascii() else len(content.encode("utf-8", "surrogatepass"))


def entry_hash(path: str, content: Content) -> int:
    """One entry's share of a tree digest (stable within a process)."""
    return hash((path, content)) & MASK


_LIVE = attrgetter("_count")
_DATA_BYTES = attrgetter("data_bytes")


class VersionedTree:
    """A directory tree of text files with O(1) snapshots.

    `_cur` maps each live path to its content. `_since` holds the epoch an
    entry was written in, but only for entries written while some snapshot was
    pinned: an entry written with no pin alive is visible to every later
    snapshot, so its epoch never matters (and a million loaded files carry no
    per-entry epoch). `_old` keeps, for paths changed since a pinned snapshot,
    `(from epoch, until epoch, content)` for the values that snapshot may still
    read. `_kids` indexes the live directories' children by their full paths
    (the same string objects `_cur` holds: no second string per file).
    `data_bytes` is the live files' size in all, kept as they change, so the
    world's caps (core.limits) are checked in O(1).

    A fork shares what the tree holds with its twin (core.layers): `_cur` is the private top
    of a layered map over the frozen `_below`, and each directory's children are its private
    dict in `_kids` over the frozen, disjoint dicts in `_kids_below` (a child leaving a frozen
    dict thaws that directory's index into its private dict: children rarely leave).
    """

    __slots__ = ("_below", "_count", "_cur", "_epoch", "_kids", "_kids_below", "_newest_pin", "_old", "_pins",
                 "_since", "data_bytes", "digest", "edits")

    def __init__(self, edits: Edits | None = None) -> None:
        self._cur: dict[str, Content] = {}  # the private top: a value, or GONE over a frozen one
        self._below: Layers = ()
        self._count = 0  # live entries
        self._kids_below: dict[str, Layers] = {}
        self._since: dict[str, int] = {}
        self._old: dict[str, list[tuple[int, int, Content]]] = {}
        self._kids: dict[str, dict[str, None]] = {"": {}}
        self._epoch = 0
        self._pins: dict[int, int] = {}
        self._newest_pin = -1
        self.digest = 0
        self.edits = edits if edits is not None else Edits()  # its world's, bumped by every change of content
        self.data_bytes = 0

    # -- live tree -------------------------------------------------------
    def __len__(self) -> int:
        return self._count

    def get(self, path: str) -> Content | None:
        if path == "":
            return DIR
        content = self._cur.get(path)
        if content is None:
            return find(self._below, path) if self._below else None
        return None if content is GONE else content

    def _kids_of(self, path: str) -> Iterator[str]:
        """The full paths of a live directory's children (none when it is not one)."""
        return keys(self._kids.get(path, {}), self._kids_below.get(path, ()))

    def is_dir(self, path: str) -> bool:
        return path == "" or path in self._kids

    def children(self, path: str) -> list[str]:
        """Names in a live directory, sorted."""
        cut = len(path) + 1 if path else 0
        return [child[cut:] for child in sorted(self._kids_of(path))]

    def child_count(self, path: str) -> int:
        return len(self._kids.get(path, ())) + held(self._kids_below.get(path, ()))

    def set(self, path: str, content: Content) -> Content | None:
        """Create or replace an entry (its parent must exist); return the old content."""
        cur = self._cur
        old = cur.get(path)
        if old is None:
            if self._below:
                old = find(self._below, path)
        elif old is GONE:
            old = None
        return self.put(path, content, old)

    def put(self, path: str, content: Content, old: Content | None) -> Content | None:
        """`set` for a caller that has just read the entry (`old`: what `get` gave, None when there is
        none), so the lookup is not made twice: a path the private dict lacks is looked for in every
        frozen layer (a new file's path is in none)."""
        cur = self._cur
        if old is not None:
            if (old is DIR) != (content is DIR):
                raise IsADirectoryError(path) if old is DIR else NotADirectoryError(path)
            if old is content or old == content:
                return old  # the same text again: nothing changes
            if self._pins:
                self._remember(path, old)
            self.digest = (self.digest - entry_hash(path, old)) & MASK
            self.data_bytes -= size_of(old)
        else:
            self._kids[path.rpartition("/")[0]][path] = None  # KeyError: no such parent directory
            if content is DIR:
                self._kids[path] = {}
            self._count += 1
        cur[path] = content
        if self._pins:
            self._since[path] = self._epoch
        self.digest = (self.digest + hash((path, content))) & MASK  # entry_hash, inlined: the hot path
        if content is not DIR:
            self.data_bytes += size_of(content)
        self.edits.count += 1
        return old

    def absent(self, paths: list[str]) -> list[str]:
        """Those of `paths` that name no live entry."""
        if disjoint(self._cur, self._below, paths):  # the common case (a fresh `sim load`), tested in C
            return list(paths)
        get = self.get
        return [path for path in paths if get(path) is None]

    def create_files(self, parent: str, paths: list[str], contents: list[str]) -> None:
        """Create files that do not exist yet, all in the existing directory
        `parent` (the bulk-load path: the caller checked that none exists)."""
        kids = self._kids[parent]  # KeyError: no such parent directory
        # whole-batch updates: C loops, no Python bytecode per file
        kids.update(zip(paths, repeat(None)))  # (a fifth less time than a dict.fromkeys to update with)
        self._cur.update(zip(paths, contents))
        self._count += len(paths)
        self.digest = (self.digest + sum(map(hash, zip(paths, contents)))) & MASK
        self.data_bytes += text_bytes(contents)
        self.edits.count += 1
        if self._pins:
            self._since.update(dict.fromkeys(paths, self._epoch))

    def set_files(self, paths: list[str], contents: list, start: int, end: int) -> int:
        """`set` for `paths[start:end]` (to the matching `contents`), in order, as long as each one's parent
        exists and neither it nor what it replaces is a directory; returns where it stopped (`end`
        when all were set). The flush path: the caller sets the one it stopped at another way and goes on."""
        if end - start >= BULK and not self._pins:
            whole = start == 0 and end == len(paths)  # (a flush's whole batch: no copies of a million slots)
            batch, files = (paths, contents) if whole else (paths[start:end], contents[start:end])
            if DIR not in files and self._new_siblings(batch):
                self.create_files(batch[0].rpartition("/")[0], batch, files)
                return end
        cur = self._cur
        below = self._below
        kids = self._kids
        added = 0
        pinned = bool(self._pins)
        digest = self.digest
        data_bytes = self.data_bytes
        # the parent of the last new file: siblings follow each other in a flush,
        # and a prefix test allocates nothing where rpartition makes three objects
        prefix, siblings, cut = "\0", None, 0
        i = start
        for i in range(start, end):
            path = paths[i]
            content = contents[i]
            old = cur.get(path)
            if old is None:
                if below:
                    old = find(below, path)
            elif old is GONE:
                old = None
            if old is None:
                if not (path.startswith(prefix) and path.find("/", cut) < 0):
                    parent = path.rpartition("/")[0]
                    siblings = kids.get(parent)
                    prefix, cut = (parent + "/", len(parent) + 1) if parent else ("", 0)
                if siblings is None or content is DIR:
                    break
                siblings[path] = None
                added += 1
            elif old is DIR or content is DIR:
                break
            else:
                if pinned:
                    self._remember(path, old)
                digest -= hash((path, old))
                data_bytes -= len(old) if old.isascii() else size_of(old)
            data_bytes += len(content) if content.isascii() else size_of(content)
            cur[path] = content
            if pinned:
                self._since[path] = self._epoch
            digest += hash((path, content))
        else:
            i = end
        self._count += added
        self.digest = digest & MASK
        self.data_bytes = data_bytes
        self.edits.count += 1
        return i

    def _new_siblings(self, batch: list[str]) -> bool:
        """Whether `batch` are all new files of one existing directory (checked in C: the common flush of a
        `sim load` batch). Joined at NULs, each path is in the first one's parent when the text has a NUL
        per join only, the parent after each and as many slashes as the parents hold (a third of the time
        of a startswith and a count per path; a path holding a NUL of its own takes `set`'s way)."""
        parent, slash, _ = batch[0].rpartition("/")
        if parent not in self._kids or not disjoint(self._cur, self._below, batch):
            return False
        prefix, joined, n = parent + slash, "\0".join(batch), len(batch)
        return (joined.count("\0") == n - 1 and joined.count("\0" + prefix) == n - 1  # (the first is in its parent)
                and joined.count("/") == prefix.count("/") * n)

    def delete(self, path: str) -> Content | None:
        """Remove one entry (a directory must be empty); return its content."""
        old = self.get(path) if path else None
        if old is None:
            return None
        if self._below and find(self._below, path) is not None:
            self._cur[path] = GONE  # a frozen layer holds it
        else:
            del self._cur[path]
        self._count -= 1
        if self._pins:
            self._remember(path, old)
        self._since.pop(path, None)
        self.digest = (self.digest - entry_hash(path, old)) & MASK
        self.data_bytes -= size_of(old)
        self.edits.count += 1
        parent = path.rpartition("/")[0]
        siblings = self._kids[parent]
        if path not in siblings:
            self._thaw(parent)
        del siblings[path]
        if old is DIR:
            del self._kids[path]
            self._kids_below.pop(path, None)
        return old

    def _thaw(self, directory: str) -> None:
        """Move a directory's frozen children into its private dict (one of them is leaving)."""
        siblings = self._kids[directory]
        for layer in self._kids_below.pop(directory, ()):
            siblings.update(layer)

    def walk(self, path: str = "") -> Iterator[str]:
        """Every live path below `path` (not itself), sorted, parents before children."""
        stack = [path]
        while stack:
            top = stack.pop()
            if top != path:
                yield top
            stack.extend(sorted(self._kids_of(top), reverse=True))

    def items(self) -> Iterator[tuple[str, Content]]:
        return items(self._cur, self._below) if self._below else iter(self._cur.items())

    def contents(self) -> dict[str, Content]:
        """Every live path and its content, as a new dict (copied in C: a dict built from `items`
        costs ten times more at a million entries; recovery compares two of these)."""
        return flattened(self._cur, self._below)

    def _remember(self, path: str, old: Content) -> None:
        """Keep the value `path` had for the pinned snapshots that can see it."""
        since = self._since.get(path, -1)  # no epoch: written before every live pin
        if since <= self._newest_pin:
            self._old.setdefault(path, []).append((since, self._epoch, old))

    def fork(self, edits: Edits | None = None) -> VersionedTree:
        """An independent twin (checkpoints, branches), counting its edits in `edits` (its world's;
        a counter of its own without): a change to either never shows in the other. The entries are frozen into layers both share (core.layers); the snapshots'
        epochs and history (small: only what changed while a snapshot was pinned) are copied."""
        self.freeze()
        kids_below = self._kids_below
        twin = VersionedTree.__new__(VersionedTree)
        twin._cur = {}
        twin._below = self._below
        twin._count = self._count
        twin._kids = {path: {} for path in self._kids}
        twin._kids_below = kids_below.copy()
        twin._since = self._since.copy()
        twin._old = {path: list(history) for path, history in self._old.items()}
        twin._epoch = self._epoch
        twin._pins = self._pins.copy()
        twin._newest_pin = self._newest_pin
        twin.digest = self.digest
        twin.edits = edits if edits is not None else Edits(self.edits.count)
        twin.data_bytes = self.data_bytes
        return twin

    def freeze(self) -> None:
        """Move the private entries into the frozen layers (what `fork` does to this tree before it
        makes the twin: after it, a fork changes nothing here). A tree unchanged since is left as it is."""
        if self._cur:
            self._below = frozen(self._below, self._cur)
            self._cur = {}
        kids_below = self._kids_below
        thawed = False
        for path, kids in self._kids.items():
            if kids:
                kids_below[path] = frozen(kids_below.get(path, ()), kids)
                thawed = True
        if thawed:
            self._kids = {path: {} for path in self._kids}

    def shared_parts(self) -> Iterator[tuple[int, int]]:
        """(identity, entries) of what this tree may share with twins: its frozen layers (paired in C:
        the timeline asks every tree and queue at each checkpoint it considers)."""
        layers = [*self._below, *chain.from_iterable(self._kids_below.values())]
        return zip(map(id, layers), map(len, layers))

    def own_size(self) -> int:
        """Entries this tree holds alone: its private tops, directories, epochs and history."""
        return (len(self._cur) + len(self._kids) + sum(map(len, self._kids.values())) + len(self._since)
                + sum(map(len, self._old.values())))

    # -- snapshots ---------------------------------------------------------
    def pin(self) -> int:
        """Freeze the current contents; return the epoch that names them."""
        epoch = self._epoch
        self._pins[epoch] = self._pins.get(epoch, 0) + 1
        self._newest_pin = epoch
        self._epoch += 1
        return epoch

    def release(self, epoch: int) -> None:
        """Forget a pinned epoch and drop history no pinned snapshot can read."""
        count = self._pins.get(epoch, 0)
        if count <= 1:
            self._pins.pop(epoch, None)
        else:
            self._pins[epoch] = count - 1
        pins = sorted(self._pins)
        self._newest_pin = pins[-1] if pins else -1
        if not pins:
            # every entry is visible to every snapshot still to come: no epoch matters
            self._since.clear()
            self._old.clear()
            return
        for path in list(self._old):
            kept = [e for e in self._old[path] if _visible_to_any(e[0], e[1], pins)]
            if kept:
                self._old[path] = kept
            else:
                del self._old[path]

    def get_at(self, path: str, epoch: int) -> Content | None:
        """The content `path` had in the snapshot pinned at `epoch`."""
        if path == "":
            return DIR
        content = self.get(path)
        if content is not None and self._since.get(path, -1) <= epoch:
            return content
        for since, until, content in self._old.get(path, ()):
            if since <= epoch < until:
                return content
        return None

    def items_at(self, epoch: int) -> Iterator[tuple[str, Content]]:
        """Every (path, content) of the snapshot pinned at `epoch`, in no set order."""
        since_of = self._since
        if since_of:
            for path, content in self.items():
                if since_of.get(path, -1) <= epoch:
                    yield path, content
        else:
            yield from self.items()
        for path, history in self._old.items():
            for since, until, content in history:
                if since <= epoch < until:
                    yield path, content
                    break

    def contents_at(self, epoch: int) -> dict[str, Content]:
        """`dict(items_at(epoch))`, built from a C copy of the live entries with what changed
        since the snapshot put back: its cost is a copy plus the changes, not a Python step an entry."""
        snapshot = self.contents()
        for path, since in self._since.items():
            if since > epoch:
                snapshot.pop(path, None)
        for path, history in self._old.items():
            for since, until, content in history:
                if since <= epoch < until:
                    snapshot[path] = content
                    break
        return snapshot

    def children_at(self, path: str, epoch: int) -> list[str]:
        """Names in a directory of the snapshot at `epoch`, sorted (scans the tree)."""
        prefix = f"{path}/" if path else ""
        names = {p[len(prefix):] for p, _ in self.items_at(epoch) if p.startswith(prefix) and "/" not in p[len(prefix):]}
        return sorted(names)


def text_bytes(contents: list[str]) -> int:
    """The size in bytes of many files' texts (C loops when all are ASCII, as loaded files are)."""
    if all(map(str.isascii, contents)):
        return sum(map(len, contents))
    return sum(map(size_of, contents))


def _visible_to_any(since: int, until: int, pins: list[int]) -> bool:
    i = bisect_right(pins, since - 1)
    return i < len(pins) and pins[i] < until
