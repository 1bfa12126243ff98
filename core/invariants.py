"""The engine's own proof of its promises, read by the dashboard's header badge.

Two invariants: every completed peer snapshot pair is identical (both halves
present, equal content digests), and every gateway queue keeps its order (the
seqs still queued are one contiguous range, each queued pair's marker is in
it, and ops reach home in seq order). Checking costs O(pairs + filesets):
the order of flushes is audited as they happen, from the engine's events.
"""

from __future__ import annotations

from .events import Event, OpsFlushed
from .gateway import PSNAP
from .lazy import later
from .model import HomeHalf
from .records import record
from .world import World

why = later("peersnap.core.why")  # (asked only of a world with peer snapshots: not at the start)


@record
class Breach:
    """One broken promise: what (a pair's name, a fileset) and why."""

    subject: str
    why: str


@record
class Verdict:
    pairs: int  # completed pairs, all checked
    queues: int  # queues checked
    breaches: tuple[Breach, ...]

    @property
    def ok(self) -> bool:
        return not self.breaches

    def text(self) -> str:
        """`✓ 2 pairs identical · queue order kept`, or the first breach with its why."""
        if self.ok:
            pairs = "1 pair" if self.pairs == 1 else f"{self.pairs:,} pairs"
            return f"✓ {pairs} identical · queue order kept"
        first = self.breaches[0]
        more = f" (+{len(self.breaches) - 1} more)" if len(self.breaches) > 1 else ""
        return f"✗ {first.subject}: {first.why}{more}"


class FlushOrder:
    """Audits, from `OpsFlushed` events, that each fileset's ops reach home in seq
    order; what it saw lives in the world (`flushed_upto`, `order_breaches`)."""

    WANTS = (OpsFlushed,)  # the events it reads (the bus sends it no others)

    def __init__(self, world: World) -> None:
        self.world = world

    def __call__(self, event: Event) -> None:
        if isinstance(event, OpsFlushed):
            upto = self.world.flushed_upto
            if event.first_seq <= upto.get(event.fileset, 0) or event.last_seq < event.first_seq:
                self.world.order_breaches.append(
                    f"{event.fileset}: #{event.first_seq}..#{event.last_seq} reached home after "
                    f"#{upto.get(event.fileset, 0)}"
                )
            upto[event.fileset] = max(upto.get(event.fileset, 0), event.last_seq)


def check(world: World) -> Verdict:
    """Both invariants, now."""
    breaches: list[Breach] = []
    pairs = 0
    for fileset in world.filesets.values():
        queue = fileset.queue
        head, end = queue.head_seq(), queue.next_seq
        first, last = queue.find(head), queue.find(end - 1)
        if queue.slots() != end - head or (queue.slots() and (first is None or first.seq != head
                                                               or last is None or last.seq != end - 1)):
            breaches.append(Breach(fileset.name, f"queue seqs are not one range #{head}..#{end - 1}"))
        for psnap in fileset.psnaps.values():
            broken = why.broken_pair(world, psnap)
            if broken is not None:
                breaches.append(Breach(psnap.name, broken))
            elif psnap.home is HomeHalf.CREATED and psnap.home_snap is not None:
                pairs += 1
                cache_digest = psnap.cache_snap.digests.get(fileset.name)
                home_digest = psnap.home_snap.digests.get(world.home_dir(fileset))
                if not psnap.identical or cache_digest != home_digest:
                    breaches.append(Breach(psnap.name, f"its halves differ (diff {psnap.name} shows how)"))
            elif psnap.home is HomeHalf.QUEUED and psnap.marker is not None:
                op = queue.find(psnap.marker.seq)
                if op is None or op.dropped or op.kind != PSNAP or op.data != psnap.name:
                    breaches.append(Breach(psnap.name, f"its marker #{psnap.marker.seq} is no longer queued"))
    breaches += [Breach("queue order", why) for why in world.order_breaches]
    return Verdict(pairs, len(world.filesets), tuple(breaches))
