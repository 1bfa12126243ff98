"""Whole-entry operations on a tree: home applying ops it may find changed behind the cache's back,
a rename of a directory with everything below it."""

from __future__ import annotations

from .tree import DIR, Content, VersionedTree


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
