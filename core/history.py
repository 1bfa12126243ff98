"""What the timeline strip draws that the world's present does not hold: the queue's length and lag
over time, and when the link was down.

Recorded from the engine's events into the world (so a fork, a checkpoint or a branch
carries its own past). Bounded: past `MAX_SAMPLES` per fileset every other sample is
dropped, so a long session keeps an even, coarser record.
"""

from __future__ import annotations

from .events import Event, LinkChanged, OpDropped, OpQueued, OpsFlushed, OpsLoaded, PeerSnapshotQueued
from .model import Sample
from .world import World

MAX_SAMPLES = 4096  # per fileset
_QUEUE_EVENTS = frozenset((OpQueued, OpsLoaded, OpsFlushed, OpDropped, PeerSnapshotQueued))  # (a set: no subclasses)


class HistoryRecorder:
    """Appends a sample per queue change and a span per link outage to `world.history`."""

    WANTS = (LinkChanged, OpQueued, OpsLoaded, OpsFlushed, OpDropped, PeerSnapshotQueued)  # the bus sends no others

    def __init__(self, world: World) -> None:
        self.world = world

    def __call__(self, event: Event) -> None:
        history = self.world.history
        if type(event) not in _QUEUE_EVENTS:  # (asked first: a command's events are mostly these)
            if isinstance(event, LinkChanged):
                if not event.up:
                    history.link_down.append((event.at, -1))
                elif history.link_down and history.link_down[-1][1] < 0:
                    history.link_down[-1] = (history.link_down[-1][0], event.at)
            return
        fileset = self.world.filesets.get(event.fileset)
        if fileset is None:
            return
        queue = fileset.queue
        head_queued = queue.first_live_queued_us()
        samples = history.samples.get(event.fileset)
        if samples is None:
            samples = history.samples[event.fileset] = []
        sample = Sample(event.at, queue.length, head_queued if head_queued is not None else event.at)
        if samples and samples[-1].at == event.at:
            samples[-1] = sample  # one instant, one sample: the last word
        else:
            samples.append(sample)
        if len(samples) > MAX_SAMPLES:
            del samples[1::2]
