"""The links `why` chains together: the types, the phrases, and what holds an op back.

Each function reads engine data (the queue, the gateway's timing, the link, the
fileset's state and recovery, `world.changes` for what set a setting) and says it
in one phrase; `core/why.py` puts them together per subject.
"""

from __future__ import annotations

from itertools import islice

from . import clock, gateway
from .gateway import PSNAP, QueuedOp
from .model import AfmFileset, CacheState, Change, Protocol
from .records import record
from .world import World

EXACT_AHEAD = 10_000  # beyond this many ops ahead the arrival time is estimated from the queue's totals


class WhyError(Exception):
    """A name `why` cannot explain; str() says why, in the command's voice."""


@record
class Reason:
    """One link of a chain. `kind` lets a view style it: ops, delay, link,
    disconnected, stopped, unmounted, home, refused, gateway, eta, done, filtered, state, pending."""

    kind: str
    text: str


@record
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


def change_of(world: World, key: str) -> Change | None:
    return world.changes.get(key)


def since(world: World, key: str) -> str:
    """`since 02:27:32 (`sim link down`)`, or `since the scenario started`."""
    change = change_of(world, key)
    if change is None:
        return "since the scenario started"
    return f"since {at(world, change.at)} ({change.cause})"


def set_by(world: World, key: str) -> str:
    """`(F3 set it at 02:27:40)`, or `(so since the scenario started)`."""
    change = change_of(world, key)
    if change is None:
        return "(so since the scenario started)"
    return f"({change.cause} set it at {at(world, change.at)})"


def seq_range(first: int, last: int) -> str:
    """`#1..#9`, or `#4` for one seq."""
    return f"#{first}" if first == last else f"#{first}..#{last}"


def op_text(op: QueuedOp) -> str:
    if op.kind == PSNAP:
        return f"#{op.seq} psnap marker {op.data}"
    path = f"{op.path} -> {op.data}" if op.kind == gateway.RENAME else op.path
    return f"#{op.seq} {op.kind} {path}".rstrip()


def eligibility(world: World, fileset: AfmFileset, op: QueuedOp, now: int) -> Reason:
    queue = fileset.queue
    if op.kind == PSNAP:
        return Reason("delay", f"{op_text(op)} leaves at once (a psnap marker skips afmAsyncDelay)")
    phase = fileset.recovery
    if phase is not None and op.seq <= phase.last_seq:
        verb = "eligible at {}, when recovery's policy scan ends" if phase.scan_done_us > now else \
            "eligible since {}, when recovery's policy scan ended"
        return Reason("delay", f"{op_text(op)} {verb.format(at(world, phase.scan_done_us))}: the priority queue "
                      f"skips afmAsyncDelay (recovery: {phase.reason})")
    if op.seq < queue.flush_through:
        return Reason("delay", f"{op_text(op)} eligible since {at(world, op.queued_us)}: flushPending lifted afmAsyncDelay "
                      f"{since(world, f'flush:{fileset.name}')}")
    ready = gateway.ready_at(op, fileset.async_delay_us, queue.flush_through)
    verb = "becomes eligible at" if ready > now else "eligible since"
    delay = clock.format_duration(fileset.async_delay_us)
    return Reason("delay", f"{op_text(op)} {verb} {at(world, ready)} (afmAsyncDelay {delay} after {at(world, op.queued_us)})")


def link_reasons(world: World, fileset: AfmFileset, now: int) -> list[Reason]:
    """The link, and when it is down what the cache made of it."""
    if world.link_up:
        return [Reason("link", f"link up {since(world, 'link')}")]
    down = world.link_down_since
    found = [Reason("link", f"link down {since(world, 'link')}")]
    if fileset.target.protocol is Protocol.NSD:
        found.append(Reason("unmounted", f"Unmounted since {at(world, down)} (an NSD target has no Disconnected state)"))
        return found
    if fileset.dropped:  # Dropped until home answers: it does not go Disconnected meanwhile
        return found
    disconnected = down + world.link.disconnect_timeout_us
    if fileset.state is CacheState.DISCONNECTED:
        found.append(Reason("disconnected", f"Disconnected since {at(world, disconnected)}"))
    elif now < disconnected:
        timeout = clock.format_duration(world.link.disconnect_timeout_us)
        found.append(Reason("disconnected", f"Disconnected at {at(world, disconnected)} if still down "
                                            f"(disconnect timeout {timeout})"))
    return found


def gateway_reason(fileset: AfmFileset, world: World, now: int) -> Reason:
    busy = fileset.queue.busy_until
    if busy > now:
        return Reason("gateway", f"gateway {fileset.gateway} busy until {at(world, busy)}")
    return Reason("gateway", f"gateway {fileset.gateway} free")


def blocker(world: World, fileset: AfmFileset, now: int) -> tuple[str, list[Reason]] | None:
    """What stops every op of `fileset` from going home, if anything: (headline tail, reasons)."""
    if not world.link_up:
        reasons = link_reasons(world, fileset, now)
        return f"the link: down {since(world, 'link')}", reasons[1:]
    if fileset.stopped:
        return (f"replication: {fileset.name} Stopped {since(world, f'stopped:{fileset.name}')}",
                [Reason("stopped", f"nothing goes home until mmafmctl fs1 start -j {fileset.name}")])
    if fileset.dropped:
        return (f"recovery: {fileset.name} Dropped {since(world, f'dropped:{fileset.name}')}",
                [Reason("stopped", "its queue is dropped and recovery needs home: it runs again when the link is "
                                   "back or the fileset is accessed")])
    if world.home_tree(fileset) is None:
        return (f"home: {fileset.target.path} does not exist at home ({fileset.name} is Unmounted)",
                [Reason("unmounted", "ops flush again once the home directory exists")])
    return None


def ahead_range(fileset: AfmFileset, before_seq: int) -> tuple[int, int] | None:
    """The seqs of the first and last live op queued before `before_seq`."""
    queue = fileset.queue
    first = next(iter(queue), None)
    if first is None or first.seq >= before_seq:
        return None
    last = before_seq - 1
    while last > first.seq and ((op := queue.find(last)) is None or op.dropped):
        last -= 1
    return first.seq, last


def arrival(world: World, fileset: AfmFileset, op: QueuedOp, ahead: int, now: int) -> Reason:
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


def home_enabled(world: World, fileset: AfmFileset, queued: bool = True) -> Reason | None:
    """None when home ran `mmafmconfig enable` for the fileset's export; else since when it has not."""
    export = world.export_for(fileset)
    if export is not None and export.afm_enabled:
        return None
    path = export.path if export is not None else fileset.target.path
    text = f"home export {path} not enabled {since(world, f'enabled:{path}')}"
    if queued:
        text += f": the home half fails when its turn comes (@home mmafmconfig enable {path})"
    return Reason("home", text)



def recovery_reason(world: World, fileset: AfmFileset, now: int) -> Reason:
    """The recovery under way: its policy scan (QueueOnly), and when it ends (the headline or the
    op's eligibility says why it runs)."""
    phase = fileset.recovery
    assert phase is not None
    scan = (f"policy scan until {at(world, phase.scan_done_us)} (QueueOnly)" if phase.scan_done_us > now
            else f"policy scan done at {at(world, phase.scan_done_us)}")
    if phase.last_seq:
        queued = (f"then the requeued ops up to #{phase.last_seq} flush without afmAsyncDelay (Recovery); "
                  "Active once they are at home")
    else:
        queued = "nothing to requeue: Active once the scan is done"
    return Reason("state", f"recovery: {scan}, {queued}")
