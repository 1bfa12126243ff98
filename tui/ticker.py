"""Simulated time driven by real time: run, pause, speed, with a work budget.

The dashboard calls `tick(real_seconds)` from a timer. Time moves by real time
x speed, in slices, and stops early when the frame's budget is spent so the
screen stays responsive; simulated time then falls behind and `behind` says so.

Time goes through the `Session` (never the engine directly) so the session's
log records it: a saved dashboard session replays to the same world, and undo
rewinds to the right moment.
"""

from __future__ import annotations

import time

from peersnap.core.clock import SECOND
from peersnap.core.engine import Engine
from peersnap.core.records import record
from peersnap.core.session import Session

from .settings import SPEEDS

FRAME = 1 / 20  # at most ~20 refreshes a second
IDLE_FRAME = 1.0  # time running with nothing due: a frame when the shown second changes, at most this apart
SLACK = 0.002  # a frame planned for a new second comes just after it, not just before
MAX_GAP = 0.25  # a stall longer than this (beyond the frame's planned wait) is not made up
BUDGET = 0.030  # seconds of work per frame
SLICES = 8


@record(frozen=False)
class Ticker:
    session: Session
    running: bool = True
    speed: int = 1
    behind: bool = False
    _carry: float = 0.0  # simulated microseconds owed but not yet a whole microsecond

    def set_session(self, session: Session) -> None:
        self.session = session
        self._carry = 0.0
        self.behind = False

    def faster(self) -> int:
        higher = [s for s in SPEEDS if s > self.speed]
        self.speed = higher[0] if higher else SPEEDS[-1]
        return self.speed

    def slower(self) -> int:
        lower = [s for s in SPEEDS if s < self.speed]
        self.speed = lower[-1] if lower else SPEEDS[0]
        return self.speed

    def tick(self, real_seconds: float, planned: float = 0.0) -> bool:
        """Advance by `real_seconds` x speed (`planned`: how long this frame was meant to wait,
        made up in full); True when simulated time moved."""
        if not self.running:
            return False
        owed = min(real_seconds, MAX_GAP + planned) * 1_000_000 * self.speed + self._carry
        total = int(owed)
        self._carry = owed - total
        if total <= 0:
            return False
        deadline = time.perf_counter() + BUDGET
        piece = max(total // SLICES, 1)
        engine = self.session.engine
        due = engine.next_event_time()
        if due is None or due > engine.now + total:  # nothing happens meanwhile: one step, not SLICES
            piece = total
        done = 0
        while done < total:
            step = min(piece, total - done)
            self.session.advance_clock(step)
            done += step
            if time.perf_counter() > deadline and done < total:
                break
        self.behind = done < total
        return True

    def step(self) -> bool:
        """Pause, and run to the next thing that happens (False: nothing pending)."""
        self.running = False
        return self.session.step_clock()


def frame_delay(ticker: Ticker, engine: Engine, busy: bool) -> float | None:
    """Seconds until the dashboard's next frame; None: no frame until something changes.

    Busy (a play, a replay, time falling behind): every FRAME. Time running: when the
    clock's shown second changes or the engine has something due, whichever comes first,
    so an idle dashboard at 1x wakes about once a second, like a clock. Paused: never."""
    if busy or ticker.behind:
        return FRAME
    if not ticker.running:
        return None
    now = engine.now
    target = (now // SECOND + 1) * SECOND
    due = engine.next_event_time()
    if due is not None and due < target:
        target = max(due, now)
    return min(max((target - now) / SECOND / ticker.speed + SLACK, FRAME), IDLE_FRAME)
