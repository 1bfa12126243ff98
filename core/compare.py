"""`compare BRANCH`: two lines of history side by side, where each stands.

For each fileset that replicates: the data at the cache that is not at home yet,
the pending home halves, and the queue; and the time each line is at.
"""

from __future__ import annotations

import textwrap

from .clock import format_duration, hms, plural
from .engine import Engine
from .model import AfmFileset, HomeHalf
from .why import seq_range
from .world import World

# The dashboard's console is about 62 columns wide in a 120-column terminal: the table fits it.
LABEL, COLUMN = 13, 24
QUIET = (["nothing"], ["none"], ["empty"])  # cells of a fileset with nothing going on
SHOWN = 3  # paths or pairs listed per cell before "+N more"
WALK_LIMIT = 200_000  # bigger trees are compared by digest only


def _short(name: str) -> str:
    """A psnap name's distinguishing tail, its cache time: `…02-27-28` (the full name in `why`)."""
    return "…" + name[-8:] if len(name) > 24 else name


def not_at_home(world: World, fileset: AfmFileset) -> list[str]:
    """The paths whose live content at the cache differs from home's, sorted."""
    cache = world.cache.fs.trees[fileset.name]
    home = world.home_tree(fileset)
    if home is None:
        return ["(home directory missing)"]
    if cache.digest == home.digest:
        return []
    if len(cache) > WALK_LIMIT or len(home) > WALK_LIMIT:
        return [f"(contents differ; {len(cache):,} entries, not listed)"]
    mine, theirs = dict(cache.items()), dict(home.items())
    return sorted(p for p in mine.keys() | theirs.keys() if mine.get(p) != theirs.get(p))


def _cells(engine: Engine) -> dict[tuple[str, str], list[str]]:
    """Per (fileset, row label) the cell's text; fileset "" for the line as a whole."""
    world = engine.world
    cells: dict[tuple[str, str], list[str]] = {
        ("", "time"): [f"{hms(world.clock('cache', engine.now))} (+{format_duration(engine.now)})"]}
    for fileset in world.filesets.values():
        if not fileset.mode.pushes_home:
            continue
        name, queue = fileset.name, fileset.queue
        paths = not_at_home(world, fileset)
        shown = ", ".join(paths[:SHOWN]) + (f" +{len(paths) - SHOWN} more" if len(paths) > SHOWN else "")
        cells[name, "not at home"] = [shown or "nothing"]
        pending = [p for p in fileset.psnaps.values() if p.home is HomeHalf.QUEUED]
        cells[name, "pending"] = [
            f"{_short(p.name)} " + (f"behind {plural(queue.ahead_of(p.marker), 'op')}" if p.marker is not None
                                    else "not queued (recovery requeues it)") for p in pending[:SHOWN]
        ] + ([f"+{len(pending) - SHOWN} more"] if len(pending) > SHOWN else []) or ["none"]
        head = next(iter(queue), None)
        cells[name, "queue"] = ([f"{plural(queue.length, 'op')} ({seq_range(queue.head_seq(), queue.next_seq - 1)})",
                                 f"head #{head.seq} {head.kind} {head.path}".rstrip()] if head is not None else ["empty"])
        cells[name, "state"] = [fileset.state.value]
    return cells


def _wrapped(lines: list[str]) -> list[str]:
    """A cell's lines cut to the column at spaces (a word longer than the column at the column)."""
    out: list[str] = []
    for line in lines:
        out += textwrap.wrap(line, COLUMN - 1, break_on_hyphens=False) or [""]
    return out


def side_by_side(name_a: str, engine_a: Engine, name_b: str, engine_b: Engine) -> list[str]:
    """Rows of `label | line a | line b` under a heading per fileset, as wide as the dashboard's
    console (a long cell wraps, nothing is cut); a row whose cells differ is marked with `*`.
    A fileset with nothing going on in either line is left out."""
    a, b = _cells(engine_a), _cells(engine_b)
    for name in engine_a.world.filesets:
        keys = [k for k in {**a, **b} if k[0] == name and k[1] != "state"]
        if keys and all(a.get(k) in QUIET and b.get(k) in QUIET for k in keys):
            for cells in (a, b):
                for k in [*keys, (name, "state")]:
                    cells.pop(k, None)
    lines = [f"  {'':<{LABEL}}{name_a + ' (here)':<{COLUMN}}{name_b} (its end)"]
    fileset = ""
    for key in dict.fromkeys([*a, *b]):
        if key[0] != fileset:
            fileset = key[0]
            lines.append(f"  {fileset}")
        left, right = _wrapped(a.get(key, ["—"])), _wrapped(b.get(key, ["—"]))
        mark = "*" if a.get(key) != b.get(key) else " "
        for i in range(max(len(left), len(right))):
            cell_a = left[i] if i < len(left) else ""
            cell_b = right[i] if i < len(right) else ""
            head = key[1] if i == 0 else ""
            lines.append(f"{mark if i == 0 else ' '} {head:<{LABEL}}{cell_a:<{COLUMN}}{cell_b}".rstrip())
    return lines
