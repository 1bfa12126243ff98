"""Turning a path typed by the user into a place in the simulated world."""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Mapping
from enum import Enum
from typing import Protocol

from .characters import PATH, forbidden
from .model import AfmFileset, Cluster, Snapshot
from .records import record

MAX_PATH = 1024
MAX_NAME = 255


class Visibility(Protocol):
    """Whether a top-level tree is reachable through the namespace (a dict of them serves)."""

    def get(self, name: str, default: bool = ..., /) -> bool: ...


class CacheVisibility:
    """The cache's `Visibility`, asked one name at a time (not a dict of every tree per
    command): a linked fileset's tree is reachable, an unlinked one's not, any other tree is."""

    __slots__ = ("filesets", "trees")

    def __init__(self, trees: Mapping[str, object], filesets: Mapping[str, AfmFileset]) -> None:
        self.trees, self.filesets = trees, filesets

    def get(self, name: str, default: bool = False) -> bool:
        fileset = self.filesets.get(name)
        if fileset is not None:
            return fileset.linked
        return True if name in self.trees else default


class PathError(Exception):
    """A path that names nothing (or nothing allowed); str() is the reason."""


class Where(Enum):
    ROOT = "root"  # the mount point itself
    SNAPSHOTS = "snapshots"  # a .snapshots directory
    SNAPSHOT_ROOT = "snapshot-root"  # /gpfs/fs1/.snapshots/<name> (global snapshot)
    TREE = "tree"  # something inside a top-level tree, live or in a snapshot


@record
class Location:
    cluster: Cluster
    path: str  # normalised absolute path
    where: Where
    tree: str = ""  # top-level tree name (fileset or export directory)
    rel: str = ""  # path inside the tree ("" = its root)
    snapshot: Snapshot | None = None  # set when reading inside a snapshot
    scope: str | None = None  # for Where.SNAPSHOTS: fileset name, None = file system

    @property
    def epoch(self) -> int | None:
        if self.snapshot is None:
            return None
        return self.snapshot.epochs.get(self.tree)


def normalise(mount: str, path: str) -> str:
    """An absolute, normalised path; relative paths start at the mount point."""
    if not path:
        raise PathError("No such file or directory")
    if len(path) > MAX_PATH:
        raise PathError("File name too long")
    if forbidden(path, PATH):
        raise PathError("Invalid argument (control character in path)")
    if not path.startswith("/"):
        path = f"{mount}/{path}"
    while "//" in path:
        path = path.replace("//", "/")
    if "/." in path or path.endswith("/"):  # else normpath would give it back unchanged (most paths)
        path = posixpath.normpath(path)
    if path != mount and not path.startswith(mount + "/"):
        raise PathError(f"outside the simulated file system {mount}")
    if len(path) > MAX_NAME and any(len(part) > MAX_NAME for part in path.split("/")):
        raise PathError("File name too long")
    return path


def locate(cluster: Cluster, path: str, visible_trees: Visibility, filesets: Collection[str] = frozenset()) -> Location:
    """Resolve `path` on `cluster`. `visible_trees` maps each top-level tree to
    whether it is reachable through the namespace (an unlinked fileset is not);
    `filesets` names the trees that are filesets (they have a .snapshots dir).
    Raises PathError when the path names nothing in the namespace's structure;
    whether the final entry exists is left to the caller."""
    fs = cluster.fs
    norm = normalise(fs.mount, path)
    if norm == fs.mount:
        return Location(cluster, norm, Where.ROOT)
    parts = norm[len(fs.mount) + 1:].split("/")
    head = parts[0]
    if head == ".snapshots":
        if len(parts) == 1:
            return Location(cluster, norm, Where.SNAPSHOTS)
        snap = fs.snapshot(parts[1])
        if snap is None:
            raise PathError("No such file or directory")
        if len(parts) == 2:
            return Location(cluster, norm, Where.SNAPSHOT_ROOT, snapshot=snap)
        tree = parts[2]
        if tree not in snap.epochs:
            raise PathError("No such file or directory")
        return Location(cluster, norm, Where.TREE, tree, "/".join(parts[3:]), snap)
    if not visible_trees.get(head, False):
        if head in fs.trees:
            raise PathError("No such file or directory (fileset is not linked)")
        return Location(cluster, norm, Where.TREE, head, "/".join(parts[1:]), None)
    if len(parts) >= 2 and parts[1] == ".snapshots" and head in filesets:
        if len(parts) == 2:
            return Location(cluster, norm, Where.SNAPSHOTS, head, scope=head)
        snap = fs.snapshot(parts[2], head)
        if snap is None:
            raise PathError("No such file or directory")
        return Location(cluster, norm, Where.TREE, head, "/".join(parts[3:]), snap)
    return Location(cluster, norm, Where.TREE, head, "/".join(parts[1:]))
