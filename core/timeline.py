"""Time you can move through: the lines of history a session lived, and checkpoints on them.

A `Branch` is one line of history: its full log from the scenario's start (a
branch shares its parent's entries up to where it forked), the simulated time
each entry ended at, and checkpoints: frozen engines after some of its entries.
A `Moment` names a point on a line: so many entries applied, then so much more
simulated time (inside a clock entry or a `sim advance`).

Going to a moment forks the nearest checkpoint at or before it and replays
only the entries after that checkpoint, so the cost does not grow with
history. Checkpoints are placed by a deterministic measure of the replay work
since the last one, never by wall time.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import field
from weakref import WeakKeyDictionary, ref

from .clock import plural
from .engine import Engine
from .records import record
from .session_file import ClockEntry, LogEntry, LoggedCommand

COMMAND_WORK = 100  # replaying one command costs about as much as this many queued or flushed ops
REPLAY_BUDGET = 25_000  # work replayed at least between checkpoints (~250 commands, tens of ms; more in big worlds)
MAX_CHECKPOINTS = 48  # per line; beyond, every other old one is dropped (their spacing doubles)
# A fork shares the trees' entries and the queues' chunks with the live world (core.layers,
# core.queue_columns) and copies only small private parts, so it costs little when it is made;
# what a checkpoint costs is what the live world let go of since (flushed chunks, layers it
# merged): its private parts, counted in entries. A private entry costs about what an entry of
# the live world does (RSS at 1M ops and 1,000 commands, bench_timetravel.py: the live world 260
# MiB for 3.19M entries, 12 checkpoints 60 MiB for 0.78M), so checkpoints whose private entries
# add up to BUDGET_SHARE of the live world's cost at most ~25% more memory. Small worlds may
# always have MAX_CHECKPOINTS.
BUDGET_SHARE = 0.25
# A fork does copy each peer snapshot pair (about 5 us, the work of ~12 queued ops): checkpoints in
# a world of many pairs are spaced by at least this much work per pair, so forking them stays a
# small share of the commands between (1,000 pairs: one every ~1,000 commands, not every ~140).
PAIR_SPACING = 100
SMALL_WORLD = 50_000
# Back-off: an ask the budget turns down (or a checkpoint it takes only by dropping older ones, so the
# line holds no more than before) doubles the spacing to the next ask, up to 2 ** MAX_BACKOFF times;
# one that adds a checkpoint resets it. A world that outgrew the budget asks ~8x less often (each ask
# walks every checkpoint and layer; each fork freezes and merges the live world's layers, and so makes
# older checkpoints' entries private, which is why they were dropped again). The newest checkpoint is
# then at most 2 ** MAX_BACKOFF spacings behind the live end at any ask.
MAX_BACKOFF = 3
TIME_WORDS = ("sim advance", "sim settle", "sim step")


@record(order=True)
class Moment:
    """`index` entries of a line applied, then `extra_us` more simulated time."""

    index: int
    extra_us: int = 0


@record(frozen=False, eq=False)
class Branch:
    name: str
    log: list[LogEntry] = field(default_factory=list)
    parent: str = ""
    fork_at: int = 0  # entries shared with the parent
    ends: list[int] = field(default_factory=list)  # ends[i]: simulated time after log[: i + 1]
    checkpoints: dict[int, Engine] = field(default_factory=dict)  # after log[:i]; never run, only forked

    def own_entries(self) -> list[LogEntry]:
        return self.log[self.fork_at:]


def entries(count: int) -> str:
    return f"{count:,} {'entry' if count == 1 else 'entries'}"


def work(engine: Engine) -> int:
    """A deterministic measure of the work an engine has done: ops queued and executed."""
    total = 0
    for fileset in engine.world.filesets.values():  # a loop, not a generator: it runs after every command
        queue = fileset.queue
        total += queue.num_exec + queue.next_seq
    return total


def size(engine: Engine) -> int:
    """The world's size: tree entries and queued ops."""
    world = engine.world
    trees = sum(len(t) for c in (world.cache, world.home) for t in c.fs.trees.values())
    return trees + sum(f.queue.slots() for f in world.filesets.values())


Parts = tuple[dict[int, int], int]


def parts(engine: Engine) -> Parts:
    """What `engine`'s world holds that twins may share (identity -> entries), and the entries
    it holds alone."""
    world = engine.world
    shared: dict[int, int] = {}
    own = 0
    for holder in (*(t for c in (world.cache, world.home) for t in c.fs.trees.values()),
                   *(f.queue for f in world.filesets.values())):
        shared.update(holder.shared_parts())
        own += holder.own_size()
    return shared, own


def private_entries(checkpoints: list[Engine], live: Parts, measure: Callable[[Engine], Parts]) -> int:
    """The entries `checkpoints` hold that the live world does not (each shared part counted once)."""
    held: dict[int, int] = {}
    own = 0
    for checkpoint in checkpoints:
        shared, alone = measure(checkpoint)
        held.update(shared)
        own += alone
    return own + sum(n for key, n in held.items() if key not in live[0])


def moves_time_only(entry: LogEntry) -> bool:
    """A clock entry or a `sim advance|settle|step`: its state part way through is the state
    after its first part of the time (so a moment may fall inside it)."""
    if isinstance(entry, ClockEntry):
        return True
    return entry.line.strip().startswith(TIME_WORDS)


class Timeline:
    """The branches of a session, where it stands, and how to get an engine at any moment.

    `fresh()` builds the scenario's engine at its start; `apply(engine, entry)` runs one
    logged entry on an engine, silently."""

    def __init__(self, fresh: Callable[[], Engine], apply: Callable[[Engine, LogEntry], None]) -> None:
        self.fresh = fresh
        self.apply = apply
        self.current = Branch("main")
        self.branches: dict[str, Branch] = {"main": self.current}
        self.at: Moment | None = None  # None: at the end of the current line
        self._retry_at: dict[str, int] = {}  # per line: the replay work at which a refused checkpoint is asked again
        self._backoff: dict[str, int] = {}  # per line: asks in a row the budget turned down (see MAX_BACKOFF)
        # checkpoints' work and parts, measured once (they are frozen: only ever forked)
        self._measures: WeakKeyDictionary[Engine, tuple[int, Parts]] = WeakKeyDictionary()
        self._last_work: tuple[Callable[[], Engine | None], int] = (lambda: None, 0)

    # -- the live end ----------------------------------------------------------------------
    def recorded(self, engine: Engine, merged: bool = False) -> None:
        """An entry was appended to the current line (or, `merged`, the last clock entry grew)."""
        line = self.current
        if merged:
            line.ends[-1] = engine.now
            line.checkpoints.pop(len(line.log), None)  # it was taken before the entry grew
        else:
            line.ends.append(engine.now)
        self._maybe_checkpoint(line, len(line.log), engine)

    def _maybe_checkpoint(self, line: Branch, index: int, engine: Engine) -> None:
        # Runs after every command: the common case (too little replay since the last checkpoint)
        # must cost a few dictionary reads, whatever the world's size or the number of checkpoints.
        checkpoints = line.checkpoints
        if index in checkpoints:
            return
        below = max(checkpoints) if checkpoints else 0  # (half the time of max(..., default=0))
        if below > index:
            below = max((i for i in checkpoints if i < index), default=0)
        replay = (index - below) * COMMAND_WORK
        for fileset in engine.world.filesets.values():  # + work(engine), spelled out (no call)
            queue = fileset.queue
            replay += queue.num_exec + queue.next_seq
        checkpoint = checkpoints.get(below)
        if checkpoint is not None:  # - self._work_at(line, below), its common case spelled out
            last, done = self._last_work
            replay -= done if last() is checkpoint else self._work_of(checkpoint)
        if replay < REPLAY_BUDGET or replay < self._retry_at.get(line.name, 0):
            return
        spacing = max(REPLAY_BUDGET, PAIR_SPACING * sum(len(fileset.psnaps) for fileset in engine.world.filesets.values()))
        if replay < spacing:
            return
        held = len(checkpoints)
        backoff = self._backoff.get(line.name, 0)
        self._backoff[line.name] = min(backoff + 1, MAX_BACKOFF)  # until a checkpoint is added, below
        spacing <<= min(backoff + 1, MAX_BACKOFF)  # (for the next ask)
        if checkpoints and not self._room(line, engine, index):
            # Refused before forking: most asks in a long session are (the old checkpoints over the
            # budget save more than a new one would), and a fork that is then dropped costs more
            # than the commands between asks.
            self._ask_again(line, index, engine, spacing)
            return
        try:
            checkpoint = self._fork(line, engine, index)
            if checkpoint is None:
                self._ask_again(line, index, engine, spacing)
                return
        except MemoryError:  # a checkpoint is a convenience: never the reason a command fails
            checkpoints.clear()
            return
        checkpoints[index] = checkpoint
        if not self._fits(line, engine, index):
            # No room now; it may come when the replay saved has grown past what the
            # checkpoints already kept save: ask again then, not after every command.
            self._ask_again(line, index, engine, spacing)
            return
        if len(checkpoints) <= held:  # taken by dropping older ones: the budget is full
            self._retry_at[line.name] = spacing  # (counted from this checkpoint, now the one below)
        else:
            self._retry_at.pop(line.name, None)
            self._backoff.pop(line.name, None)
        if len(checkpoints) > MAX_CHECKPOINTS:
            for i in sorted(checkpoints)[::2][:-1]:
                del checkpoints[i]

    def _ask_again(self, line: Branch, index: int, engine: Engine, spacing: int) -> None:
        """After a refusal at `index`, ask next when a full `spacing` of replay work has passed since, counted
        from the checkpoint below as it is now (the refusal may have dropped the one below it was counted from,
        and half a spacing made the asks twice as many: each walks every checkpoint and layer)."""
        below = max((i for i in line.checkpoints if i < index), default=0)
        self._retry_at[line.name] = (index - below) * COMMAND_WORK + work(engine) - self._work_at(line, below) + spacing

    def _fork(self, line: Branch, live: Engine, new: int) -> Engine | None:
        """A fork of `live` for a checkpoint at `new`, or None when the budget turns it down once
        the live world is frozen as the fork would leave it (its private entries moved into the
        layers a twin shares, some of them merged): asked then, a refusal costs no twin, whose
        copies (a world of 1,000 psnaps copies every pair) are most of a fork."""
        live.world.freeze()
        if not self._room(line, live, new, frozen=True):
            return None
        return live.fork()

    def _fits(self, line: Branch, live: Engine, new: int) -> bool:
        """Whether the line's checkpoints, the new one at `new` among them, fit the memory budget:
        their private entries together at most BUDGET_SHARE of the live world's (see
        SMALL_WORLD). To make room, the checkpoints that save least replay go first; when that is
        the new one, it goes and the answer is no (a checkpoint after a million-op load is worth
        more than one after some writes)."""
        return self._trim(line.checkpoints, parts(live), new)

    def _room(self, line: Branch, live: Engine, new: int, frozen: bool = False) -> bool:
        """False when `_fits` would refuse a checkpoint of `live` at `new`, told without forking
        it; True when it might not. The checkpoints `_fits` would drop on the way to refusing are
        dropped here as they would be there, so a refusal leaves the line as `_fits` would.

        The trial runs `_trim` on the live world's parts as they are now, with the new checkpoint
        at no entries of its own: before the fork. A fork only freezes what the live world holds
        alone into layers the twin shares (and may merge its layers), so what the checkpoints
        hold privately can only grow, and the budget only shrink: a trial that refuses means
        `_fits` would. `frozen`: the live world was frozen as the fork leaves it (`_fork`); the
        twin would then hold alone exactly what the live world does (its directories, epochs,
        history, last queue chunk and small indexes are copies), and the trial is `_fits`' own
        question. Which checkpoint goes next is decided by their gains alone, the same in both."""
        checkpoints = line.checkpoints
        trial: dict[int, Engine | None] = dict(checkpoints)
        trial[new] = None  # (its work is the live engine's, now)
        live_parts = parts(live)
        if self._trim(trial, live_parts, new, work(live), live_parts[1] if frozen else 0):
            return True
        for index in [i for i in checkpoints if i not in trial]:
            del checkpoints[index]
        return False

    def _trim(self, checkpoints: dict[int, Engine | None], live_parts: Parts, new: int, new_work: int = 0,
              new_own: int = 0) -> bool:
        """`_fits` on `checkpoints` (None stands for the checkpoint at `new` not taken yet: it would have
        done `new_work` and hold `new_own` entries alone, sharing the rest with the live world): drop
        the least gainful until they fit; whether `new` is kept."""
        budget = max(int((sum(live_parts[0].values()) + live_parts[1]) * BUDGET_SHARE), SMALL_WORLD)
        while checkpoints and private_entries([c for c in checkpoints.values() if c is not None], live_parts,
                                              self._parts_of) + (new_own if checkpoints.get(new, 0) is None else 0) > budget:
            least = min(checkpoints, key=lambda i: (self._gain(checkpoints, i, new_work), i != new, i))
            del checkpoints[least]
            if least == new:
                return False
        return new in checkpoints

    def _gain(self, checkpoints: dict[int, Engine | None], index: int, new_work: int = 0) -> int:
        """The replay work checkpoint `index` saves over the one before it (or the start)."""
        below = max((i for i in checkpoints if i < index), default=0)

        def done(i: int) -> int:
            checkpoint = checkpoints.get(i)
            return new_work if checkpoint is None and i in checkpoints else self._work_of(checkpoint)

        return (index - below) * COMMAND_WORK + done(index) - done(below)

    def _work_at(self, line: Branch, index: int) -> int:
        return self._work_of(line.checkpoints.get(index))

    def _work_of(self, checkpoint: Engine | None) -> int:
        if checkpoint is None:
            return 0
        last, work_done = self._last_work  # after every command it is the same checkpoint's: no lookup
        if last() is checkpoint:
            return work_done
        work_done = self._measure(checkpoint)[0]
        self._last_work = (ref(checkpoint), work_done)
        return work_done

    def _parts_of(self, checkpoint: Engine) -> Parts:
        return self._measure(checkpoint)[1]

    def _measure(self, checkpoint: Engine) -> tuple[int, Parts]:
        """A checkpoint's work and parts, measured once: it is frozen (only ever forked)."""
        measured = self._measures.get(checkpoint)
        if measured is None:
            measured = self._measures[checkpoint] = (work(checkpoint), parts(checkpoint))
        return measured

    # -- moving ---------------------------------------------------------------------------
    def end(self, line: Branch | None = None) -> Moment:
        return Moment(len((line or self.current).log))

    def normal(self, moment: Moment) -> Moment:
        """`moment` on the current line as it can be: inside its range, extra time only inside a
        time-only entry and short of its end (there it is the next entry boundary)."""
        line = self.current
        index = min(max(moment.index, 0), len(line.log))
        if moment.extra_us <= 0 or index == len(line.log) or not moves_time_only(line.log[index]):
            return Moment(index)
        started = line.ends[index - 1] if index else 0
        if started + moment.extra_us >= line.ends[index]:
            return Moment(index + 1)
        return Moment(index, moment.extra_us)

    def engine_at(self, moment: Moment, line: Branch | None = None) -> Engine:
        """A new engine at `moment` of `line` (default: the current line)."""
        line = line or self.current
        index = min(max(moment.index, 0), len(line.log))
        start = max((i for i in line.checkpoints if i <= index), default=0)
        engine = line.checkpoints[start].fork() if start else self.fresh()
        for i in range(start, index):
            self.apply(engine, line.log[i])
            if i + 1 - start >= 8 and i + 1 < index:
                self._maybe_checkpoint(line, i + 1, engine)  # replayed work is kept for the next seek
        if moment.extra_us > 0 and index < len(line.log) and moves_time_only(line.log[index]):
            engine.advance(min(moment.extra_us, max(line.ends[index] - engine.now, 0)))
        return engine

    def moment_at_time(self, us: int) -> Moment:
        """The moment of the current line at simulated time `us` (inside a time-only entry when
        one spans it, else the first entry boundary at or after it)."""
        line = self.current
        i = bisect_right(line.ends, us)  # entries that ended by `us`
        if i >= len(line.log):
            return self.end()
        started = line.ends[i - 1] if i else 0
        if us > started and moves_time_only(line.log[i]):
            return Moment(i, us - started)
        return Moment(i)

    def time_of(self, moment: Moment) -> int:
        line = self.current
        base = line.ends[moment.index - 1] if moment.index else 0
        return base + moment.extra_us

    # -- branching --------------------------------------------------------------------------
    def branch_here(self) -> Branch:
        """A new line from the moment the session stands at; it becomes the current one."""
        assert self.at is not None
        parent, moment = self.current, self.at
        log = parent.log[: moment.index]
        ends = parent.ends[: moment.index]
        if moment.extra_us:
            log.append(ClockEntry(moment.extra_us))
            ends.append((ends[-1] if ends else 0) + moment.extra_us)
        n = 1
        while f"b{n}" in self.branches:
            n += 1
        line = Branch(f"b{n}", log, parent.name, moment.index, ends,
                      {i: e for i, e in parent.checkpoints.items() if i <= moment.index})
        self.branches[line.name] = line
        self.current, self.at = line, None
        return line

    def adopt(self, name: str, parent: str, fork_at: int, own: list[LogEntry]) -> Branch:
        """A line read from a saved session (no checkpoints, no times yet: they come on first use)."""
        base = self.branches[parent].log[:fork_at] if parent in self.branches else []
        line = Branch(name, base + own, parent, fork_at)
        self.branches[name] = line
        return line

    def fill_times(self, line: Branch) -> None:
        """Replay a line read from a file once, to learn when each entry ends (and checkpoint it)."""
        if len(line.ends) == len(line.log):
            return
        engine = self.fresh()
        line.ends = []
        for i, entry in enumerate(line.log):
            self.apply(engine, entry)
            line.ends.append(engine.now)
            self._maybe_checkpoint(line, i + 1, engine)

    def describe(self) -> list[str]:
        """`branch list`: one line per branch, the current one starred."""
        rows = []
        for line in self.branches.values():
            mark = "*" if line is self.current else " "
            commands = sum(1 for e in line.log if isinstance(e, LoggedCommand))
            origin = f"from {line.parent} after entry {line.fork_at}, " if line.parent else ""
            own = len(line.own_entries())
            rows.append(f"{mark} {line.name:<8} {origin}{entries(own)} of its own, {plural(commands, 'command')} in all")
        return rows
