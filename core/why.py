"""`why NAME`: the causal chain behind a peer snapshot, a queued op or a fileset.

Every link of the chain is read from engine data: the ops ahead and their
seqs, each op's eligibility (queued + afmAsyncDelay, from the gateway's timing
functions), the link and what last changed it, the fileset's state, the rules
a peer snapshot would meet now, and the settings behind a refusal with the
command (or key, or fault) that set them. Times are on the cache's clock.
"""

from __future__ import annotations

from . import clock, gateway, rules
from .clock import plural
from .gateway import PSNAP, QueuedOp
from .model import AfmFileset, CacheState, HomeHalf, PeerSnapshot
from .why_chain import (
    Reason,
    Why,
    WhyError,
    ahead_range,
    arrival,
    at,
    blocker,
    eligibility,
    gateway_reason,
    home_enabled,
    link_reasons,
    op_text,
    recovery_reason,
    seq_range,
    set_by,
    since,
)
from .world import World

__all__ = ["Reason", "Why", "WhyError", "at", "broken_pair", "explain", "explain_fileset", "explain_op",
           "explain_psnap", "find_psnap", "psnap_now", "refused_setting", "seq_range"]


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
                                          f"{since(world, f'enabled:{export.path}')}"))
        return Why(name, fileset.name, f"home half of {name} failed: {psnap.failure}", tuple(reasons))
    if psnap.home is HomeHalf.DELETING:
        return Why(name, fileset.name, f"{name} is being deleted: its home half goes when the link is back",
                   tuple(link_reasons(world, fileset, now)))
    marker = psnap.marker
    if marker is None:
        return _unqueued(world, fileset, psnap, now)
    why = _waiting(world, fileset, marker, f"home half of {name}", now, retry=psnap.created_disconnected)
    phase = fileset.recovery
    if phase is not None and marker.seq <= phase.last_seq:
        why = Why(why.subject, why.fileset, why.headline, (*why.reasons, recovery_reason(world, fileset, now)), why.ahead,
                  why.blocked)
    return why


def _unqueued(world: World, fileset: AfmFileset, psnap: PeerSnapshot, now: int) -> Why:
    """A home half whose marker went with a dropped queue: recovery requeues it."""
    who = f"home half of {psnap.name}"
    blocked = blocker(world, fileset, now)
    tail, more = blocked if blocked is not None else (f"recovery of {fileset.name}", [])
    reasons = [Reason("stopped", "its marker went with the dropped queue; the cache still records the home half as "
                                 "not created"), *more,
               Reason("ops", "recovery compares the cache with home, requeues what home lacks up to the cache half, "
                             "then the marker: the halves still hold the same data")]
    return Why(who, fileset.name, f"{who} waits for {tail}", tuple(reasons), None, True)


def _waiting(world: World, fileset: AfmFileset, op: QueuedOp, who: str, now: int, retry: bool = False) -> Why:
    """The chain of a queued op (or marker) that has not gone home yet."""
    queue = fileset.queue
    ahead = queue.ahead_of(op)
    span = ahead_range(fileset, op.seq)
    ops_ahead = f"{plural(ahead, 'op')} ({seq_range(*span)})" if span else ""
    reasons: list[Reason] = []
    blocked = blocker(world, fileset, now)
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
        reasons.append(eligibility(world, fileset, first, now))
        reasons.append(Reason("link", "link up"))
        reasons.append(gateway_reason(fileset, world, now))
    else:
        headline = f"{who} is next in the queue"
        reasons.append(eligibility(world, fileset, op, now))
        reasons.append(Reason("link", "link up"))
        reasons.append(gateway_reason(fileset, world, now))
    if span and op.kind != PSNAP and blocked is None:
        reasons.append(eligibility(world, fileset, op, now))
    if op.kind == PSNAP:
        home = home_enabled(world, fileset)
        if home is not None:
            reasons.append(home)
    if blocked is None:
        reasons.append(arrival(world, fileset, op, ahead, now))
    phase = fileset.recovery
    if phase is not None and op.kind != PSNAP and op.seq <= phase.last_seq:
        reasons.append(recovery_reason(world, fileset, now))
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
        return Why(f"#{seq}", fileset.name, f"{op_text(op)} was filtered: it never goes home", (Reason("filtered", why),))
    if op.kind == PSNAP:
        psnap = fileset.psnaps.get(str(op.data))
        if psnap is not None:
            return explain_psnap(world, psnap, now)
    size = f" ({op.size:,} B)" if op.kind in (gateway.CREATE, gateway.WRITE) else ""
    return _waiting(world, fileset, op, f"{op_text(op)}{size}", now)


def explain_fileset(world: World, fileset: AfmFileset, now: int) -> Why:
    queue = fileset.queue
    name, state = fileset.name, fileset.state
    detail = {
        CacheState.ACTIVE: ": nothing queued",
        CacheState.DISCONNECTED: f": the link is down {since(world, 'link')}",
        CacheState.STOPPED: f" {since(world, f'stopped:{name}')}: nothing it changes is queued",
        CacheState.DROPPED: f" {since(world, f'dropped:{name}')}: its queue was dropped and recovery waits for home",
        CacheState.NEEDS_RESYNC: f" {since(world, f'resync:{name}')}: home changed under the single-writer cache",
        CacheState.UNMOUNTED: ": home is unreachable",
        CacheState.INACTIVE: ": nothing has accessed it since the scenario started",
    }.get(state, "")
    if fileset.recovery is not None:
        detail = f" since {at(world, fileset.recovery.started_us)} (recovery: {fileset.recovery.reason})"
    if queue.length and state is not CacheState.DISCONNECTED:
        span = seq_range(queue.head_seq(), queue.next_seq - 1)
        detail += f"{':' if not detail else ','} {plural(queue.length, 'op')} queued ({span})"
    reasons: list[Reason] = [Reason("state", f"mode {fileset.mode.value}, target {fileset.target}")]
    reasons += link_reasons(world, fileset, now)
    if fileset.recovery is not None:
        reasons.append(recovery_reason(world, fileset, now))
    first = next(iter(queue), None)
    if first is not None:
        blocked = blocker(world, fileset, now)
        if blocked is not None and world.link_up:
            reasons.append(Reason("stopped", f"the queue waits for {blocked[0]}"))
        reasons.append(eligibility(world, fileset, first, now))
    pending = [p for p in fileset.psnaps.values() if p.home is HomeHalf.QUEUED]
    for psnap in pending[:3]:
        if psnap.marker is None:
            waits = "waits for recovery to requeue it (its marker went with the dropped queue)"
        else:
            ahead = queue.ahead_of(psnap.marker)
            waits = f"waits for {plural(ahead, 'op')}" if ahead else "is next in the queue"
        reasons.append(Reason("pending", f"{psnap.name} {waits}"))
    if len(pending) > 3:
        reasons.append(Reason("pending", f"... and {len(pending) - 3} more peer snapshots pending"))
    reasons.append(psnap_now(world, fileset))
    home = home_enabled(world, fileset, queued=False)
    if home is None:
        export = world.export_for(fileset)
        assert export is not None
        home = Reason("home", f"home export {export.path} AFM enabled {since(world, f'enabled:{export.path}')}")
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
        return f"mode {fileset.mode.value} {set_by(world, f'mode:{name}')}"
    if refusal.message_id == "6027-2232":
        return f"target {fileset.target} {set_by(world, f'target:{name}')}"
    if refusal.message_id == "6027-2224":
        export = world.export_for(fileset)
        path = export.path if export is not None else fileset.target.path
        if export is not None and export.afm_enabled:  # enabled after the fileset was linked: relink it
            return (f"home export {path} enabled {set_by(world, f'enabled:{path}')} after {name} was linked "
                    f"{set_by(world, f'linked:{name}')}: unlink and relink {name}")
        return f"home export {path} not enabled {set_by(world, f'enabled:{path}')}"
    if refusal.message_id == "6027-2293":
        if fileset.recovery is not None:
            phase = fileset.recovery
            return f"state {fileset.state.value} (recovery: {phase.reason} at {at(world, phase.started_us)})"
        key = {CacheState.DROPPED: "link", CacheState.STOPPED: f"stopped:{name}",
               CacheState.NEEDS_RESYNC: f"resync:{name}",
               CacheState.UNMOUNTED: "link" if not world.link_up else f"target:{name}"}.get(fileset.state)
        if key is None:
            return f"state {fileset.state.value} {set_by(world, f'linked:{name}')}"
        return f"state {fileset.state.value} {set_by(world, key)}"
    return f"fileset {'linked' if fileset.linked else 'unlinked'} {set_by(world, f'linked:{name}')}"


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
