"""Every rule that refuses a command, in one place, as pure checks.

Each check looks at the world and returns a `Refusal` (or None). Commands run
every check before they change anything, so a refused command changes nothing;
`enforce` is the one way a refusal is raised: it announces a `RuleRefused`
event and raises `Refused`, which the session prints GPFS-style.
"""

from __future__ import annotations

from collections.abc import Sequence

from .events import EventBus, RuleRefused
from .model import AfmFileset, AfmMode, CacheState, HomeExport, Protocol
from .records import record


@record
class Refusal:
    rule: str  # short name shown on the dashboard's explanation card
    message_id: str  # IBM message id, or "" where the product prints none
    text: str  # the message as the command prints it
    hint: str  # how to fix it, in plain words
    detail: str = ""  # a plain second line where the product's message alone says too little

    def lines(self, command: str) -> list[str]:
        ident = f"{self.message_id} [E] " if self.message_id else ""
        return [f"{command}: {ident}{self.text}"] + ([f"{command}: {self.detail}"] if self.detail else [])


PSNAP_STATES = (CacheState.ACTIVE, CacheState.DIRTY, CacheState.DISCONNECTED)


def psnap_linked(fileset: AfmFileset) -> Refusal | None:
    if fileset.linked:
        return None
    return Refusal(
        "fileset must be linked",
        "",
        f"Fileset {fileset.name} is not linked; link it first (mmlinkfileset fs1 {fileset.name} -J /gpfs/fs1/{fileset.name}).",
        f"An unlinked fileset has no namespace to snapshot. Run mmlinkfileset fs1 {fileset.name} -J /gpfs/fs1/{fileset.name}.",
    )


def psnap_mode(fileset: AfmFileset) -> Refusal | None:
    if fileset.mode is AfmMode.SW:
        return None
    return Refusal(
        "single-writer only",
        "6027-2183",
        "Peer snapshots using mmpsnap are allowed only for single-writer or primary filesets.",
        psnap_mode_fix(fileset),
    )


def psnap_mode_fix(fileset: AfmFileset) -> str:
    """How to get an SW cache: convert this one (never an LU one), or use another."""
    said = f"Fileset {fileset.name} is {fileset.mode.long_name} ({fileset.mode.value}); peer snapshots need an SW cache. "
    if fileset.mode is AfmMode.LU:
        return said + ("A local-updates fileset can never become SW again: take the peer snapshot on another SW "
                       "fileset (mmlsfileset fs1 --afm lists them), or run undo if this session made it LU.")
    return said + (f"Unlink it, change it with mmchfileset fs1 {fileset.name} -p afmMode=sw and link it again, "
                   "or take the peer snapshot on another SW fileset (mmlsfileset fs1 --afm lists them).")


def psnap_protocol(fileset: AfmFileset) -> Refusal | None:
    if fileset.target.protocol is Protocol.NFS:
        return None
    return Refusal(
        "NFS targets only",
        "6027-2232",
        "Peer snapshots are allowed only for targets using the NFS protocol.",
        f"Fileset {fileset.name} talks to home over NSD ({fileset.target}). Point it at an NFS export: "
        f"unlink it, then mmchfileset fs1 {fileset.name} -p afmTarget=nfs://home1{fileset.target.path}.",
    )


def psnap_state(fileset: AfmFileset) -> Refusal | None:
    """Active or Dirty (or Disconnected: the seed's rule 4). A cache known to
    need a resync is refused even while Disconnected: its home is not what the
    cache sent, so a psnap would first wait for a resync that cannot run yet."""
    state = fileset.state
    if fileset.needs_resync and state is CacheState.DISCONNECTED:
        return Refusal(
            "cache must be Active",
            "6027-2293",
            f"The peer snapshot creation failed because fileset {fileset.name} is in NeedsResync state.",
            f"Fileset {fileset.name} is Disconnected and its home changed behind the cache's back. Bring the link "
            f"back (sim link up), then run mmafmctl fs1 resync -j {fileset.name} (or change a file: AFM resyncs "
            "with the next change it sends home).",
        )
    if state in PSNAP_STATES:
        return None
    fixes = {
        CacheState.INACTIVE: f"Access the fileset first (for example: ls /gpfs/fs1/{fileset.name}) to make it Active.",
        CacheState.STOPPED: f"Restart replication with mmafmctl fs1 start -j {fileset.name}.",
        CacheState.NEEDS_RESYNC: (
            f"AFM found that home changed behind the cache's back. Run mmafmctl fs1 resync -j {fileset.name} "
            "(AFM also resyncs by itself with the next change the cache sends home)."
        ),
        CacheState.UNMOUNTED: "Home is unreachable; bring the link back up (sim link up).",
        CacheState.QUEUE_ONLY: ("Recovery's policy scan is finding the changes to requeue; wait until the fileset "
                                "is Active again (sim settle)."),
        CacheState.RECOVERY: ("Recovery's priority queue is bringing the changes it found home; wait until the "
                              "fileset is Active again (sim settle)."),
        CacheState.DROPPED: ("The queue was dropped and recovery needs home: bring the link back up (sim link up); "
                             "recovery then runs by itself."),
    }
    return Refusal(
        "cache must be Active",
        "6027-2293",
        f"The peer snapshot creation failed because fileset {fileset.name} is in {state.value} state.",
        fixes.get(state, "Wait until the fileset is Active again."),
    )


def resync_state(fileset: AfmFileset) -> Refusal | None:
    """IBM: "When running a resync the fileset must be in the Active or the
    NeedsResync state." (IBM prints no message for it: the text is ours.)"""
    state = fileset.state
    if state in (CacheState.ACTIVE, CacheState.NEEDS_RESYNC):
        return None
    fixes = {
        CacheState.DIRTY: "Let the queued changes reach home first (sim settle), then resync if home still differs.",
        CacheState.DISCONNECTED: "Home is unreachable; bring the link back up (sim link up).",
        CacheState.UNMOUNTED: "Home is unreachable; bring the link back up (sim link up).",
        CacheState.STOPPED: f"Restart replication with mmafmctl fs1 start -j {fileset.name}.",
        CacheState.INACTIVE: f"Access the fileset first (for example: ls /gpfs/fs1/{fileset.name}).",
    }
    return Refusal(
        "resync needs Active or NeedsResync",
        "",
        f"Resync of fileset {fileset.name} is not allowed in {state.value} state; "
        "the fileset must be Active or NeedsResync.",
        fixes.get(state, "Wait until the fileset is Active again."),
    )


def psnap_home_enabled(fileset: AfmFileset, export: HomeExport | None, link_up: bool) -> Refusal | None:
    """Home must have run `mmafmconfig enable`. With the link down the cache
    cannot ask; the home half then finds out on reconnect."""
    if not link_up or (export is not None and export.afm_enabled):
        return None
    path = export.path if export is not None else fileset.target.path
    return Refusal(
        "home needs mmafmconfig enable",
        "6027-2224",
        "Peer snapshot creation failed. Error code 2.",
        f"AFM is not enabled at home for {path}. Run at home: mmafmconfig enable {path} "
        f"(in peersnap: @home mmafmconfig enable {path}).",
        f"AFM is not enabled at home for {path}: run 'mmafmconfig enable {path}' on the home cluster.",
    )


def psnap_relinked(fileset: AfmFileset, export: HomeExport | None, link_up: bool) -> Refusal | None:
    """IBM (mmafmconfig): "Ensure that you run mmafmconfig enable at home fileset before the
    cache fileset is linked. As an administrator, if you run this command at home after
    linking fileset at cache, unlink and relink fileset at cache." The cache finds home's
    AFM control file when it is linked; enabled later, it has not seen it yet."""
    if not link_up or export is None or not export.afm_enabled or fileset.home_afm_seen:
        return None
    name = fileset.name
    relink = f"mmunlinkfileset fs1 {name}, then mmlinkfileset fs1 {name} -J /gpfs/fs1/{name}"
    return Refusal(
        "relink after mmafmconfig enable",
        "6027-2224",
        "Peer snapshot creation failed. Error code 2.",
        f"Home ran mmafmconfig enable {export.path} after fileset {name} was linked; the cache has not seen "
        f"home's AFM controls yet. Unlink and relink the fileset at the cache: {relink}.",
        f"AFM was enabled at home for {export.path} after fileset {name} was linked: unlink and relink "
        f"fileset {name} at the cache ({relink}).",
    )


def psnap_create(fileset: AfmFileset, export: HomeExport | None, link_up: bool) -> Refusal | None:
    """All create rules in the documented order: mode, target, state, home
    (a fileset that is not linked has nothing to snapshot: that comes first)."""
    return (
        psnap_linked(fileset)
        or psnap_mode(fileset)
        or psnap_protocol(fileset)
        or psnap_state(fileset)
        or psnap_home_enabled(fileset, export, link_up)
        or psnap_relinked(fileset, export, link_up)
    )


def mode_change(fileset: AfmFileset, new_mode: AfmMode, same_home: Sequence[AfmFileset] = ()) -> Refusal | None:
    """IBM, "Conversion of mode": LU is final; the fileset must be unlinked with an empty
    queue; and "Before you convert a fileset from the IW mode to the SW mode, ensure that all
    the remaining IW filesets are converted to either RO or LU." `same_home` are the cache
    filesets of the same home directory."""
    if fileset.mode is new_mode:
        return None
    if fileset.mode is AfmMode.LU:
        return Refusal(
            "LU is final",
            "",
            f"Fileset {fileset.name} is a local-updates cache; its afmMode cannot be changed.",
            "A local-updates fileset can never be converted to another mode. For another mode use another fileset "
            "(mmlsfileset fs1 --afm lists them), or run undo if this session made it LU.",
        )
    writers = [f.name for f in same_home if f is not fileset and f.mode is AfmMode.IW]
    if fileset.mode is AfmMode.IW and new_mode is AfmMode.SW and writers:
        names = ", ".join(writers)
        return Refusal(
            "other IW caches first",
            "",
            f"Fileset {fileset.name} cannot be converted from independent-writer to single-writer while "
            f"{'fileset' if len(writers) == 1 else 'filesets'} {names} of the same home "
            f"({fileset.target.path}) {'is' if len(writers) == 1 else 'are'} still independent-writer; "
            "convert them to ro or lu first.",
            f"A single writer means nothing else writes at home. Unlink {names} and convert "
            f"{'it' if len(writers) == 1 else 'each'} with mmchfileset fs1 {writers[0]} -p afmMode=ro (or lu), "
            "then convert this one.",
        )
    return needs_unlinked_and_empty(fileset, "afmMode")


def needs_unlinked_and_empty(fileset: AfmFileset, attribute: str) -> Refusal | None:
    if fileset.linked:
        return Refusal(
            "unlink first",
            "",
            f"Fileset {fileset.name} must be unlinked to change {attribute}.",
            f"Run mmunlinkfileset fs1 {fileset.name} first, then mmlinkfileset fs1 {fileset.name} "
            f"-J /gpfs/fs1/{fileset.name} afterwards.",
        )
    if attribute == "afmMode" and (fileset.stopped or fileset.dropped or fileset.recovery is not None):
        # stop and a lost queue leave changes that are not at home yet, though not queued:
        # recovery queues them; they count as IBM's "pending requests" (a new NFS server or
        # protocol for the same home path does not lose them: afmTarget may change)
        why = "Stopped" if fileset.stopped else "Dropped" if fileset.dropped else "in Recovery"
        fix = (f"Run mmafmctl fs1 start -j {fileset.name}, then let the queue drain (sim settle)." if fileset.stopped
               else "Let recovery bring its changes home first (sim link up, sim settle).")
        return Refusal(
            "queue must be empty",
            "",
            f"Fileset {fileset.name} is {why}: its changes are not all at home yet; {attribute} cannot be changed "
            "until they are.",
            fix,
        )
    if fileset.queue.length:
        return Refusal(
            "queue must be empty",
            "",
            f"Fileset {fileset.name} has {fileset.queue.length:,} queued operations; {attribute} cannot be changed "
            "until they reach home.",
            f"Let the queue drain (sim settle) or run mmafmctl fs1 flushPending -j {fileset.name}.",
        )
    return None


def flush_during_psnap(fileset: AfmFileset) -> Refusal | None:
    """`mmafmctl flushPending` would let ops overtake a queued psnap marker's promise."""
    if not fileset.queue.markers:
        return None
    return Refusal(
        "no flush during a psnap",
        "6027-2757",
        "The peer snapshot is in progress. Queue cannot be flushed now.",
        "Wait for the home half of the peer snapshot (sim settle), then flush.",
    )


class Refused(Exception):
    """A rule refused a command; the command prints the refusal and fails."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.text)
        self.refusal = refusal


def enforce(refusal: Refusal | None, command: str, fileset: str, bus: EventBus, now: int) -> None:
    """The one way a rule refuses: announce `RuleRefused`, then raise `Refused`.
    Does nothing when the check passed (`refusal` is None)."""
    if refusal is None:
        return
    bus.emit(RuleRefused(now, fileset, command, refusal.rule, refusal.message_id, refusal.text, refusal.hint))
    raise Refused(refusal)
