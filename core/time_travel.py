"""Time travel on a session: undo, seek to any moment of its line, walk the log, branch, switch,
compare.

`Session` inherits these; they use its timeline, engine and listeners. Going to a
moment builds its world from the nearest checkpoint (core/timeline.py); a command
that changes the world at an earlier moment starts a branch (`_branch`, called by
the session's run loop) and the line it left stays as it was.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from . import clock
from .engine import Engine
from .errors import SimError
from .events import BranchStarted, Event, SessionReset
from .session_file import LogEntry, LoggedCommand, SavedBranch
from .timeline import Branch, Moment, Timeline, entries

if TYPE_CHECKING:
    from collections.abc import Callable


class TimeTravel:
    """The time-travel half of `Session` (a mixin: it needs `timeline`, `engine`, `log`, `_forward`, `_follow`)."""

    timeline: Timeline
    engine: Engine
    log: list[LogEntry]
    _forward: Callable[[Event], None]
    _follow: Callable[[Engine], None]
    _before_resets: list[Timeline]  # each reset's history, so undo can bring the world back

    @property
    def moment(self) -> Moment:
        """Where the session stands on its current line."""
        return self.timeline.at or self.timeline.end()

    def _adopt(self, engine: Engine, reason: str) -> None:
        self._follow(engine)
        self.engine = engine
        self._forward(SessionReset(engine.now, reason))

    def undo(self) -> str:
        """Rewind the last command that changed the world: back to the checkpoint before it,
        replaying only the entries after that checkpoint."""
        if self.timeline.at is not None:
            raise SimError("undo: you are looking at an earlier moment; run a command there to branch from it, "
                           "or go forward to the end first")
        for index in range(len(self.log) - 1, -1, -1):
            entry = self.log[index]
            if isinstance(entry, LoggedCommand) and entry.changed:
                break
        else:
            if self._before_resets:
                return self._undo_reset()
            raise SimError("undo: nothing to undo: the world is as the scenario started")
        last_index = index
        last = self.log[index]
        index = self._first_step(index)  # a toggle's earlier steps: the whole toggle is one undo
        undone = self.log[index]
        # the toggle's own steps: commands after it that changed nothing (a refused one) are not its
        steps = sum(1 for e in self.log[index:last_index + 1] if isinstance(e, LoggedCommand))
        what = undone.line.strip() if undone is last else \
            f"{undone.via or 'a toggle'}'s {steps} commands, {undone.line.strip()} … {last.line.strip()}"
        engine = self.timeline.engine_at(Moment(index))  # first: out of memory here, nothing is undone
        line = self.timeline.current
        del line.log[index:], line.ends[index:]
        for i in [i for i in line.checkpoints if i > index]:
            del line.checkpoints[i]
        self._adopt(engine, f"undo: rewound '{what}'")
        return f"Undid: {what}"

    def _first_step(self, index: int) -> int:
        """Where the toggle that logged the command at `index` began: back over its joined steps and
        over the time the timer moved between them (a saved session may hold any order: a joined
        command after a clock entry, or first in the log, is a step back to the command before it, if any)."""
        start = index
        while start > 0 and self.log[start].joined:  # type: ignore[union-attr]
            before = start - 1
            while before > 0 and not isinstance(self.log[before], LoggedCommand):
                before -= 1
            if not isinstance(self.log[before], LoggedCommand):
                break
            start = before
        return start

    def _undo_reset(self) -> str:
        """Back to the world before the last reset (what ran since the reset changed nothing),
        its branches too."""
        timeline = self._before_resets[-1]
        engine = timeline.engine_at(timeline.end())  # first: out of memory here, nothing is undone
        self.timeline = self._before_resets.pop()
        self.timeline.at = None
        self.log = self.timeline.current.log
        self._adopt(engine, "undo: rewound the reset")
        commands = sum(1 for e in self.log if isinstance(e, LoggedCommand))
        return f"Undid: reset (the world is back, {clock.plural(commands, 'command')} replayed)"

    def _rebuild(self, reason: str) -> None:
        """Drop the engine (a half-changed world) and build the world at the session's moment again."""
        del self.engine  # the last reference: the half-changed world is freed before the rebuild
        gc.collect()  # the engine's parts refer to each other: only the collector frees them
        self._adopt(self.timeline.engine_at(self.moment), reason)

    def seek(self, moment: Moment) -> None:
        """Show the world at `moment` of the current line (the end: live again). A command
        that changes the world there starts a branch; the line stays as it was."""
        moment = self.timeline.normal(moment)
        self.timeline.at = None if moment == self.timeline.end() else moment
        self._adopt(self.timeline.engine_at(moment), f"seek: {self.moment_text(moment)}")

    def seek_time(self, us: int) -> None:
        """`seek` to the moment of the current line at simulated time `us`."""
        self.seek(self.timeline.moment_at_time(us))

    def step_back(self) -> bool:
        """To the entry boundary before where the session stands; False at the start."""
        moment = self.moment
        if moment == Moment(0):
            return False
        self.seek(Moment(moment.index) if moment.extra_us else Moment(moment.index - 1))
        return True

    def step_forward(self) -> bool:
        """To the next entry boundary; False at the end."""
        if self.timeline.at is None:
            return False
        self.seek(Moment(self.timeline.at.index + 1))
        return True

    def moment_text(self, moment: Moment) -> str:
        line = self.timeline.current
        if moment == self.timeline.end():
            return f"the end of {line.name} (entry {len(line.log)})"
        when = clock.format_duration(self.timeline.time_of(moment))
        return f"{line.name} after entry {moment.index} of {len(line.log)} (+{when})"

    def _branch(self) -> None:
        line = self.timeline.branch_here()
        self.log = line.log
        self._forward(BranchStarted(self.engine.now, line.name, line.parent, line.fork_at))

    def _branch_command(self, args: list[str]) -> list[str]:
        if args == ["list"]:
            return self.timeline.describe()
        if len(args) == 2 and args[0] == "switch":
            return [self.switch_branch(args[1])]
        raise SimError("branch: Usage: branch list | branch switch NAME")

    def switch_branch(self, name: str) -> str:
        """Go to the end of branch `name`; the line left stays as it was."""
        line = self.timeline.branches.get(name)
        if line is None:
            raise SimError(f"branch: no branch named '{name}' (branches: {', '.join(self.timeline.branches)})")
        self.timeline.fill_times(line)
        engine = self.timeline.engine_at(self.timeline.end(line), line)  # first: out of memory, nothing moved
        self.timeline.current, self.timeline.at = line, None
        self.log = line.log
        self._adopt(engine, f"branch: switched to {name}")
        return f"Switched to branch {name} ({entries(len(line.log))})."

    def compare(self, name: str) -> list[str]:
        """`compare BRANCH`: this line where it stands beside `name` at its end."""
        line = self.timeline.branches.get(name)
        if line is None:
            raise SimError(f"compare: no branch named '{name}' (branches: {', '.join(self.timeline.branches)})")
        from .compare import side_by_side  # (the `compare` command's own: not loaded at the start)

        self.timeline.fill_times(line)
        other = self.timeline.engine_at(Moment(len(line.log)), line)
        return side_by_side(self.timeline.current.name, self.engine, name, other)

    def adopt_branches(self, current: str, branches: list[SavedBranch], entries: list[LogEntry],
                       parent: str = "", fork_at: int = 0) -> None:
        """Attach a saved session's other branches (its current line is `entries`, named `current`,
        forked from `parent` after `fork_at` entries when it was)."""
        timeline = self.timeline
        timeline.branches.pop(timeline.current.name)
        timeline.current.name = current or "main"
        timeline.branches[timeline.current.name] = timeline.current
        logs = {timeline.current.name: entries}
        pending = list(branches)
        while pending:
            ready = [b for b in pending if b.parent in logs or not b.parent]
            if not ready:
                break  # a parent that is not in the file: read_session already refused it
            for saved in ready:
                base = logs.get(saved.parent, [])[: saved.fork_at]
                logs[saved.name] = base + saved.entries
                timeline.branches[saved.name] = Branch(saved.name, logs[saved.name], saved.parent, saved.fork_at)
                pending.remove(saved)
        origin = timeline.branches.get(parent)
        if origin is not None and origin.log[:fork_at] == entries[:fork_at]:  # else it stands on its own
            timeline.current.parent, timeline.current.fork_at = parent, fork_at
