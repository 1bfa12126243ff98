"""Short, human texts for the dashboard: sizes, counts, names that must fit."""

from __future__ import annotations

import re

from peersnap.core.model import CacheState

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")

STATE_CLASS = {
    CacheState.ACTIVE: "good",
    CacheState.DIRTY: "busy",
    CacheState.INACTIVE: "idle",
    CacheState.DISCONNECTED: "bad",
    CacheState.UNMOUNTED: "bad",
    CacheState.STOPPED: "bad",
    CacheState.NEEDS_RESYNC: "bad",
    CacheState.QUEUE_ONLY: "busy",
    CacheState.RECOVERY: "busy",
    CacheState.DROPPED: "bad",
}


def size(n: int) -> str:
    """`0 B`, `44 B`, `1.5 KiB`, `15.3 MiB`."""
    value = float(n)
    for unit in _UNITS:
        if value < 1024 or unit == _UNITS[-1]:
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"  # pragma: no cover


def count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def elide(text: str, width: int) -> str:
    """Keep both ends of a long name (psnap names differ at the end): `psnap-138…02-27-28`."""
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    if width <= 3:
        return text[:width]
    tail = (width - 1) * 2 // 3
    head = width - 1 - tail
    return f"{text[:head]}…{text[-tail:]}"


# What every psnap's name shares: the cluster id and the file-system UID (`psnap-<cluster>-<fs uid>-`),
# after an optional `--comment` prefix. Dropping it leaves what tells psnaps apart: the comment, the
# fileset id and the time (`nightly-…59-16-10-27-02-27-28`). The event log drops the same text.
PSNAP_IDS = re.compile(r"psnap-[0-9A-Za-z]+-[0-9A-Fa-f]+:[0-9A-Fa-f]+-")


def short_psnap(name: str) -> str:
    """`…59-16-10-27-02-27-28` (`nightly-…59-…` with a comment): a psnap's name where the whole
    does not fit (`fit_psnap`'s short form)."""
    return PSNAP_IDS.sub("…", name, count=1)


def fit_psnap(name: str, room: int) -> str:
    """One rule for a psnap's name everywhere: the whole name if it fits, else `…` and the
    distinguishing tail (the same text in every pane), else as much of the tail's end as fits."""
    if len(name) <= room:
        return name
    short = short_psnap(name)
    if len(short) <= room:
        return short
    return "…" + name[-max(room - 1, 1):]
