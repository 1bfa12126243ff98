"""What last changed each setting that decides whether data can go home, when, and why.

`why` needs more than the world's present state: "the link is down since
02:27:32 (`sim link down`)". The engine keeps, per setting, only the latest
change: when it happened and what caused it (a command line, a dashboard key,
a scheduled fault). That is a handful of entries whatever the history's length.

The recorder listens to the events that accompany a settings change and then
compares the few settings with their last values, so ordinary commands (a
write, a listing) cost nothing here.
"""

from __future__ import annotations

from .events import (
    Event,
    FilesetChanged,
    HomeExportChanged,
    HomeWritten,
    LinkChanged,
    SnapshotDeleted,
)
from .model import Change
from .world import World

SCENARIO = "the scenario"  # the cause of a setting nothing has changed since the start
FAULT = "a scheduled fault of the scenario"

_TRIGGERS = (FilesetChanged, HomeExportChanged, HomeWritten, LinkChanged)


def settings(world: World) -> dict[str, str]:
    """The tracked settings as text, keyed `link`, `mode:sw`, `enabled:/gpfs/fs1/sw`, ..."""
    found = {"link": "up" if world.link_up else "down"}
    for name, fileset in world.filesets.items():
        found[f"mode:{name}"] = fileset.mode.value
        found[f"target:{name}"] = str(fileset.target)
        found[f"linked:{name}"] = "linked" if fileset.linked else "unlinked"
        found[f"stopped:{name}"] = "stopped" if fileset.stopped else "running"
        found[f"resync:{name}"] = "needed" if fileset.needs_resync else "no"
        found[f"dropped:{name}"] = "dropped" if fileset.dropped else "no"
        found[f"recovery:{name}"] = fileset.recovery.reason if fileset.recovery is not None else "none"
        found[f"delay:{name}"] = str(fileset.async_delay_us)
        found[f"flush:{name}"] = str(fileset.queue.flush_through)
    for path, export in world.exports.items():
        found[f"enabled:{path}"] = "enabled" if export.afm_enabled else "not enabled"
    return found


class ChangeRecorder:
    """Keeps `world.changes` up to date from the engine's events.

    `cause` is what is running now: the session sets it around each command;
    the engine sets FAULT while a scheduled fault fires."""

    WANTS = (SnapshotDeleted, *_TRIGGERS)  # the events it reads (the bus sends it no others)

    def __init__(self, world: World) -> None:
        self.world = world
        self.cause = SCENARIO
        self._last = settings(world)

    def __call__(self, event: Event) -> None:
        if isinstance(event, SnapshotDeleted):
            self.world.changes[f"deleted:{event.cluster}:{event.name}"] = Change("deleted", event.at, self.cause)
            return
        if not isinstance(event, _TRIGGERS):
            return
        now = settings(self.world)
        changes = self.world.changes
        for key, value in now.items():
            if self._last.get(key) != value:
                changes[key] = Change(value, event.at, self.cause)
        self._last = now

    def resync_baseline(self) -> None:
        """Take the settings as they are now as the baseline (after a fork)."""
        self._last = settings(self.world)
