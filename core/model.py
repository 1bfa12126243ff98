"""The world's nouns: clusters, file systems, AFM filesets, snapshots, peer snapshots."""

from __future__ import annotations

from dataclasses import field, fields
from enum import Enum
from operator import attrgetter

from .characters import one_spelling
from .gateway import GatewayQueue, QueuedOp
from .records import record
from .tree import VersionedTree


class AfmMode(str, Enum):
    SW = "sw"
    RO = "ro"
    IW = "iw"
    LU = "lu"

    @property
    def long_name(self) -> str:
        return _MODE_NAMES[self]

    @property
    def writes_at_cache(self) -> bool:
        return self is not AfmMode.RO

    @property
    def pushes_home(self) -> bool:
        return self in (AfmMode.SW, AfmMode.IW)


_MODE_NAMES = {
    AfmMode.SW: "single-writer",
    AfmMode.RO: "read-only",
    AfmMode.IW: "independent-writer",
    AfmMode.LU: "local-updates",
}


class CacheState(str, Enum):
    INACTIVE = "Inactive"
    ACTIVE = "Active"
    DIRTY = "Dirty"
    DISCONNECTED = "Disconnected"
    UNMOUNTED = "Unmounted"
    STOPPED = "Stopped"
    NEEDS_RESYNC = "NeedsResync"
    QUEUE_ONLY = "QueueOnly"  # recovery's policy scan runs: operations are queued, none flushed
    RECOVERY = "Recovery"  # the scan is done: the priority queue flushes what recovery requeued
    DROPPED = "Dropped"  # the queue is dropped and recovery failed (home unreachable)


class Protocol(str, Enum):
    NFS = "nfs"
    NSD = "gpfs"


@record
class Target:
    """`nfs://home1/gpfs/fs1/sw` or `gpfs:///gpfs/fs1/sw`."""

    protocol: Protocol
    host: str
    path: str

    @classmethod
    def parse(cls, text: str) -> Target:
        for protocol in Protocol:
            prefix = f"{protocol.value}://"
            if text.startswith(prefix):
                rest = text[len(prefix):]
                host, slash, path = rest.partition("/")
                if not slash or not path:
                    break
                if protocol is Protocol.NSD and host:
                    raise ValueError(f"'{text}': a gpfs:// target has no host (gpfs:///gpfs/fs1/sw)")
                if protocol is Protocol.NFS and not host:
                    raise ValueError(f"'{text}': an nfs:// target names its home host (nfs://home1/gpfs/fs1/sw)")
                return cls(protocol, host, one_spelling("/" + path))
        raise ValueError(f"'{text}' is not an AFM target (use nfs://host/path or gpfs:///path)")

    def with_protocol(self, protocol: Protocol, nfs_host: str) -> Target:
        return Target(protocol, nfs_host if protocol is Protocol.NFS else "", self.path)

    def __str__(self) -> str:
        return f"{self.protocol.value}://{self.host}{self.path}"


class HomeHalf(str, Enum):
    """Where the home half of a peer snapshot stands."""

    QUEUED = "queued"
    CREATED = "created"
    FAILED = "failed"
    DELETING = "deleting"


class HomeWait(str, Enum):
    """What a queued home half waits for (one rule, read by `mmpsnap status` and the dashboard)."""

    LINK = "link"  # the link to home is down: created on reconnect
    STOPPED = "stopped"  # replication is stopped (mmafmctl stop)
    OPS = "ops"  # operations queued before it must reach home first
    NEXT = "next"  # nothing ahead: it goes next
    RECOVERY = "recovery"  # its marker was lost with the gateway queue: recovery requeues it


@record(frozen=False, eq=False)
class Snapshot:
    """A snapshot of a file system (global) or of one fileset.

    `epochs` names, per top-level tree it covers, the pinned epoch of that
    tree; `digests` is each tree's content digest when it was taken.
    """

    id: int
    name: str
    created_us: int
    fileset: str | None
    epochs: dict[str, int]
    digests: dict[str, int]
    peer: bool = False
    status: str = "Valid"

    @property
    def label(self) -> str:
        """`[[Fileset]:]Snapshot` as mmcrsnapshot and mmdelsnapshot print it: `sw:before`, `:snap1`."""
        return f"{self.fileset or ''}:{self.name}"


@record(frozen=False, eq=False)
class PeerSnapshot:
    """A psnap pair as the cache's gateway records it."""

    name: str
    fileset: str
    cache_snap: Snapshot
    marker: QueuedOp | None
    home: HomeHalf = HomeHalf.QUEUED
    home_snap: Snapshot | None = None
    created_disconnected: bool = False
    identical: bool | None = None
    failure: str = ""
    comment: str = ""
    broken: str = ""  # "cache" or "home": the half deleted with mmdelsnapshot, leaving the other an orphan
    marker_seq: int = 0  # its marker's seq, kept once the marker went home (`why SEQ` still finds the pair)

    def __copy__(self) -> PeerSnapshot:
        """A shallow twin (every fork copies each pair: a world of 1,000 psnaps forks them all at each
        checkpoint): built by `__init__` from the fields, a fifth of `copy.copy`'s generic way."""
        return PeerSnapshot(*[getattr(self, name) for name in _PSNAP_FIELDS])


_PSNAP_FIELDS = tuple(f.name for f in fields(PeerSnapshot))


@record
class Change:
    """The latest change of one setting (`why` cites it): what it became, when, and what did it."""

    value: str
    at: int  # simulated microseconds
    cause: str  # "`sim link down`", "F3", a scheduled fault, ...


@record(frozen=False, eq=False)
class FileSystem:
    """A file system. Its snapshots are keyed by (fileset, name), "" for a
    global one: fileset snapshot names need not be unique across filesets."""

    name: str
    uid: str
    mount: str
    trees: dict[str, VersionedTree] = field(default_factory=dict)
    snapshots: dict[tuple[str, str], Snapshot] = field(default_factory=dict)
    next_snap_id: int = 1

    def snapshot(self, name: str, fileset: str | None = None) -> Snapshot | None:
        """The global snapshot `name`, or fileset `fileset`'s."""
        return self.snapshots.get((fileset or "", name))

    def has_snapshot(self, name: str, fileset: str | None = None) -> bool:
        return (fileset or "", name) in self.snapshots


@record
class RecoveryPhase:
    """A recovery under way: the policy scan ends at `scan_done_us` (the fileset is QueueOnly
    until then), then it is in Recovery until every op it requeued (seqs up to `last_seq`)
    is at home."""

    started_us: int
    scan_done_us: int
    last_seq: int  # 0: recovery found nothing to requeue
    reason: str  # "gateway gw1 failed", "mmafmctl start", ...


# The fields of an AFM fileset that World.fingerprint reads, but for its queue (the change key reads
# the queue's counters, as the fingerprint does) and its peer snapshots (World.snapshot_changes
# stands for them): a write that changes one bumps the fileset's `settings_version`.
_KEYED = frozenset({"mode", "target", "linked", "activated", "stopped", "needs_resync", "home_changed", "state",
                    "async_delay_us", "home_afm_seen", "dropped", "recovery", "requeued"})
_UNSET = object()
_QUEUE_COUNTERS = attrgetter("length", "bytes", "num_exec", "next_seq")  # what the fingerprint reads of a queue


@record(frozen=False, eq=False)
class AfmFileset:
    """An AFM cache fileset and its gateway's view of it."""

    name: str
    id: int
    mode: AfmMode
    target: Target
    gateway: str
    linked: bool = True
    activated: bool = True
    stopped: bool = False
    needs_resync: bool = False  # the gateway found home changed (NeedsResync)
    home_changed: bool = False  # home was written behind the cache's back; found at the next flush
    async_delay_us: int = 15_000_000
    queue: GatewayQueue = field(default_factory=GatewayQueue)
    psnaps: dict[str, PeerSnapshot] = field(default_factory=dict)
    state: CacheState = CacheState.ACTIVE
    last_psnap_id: int = 0  # the cache snapshot id of the newest psnap (mmlsfileset's Last pSnapId)
    home_afm_seen: bool = True  # the cache found home's AFM controls when it was linked (mmafmconfig enable)
    dropped: bool = False  # the in-memory queue is gone and recovery could not run yet (Dropped)
    recovery: RecoveryPhase | None = None
    requeued: int = 0  # seq of the op home refused (no space) and the gateway requeued; 0: none
    # IW: what recovery may touch at a home other caches write too (the lost queue's paths, and
    # the cache epoch pinned when the queue was lost: what changed since was never queued)
    unsent: set[str] = field(default_factory=set)
    unsent_pin: int = -1
    settings_version: int = 0  # bumped whenever a field World.change_key stands for changes (see __setattr__)

    def __setattr__(self, name: str, value: object) -> None:
        # A change of a field the fingerprint reads bumps `settings_version` and the world's edits (core.edits,
        # shared through the queue); they are written seldom (a command's setting, a state change), so a write
        # may cost a call. A new queue (the gateway lost the old one) is an edit when its counters differ.
        if name in _KEYED and getattr(self, name, _UNSET) != value:
            object.__setattr__(self, "settings_version", getattr(self, "settings_version", 0) + 1)
            queue = getattr(self, "queue", None)
            if queue is not None:
                queue.edits.count += 1
        elif name == "queue":
            old = getattr(self, "queue", None)
            if old is not None and _QUEUE_COUNTERS(old) != _QUEUE_COUNTERS(value):
                old.edits.count += 1
        object.__setattr__(self, name, value)

    def __copy__(self) -> AfmFileset:
        """A shallow twin (every fork copies each fileset): its slots set directly, not through
        `__setattr__` one field at a time as `copy.copy`'s generic way does (the twin keeps its
        original's `settings_version`)."""
        twin = object.__new__(AfmFileset)
        for name in _FILESET_FIELDS:
            _SET_SLOT(twin, name, getattr(self, name))
        return twin

    @property
    def queues_changes(self) -> bool:
        """Whether a change at the cache joins the gateway queue now. Not while Stopped or
        Dropped: IBM, "When the fileset state is 'Stopped', any data modification at the cache
        or the home is not synchronized"; recovery finds those changes later."""
        return self.mode.pushes_home and not self.stopped and not self.dropped


_FILESET_FIELDS = tuple(f.name for f in fields(AfmFileset))
_SET_SLOT = object.__setattr__


@record(frozen=False, eq=False)
class HomeExport:
    """A directory of the home file system that a cache fileset mirrors."""

    path: str
    afm_enabled: bool = True
    fileset: bool = False  # an independent fileset at home: psnap home halves are its fileset snapshots


@record(frozen=False, eq=False)
class Cluster:
    role: str
    name: str
    cluster_id: str
    epoch_s: int
    fs: FileSystem


@record
class Sample:
    """The queue of one fileset at a moment (the timeline's sparkline)."""

    at: int  # simulated microseconds
    length: int  # live ops queued
    oldest_us: int  # when the oldest of them was queued (lag = at - oldest_us); `at` when none is


@record(frozen=False)
class History:
    """What the timeline draws that the present does not hold (see core/history.py)."""

    samples: dict[str, list[Sample]] = field(default_factory=dict)  # per fileset, in time order
    link_down: list[tuple[int, int]] = field(default_factory=list)  # (down at, up at; -1 while down)

    def fork(self) -> History:
        return History({name: list(samples) for name, samples in self.samples.items()}, list(self.link_down))
