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
from dataclasses import dataclass

from peersnap.core.session import Session

from .settings import SPEEDS

FRAME = 1 / 20  # at most ~20 refreshes a second
MAX_GAP = 0.25  # a stall longer than this is not made up
BUDGET = 0.030  # seconds of work per frame
SLICES = 8


@dataclass(slots=True)
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

    def tick(self, real_seconds: float) -> bool:
        """Advance by `real_seconds` x speed; True when simulated time moved."""
        if not self.running:
            return False
        owed = min(real_seconds, MAX_GAP) * 1_000_000 * self.speed + self._carry
        total = int(owed)
        self._carry = owed - total
        if total <= 0:
            return False
        deadline = time.perf_counter() + BUDGET
        piece = max(total // SLICES, 1)
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
