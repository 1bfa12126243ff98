"""`diff`: the two halves of a peer snapshot, two snapshot paths, or one path at cache and home, file by file.

Each side is read as a map of paths (relative to what was named) to content;
the report says "identical" or lists each difference with both contents.
"""

from __future__ import annotations

from .clock import plural
from .errors import FsError
from .fileops import FileOps
from .model import HomeHalf, PeerSnapshot
from .paths import Where
from .records import record
from .tree import DIR, Content, VersionedTree
from .why import at, broken_pair
from .world import World

SHOWN = 20  # differences listed before "... and N more"
WALK_LIMIT = 200_000  # above this, equal digests stand for identical contents (walking would take seconds)


@record
class Side:
    """What one side of a comparison holds: entries by relative path ("" for a single file)."""

    label: str
    entries: dict[str, Content]


@record
class Difference:
    path: str
    left: Content | None
    right: Content | None


def compare(left: Side, right: Side) -> list[Difference]:
    """Every path whose content differs (or that only one side has), sorted."""
    a, b = left.entries, right.entries
    return [Difference(p, a.get(p), b.get(p)) for p in sorted(a.keys() | b.keys()) if a.get(p) != b.get(p)]


def show(content: Content | None) -> str:
    if content is None:
        return "(absent)"
    if content is DIR:
        return "(directory)"
    assert isinstance(content, str)
    import json  # (here: a diff is rare, and json is not among what the first frame imports)

    text = json.dumps(content[:40], ensure_ascii=False)
    return text + ("…" if len(content) > 40 else "")


def report(title: str, left: Side, right: Side) -> list[str]:
    """`TITLE: identical (N entries)` or `TITLE: K differences in N entries` and one line each."""
    differences = compare(left, right)
    total = len(left.entries.keys() | right.entries.keys())
    if not differences:
        return [f"{title}: identical ({total:,} {'entry' if total == 1 else 'entries'})"]
    lines = [f"{title}: {plural(len(differences), 'difference')} in {total:,} {'entry' if total == 1 else 'entries'}"]
    for difference in differences[:SHOWN]:
        name = difference.path or "(the file)"
        if difference.left is None:
            lines.append(f"  only at {right.label}: {name} {show(difference.right)}")
        elif difference.right is None:
            lines.append(f"  only at {left.label}: {name} {show(difference.left)}")
        else:
            lines.append(f"  {name}: {left.label} {show(difference.left)} | {right.label} {show(difference.right)}")
    if len(differences) > SHOWN:
        lines.append(f"  ... and {len(differences) - SHOWN:,} more")
    return lines


def tree_entries(tree: VersionedTree, rel: str, epoch: int | None) -> dict[str, Content]:
    """Everything below `rel` (a directory) in the live tree or the snapshot at `epoch`."""
    prefix = f"{rel}/" if rel else ""
    cut = len(prefix)
    if epoch is None:
        return {path[cut:]: tree.get(path) for path in tree.walk(rel)}  # type: ignore[misc]
    return {path[cut:]: content for path, content in tree.items_at(epoch) if path.startswith(prefix)}


def path_side(files: FileOps, role: str, path: str, label: str, missing_ok: bool = False) -> Side:
    """A typed path on `role` (live, or inside a snapshot) as a side; FsError when it names
    nothing (with `missing_ok`, an empty side: the other side's entries are then "only at")."""
    try:
        return _path_side(files, role, path, label)
    except FsError:
        if missing_ok:
            return Side(label, {})
        raise


def _path_side(files: FileOps, role: str, path: str, label: str) -> Side:
    loc = files.locate(role, path)
    if loc.where is Where.SNAPSHOT_ROOT:
        assert loc.snapshot is not None
        trees = loc.cluster.fs.trees
        entries: dict[str, Content] = {}
        for name, epoch in loc.snapshot.epochs.items():
            if name in trees:
                entries[name] = DIR
                entries.update({f"{name}/{p}": c for p, c in tree_entries(trees[name], "", epoch).items()})
        return Side(label, entries)
    if loc.where is not Where.TREE:
        raise FsError("not a file or directory of a fileset or export (name one below it)")
    tree = loc.cluster.fs.trees.get(loc.tree)
    epoch = loc.epoch
    if tree is None:
        raise FsError("No such file or directory")
    content = tree.get(loc.rel) if epoch is None else tree.get_at(loc.rel, epoch)
    if content is None:
        raise FsError("No such file or directory")
    if content is not DIR:
        return Side(label, {"": content})
    return Side(label, tree_entries(tree, loc.rel, epoch))


def home_path(world: World, path: str) -> str:
    """The home path a cache path mirrors (`/gpfs/fs1/sw/a` -> the target's directory + `/a`)."""
    mount = world.cache.fs.mount
    rest = path[len(mount) + 1:] if path.startswith(mount + "/") else path.lstrip("/")
    name, _, below = rest.partition("/")
    fileset = world.filesets.get(name)
    if fileset is None or below.startswith(".snapshots"):
        raise FsError("not inside a cache fileset's live tree (give two paths to compare snapshots)")
    return f"{fileset.target.path}/{below}".rstrip("/")


def diff_psnap(world: World, files: FileOps, psnap: PeerSnapshot) -> list[str]:
    """The halves of a pair, file by file; a pending pair's cache half against home now."""
    fileset = world.filesets[psnap.fileset]
    name = psnap.name
    broken = broken_pair(world, psnap)
    if broken is not None:
        return [f"diff {name}: broken pair: {broken}"]
    home_dir = world.home_dir(fileset)
    cache_tree = world.cache.fs.trees[fileset.name]
    cache_epoch = psnap.cache_snap.epochs[fileset.name]
    cache_label = f"cache half (id {psnap.cache_snap.id})"
    home_tree = world.home.fs.trees.get(home_dir)
    if psnap.home is HomeHalf.CREATED and psnap.home_snap is not None:
        home = psnap.home_snap
        title = f"diff {name}: {cache_label} and home half (id {home.id})"
        if home_tree is None or home_dir not in home.epochs:
            return [f"{title}: the home half holds no {world.home.fs.mount}/{home_dir}"]
        same = home.digests.get(home_dir) == psnap.cache_snap.digests.get(fileset.name)
        if same and len(cache_tree) > WALK_LIMIT:
            return [f"{title}: identical (equal content digests of {len(cache_tree):,}+ entries)"]
        return report(title, Side("cache", tree_entries(cache_tree, "", cache_epoch)),
                      Side("home", tree_entries(home_tree, "", home.epochs[home_dir])))
    if psnap.home is HomeHalf.QUEUED:
        ahead = fileset.queue.ahead_of(psnap.marker) if psnap.marker is not None else 0
        title = (f"diff {name}: home half not taken yet (queued behind {plural(ahead, 'op')}); "
                 f"{cache_label} against home now")
        if home_tree is None:
            return [f"{title}: home has no {world.home.fs.mount}/{home_dir}"]
        return report(title, Side("cache", tree_entries(cache_tree, "", cache_epoch)),
                      Side("home", tree_entries(home_tree, "", None)))
    if psnap.home is HomeHalf.DELETING:
        return [f"diff {name}: being deleted (its home half goes when the link is back)"]
    failed = world.changes.get(f"enabled:{fileset.target.path}")
    when = f" (home export changed at {at(world, failed.at)} by {failed.cause})" if failed is not None else ""
    return [f"diff {name}: no home half: it failed: {psnap.failure}{when}"]
