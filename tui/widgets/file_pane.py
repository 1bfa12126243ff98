"""The cache pane and the home pane: a fileset's files and each side's snapshots.

Rows carry a mark where the two sides disagree: `+` only on this side (from
the cache: not yet at home), `~` differs, `-` at home but gone from the cache.
Huge directories are summarised, never listed, so a million files cost what
ten do.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from peersnap.core import clock
from peersnap.core.engine import Engine
from peersnap.core.model import AfmFileset, Snapshot
from peersnap.core.records import record
from peersnap.core.tree import DIR, VersionedTree
from textual.content import Content

from .. import format as fmt
from .line_view import ContentView

DIR_LIMIT = 200  # a directory with more entries is summarised
MAX_ROWS = 300
MAX_DEPTH = 16
MARK_STYLES = {"+": "bold $success", "~": "bold $warning", "-": "bold $error"}


@record
class FileRow:
    depth: int
    name: str
    is_dir: bool
    size: int
    mark: str  # "", "+", "~", "-"
    summary: str = ""


def _size(content: object) -> int:
    return len(content.encode("utf-8", "surrogatepass")) if isinstance(content, str) else 0


def _rows(tree: VersionedTree, other: VersionedTree | None, rel: str, depth: int, only_here: str) -> Iterator[FileRow]:
    count = tree.child_count(rel)
    if count > DIR_LIMIT:
        yield FileRow(depth, "", True, 0, "", f"{count:,} entries (not listed)")
        return
    for name in tree.children(rel):
        if name.startswith("."):
            continue
        path = f"{rel}/{name}" if rel else name
        content = tree.get(path)
        theirs = other.get(path) if other is not None else None
        if theirs is None:
            mark = only_here
        else:
            mark = "~" if theirs != content else ""
        yield FileRow(depth, name, content is DIR, _size(content), mark)
        if content is DIR and depth < MAX_DEPTH:
            yield from _rows(tree, other, path, depth + 1, only_here)


def compare_rows(tree: VersionedTree | None, other: VersionedTree | None, only_here: str) -> list[FileRow]:
    """Rows of `tree`, depth first, marked against `other`; at most MAX_ROWS (+1 saying so)."""
    if tree is None:
        return []
    rows = list(islice(_rows(tree, other, "", 0, only_here), MAX_ROWS + 1))
    if len(rows) > MAX_ROWS:
        rows[-1] = FileRow(0, "", False, 0, "", "… more not shown (use ls in the console)")
    return rows


class FilePane(ContentView):
    """One cluster's view of the selected fileset (one widget: the pane draws its rows itself)."""

    def __init__(self, role: str, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pane file-pane")
        self.role = role
        self._last: tuple[object, ...] = ()

    def forget(self) -> None:
        """Redraw on the next `show` even if nothing seems to have changed (a new world)."""
        self._last = ()

    def show(self, engine: Engine, fileset: AfmFileset) -> None:
        cache_tree = engine.world.cache.fs.trees.get(fileset.name)
        home_tree = engine.world.home_tree(fileset)
        tree_name = engine.world.home_dir(fileset)
        if self.role == "cache":
            mine, theirs, only_here = cache_tree, home_tree, "+"
            snaps = [s for s in engine.world.cache.fs.snapshots.values() if s.fileset == fileset.name]
            where = f"{engine.world.cache.fs.mount}/{fileset.name}"
            note = "" if fileset.linked else "unlinked"
        else:
            mine, theirs, only_here = home_tree, cache_tree, "-"
            snaps = [s for s in engine.world.home.fs.snapshots.values() if tree_name in s.epochs]
            where = fileset.target.path
            note = "" if home_tree is not None else "no such directory"
        key = (
            self.size.width, fileset.name, where, note,
            (mine.digest, len(mine)) if mine else None,
            (theirs.digest, len(theirs)) if theirs else None,
            tuple((s.id, s.name) for s in snaps),
        )
        if key == self._last:
            return
        self._last = key
        self.set_content(self._body_text(engine, where, note, mine, theirs, only_here, snaps))

    def _body_text(self, engine: Engine, where: str, note: str, mine: VersionedTree | None,
                theirs: VersionedTree | None, only_here: str, snaps: list[Snapshot]) -> Content:
        parts: list[Content | str | tuple[str, str]] = [(where, "bold")]
        if note:
            parts.append((f"  ({note})", "$warning"))
        parts.append("\n")
        rows = compare_rows(mine, theirs, only_here)
        if not rows:
            parts.append(("  (empty)\n", "$text-muted"))
        for row in rows:
            indent = "  " * row.depth
            if row.summary:
                parts.append((f"  {indent}{row.summary}\n", "italic $text-muted"))
                continue
            parts.append((row.mark or " ", MARK_STYLES.get(row.mark, "")))
            parts.append(" " + indent)
            if row.is_dir:
                parts.append((row.name + "/", "bold"))
            else:
                parts.append(row.name)
                parts.append((f"  {fmt.size(row.size)}", "$text-muted"))
            parts.append("\n")
        parts.append((f"\nSnapshots ({len(snaps)})\n", "bold underline"))
        if not snaps:
            parts.append(("  none", "$text-muted"))
        for i, snap in enumerate(sorted(snaps, key=lambda s: s.id)):
            when = clock.hms(engine.clock(self.role, snap.created_us))
            parts.append(("◆" if snap.peer else " ", "bold $accent"))
            parts.append((f" {snap.id:>2} ", "bold"))
            room = max(self.scrollable_content_region.width - 5, 8)  # after "◆ 12 "
            if room - len(when) - 2 >= len(fmt.short_psnap(snap.name)):  # (else the name's own time is shown)
                parts.append((f"{when}  ", "$text-muted"))
                room -= len(when) + 2
            parts.append(fmt.fit_psnap(snap.name, room))
            if i < len(snaps) - 1:
                parts.append("\n")
        return Content.assemble(*parts)
