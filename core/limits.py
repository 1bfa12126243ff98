"""The simulated world's caps: how many files, queued operations and bytes of
file data it may hold, and how large one file may grow.

Every command that would add to the world checks the caps *before* it changes
anything, so a command over a cap is refused whole (`sim load` computes its
total up front: all of it or none of it). The defaults fit a machine with a
few GiB to spare: `sim load 10000000` (the memory benchmark's largest load)
is accepted and settles under every cap. A scenario's `[limits]` table sets
others (a classroom seat with little memory wants lower ones).

What a cap counts:
- `files`: entries (files and directories) in one cluster's trees; snapshots
  are copy-on-write and count nothing of their own;
- `queued_ops`: operations waiting in all the gateway queues together;
- `data_bytes`: bytes of file text (UTF-8) in one cluster's live trees;
- `file_size`: one file's text.
Replication itself is never refused: home only receives what the cache holds
(or resyncs to it), and home's own writes are checked against home's counts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import fields, replace
from typing import Any

from .errors import FsError
from .model import Cluster
from .records import record
from .tree import data_bytes_in, entries_in

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


@record
class Limits:
    """The caps; see the module docstring for what each counts."""

    files: int = 16_000_000
    queued_ops: int = 16_000_000
    data_bytes: int = 2 * GiB
    file_size: int = 16 * MiB


DEFAULT_LIMITS = Limits()
# the largest value a scenario may set: far beyond any machine, still a plain int
HIGHEST = 1 << 50
_WHAT = {
    "files": "files and directories per cluster",
    "queued_ops": "operations queued at the gateways",
    "data_bytes": "bytes of file data per cluster",
    "file_size": "bytes in one file",
}


class CapExceeded(FsError):
    """A command that would take the world over one of its caps; str() is the
    reason in a file system's words, naming the cap (`No space left on device
    (...)`, `File too large (...)`), ready to follow `cmd: PATH: `."""


def usage(limits: Limits, clusters: tuple[Cluster, ...], queued: int) -> list[str]:
    """What the world holds beside its caps, one line a cluster and one for the queues (`sim status`)."""
    lines = []
    for cluster in clusters:
        trees = cluster.fs.trees.values()
        lines.append(f"{cluster.role.capitalize()} holds {sum(map(len, trees)):,} of {limits.files:,} files and "
                     f"directories, {_amount(sum(t.data_bytes for t in trees))} of {_amount(limits.data_bytes)} "
                     f"of file data (at most {_amount(limits.file_size)} a file)")
    lines.append(f"Gateway queues hold {queued:,} of {limits.queued_ops:,} operations")
    return lines


def check_file_size(limits: Limits, size: int) -> None:
    if size > limits.file_size:
        raise CapExceeded(f"File too large (the simulator's cap is {_amount(limits.file_size)} in one file; "
                          f"this one would hold {_amount(size)})")


def check_cluster(limits: Limits, cluster: Cluster, new_entries: int, new_bytes: int) -> None:
    """Refuse adding `new_entries` entries and `new_bytes` bytes of text to `cluster`'s trees."""
    trees = cluster.fs.trees.values()
    if new_entries > 0:
        held = entries_in(trees)
        if held + new_entries > limits.files:
            raise CapExceeded(
                f"No space left on device (the simulator's cap is {limits.files:,} files and directories "
                f"per cluster; the {cluster.role} holds {held:,} and this would add {new_entries:,})")
    if new_bytes > 0:
        held = data_bytes_in(trees)
        if held + new_bytes > limits.data_bytes:
            raise CapExceeded(
                f"No space left on device (the simulator's cap is {_amount(limits.data_bytes)} of file data "
                f"per cluster; the {cluster.role} holds {_amount(held)} and this would add {_amount(new_bytes)})")


def check_queue(limits: Limits, queued: int, new_ops: int) -> None:
    """Refuse queueing `new_ops` more operations when `queued` wait already."""
    if new_ops > 0 and queued + new_ops > limits.queued_ops:
        raise CapExceeded(
            f"No space left on device (the simulator's cap is {limits.queued_ops:,} operations queued at the "
            f"gateways; {queued:,} wait and this would queue {new_ops:,}: let them flush first, e.g. sim settle)")


def _amount(size: int) -> str:
    """`2 GiB`, `16 MiB`, `1.5 KiB`, `12 bytes`: exact where it can be."""
    for unit, name in ((GiB, "GiB"), (MiB, "MiB"), (KiB, "KiB")):
        if size >= unit:
            value = size / unit
            return f"{value:,.0f} {name}" if size % unit == 0 else f"{value:,.1f} {name} ({size:,} bytes)"
    return f"{size:,} bytes"


def read_limits(table: Any, fail) -> Limits:
    """A scenario's `[limits]` table; `fail(key, expected, got)` builds the error to raise."""
    if not isinstance(table, dict):
        raise fail("limits", "a table of caps (files, queued_ops, data_bytes, file_size)", table)
    names = [f.name for f in fields(Limits)]
    for key in table:
        if key not in names:
            raise fail(f"limits.{key}", f"one of: {', '.join(names)}", key)
    values = {}
    for name in names:
        if name in table:
            value = table[name]
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= HIGHEST:
                raise fail(f"limits.{name}", f"a whole number from 1 to {HIGHEST:,} ({_WHAT[name]})", value)
            values[name] = value
    return Limits(**values)


class LimitSettingError(ValueError):
    """A `--limit KEY=N` the command line cannot use; str() names it and says what is expected."""


_WHOLE = re.compile("[0-9]+(_[0-9]+)*")  # as TOML writes an integer: ASCII digits, `_` between them


def with_settings(limits: Limits, settings: Sequence[str]) -> Limits:
    """`limits` with the command line's `--limit KEY=N` settings in place (KEY and N as a
    scenario's `[limits]` table has them: `files=1_000_000`); the last of a KEY wins."""
    names = [f.name for f in fields(Limits)]
    table: dict[str, int] = {}
    for setting in settings:
        key, equals, value = setting.partition("=")
        key = key.strip()
        if not equals or key not in names:
            raise LimitSettingError(f"--limit {setting}: expected KEY=N, KEY one of: {', '.join(names)}")
        value = value.strip()
        if not _WHOLE.fullmatch(value) or not 1 <= int(value) <= HIGHEST:
            raise LimitSettingError(f"--limit {setting}: expected a whole number from 1 to {HIGHEST:,} "
                                    f"({_WHAT[key]})")
        table[key] = int(value)
    return replace(limits, **table)
