"""File operations on either cluster's namespace, and what AFM queues for them.

A change inside an SW or IW cache fileset is made at once in the cache and
queued for home; an LU fileset keeps it local; an RO fileset refuses it. A
change at home under an SW cache's export is found by that cache's gateway
when it next flushes (NeedsResync); the next change the cache queues then
queues an automatic resync first (see `resync`).
Every operation checks everything first, so a failed one changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from operator import attrgetter

from . import bulk_load
from .characters import PATH
from .clock import SimTime
from .errors import FsError
from .events import EventBus, FilesetChanged, HomeWritten, OpDropped, OpQueued
from .gateway import CREATE, RENAME, QueuedOp
from .limits import check_cluster, check_file_size, check_queue
from .model import AfmFileset, AfmMode, Cluster
from .paths import MAX_NAME, CacheVisibility, Location, PathError, Where, locate
from .records import record
from .resync import home_written, queue_resync
from .tree import DIR, Content, VersionedTree, size_of
from .tree_ops import move_entry
from .world import World

AFM_DIR = ".afm"  # mmafmconfig enable's control directory at the root of a home export
AFM_CTL = ".afm/.afmctl"
text_size = size_of  # a file's size in bytes, as `ls -l` shows it
_NAME, _LINKED = attrgetter("name"), attrgetter("linked")
_PATH_SEARCH = PATH.search


@record
class Entry:
    name: str
    is_dir: bool
    size: int


class FileOps:
    """The file commands' engine side, on both clusters' namespaces."""

    def __init__(self, world: World, bus: EventBus, time: SimTime,
                 accessed: Callable[[AfmFileset], None] | None = None) -> None:
        self.world = world
        self.bus = bus
        self.time = time
        self.accessed = accessed  # told when a cache fileset is accessed (a Dropped one then recovers)
        self.load_next: dict[str, int] = {}  # where `sim load` continues numbering, per fileset

    def _refresh(self) -> None:
        self.world.refresh_states(self.time.now, self.bus.emit)

    def continue_from(self, other: FileOps) -> None:
        """Go on numbering `sim load` files where `other` (the world this one forked from) was."""
        self.load_next = other.load_next.copy()

    # -- resolving ---------------------------------------------------------------
    def locate(self, role: str, path: str) -> Location:
        world = self.world
        cluster = world.home if role == "home" else world.cache
        # one name is asked of each: not a dict of every tree and a set of every fileset per command
        visible, filesets = ((CacheVisibility(cluster.fs.trees, world.filesets), world.filesets)
                             if cluster is world.cache else (self._visible_trees(cluster), world.home_filesets()))
        try:
            return locate(cluster, path, visible, filesets)
        except PathError as exc:
            raise FsError(str(exc)) from None

    def _visible_trees(self, cluster: Cluster) -> dict[str, bool]:
        visible = dict.fromkeys(cluster.fs.trees, True)  # (in C: every file command resolves a path)
        if cluster is self.world.cache:
            filesets = self.world.filesets.values()
            visible.update(zip(map(_NAME, filesets), map(_LINKED, filesets)))
        return visible

    def _fileset_trees(self, cluster: Cluster) -> frozenset[str]:
        if cluster is self.world.cache:
            return frozenset(self.world.filesets)
        return frozenset(self.world.home_filesets())

    def _tree(self, loc: Location) -> VersionedTree:
        tree = loc.cluster.fs.trees.get(loc.tree)
        if tree is None:
            raise FsError("No such file or directory")
        return tree

    def _content(self, loc: Location) -> Content | None:
        if loc.where is not Where.TREE:
            return DIR
        control = self._afm_control(loc)
        if control is not None:
            return control
        tree = loc.cluster.fs.trees.get(loc.tree)
        if tree is None:
            return None
        epoch = loc.epoch
        return tree.get(loc.rel) if epoch is None else tree.get_at(loc.rel, epoch)

    def _afm_control(self, loc: Location) -> Content | None:
        """`ExportPath/.afm/.afmctl`, which `mmafmconfig enable` creates at home (and
        `disable` removes). It is AFM's, not data: it lives beside the export's tree,
        so it is never replicated, compared or snapshotted."""
        if loc.cluster is not self.world.home or loc.snapshot is not None or loc.rel not in (AFM_DIR, AFM_CTL):
            return None
        export = self.world.export_at(loc.tree)
        if export is None or not export.afm_enabled:
            return None
        return DIR if loc.rel == AFM_DIR else ""

    def _access(self, loc: Location) -> None:
        """First access to an Inactive cache fileset makes it Active."""
        if loc.cluster is self.world.cache:
            fileset = self.world.filesets.get(loc.tree)
            if fileset is not None:
                self._access_fileset(fileset)

    def _access_fileset(self, fileset: AfmFileset) -> None:
        if not fileset.activated:
            fileset.activated = True
            self._refresh()
        if fileset.dropped and self.accessed is not None:
            self.accessed(fileset)

    # -- reading -----------------------------------------------------------------
    def read_file(self, role: str, path: str) -> str:
        loc = self.locate(role, path)
        content = self._content(loc)
        if content is None:
            raise FsError("No such file or directory")
        if content is DIR:
            raise FsError("Is a directory")
        self._access(loc)
        assert isinstance(content, str)
        return content

    def exists(self, role: str, path: str) -> bool:
        try:
            return self._content(self.locate(role, path)) is not None
        except FsError:
            return False

    def is_file(self, role: str, path: str) -> bool:
        """A regular file (not a directory, not missing): how ls tells its operands apart."""
        try:
            return isinstance(self._content(self.locate(role, path)), str)
        except FsError:
            return False

    def list_dir(self, role: str, path: str, show_all: bool = False) -> list[Entry]:
        """The entries of a directory (or the file itself), sorted by name."""
        loc = self.locate(role, path)
        fs = loc.cluster.fs
        if loc.where is Where.ROOT:
            names = [n for n, shown in self._visible_trees(loc.cluster).items() if shown and n in fs.trees]
            entries = [Entry(n, True, 0) for n in sorted(names)]
            return ([Entry(".snapshots", True, 0)] if show_all else []) + entries
        if loc.where is Where.SNAPSHOTS:
            snaps = [s.name for s in fs.snapshots.values() if s.fileset == loc.scope]
            return [Entry(n, True, 0) for n in sorted(snaps)]
        if loc.where is Where.SNAPSHOT_ROOT:
            assert loc.snapshot is not None
            return [Entry(n, True, 0) for n in sorted(loc.snapshot.epochs)]
        content = self._content(loc)
        if content is None:
            raise FsError("No such file or directory")
        if content is not DIR:
            return [Entry(loc.path.rsplit("/", 1)[-1], False, text_size(content))]
        if loc.rel == AFM_DIR and self._afm_control(loc) is not None:
            return [Entry(".afmctl", False, 0)] if show_all else []
        self._access(loc)
        tree = self._tree(loc)
        epoch = loc.epoch
        prefix = f"{loc.rel}/" if loc.rel else ""
        if epoch is None:
            names = tree.children(loc.rel)
            entries = [Entry(n, (c := tree.get(prefix + n)) is DIR, text_size(c)) for n in names]  # type: ignore[arg-type]
        else:
            names = tree.children_at(loc.rel, epoch)
            entries = [Entry(n, (c := tree.get_at(prefix + n, epoch)) is DIR, text_size(c)) for n in names]  # type: ignore[arg-type]
        if show_all:
            extra = []
            if loc.rel == "" and self._afm_control(replace(loc, rel=AFM_DIR)) is not None:
                extra.append(Entry(AFM_DIR, True, 0))
            if loc.rel == "" and loc.snapshot is None and loc.tree in self._fileset_trees(loc.cluster):
                extra.append(Entry(".snapshots", True, 0))
            entries = extra + entries
        else:
            entries = [e for e in entries if not e.name.startswith(".")]
        return entries

    # -- writing ------------------------------------------------------------------
    def _writable(self, loc: Location) -> tuple[AfmFileset | None, VersionedTree]:
        if loc.snapshot is not None:
            raise FsError("Read-only file system")
        if loc.where is not Where.TREE:
            raise FsError("Permission denied")
        if (loc.cluster is self.world.home and (loc.rel == AFM_DIR or loc.rel.startswith(AFM_DIR + "/"))
                and self.world.export_at(loc.tree) is not None):
            raise FsError("Operation not permitted (.afm is AFM's control directory: mmafmconfig enable and disable "
                          "manage it)")
        tree = self._tree(loc)
        fileset = self.world.filesets.get(loc.tree) if loc.cluster is self.world.cache else None
        if fileset is not None and not fileset.mode.writes_at_cache:
            raise FsError("Read-only file system (read-only AFM fileset)")
        return fileset, tree

    def _parent_dir(self, tree: VersionedTree, rel: str) -> None:
        parent = rel.rpartition("/")[0]
        content = tree.get(parent)
        if content is None:
            raise FsError("No such file or directory")
        if content is not DIR:
            raise FsError("Not a directory")

    def write_file(self, role: str, path: str, text: str, append: bool = False) -> None:
        """`echo TEXT > PATH` (or `>>` with `append`)."""
        if role == "cache" and self._write_plain(path, text, append):
            return
        loc = self.locate(role, path)
        fileset, tree = self._writable(loc)
        if loc.rel == "":
            raise FsError("Is a directory")
        existing = tree.get(loc.rel)
        if existing is DIR:
            raise FsError("Is a directory")
        if path.endswith("/"):  # bash: a trailing slash names a directory
            raise FsError("Is a directory" if existing is None else "Not a directory")
        self._parent_dir(tree, loc.rel)
        content = existing + text if append and isinstance(existing, str) else text
        size = size_of(content)
        check_file_size(self.world.limits, size)
        self._room(loc, fileset, existing is None, size - (0 if existing is None else size_of(existing)), 1)
        self._access(loc)
        self._put(loc, fileset, tree, loc.rel, content, existing is None)

    def _write_plain(self, path: str, text: str, append: bool) -> bool:
        """`write_file` at the cache for the commonest shape, without a `Location`: an absolute
        path already in its one spelling, to a file (new, or a file) in an existing directory of
        a linked, writable cache fileset, and a file of an ordinary size. False, having changed
        and checked nothing, for anything else: the general path then resolves and refuses it
        with its own messages. Every check it skips is one the shape answers (see `locate`)."""
        world = self.world
        fs = world.cache.fs
        mount = fs.mount
        if (len(path) > MAX_NAME or not path.startswith(mount) or path[len(mount):len(mount) + 1] != "/"
                or "//" in path or "/." in path or path[-1] == "/" or _PATH_SEARCH(path)):
            return False
        head, _, rel = path[len(mount) + 1:].partition("/")
        fileset = world.filesets.get(head)
        if not rel or fileset is None or not fileset.linked or rel.startswith(".snapshots"):
            return False
        tree = fs.trees.get(head)
        if tree is None or fileset.mode is AfmMode.RO:
            return False
        existing = tree.get(rel)
        if existing is DIR or tree.get(rel.rpartition("/")[0]) is not DIR:
            return False
        content = existing + text if append and existing is not None else text
        size = size_of(content)
        check_file_size(world.limits, size)
        limits, queues = world.limits, fileset.queues_changes
        # _room, for a file of the cache: one entry more when it is new, its growth in bytes, one op
        check_cluster(limits, world.cache, existing is None, size - (0 if existing is None else size_of(existing)))
        if queues:
            check_queue(limits, world.queued_ops(), 1 + (fileset.needs_resync and fileset.mode is AfmMode.SW))
        if not fileset.activated or fileset.dropped:  # _access (a Dropped fileset's recovery may start)
            self._access_fileset(fileset)
            queues = fileset.queues_changes
        if queues:
            self.request(fileset)
        tree.put(rel, content, existing)  # (neither the access nor a resync's request writes the cache's tree)
        if queues:
            now = self.time.now
            op, dropped = fileset.queue.push_write(rel, content, size, now, existing is None)
            emit = self.bus.emit
            if dropped is not None:
                emit(OpDropped(now, fileset.name, dropped.seq, dropped.kind, dropped.path, "superseded by a later write"))
            emit(OpQueued(now, fileset.name, op.seq, op.kind, op.path, op.size))
            world.refresh_state(fileset, now, emit)
        return True

    def touch(self, role: str, path: str) -> None:
        loc = self.locate(role, path)
        fileset, tree = self._writable(loc)
        if path.endswith("/") and tree.get(loc.rel) not in (None, DIR):
            raise FsError("Not a directory")  # a trailing slash names a directory
        if path.endswith("/") and tree.get(loc.rel) is None:
            raise FsError("No such file or directory")
        if loc.rel == "" or tree.get(loc.rel) is not None:
            self._access(loc)
            return  # times are not modelled: touching an existing file changes nothing
        self._parent_dir(tree, loc.rel)
        self._room(loc, fileset, 1, 0, 1)
        self._access(loc)
        self._put(loc, fileset, tree, loc.rel, "", True)

    def _put(self, loc: Location, fileset: AfmFileset | None, tree: VersionedTree, rel: str, content: str, created: bool) -> None:
        if fileset is not None and fileset.queues_changes:
            self.request(fileset)
        tree.set(rel, content)
        if fileset is not None and fileset.queues_changes:
            op, dropped = fileset.queue.push_write(rel, content, text_size(content), self.time.now, created)
            if dropped is not None:
                self.bus.emit(OpDropped(self.time.now, fileset.name, dropped.seq, dropped.kind, dropped.path, "superseded by a later write"))
            self._announce(fileset, op)
        elif loc.cluster is self.world.home:
            self._home_changed(loc.tree, rel)

    def _room(self, loc: Location, fileset: AfmFileset | None, entries: int, data_bytes: int, ops: int) -> None:
        """Refuse (CapExceeded) a change that would take the world over one of its
        caps (core.limits): called after every other check, before anything changes."""
        limits = self.world.limits
        check_cluster(limits, loc.cluster, entries, data_bytes)
        if fileset is not None and fileset.queues_changes and ops > 0:
            resync = fileset.needs_resync and fileset.mode is AfmMode.SW  # `request` queues one first
            check_queue(limits, self.world.queued_ops(), ops + resync)

    def _announce(self, fileset: AfmFileset, op: QueuedOp) -> None:
        self.bus.emit(OpQueued(self.time.now, fileset.name, op.seq, op.kind, op.path, op.size))
        self.world.refresh_state(fileset, self.time.now, self.bus.emit)  # a queued op changes only its own state

    def _home_changed(self, tree: str, rel: str) -> None:
        for fileset in home_written(self.world, tree):
            self.bus.emit(HomeWritten(self.time.now, fileset.name, f"{self.world.home.fs.mount}/{tree}/{rel}".rstrip("/")))
        self._refresh()

    def request(self, fileset: AfmFileset) -> None:
        """A change is about to be queued: the next request to the gateway of a
        NeedsResync fileset runs the resync first (IBM: "AFM runs a
        resynchronization automatically during the next request")."""
        if fileset.needs_resync and fileset.mode is AfmMode.SW:
            op = queue_resync(self.world, fileset, self.time.now)
            self.bus.emit(FilesetChanged(
                self.time.now, fileset.name,
                f"automatic resync queued as #{op.seq}: home will be made equal to the cache ({op.size} B)",
            ))

    def mkdir(self, role: str, path: str, parents: bool = False) -> None:
        loc = self.locate(role, path)
        if loc.where is Where.TREE and loc.snapshot is None and loc.tree not in loc.cluster.fs.trees:
            if loc.rel and not parents:
                raise FsError("No such file or directory")
            # a new top-level directory: its own tree (at home, a directory to export)
            self._room(loc, None, loc.rel.count("/") + 1 if loc.rel else 0, 0, 0)
            loc.cluster.fs.trees[loc.tree] = VersionedTree(self.world.edits)
            if not loc.rel:
                return
        fileset, tree = self._writable(loc)
        existing = tree.get(loc.rel)
        if existing is not None:
            if parents and existing is DIR:
                return
            raise FsError("File exists")
        missing = []
        rel = loc.rel
        while True:
            parent = rel.rpartition("/")[0]
            content = tree.get(parent)
            if content is DIR:
                break
            if content is not None or not parents:
                raise FsError("Not a directory" if content is not None else "No such file or directory")
            missing.append(parent)
            rel = parent
        self._room(loc, fileset, len(missing) + 1, 0, len(missing) + 1)
        self._access(loc)
        if fileset is not None and fileset.queues_changes:
            self.request(fileset)
        for rel in [*reversed(missing), loc.rel]:
            tree.set(rel, DIR)
            if fileset is not None and fileset.queues_changes:
                self._announce(fileset, fileset.queue.push_mkdir(rel, self.time.now))
            elif loc.cluster is self.world.home:
                self._home_changed(loc.tree, rel)

    def remove(self, role: str, path: str, recursive: bool = False, directory: bool = False) -> None:
        """`rm` (files), `rm -r` (trees) and `rmdir` (`directory`: empty directories only)."""
        loc = self.locate(role, path)
        fileset, tree = self._writable(loc)
        if loc.rel == "":
            raise FsError("Device or resource busy")
        content = tree.get(loc.rel)
        if content is None:
            raise FsError("No such file or directory")
        if content is DIR:
            if directory and tree.child_count(loc.rel):
                raise FsError("Directory not empty")
            if not directory and not recursive:
                raise FsError("Is a directory")
        elif directory:
            raise FsError("Not a directory")
        doomed = [*reversed(list(tree.walk(loc.rel))), loc.rel]
        self._room(loc, fileset, 0, 0, len(doomed))  # one remove queued for each entry
        self._access(loc)
        if fileset is not None and fileset.queues_changes:
            self.request(fileset)
        for rel in doomed:
            is_dir = tree.get(rel) is DIR
            tree.delete(rel)
            if fileset is not None and fileset.queues_changes:
                queue = fileset.queue
                op, dropped = queue.push_rmdir(rel, self.time.now) if is_dir else queue.push_remove(rel, self.time.now)
                if dropped is not None:
                    why = "mkdir undone by rmdir" if is_dir else "write undone by remove"
                    self.bus.emit(OpDropped(self.time.now, fileset.name, dropped.seq, dropped.kind, dropped.path, why))
                if op is not None:
                    self._announce(fileset, op)
                else:
                    self._refresh()
            elif loc.cluster is self.world.home:
                self._home_changed(loc.tree, rel)

    def rename(self, role: str, src: str, dst: str) -> None:
        """`mv SRC DST` within one fileset (or one home directory tree)."""
        source = self.locate(role, src)
        target = self.locate(role, dst)
        fileset, tree = self._writable(source)
        self._writable(target)
        if source.rel == "":
            raise FsError("Device or resource busy")
        content = tree.get(source.rel)
        if content is None:
            raise FsError("No such file or directory")
        if target.tree != source.tree:
            raise FsError("Invalid cross-device link (a rename cannot leave its fileset)")
        rel = target.rel
        if tree.get(rel) is DIR:
            rel = f"{rel}/{source.rel.rsplit('/', 1)[-1]}" if rel else source.rel.rsplit("/", 1)[-1]
        if rel == source.rel:
            return
        if content is DIR and (rel + "/").startswith(source.rel + "/"):
            raise FsError("Invalid argument (cannot move a directory into itself)")
        existing = tree.get(rel)
        if existing is DIR:
            raise FsError("Is a directory" if content is not DIR else "Directory not empty")
        if existing is not None and content is DIR:
            raise FsError("Not a directory")
        self._parent_dir(tree, rel)
        self._room(source, fileset, 0, 0, 1)
        self._access(source)
        if fileset is not None and fileset.queues_changes:
            self.request(fileset)
        if existing is not None:
            tree.delete(rel)
        move_entry(tree, source.rel, rel)
        if fileset is not None and fileset.queues_changes:
            queue = fileset.queue
            queue.barrier()
            self._announce(fileset, queue.push(RENAME, source.rel, rel, 0, self.time.now))
            queue.barrier()
        elif source.cluster is self.world.home:
            self._home_changed(source.tree, rel)

    # -- load ---------------------------------------------------------------------------
    def load(self, fileset_name: str, count: int, size: int = 0) -> tuple[int, int]:
        """`sim load N` (see core.bulk_load): N new files in the fileset's `load/`, all or nothing."""
        seqs = bulk_load.load(self, fileset_name, count, size, self.bus.emit)
        self._refresh()
        return seqs


__all__ = ["CREATE", "Entry", "FileOps", "text_size"]
