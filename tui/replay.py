"""A saved session replayed in the dashboard: its log's entries one by one, on the timer.

Clock entries (the original dashboard's timer) move simulated time at the current
speed, so a minute that passed in the original takes a minute at 1x and 60 ms at
1000x. Each command waits one beat (a simulated second at the current speed) and is
then run through the session and echoed in the console like a typed one. Pausing
the dashboard pauses the replay; stepping replays the next entry whole.
"""

from __future__ import annotations

from collections.abc import Callable

from peersnap.core.records import record
from peersnap.core.session import ClockEntry, LogEntry, Session

from .ticker import MAX_GAP

BEAT_US = 1_000_000  # simulated microseconds a replayed command waits before it runs

RunCommand = Callable[[str], None]


def clock_length(entry: ClockEntry) -> int:
    """The microseconds a clock entry moves time on."""
    return entry.duration_us


@record(frozen=False)
class Replay:
    """Progress through a saved session's log: `index` entries of `total` done."""

    entries: list[LogEntry]
    index: int = 0
    announced: bool = False  # the dashboard said it finished
    _into: int = 0  # microseconds of the current clock entry already run
    _beat: float = 0.0  # microseconds waited towards the next command's beat
    _carry: float = 0.0

    @property
    def total(self) -> int:
        return len(self.entries)

    @property
    def done(self) -> bool:
        return self.index >= self.total

    def label(self) -> str:
        return f"replay {self.index}/{self.total}" + (" ✔" if self.done else "")

    def restart(self) -> None:
        self.index, self._into, self._beat, self._carry = 0, 0, 0.0, 0.0
        self.announced = False

    def tick(self, session: Session, real_seconds: float, speed: int, run: RunCommand) -> bool:
        """Replay what `real_seconds` at `speed` allow (at most one command); True when anything ran."""
        owed = min(real_seconds, MAX_GAP) * 1_000_000 * speed + self._carry
        moved = False
        while not self.done and owed >= 1:
            entry = self.entries[self.index]
            if isinstance(entry, ClockEntry):
                take = min(int(owed), clock_length(entry) - self._into)
                session.advance_clock(take)
                owed -= take
                self._into += take
                moved = True
                if self._into >= clock_length(entry):
                    self.index, self._into = self.index + 1, 0
                continue
            if self._beat + owed < BEAT_US:
                self._beat += owed
                owed = 0
                break
            owed -= BEAT_US - self._beat
            self._beat = 0.0
            self.index += 1
            run(entry.line)
            moved = True
            break  # one command a frame, so each can be read
        self._carry = 0.0 if self.done else min(owed, BEAT_US)
        return moved

    def step(self, session: Session, run: RunCommand) -> bool:
        """Replay the next entry whole (the rest of a clock entry); False when none is left."""
        if self.done:
            return False
        entry = self.entries[self.index]
        self.index += 1
        if isinstance(entry, ClockEntry):
            session.advance_clock(clock_length(entry) - self._into)
        else:
            run(entry.line)
        self._into, self._beat = 0, 0.0
        return True
