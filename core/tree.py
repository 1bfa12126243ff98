"""A copy-on-write file tree: snapshots cost the same for ten files or a million.

Every entry remembers the epoch it was written in. Taking a snapshot pins the
current epoch and starts a new one; a later change to an entry that a pinned
snapshot can see moves the old value into a short history instead of
overwriting it. Reading a snapshot looks up the value that was current at its
epoch. Nothing is copied when the snapshot is taken.

Paths are relative to the tree's root (`dir/file`); the root itself is `""`.
The tree also keeps a running digest of its contents so that two trees (or
two snapshots) can be compared without walking them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator

MASK = (1 << 64) - 1


class _Directory:
    """The content of a directory entry (a singleton, like `None`)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "DIR"

    def __reduce__(self) -> str:
        return "DIR"


DIR = _Directory()
Content = str | _Directory


def entry_hash(path: str, content: Content) -> int:
    """One entry's share of a tree digest (stable within a process)."""
    return hash((path, content)) & MASK


class VersionedTree:
    """A directory tree of text files with O(1) snapshots.

    `_cur` maps each live path to `(epoch written, content)`; `_old` keeps, for
    paths changed since a pinned snapshot, `(from epoch, until epoch, content)`
    for the values that snapshot may still read. `_kids` indexes the live
    directories' children so listings do not scan the tree.
    """

    __slots__ = ("_cur", "_epoch", "_kids", "_newest_pin", "_old", "_pins", "digest")

    def __init__(self) -> None:
        self._cur: dict[str, tuple[int, Content]] = {}
        self._old: dict[str, list[tuple[int, int, Content]]] = {}
        self._kids: dict[str, dict[str, None]] = {"": {}}
        self._epoch = 0
        self._pins: dict[int, int] = {}
        self._newest_pin = -1
        self.digest = 0

    # -- live tree -------------------------------------------------------
    def __len__(self) -> int:
        return len(self._cur)

    def get(self, path: str) -> Content | None:
        if path == "":
            return DIR
        entry = self._cur.get(path)
        return None if entry is None else entry[1]

    def is_dir(self, path: str) -> bool:
        return path == "" or path in self._kids

    def children(self, path: str) -> list[str]:
        """Names in a live directory, sorted."""
        return sorted(self._kids.get(path, ()))

    def child_count(self, path: str) -> int:
        return len(self._kids.get(path, ()))

    def set(self, path: str, content: Content) -> Content | None:
        """Create or replace an entry (its parent must exist); return the old content."""
        cur = self._cur
        old = cur.get(path)
        if old is not None:
            if (old[1] is DIR) != (content is DIR):
                raise IsADirectoryError(path) if old[1] is DIR else NotADirectoryError(path)
            if old[0] <= self._newest_pin:
                self._remember(path, old)
            self.digest = (self.digest - entry_hash(path, old[1])) & MASK
        else:
            parent, _, name = path.rpartition("/")
            self._kids[parent][name] = None  # KeyError: no such parent directory
            if content is DIR:
                self._kids[path] = {}
        cur[path] = (self._epoch, content)
        self.digest = (self.digest + hash((path, content))) & MASK  # entry_hash, inlined: the hot path
        return None if old is None else old[1]

    def create(self, path: str, content: str) -> bool:
        """Create a file that does not exist yet (the bulk-load path); False,
        changing nothing, when `path` exists. Its parent directory must exist."""
        cur = self._cur
        if path in cur:
            return False
        parent, _, name = path.rpartition("/")
        self._kids[parent][name] = None  # KeyError: no such parent directory
        cur[path] = (self._epoch, content)
        self.digest = (self.digest + hash((path, content))) & MASK
        return True

    def delete(self, path: str) -> Content | None:
        """Remove one entry (a directory must be empty); return its content."""
        old = self._cur.pop(path, None)
        if old is None:
            return None
        if old[0] <= self._newest_pin:
            self._remember(path, old)
        self.digest = (self.digest - entry_hash(path, old[1])) & MASK
        parent, _, name = path.rpartition("/")
        del self._kids[parent][name]
        if old[1] is DIR:
            del self._kids[path]
        return old[1]

    def walk(self, path: str = "") -> Iterator[str]:
        """Every live path below `path` (not itself), sorted, parents before children."""
        stack = [path]
        while stack:
            top = stack.pop()
            if top != path:
                yield top
            kids = self._kids.get(top)
            if kids:
                stack.extend(f"{top}/{name}" if top else name for name in sorted(kids, reverse=True))

    def items(self) -> Iterator[tuple[str, Content]]:
        for path, (_, content) in self._cur.items():
            yield path, content

    def _remember(self, path: str, old: tuple[int, Content]) -> None:
        self._old.setdefault(path, []).append((old[0], self._epoch, old[1]))

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
        entry = self._cur.get(path)
        if entry is not None and entry[0] <= epoch:
            return entry[1]
        for since, until, content in self._old.get(path, ()):
            if since <= epoch < until:
                return content
        return None

    def items_at(self, epoch: int) -> Iterator[tuple[str, Content]]:
        """Every (path, content) of the snapshot pinned at `epoch`, in no set order."""
        for path, (since, content) in self._cur.items():
            if since <= epoch:
                yield path, content
        old_paths = self._old
        for path, history in old_paths.items():
            for since, until, content in history:
                if since <= epoch < until:
                    yield path, content
                    break

    def children_at(self, path: str, epoch: int) -> list[str]:
        """Names in a directory of the snapshot at `epoch`, sorted (scans the tree)."""
        prefix = f"{path}/" if path else ""
        names = {p[len(prefix):] for p, _ in self.items_at(epoch) if p.startswith(prefix) and "/" not in p[len(prefix):]}
        return sorted(names)


def _visible_to_any(since: int, until: int, pins: list[int]) -> bool:
    i = bisect_right(pins, since - 1)
    return i < len(pins) and pins[i] < until


# -- whole-entry operations (home applying ops it may find changed behind the cache's back) ----
def remove_subtree(tree: VersionedTree, path: str) -> None:
    """Remove a file, or a directory and everything below it."""
    for child in reversed(list(tree.walk(path))):
        tree.delete(child)
    tree.delete(path)


def force_set(tree: VersionedTree, path: str, content: Content) -> None:
    """Set `path` whatever stands in the way at home (changes made there
    behind the cache's back): missing parents are made, files in the way of a
    directory and directories in the way of a file are removed."""
    parts = path.split("/")
    for i in range(1, len(parts)):
        parent = "/".join(parts[:i])
        existing = tree.get(parent)
        if existing is DIR:
            continue
        if existing is not None:
            tree.delete(parent)
        tree.set(parent, DIR)
    existing = tree.get(path)
    if existing is not None and (existing is DIR) != (content is DIR):
        remove_subtree(tree, path)
    tree.set(path, content)


def move_entry(tree: VersionedTree, src: str, dst: str) -> None:
    """Rename a file or a whole directory inside one tree."""
    content = tree.get(src)
    if content is DIR:
        children = list(tree.walk(src))
        tree.set(dst, DIR)
        for child in children:
            tree.set(dst + child[len(src):], tree.get(child))  # type: ignore[arg-type]
        for child in reversed(children):
            tree.delete(child)
        tree.delete(src)
    elif content is not None:
        if tree.get(dst) is DIR:
            return
        tree.set(dst, content)
        tree.delete(src)
