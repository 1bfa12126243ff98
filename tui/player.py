"""`sim advance` and `sim settle` in the dashboard play: the span runs visibly.

The command runs at once through the session (its log, its output and the world
it leaves are exactly a script's); the player then shows a twin of the world as
it was before, moved on frame by frame over at most `LONGEST` seconds of real
time until it reaches the command's end, where the dashboard shows the session's
own world again. Esc jumps to the end. The twin's end state is the session's
(the engine is deterministic and a span split in pieces is the same span).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field

from peersnap.core.commands import Result
from peersnap.core.engine import Engine
from peersnap.core.events import Event
from peersnap.core.language import parse_line
from peersnap.core.records import record
from peersnap.core.timeline import size

LONGEST = 2.0  # seconds of real time a play takes at most, however long the simulated span
SHORTEST = 0.6
MAX_FRAME = 0.1  # seconds one frame may move the play on
GRACE = 0.5  # a play ends at most this long after its planned length, however slow the frames
PLAY_LIMIT = 300_000  # bigger worlds jump (a twin of them costs more than the show is worth)


def plays(line: str) -> bool:
    """Whether `line` is a span of time the dashboard plays (`sim advance D`, `sim settle`)."""
    try:
        parsed = parse_line(line)
    except Exception:  # noqa: BLE001 - a line that does not parse is the session's to report
        return False
    if parsed is None or parsed.argv[:1] != ["sim"]:
        return False
    return parsed.argv[1:2] == ["settle"] and len(parsed.argv) == 2 or (
        parsed.argv[1:2] == ["advance"] and len(parsed.argv) == 3)


def can_play(engine: Engine) -> bool:
    return size(engine) <= PLAY_LIMIT


@record(frozen=False)
class Player:
    """A twin of the world before a time command, moving to where the command ended."""

    engine: Engine  # the twin (what the dashboard shows while playing)
    target: int  # the simulated time the command ended at
    result: Result  # echoed when the play ends
    seconds: float  # real time the play takes
    start: int = 0
    elapsed: float = 0.0
    done: bool = False
    wall: float = 0.0  # real seconds since it began, stalls included
    unsubscribe: Callable[[], None] = field(default=lambda: None)

    @classmethod
    def begin(cls, before: Engine, after: Engine, result: Result, listener: Callable[[Event], None]) -> Player:
        span = max(after.now - before.now, 0)
        seconds = min(LONGEST, max(SHORTEST, span / 1_000_000 / 30))
        player = cls(before, after.now, result, seconds, before.now)
        player.unsubscribe = before.subscribe(listener)
        return player

    def frame(self, real_seconds: float) -> bool:
        """Move the twin on by this frame's share of the span; True when it reached the end.
        A stalled frame counts as `MAX_FRAME` at most, so a busy machine still shows the span."""
        self.elapsed += min(real_seconds, MAX_FRAME)
        self.wall += real_seconds
        share = min(self.elapsed / self.seconds, 1.0)
        if self.wall >= self.seconds + GRACE:  # a slow machine shows fewer frames, not a longer show
            share = 1.0
        goal = self.start + int((self.target - self.start) * share)
        if goal > self.engine.now:
            self.engine.advance_to(goal)
        if share >= 1.0:
            self.finish()
        return self.done

    def finish(self) -> None:
        """Jump to the end (Esc, or the last frame)."""
        if self.engine.now < self.target:
            self.engine.advance_to(self.target)
        self.unsubscribe()
        self.done = True
