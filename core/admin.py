"""Fileset and AFM administration: link/unlink, mode and target changes,
stop/start, flushPending, resync, and the home's `mmafmconfig` switch."""

from __future__ import annotations

from . import clock, rules
from .characters import is_number, number_problem, one_spelling
from .clock import SimTime
from .errors import SimError
from .events import EventBus, FilesetChanged, HomeExportChanged
from .limits import CapExceeded, check_queue
from .model import AfmFileset, AfmMode, CacheState, HomeExport, Target
from .recovery import Recovery
from .resync import queue_resync
from .world import World

MAX_ASYNC_DELAY_S = 2_147_483_647


class Admin:
    """The administrative commands' engine side: filesets, AFM control, home exports."""

    def __init__(self, world: World, bus: EventBus, time: SimTime, recovery: Recovery) -> None:
        self.world = world
        self.bus = bus
        self.time = time
        self.recovery = recovery

    def _refresh(self) -> None:
        self.world.refresh_states(self.time.now, self.bus.emit)

    def _enforce(self, refusal: rules.Refusal | None, command: str, fileset: AfmFileset) -> None:
        rules.enforce(refusal, command, fileset.name, self.bus, self.time.now)

    # -- linking -----------------------------------------------------------------------
    def unlink_fileset(self, name: str) -> None:
        fileset = self.world.filesets[name]
        if not fileset.linked:
            raise SimError(f"mmunlinkfileset: Fileset {name} is not linked.")
        fileset.linked = False
        self.bus.emit(FilesetChanged(self.time.now, name, f"fileset {name} unlinked"))

    def link_fileset(self, name: str, junction: str) -> None:
        fileset = self.world.filesets[name]
        expected = f"{self.world.cache.fs.mount}/{name}"
        if fileset.linked:
            raise SimError(f"mmlinkfileset: Fileset {name} is already linked.")
        if one_spelling(junction) != expected:
            raise SimError(f"mmlinkfileset: peersnap links fileset {name} at {expected} only (got {junction}).")
        fileset.linked = True
        # Linking is when the cache looks for home's AFM control file (.afm/.afmctl).
        export = self.world.export_for(fileset)
        fileset.home_afm_seen = export is not None and export.afm_enabled
        self.bus.emit(FilesetChanged(self.time.now, name, f"fileset {name} linked at {expected}"))

    # -- attributes -------------------------------------------------------------------------
    def change_fileset(self, name: str, attributes: dict[str, str]) -> None:
        """`mmchfileset fs1 F -p afmMode=..,afmTarget=..,afmAsyncDelay=..`: all or nothing."""
        fileset = self.world.filesets[name]
        mode, target, delay = fileset.mode, fileset.target, fileset.async_delay_us
        for key, value in attributes.items():
            low = key.lower()
            if low == "afmmode":
                try:
                    mode = AfmMode(value.lower())
                except ValueError:
                    raise SimError(f"mmchfileset: Incorrect value for afmMode: '{value}' (use sw, ro, iw or lu).") from None
                same_home = self.world.filesets_on_export(self.world.home_dir(fileset))
                self._enforce(rules.mode_change(fileset, mode, same_home), "mmchfileset", fileset)
            elif low == "afmtarget":
                try:
                    target = Target.parse(value)
                except ValueError as exc:
                    raise SimError(f"mmchfileset: Incorrect value for afmTarget: {exc}.") from None
                directory = self.world.home_directory(target.path)
                if not directory or directory not in self.world.home.fs.trees:
                    raise SimError(
                        f"mmchfileset: Target path {target.path} is not a directory directly under "
                        f"{self.world.home.fs.mount} at home."
                    )
                if target.path != fileset.target.path and fileset.mode.pushes_home:
                    # Choice (IBM is silent on mmchfileset's afmTarget edits): a new home for an SW/IW
                    # cache is IBM's documented failover, which resynchronises it.
                    raise SimError(
                        f"mmchfileset: afmTarget of {fileset.mode.long_name} fileset {name} can change only its NFS "
                        "server or protocol here; to point it at another home path run "
                        f"mmafmctl fs1 failover -j {name} --new-target {target}."
                    )
                if target != fileset.target:
                    self._enforce(rules.needs_unlinked_and_empty(fileset, "afmTarget"), "mmchfileset", fileset)
            elif low == "afmasyncdelay":
                if not is_number(value) or not 1 <= int(value) <= MAX_ASYNC_DELAY_S:
                    raise SimError(f"mmchfileset: Incorrect value for afmAsyncDelay: '{value}'{number_problem(value)} "
                                   f"(1 to {MAX_ASYNC_DELAY_S} seconds).")
                delay = int(value) * clock.SECOND
            else:
                raise SimError(f"mmchfileset: Attribute {key} is not supported (peersnap knows afmMode, afmTarget, afmAsyncDelay).")
        changes = []
        if mode is not fileset.mode:
            changes.append(f"afmMode {fileset.mode.value} -> {mode.value}")
        if target != fileset.target:
            changes.append(f"afmTarget {fileset.target} -> {target}")
        if delay != fileset.async_delay_us:
            changes.append(f"afmAsyncDelay {fileset.async_delay_us // clock.SECOND} -> {delay // clock.SECOND}")
        fileset.mode, fileset.target, fileset.async_delay_us = mode, target, delay
        fileset.queue.busy_until = max(fileset.queue.busy_until, self.time.now)  # a shorter delay cannot flush in the past
        if changes:
            self.bus.emit(FilesetChanged(self.time.now, name, "; ".join(changes)))
        self._refresh()

    # -- mmafmctl -------------------------------------------------------------------------------
    def failover(self, name: str, text: str) -> Target:
        """`mmafmctl fs1 failover -j F --new-target URL`: point an SW/IW cache at a new home
        (`host:/path` means NFS) and resynchronise it there; the fileset stays linked."""
        fileset = self.world.filesets[name]
        if not fileset.mode.pushes_home:
            raise SimError(f"mmafmctl: Failover is allowed only for single-writer and independent-writer filesets; "
                           f"{name} is {fileset.mode.long_name}.")
        host, colon, path = text.partition(":")
        if colon and path.startswith("/") and "/" not in host and "://" not in text:  # a URL is one already
            text = f"nfs://{host}{path}"
        try:
            target = Target.parse(text)
        except ValueError as exc:
            raise SimError(f"mmafmctl: Incorrect value for --new-target: {exc}.") from None
        directory = self.world.home_directory(target.path)
        if not directory or directory not in self.world.home.fs.trees:
            raise SimError(f"mmafmctl: Target path {target.path} is not a directory directly under "
                           f"{self.world.home.fs.mount} at home.")
        if fileset.mode is AfmMode.SW:
            self._room_for_resync()
        old = fileset.target
        fileset.target = target
        self.bus.emit(FilesetChanged(self.time.now, name, f"failover: afmTarget {old} -> {target}"))
        if fileset.mode is AfmMode.SW:
            # failover's own resync: not the manual command, so not bound to its Active/NeedsResync rule
            op = queue_resync(self.world, fileset, self.time.now)
            self.bus.emit(FilesetChanged(self.time.now, name, f"resync queued as #{op.seq}: home will be made equal "
                                         f"to the cache ({op.size} B)"))
        self._refresh()
        return target

    def _room_for_resync(self) -> None:
        try:
            check_queue(self.world.limits, self.world.queued_ops(), 1)
        except CapExceeded as exc:
            raise SimError(f"mmafmctl: {exc}") from None

    def stop_fileset(self, name: str) -> None:
        fileset = self.world.filesets[name]
        if fileset.stopped:
            raise SimError(f"mmafmctl: Fileset {name} is already in Stopped state.")
        # IBM: "any data modification at the cache or the home is not synchronized" while
        # Stopped, and start "determines the local changes": the queue is not kept.
        ops, markers = self.recovery.lose_queue(fileset)
        fileset.stopped = True
        fileset.dropped = False
        held = f"{ops} queued ops" + (f" and {markers} psnap markers" if markers else "")
        self.bus.emit(FilesetChanged(self.time.now, name, f"replication stopped ({held} left to start's recovery)"))
        self._refresh()

    def start_fileset(self, name: str) -> None:
        fileset = self.world.filesets[name]
        if not fileset.stopped:
            raise SimError(f"mmafmctl: Fileset {name} is not in Stopped state.")
        plan = self.recovery.plan(fileset) if fileset.mode.pushes_home else None
        try:
            self.recovery.room_for([(fileset, plan)])
        except CapExceeded as exc:
            raise SimError(f"mmafmctl: {exc}") from None
        fileset.stopped = False
        fileset.queue.busy_until = max(fileset.queue.busy_until, self.time.now)
        self.bus.emit(FilesetChanged(self.time.now, name, "replication started"))
        # IBM: "The start operation first triggers the 'recovery' phase on the fileset"
        self.recovery.begin(fileset, "mmafmctl start", plan)
        self._refresh()

    def resume_requeued(self, name: str) -> int:
        """`mmafmctl fs1 resumeRequeued -j F`: retry now what home refused and the gateway requeued."""
        return self.recovery.resume_requeued(self.world.filesets[name])

    def flush_pending(self, name: str) -> int:
        """Make every queued op eligible now (ignore afmAsyncDelay); returns how many."""
        fileset = self.world.filesets[name]
        self._enforce(rules.flush_during_psnap(fileset), "mmafmctl", fileset)
        if fileset.state not in (CacheState.ACTIVE, CacheState.DIRTY, CacheState.NEEDS_RESYNC):
            raise SimError(f"mmafmctl: Cannot flush fileset {name}: it is in {fileset.state.value} state.")
        if fileset.needs_resync and fileset.mode is AfmMode.SW:  # a request to the gateway: it resyncs first
            op = queue_resync(self.world, fileset, self.time.now)
            self.bus.emit(FilesetChanged(self.time.now, name, f"automatic resync queued as #{op.seq}"))
        fileset.queue.flush_through = fileset.queue.next_seq
        fileset.queue.busy_until = max(fileset.queue.busy_until, self.time.now)  # eligible now, not in the past
        self.bus.emit(FilesetChanged(self.time.now, name, f"flushPending: {fileset.queue.length} ops may go home now"))
        return fileset.queue.length

    def resync(self, name: str) -> int:
        """`mmafmctl fs1 resync -j F`: push the cache's whole contents home,
        overwriting what home changed (one queued op, see `resync.queue_resync`).
        IBM: "When running a resync the fileset must be in the Active or the
        NeedsResync state." Returns the bytes the resync will send."""
        fileset = self.world.filesets[name]
        if fileset.mode is not AfmMode.SW:
            raise SimError(f"mmafmctl: Resync is allowed only for single-writer filesets; {name} is {fileset.mode.long_name}.")
        if self.world.home_tree(fileset) is None:
            raise SimError(f"mmafmctl: Home of fileset {name} ({fileset.target.path}) is not reachable.")
        self._enforce(rules.resync_state(fileset), "mmafmctl", fileset)
        self._room_for_resync()
        op = queue_resync(self.world, fileset, self.time.now)
        self.bus.emit(FilesetChanged(self.time.now, name, f"resync queued as #{op.seq}: home will be made equal to the cache ({op.size} B)"))
        self._refresh()
        return op.size

    # -- mmafmconfig (home) -----------------------------------------------------------------------
    def set_afm_enabled(self, path: str, enabled: bool) -> None:
        mount = self.world.home.fs.mount
        clean = one_spelling(path)
        directory = self.world.home_directory(clean)
        if not directory or directory not in self.world.home.fs.trees:
            raise SimError(
                f"mmafmconfig: {path}: No such directory (an export is a directory directly under {mount}).",
            )
        export = self.world.exports.get(clean)
        if export is None:
            export = self.world.exports[clean] = HomeExport(clean, afm_enabled=False)
        if not enabled and not export.afm_enabled:
            raise SimError(f"mmafmconfig: AFM is not enabled for {clean}.")
        if export.afm_enabled != enabled:
            export.afm_enabled = enabled
            self.world.edits.count += 1  # (the fingerprint reads it; exports hold no counter of their own)
            # IBM: "if you run this command at home after linking fileset at cache, unlink and relink
            # fileset at cache": a linked cache learns of the change only when it is linked again.
            for fileset in self.world.filesets_on_export(directory):
                if fileset.linked:
                    fileset.home_afm_seen = False
            self.bus.emit(HomeExportChanged(self.time.now, clean, enabled))
