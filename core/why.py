"""`why NAME`: the causal chain behind a peer snapshot, a queued op or a fileset.

Every link of the chain is read from engine data: the ops ahead and their
seqs, each op's eligibility (queued + afmAsyncDelay, from the gateway's timing
functions), the link and what last changed it, the fileset's state, the rules
a peer snapshot would meet now, and the settings behind a refusal with the
command (or key, or fault) that set them. Times are on the cache's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

from . import clock, gateway, rules
from .clock import plural
from .gateway import PSNAP, QueuedOp
from .model import AfmFileset, CacheState, Change, HomeHalf, PeerSnapshot, Protocol
from .world import World

EXACT_AHEAD = 10_000  # beyond this many ops ahead the arrival time is estimated from the queue's totals


class WhyError(Exception):
    """A name `why` cannot explain; str() says why, in the command's voice."""


@dataclass(frozen=True, slots=True)
class Reason:
    """One link of a chain. `kind` lets a view style it: ops, delay, link,
    disconnected, stopped, unmounted, home, refused, gateway, eta, done, filtered, state, pending."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class Why:
    """A causal chain: the headline, then each reason. `ahead` is the seq range
    of the ops the subject waits for (what the dashboard highlights)."""

    subject: str
    fileset: str
    headline: str
    reasons: tuple[Reason, ...]
    ahead: tuple[int, int] | None = None
    blocked: bool = False

    def lines(self) -> list[str]:
        return [self.headline, *(f"  · {reason.text}" for reason in self.reasons)]


# -- phrases -----------------------------------------------------------------------------------
def at(world: World, moment: int) -> str:
    """A moment on the cache's clock: `02:27:44`."""
    return clock.hms(world.clock("cache", moment))


def _change(world: World, key: str) -> Change | None:
    return world.changes.get(key)


def _since(world: World, key: str) -> str:
    """`since 02:27:32 (`sim link down`)`, or `since the scenario started`."""
    change = _change(world, key)
    if change is None:
        return "since the scenario started"
    return f"since {at(world, change.at)} ({change.cause})"


def _set_by(world: World, key: str) -> str:
    """`(F3 set it at 02:27:40)`, or `(so since the scenario started)`."""
    change = _change(world, key)
    if change is None:
        return "(so since the scenario started)"
    return f"({change.cause} set it at {at(world, change.at)})"


def seq_range(first: int, last: int) -> str:
    """`#1..#9`, or `#4` for one seq."""
    return f"#{first}" if first == last else f"#{first}..#{last}"


def _op_text(op: QueuedOp) -> str:
    if op.kind == PSNAP:
        return f"#{op.seq} psnap marker {op.data}"
    path = f"{op.path} -> {op.data}" if op.kind == gateway.RENAME else op.path
    return f"#{op.seq} {op.kind} {path}".rstrip()


def _eligibility(world: World, fileset: AfmFileset, op: QueuedOp, now: int) -> Reason:
    queue = fileset.queue
    if op.kind == PSNAP:
        return Reason("delay", f"{_op_text(op)} leaves at once (a psnap marker skips afmAsyncDelay)")
    phase = fileset.recovery
    if phase is not None and op.seq <= phase.last_seq:
        verb = "eligible at {}, when recovery's policy scan ends" if phase.scan_done_us > now else \
            "eligible since {}, when recovery's policy scan ended"
        return Reason("delay", f"{_op_text(op)} {verb.format(at(world, phase.scan_done_us))}: the priority queue "
                      f"skips afmAsyncDelay (recovery: {phase.reason})")
    if op.seq < queue.flush_through:
        return Reason("delay", f"{_op_text(op)} eligible since {at(world, op.queued_us)}: flushPending lifted afmAsyncDelay "
                      f"{_since(world, f'flush:{fileset.name}')}")
    ready = gateway.ready_at(op, fileset.async_delay_us, queue.flush_through)
    verb = "becomes eligible at" if ready > now else "eligible since"
    delay = clock.format_duration(fileset.async_delay_us)
    return Reason("delay", f"{_op_text(op)} {verb} {at(world, ready)} (afmAsyncDelay {delay} after {at(world, op.queued_us)})")


def _link(world: World, fileset: AfmFileset, now: int) -> list[Reason]:
    """The link, and when it is down what the cache made of it."""
    if world.link_up:
        return [Reason("link", f"link up {_since(world, 'link')}")]
    down = world.link_down_since
    found = [Reason("link", f"link down {_since(world, 'link')}")]
    if fileset.target.protocol is Protocol.NSD:
        found.append(Reason("unmounted", f"Unmounted since {at(world, down)} (an NSD target has no Disconnected state)"))
        return found
    disconnected = down + world.link.disconnect_timeout_us
    if fileset.state is CacheState.DISCONNECTED:
        found.append(Reason("disconnected", f"Disconnected since {at(world, disconnected)}"))
    elif now < disconnected:
        timeout = clock.format_duration(world.link.disconnect_timeout_us)
        found.append(Reason("disconnected", f"Disconnected at {at(world, disconnected)} if still down "
                                            f"(disconnect timeout {timeout})"))
    return found


def _gateway(fileset: AfmFileset, world: World, now: int) -> Reason:
    busy = fileset.queue.busy_until
    if busy > now:
        return Reason("gateway", f"gateway {fileset.gateway} busy until {at(world, busy)}")
    return Reason("gateway", f"gateway {fileset.gateway} free")


def _blocker(world: World, fileset: AfmFileset, now: int) -> tuple[str, list[Reason]] | None:
    """What stops every op of `fileset` from going home, if anything: (headline tail, reasons)."""
    if not world.link_up:
        reasons = _link(world, fileset, now)
        return f"the link: down {_since(world, 'link')}", reasons[1:]
    if fileset.stopped:
        return (f"replication: {fileset.name} Stopped {_since(world, f'stopped:{fileset.name}')}",
                [Reason("stopped", f"nothing goes home until mmafmctl fs1 start -j {fileset.name}")])
    if world.home_tree(fileset) is None:
        return (f"home: {fileset.target.path} does not exist at home ({fileset.name} is Unmounted)",
                [Reason("unmounted", "ops flush again once the home directory exists")])
    return None


def _ahead_range(fileset: AfmFileset, before_seq: int) -> tuple[int, int] | None:
    """The seqs of the first and last live op queued before `before_seq`."""
    queue = fileset.queue
    first = next(iter(queue), None)
    if first is None or first.seq >= before_seq:
        return None
    last = before_seq - 1
    while last > first.seq and ((op := queue.find(last)) is None or op.dropped):
        last -= 1
    return first.seq, last


def _arrival(world: World, fileset: AfmFileset, op: QueuedOp, ahead: int, now: int) -> Reason:
    """When `op` reaches home if nothing stops the gateway: exact by walking the
    ops ahead (up to EXACT_AHEAD), else from the queue's totals."""
    queue, link, delay = fileset.queue, world.link, fileset.async_delay_us
    busy = max(queue.busy_until, now)
    if ahead <= EXACT_AHEAD:
        for earlier in islice(iter(queue), ahead):
            busy = gateway.done_at(earlier, busy, delay, queue.flush_through, link)
        done = gateway.done_at(op, busy, delay, queue.flush_through, link)
        return Reason("eta", f"reaches home at {at(world, done)} if nothing stops the gateway")
    share = queue.bytes * ahead // max(queue.length, 1)
    serial = ahead * link.latency_us + share * clock.SECOND // max(link.bandwidth, 1)
    ready = gateway.ready_at(op, delay, queue.flush_through)
    done = max(busy + serial, ready) + gateway.transfer_us(op.size, link)
    return Reason("eta", f"reaches home about {at(world, done)} at the link's speed, if nothing stops the gateway")


def _home_enabled(world: World, fileset: AfmFileset, queued: bool = True) -> Reason | None:
    """None when home ran `mmafmconfig enable` for the fileset's export; else since when it has not."""
    export = world.export_for(fileset)
    if export is not None and export.afm_enabled:
        return None
    path = export.path if export is not None else fileset.target.path
    text = f"home export {path} not enabled {_since(world, f'enabled:{path}')}"
    if queued:
        text += f": the home half fails when its turn comes (@home mmafmconfig enable {path})"
    return Reason("home", text)


# -- the three subjects -------------------------------------------------------------------------
def explain_psnap(world: World, psnap: PeerSnapshot, now: int) -> Why:
    fileset = world.filesets[psnap.fileset]
    name = psnap.name
    broken = broken_pair(world, psnap)
    if broken is not None:
        return Why(name, fileset.name, f"{name} is a broken pair: {broken}",
                   (Reason("refused", f"delete what is left with mmpsnap fs1 delete -s {name} -j {fileset.name}"),))
    if psnap.home is HomeHalf.CREATED and psnap.home_snap is not None:
        home = psnap.home_snap
        same = "identical to the cache half" if psnap.identical else "DIFFERS from the cache half"
        return Why(name, fileset.name, f"{name} is complete: home half id {home.id} taken at {at(world, home.created_us)} "
                   f"(home clock {clock.hms(world.clock('home', home.created_us))}), {same}",
                   (Reason("done", f"cache half id {psnap.cache_snap.id} taken at {at(world, psnap.cache_snap.created_us)}"),
                    Reason("done", "every op queued before it reached home first")))
    if psnap.home is HomeHalf.FAILED:
        reasons = []
        export = world.export_for(fileset)
        if export is not None and f"enabled:{export.path}" in world.changes:
            reasons.append(Reason("home", f"home export {export.path} {world.changes[f'enabled:{export.path}'].value} "
                                          f"{_since(world, f'enabled:{export.path}')}"))
        return Why(name, fileset.name, f"home half of {name} failed: {psnap.failure}", tuple(reasons))
    if psnap.home is HomeHalf.DELETING:
        return Why(name, fileset.name, f"{name} is being deleted: its home half goes when the link is back",
                   tuple(_link(world, fileset, now)))
    marker = psnap.marker
    assert marker is not None
    return _waiting(world, fileset, marker, f"home half of {name}", now, retry=psnap.created_disconnected)


def _waiting(world: World, fileset: AfmFileset, op: QueuedOp, who: str, now: int, retry: bool = False) -> Why:
    """The chain of a queued op (or marker) that has not gone home yet."""
    queue = fileset.queue
    ahead = queue.ahead_of(op)
    span = _ahead_range(fileset, op.seq)
    ops_ahead = f"{plural(ahead, 'op')} ({seq_range(*span)})" if span else ""
    reasons: list[Reason] = []
    blocked = _blocker(world, fileset, now)
    if blocked is not None:
        tail, more = blocked
        headline = f"{who} waits for {tail}"
        reasons += more
        if retry and op.kind == PSNAP and not world.link_up:
            reasons.append(Reason("link", "retried on reconnect"))
        elif op.kind == PSNAP and not world.link_up:
            reasons.append(Reason("link", "its marker stays queued and goes home after the reconnect"))
        if ops_ahead:
            reasons.append(Reason("ops", f"then for {ops_ahead}"))
    elif span:
        headline = f"{who} waits for {ops_ahead}"
        first = queue.find(span[0])
        assert first is not None
        reasons.append(_eligibility(world, fileset, first, now))
        reasons.append(Reason("link", "link up"))
        reasons.append(_gateway(fileset, world, now))
    else:
        headline = f"{who} is next in the queue"
        reasons.append(_eligibility(world, fileset, op, now))
        reasons.append(Reason("link", "link up"))
        reasons.append(_gateway(fileset, world, now))
    if span and op.kind != PSNAP and blocked is None:
        reasons.append(_eligibility(world, fileset, op, now))
    if op.kind == PSNAP:
        home = _home_enabled(world, fileset)
        if home is not None:
            reasons.append(home)
    if blocked is None:
        reasons.append(_arrival(world, fileset, op, ahead, now))
    return Why(who, fileset.name, headline, tuple(reasons), span, blocked is not None)


def explain_op(world: World, fileset: AfmFileset, seq: int, now: int) -> Why:
    queue = fileset.queue
    if seq >= queue.next_seq or seq < 1:
        raise WhyError(f"why: {fileset.name} has queued no op #{seq} (the next will be #{queue.next_seq})")
    op = queue.find(seq)
    marked = next((p for p in fileset.psnaps.values() if p.marker_seq == seq), None)
    if op is None and marked is not None:  # a pair's marker that went home (or left with its pair)
        why = explain_psnap(world, marked, now)
        return Why(why.subject, why.fileset, why.headline,
                   (Reason("done", f"#{seq} was its marker in {fileset.name}'s queue"), *why.reasons), why.ahead, why.blocked)
    if op is None:
        return Why(f"#{seq}", fileset.name, f"#{seq} of {fileset.name} has left the queue",
                   (Reason("done", f"{fileset.name} has executed {queue.num_exec:,} ops at home; "
                                   f"the queue now starts at #{queue.head_seq()}"),))
    if op.dropped:
        why = ("its peer snapshot was deleted first" if op.kind == PSNAP
               else f"a later write or remove of {op.path} made it unnecessary (AFM queue filtering)")
        return Why(f"#{seq}", fileset.name, f"{_op_text(op)} was filtered: it never goes home", (Reason("filtered", why),))
    if op.kind == PSNAP:
        psnap = fileset.psnaps.get(str(op.data))
        if psnap is not None:
            return explain_psnap(world, psnap, now)
    size = f" ({op.size:,} B)" if op.kind in (gateway.CREATE, gateway.WRITE) else ""
    return _waiting(world, fileset, op, f"{_op_text(op)}{size}", now)


def explain_fileset(world: World, fileset: AfmFileset, now: int) -> Why:
    queue = fileset.queue
    name, state = fileset.name, fileset.state
    detail = {
        CacheState.ACTIVE: ": nothing queued",
        CacheState.DISCONNECTED: f": the link is down {_since(world, 'link')}",
        CacheState.STOPPED: f" {_since(world, f'stopped:{name}')}",
        CacheState.NEEDS_RESYNC: f" {_since(world, f'resync:{name}')}: home changed under the single-writer cache",
        CacheState.UNMOUNTED: ": home is unreachable",
        CacheState.INACTIVE: ": nothing has accessed it since the scenario started",
        CacheState.DROPPED: ": its queue was dropped and recovery waits for home",
    }.get(state, "")
    if fileset.recovery is not None:
        detail = f" since {at(world, fileset.recovery.started_us)} (recovery: {fileset.recovery.reason})"
    if queue.length and state is not CacheState.DISCONNECTED:
        span = seq_range(queue.head_seq(), queue.next_seq - 1)
        detail += f"{':' if not detail else ','} {plural(queue.length, 'op')} queued ({span})"
    reasons: list[Reason] = [Reason("state", f"mode {fileset.mode.value}, target {fileset.target}")]
    reasons += _link(world, fileset, now)
    first = next(iter(queue), None)
    if first is not None:
        blocked = _blocker(world, fileset, now)
        if blocked is not None and world.link_up:
            reasons.append(Reason("stopped", f"the queue waits for {blocked[0]}"))
        reasons.append(_eligibility(world, fileset, first, now))
    pending = [p for p in fileset.psnaps.values() if p.home is HomeHalf.QUEUED and p.marker is not None]
    for psnap in pending[:3]:
        reasons.append(Reason("pending", f"{psnap.name} waits for {plural(queue.ahead_of(psnap.marker), 'op')}"))  # type: ignore[arg-type]
    if len(pending) > 3:
        reasons.append(Reason("pending", f"... and {len(pending) - 3} more peer snapshots pending"))
    reasons.append(psnap_now(world, fileset))
    home = _home_enabled(world, fileset, queued=False)
    if home is None:
        export = world.export_for(fileset)
        assert export is not None
        home = Reason("home", f"home export {export.path} AFM enabled {_since(world, f'enabled:{export.path}')}")
    reasons.append(home)
    return Why(name, name, f"{name} is {state.value}{detail}", tuple(reasons))


def psnap_now(world: World, fileset: AfmFileset) -> Reason:
    """Whether `mmpsnap fs1 create -j F` would be accepted now; if not, the rule, its IBM id and
    the setting behind it with what set it."""
    refusal = rules.psnap_create(fileset, world.export_for(fileset), world.link_up)
    if refusal is None:
        return Reason("done", f"mmpsnap fs1 create -j {fileset.name} would be accepted now")
    ident = refusal.message_id or refusal.rule
    return Reason("refused", f"mmpsnap now: refused: {ident}, {refused_setting(world, fileset, refusal)}")


def refused_setting(world: World, fileset: AfmFileset, refusal: rules.Refusal) -> str:
    """The setting a refusal comes from, and what set it: `target gpfs:///gpfs/fs1/sw (F3 set it at 02:27:40)`."""
    name = fileset.name
    if refusal.message_id == "6027-2183":
        return f"mode {fileset.mode.value} {_set_by(world, f'mode:{name}')}"
    if refusal.message_id == "6027-2232":
        return f"target {fileset.target} {_set_by(world, f'target:{name}')}"
    if refusal.message_id == "6027-2224":
        export = world.export_for(fileset)
        path = export.path if export is not None else fileset.target.path
        if export is not None and export.afm_enabled:  # enabled after the fileset was linked: relink it
            return (f"home export {path} enabled {_set_by(world, f'enabled:{path}')} after {name} was linked "
                    f"{_set_by(world, f'linked:{name}')}: unlink and relink {name}")
        return f"home export {path} not enabled {_set_by(world, f'enabled:{path}')}"
    if refusal.message_id == "6027-2293":
        if fileset.recovery is not None:
            phase = fileset.recovery
            return f"state {fileset.state.value} (recovery: {phase.reason} at {at(world, phase.started_us)})"
        key = {CacheState.DROPPED: "link", CacheState.STOPPED: f"stopped:{name}",
               CacheState.NEEDS_RESYNC: f"resync:{name}",
               CacheState.UNMOUNTED: "link" if not world.link_up else f"target:{name}"}.get(fileset.state)
        if key is None:
            return f"state {fileset.state.value} {_set_by(world, f'linked:{name}')}"
        return f"state {fileset.state.value} {_set_by(world, key)}"
    return f"fileset {'linked' if fileset.linked else 'unlinked'} {_set_by(world, f'linked:{name}')}"


def broken_pair(world: World, psnap: PeerSnapshot) -> str | None:
    """Why a pair no longer has both its halves (one deleted on its own with mmdelsnapshot), or None."""
    if not psnap.broken:
        return None
    other = "home" if psnap.broken == "cache" else "cache"
    change = world.changes.get(f"deleted:{psnap.broken}:{psnap.name}")
    when = f" at {at(world, change.at)} ({change.cause})" if change is not None else ""
    return f"its {psnap.broken} half was deleted{when}; the {other} half stands alone"


# -- finding the subject --------------------------------------------------------------------------
def find_psnap(world: World, name: str) -> PeerSnapshot | None:
    """A peer snapshot by its name, or by a part of it that only one name holds."""
    for fileset in world.filesets.values():
        if name in fileset.psnaps:
            return fileset.psnaps[name]
    matches = [p for f in world.filesets.values() for p in f.psnaps.values() if name in p.name]
    return matches[0] if len(matches) == 1 else None


def explain(world: World, subject: str, now: int, fileset_name: str = "") -> Why:
    """The chain for `subject`: a psnap name, `#SEQ` or `SEQ` (of `fileset_name`, or the one
    fileset whose queue holds it), or a fileset name."""
    if fileset_name and fileset_name not in world.filesets:
        raise WhyError(f"why: fileset {fileset_name} does not exist (filesets: {', '.join(world.filesets)})")
    digits = subject.removeprefix("#")
    if digits.isdigit() and len(digits) <= 12:
        return explain_op(world, _op_owner(world, int(digits), fileset_name), int(digits), now)
    if subject in world.filesets and not fileset_name:
        return explain_fileset(world, world.filesets[subject], now)
    psnap = find_psnap(world, subject)
    if psnap is not None:
        return explain_psnap(world, psnap, now)
    raise WhyError(f"why: no peer snapshot, queued op or fileset named '{subject}' "
                   "(try: why sw, why 12, or why with a peer snapshot's name)")


def _op_owner(world: World, seq: int, fileset_name: str) -> AfmFileset:
    if fileset_name:
        return world.filesets[fileset_name]
    holding = [f for f in world.filesets.values() if f.queue.find(seq) is not None]
    if len(holding) == 1:
        return holding[0]
    if len(holding) > 1:
        raise WhyError(f"why: #{seq} is queued in {', '.join(f.name for f in holding)}; say which with -j FILESET")
    pushing = [f for f in world.filesets.values() if f.mode.pushes_home]
    return pushing[0] if len(pushing) == 1 else world.filesets.get("sw", next(iter(world.filesets.values())))
