"""Typed events: every change of the simulated world is announced as one.

Clients (the dashboard, `peersnap run --trace`, lessons, tests) subscribe to
the engine and receive these in order. Each event knows how to describe
itself in one line; `topic` groups them for filtering. `EventBus` delivers them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field

from .records import record


@record
class Event:
    at: int  # simulated microseconds since the scenario started

    topic = "event"

    def describe(self) -> str:  # pragma: no cover - every subclass overrides
        return type(self).__name__

    @property
    def fileset(self) -> str:
        return ""


@record
class FilesetEvent(Event):
    """An event about one cache fileset (its name; "" for a file system's own)."""

    fileset: str = field()  # field(): a bare annotation would take Event.fileset (the property) as its default


@record
class CommandRan(Event):
    cluster: str
    line: str
    rc: int
    topic = "command"

    def describe(self) -> str:
        mark = "" if self.rc == 0 else f"  (rc {self.rc})"
        return f"[{self.cluster}]# {self.line}{mark}"


@record
class OpQueued(FilesetEvent):
    seq: int
    kind: str
    path: str
    size: int
    topic = "queue"

    def describe(self) -> str:
        size = f" ({self.size} B)" if self.size else ""
        return f"queued #{self.seq} {self.kind} {self.path}{size}"


@record
class OpsLoaded(FilesetEvent):
    """`sim load`: many writes queued at once (one event, not a million)."""

    count: int
    first_seq: int
    last_seq: int
    size: int
    topic = "queue"

    def describe(self) -> str:
        return f"queued {self.count} writes #{self.first_seq}..#{self.last_seq} ({self.size} B)"


@record
class OpDropped(FilesetEvent):
    seq: int
    kind: str
    path: str
    reason: str
    topic = "queue"

    def describe(self) -> str:
        return f"filtered #{self.seq} {self.kind} {self.path}: {self.reason}"


@record
class OpsFlushed(FilesetEvent):
    """Ops executed at home, in order; one event per batch the gateway drained."""

    count: int
    first_seq: int
    last_seq: int
    size: int
    topic = "flush"

    def describe(self) -> str:
        if self.count == 1:
            return f"flushed #{self.first_seq} to home ({self.size} B)"
        return f"flushed {self.count} ops #{self.first_seq}..#{self.last_seq} to home ({self.size} B)"


@record
class SnapshotCreated(FilesetEvent):
    cluster: str
    name: str
    snap_id: int
    topic = "snapshot"

    def describe(self) -> str:
        scope = f"fileset {self.fileset}" if self.fileset else "file system fs1"
        return f"{self.cluster} snapshot {self.name} created with id {self.snap_id} ({scope})"


@record
class SnapshotDeleted(FilesetEvent):
    cluster: str
    name: str
    snap_id: int
    topic = "snapshot"

    def describe(self) -> str:
        return f"{self.cluster} snapshot {self.name} (id {self.snap_id}) deleted"


@record
class PeerSnapshotQueued(FilesetEvent):
    name: str
    seq: int
    ahead: int
    disconnected: bool
    topic = "psnap"

    def describe(self) -> str:
        if self.disconnected:
            return f"psnap {self.name}: home half recorded as not created (disconnected); retried on reconnect"
        ops = "op" if self.ahead == 1 else "ops"
        return f"psnap {self.name}: home half queued as #{self.seq} behind {self.ahead:,} {ops}"


@record
class PeerSnapshotCompleted(FilesetEvent):
    name: str
    home_id: int
    identical: bool
    topic = "psnap"

    def describe(self) -> str:
        same = "identical to the cache half" if self.identical else "DIFFERS from the cache half"
        return f"psnap {self.name}: home half created with id {self.home_id}, {same}"


@record
class PeerSnapshotFailed(FilesetEvent):
    name: str
    reason: str
    topic = "psnap"

    def describe(self) -> str:
        return f"psnap {self.name}: home half failed: {self.reason}"


@record
class PeerSnapshotDeleted(FilesetEvent):
    name: str
    home_pending: bool
    topic = "psnap"

    def describe(self) -> str:
        tail = "; home half will be removed on reconnect" if self.home_pending else ""
        return f"psnap {self.name} deleted{tail}"


@record
class PeerSnapshotBroken(FilesetEvent):
    """One half of a pair was deleted with mmdelsnapshot: the other is an orphan."""

    name: str
    deleted: str  # "cache" or "home": the half mmdelsnapshot removed
    topic = "psnap"

    def describe(self) -> str:
        other = "home" if self.deleted == "cache" else "cache"
        return (f"psnap {self.name}: pair BROKEN: its {self.deleted} half was deleted with mmdelsnapshot, "
                f"the {other} half is an orphan; remove it with mmpsnap fs1 delete -s {self.name} -j {self.fileset}")


@record
class GpfsLogged(FilesetEvent):
    """A line the GPFS log would show (the message id and severity as IBM prints them)."""

    line: str
    topic = "gpfs"

    def describe(self) -> str:
        return f"GPFS log: {self.line}"


@record
class LinkChanged(Event):
    up: bool
    topic = "link"

    def describe(self) -> str:
        return "link to home is UP" if self.up else "link to home is DOWN"


@record
class StateChanged(FilesetEvent):
    old: str
    new: str
    topic = "state"

    def describe(self) -> str:
        return f"cache state {self.old} -> {self.new}"


@record
class FilesetChanged(FilesetEvent):
    what: str
    topic = "fileset"

    def describe(self) -> str:
        return self.what


@record
class HomeExportChanged(Event):
    path: str
    enabled: bool
    topic = "home"

    def describe(self) -> str:
        return f"home export {self.path}: mmafmconfig {'enabled' if self.enabled else 'disabled'}"


@record
class HomeWritten(FilesetEvent):
    """Something wrote at home under an SW cache's export."""

    path: str
    topic = "home"

    def describe(self) -> str:
        return f"home write at {self.path} under single-writer fileset {self.fileset}"


@record
class HomeResynced(FilesetEvent):
    """Home was made equal to what the cache sent: a resync op reached home
    (`seq`), or AFM resynchronised home before taking psnap `psnap`'s home half."""

    seq: int
    psnap: str
    changed: int  # entries put right at home
    topic = "home"

    def describe(self) -> str:
        what = f"before the home half of {self.psnap}" if self.psnap else f"by resync #{self.seq}"
        entries = f"{self.changed:,} {'entry' if self.changed == 1 else 'entries'}"
        return f"home resynchronised {what}: {entries} put right"


@record
class RuleRefused(FilesetEvent):
    command: str
    rule: str
    message_id: str
    text: str
    hint: str
    topic = "refused"

    def describe(self) -> str:
        ident = f"{self.message_id} " if self.message_id else ""
        return f"{self.command} refused ({self.rule}): {ident}{self.text}"


@record
class BranchStarted(Event):
    """A command (or time passing) at an earlier moment started a new line of history."""

    name: str
    parent: str
    fork_at: int
    topic = "session"

    def describe(self) -> str:
        return f"branch {self.name} started from {self.parent} after entry {self.fork_at}; {self.parent} stays as it was"


@record
class SessionReset(Event):
    """The session rebuilt its world (undo, replay): views should redraw from scratch."""

    reason: str
    topic = "session"

    def describe(self) -> str:
        return self.reason



Listener = Callable[[Event], None]


class EventBus:
    """Delivers every event to the listeners subscribed at the time, in order.

    A listener may name the event types it wants (`only`): every command emits
    events, and a listener that would ignore most of them then costs nothing for
    those. Who receives a type is worked out once per type and kept until the
    listeners change."""

    __slots__ = ("_listeners", "_routes", "emitted")

    def __init__(self) -> None:
        self.emitted = 0  # events emitted so far: the session's "has anything happened since" check
        self._listeners: list[tuple[Listener, tuple[type[Event], ...] | None]] = []
        self._routes: dict[type[Event], tuple[Listener, ...]] = {}

    def subscribe(self, listener: Listener, only: tuple[type[Event], ...] | None = None) -> Callable[[], None]:
        """Call `listener` with every event (or every event of the types `only` names)
        from now on; returns an unsubscribe function."""
        entry = (listener, only)
        self._listeners.append(entry)
        self._routes = {}

        def unsubscribe() -> None:
            if entry in self._listeners:
                self._listeners.remove(entry)
                self._routes = {}

        return unsubscribe

    def _route(self, kind: type[Event]) -> tuple[Listener, ...]:
        route = self._routes[kind] = tuple(
            listener for listener, only in self._listeners if only is None or issubclass(kind, only)
        )
        return route

    def unheard(self, kind: type[Event]) -> bool:
        """True when no listener receives events of type `kind`: one is then counted as emitted and the
        caller need not build it (a command's CommandRan, in a session no one follows). False: the
        caller emits it, counted then."""
        route = self._routes.get(kind)
        if route is None:
            route = self._route(kind)
        if route:
            return False
        self.emitted += 1
        return True

    def emit(self, event: Event) -> None:
        self.emitted += 1
        kind = type(event)
        route = self._routes.get(kind)
        if route is None:
            route = self._route(kind)
        for listener in route:  # a tuple: listeners that (un)subscribe meanwhile change the next event's route
            listener(event)
