"""The dashboard's time: the frame timer, run/pause, step, speed, and a saved
session's replay, which the same keys pause, step and speed up.

A mixin of `PeersnapApp` (its methods are the app's); kept apart so the app module
stays about the screen.
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING

from textual.css.query import NoMatches

from .widgets.console import Console

if TYPE_CHECKING:
    from .app import PeersnapApp


class TimeControls:
    def _tick(self: PeersnapApp) -> None:
        now = time.monotonic()
        elapsed, self._last_tick = now - self._last_tick, now
        try:
            if self.replay is not None and not self.replay.done:
                moved = self.replay.tick(self.session, elapsed, self.ticker.speed, self._replayed) \
                    if self.ticker.running else False
                self._replay_finished()
            else:
                moved = self.ticker.tick(elapsed)
        except Exception as exc:  # noqa: BLE001 - never a traceback on screen
            self.ticker.running = False
            self.notify(f"simulation paused: {type(exc).__name__}: {exc}", severity="error")
            moved = True
        if moved or self._pending:
            with contextlib.suppress(NoMatches):  # a last frame while the app closes: its widgets are gone
                self.refresh_view()

    def _replayed(self: PeersnapApp, line: str) -> None:
        """One replayed command, echoed like a typed one (no explanation cards: the replay goes on)."""
        self.run_line(line, explain=False)

    def _replay_finished(self: PeersnapApp) -> None:
        replay = self.replay
        if replay is not None and replay.done and not replay.announced:
            replay.announced = True
            self.ticker.running = False
            self.query_one(Console).output.write(
                f"peersnap: replay finished ({replay.total} log entries); time is paused, F7 runs it on")

    def action_pause(self: PeersnapApp) -> None:
        self.ticker.running = not self.ticker.running
        self._last_tick = time.monotonic()
        self.refresh_view()

    def action_step(self: PeersnapApp) -> None:
        if self.replay is not None and not self.replay.done:
            self.ticker.running = False
            self.replay.step(self.session, self._replayed)
            self._replay_finished()
        elif not self.ticker.step():
            self.notify("Nothing is pending: no queued ops, no timers.", title="step")
        self.refresh_view()

    def action_faster(self: PeersnapApp) -> None:
        self.ticker.faster()
        self._save_settings()
        self.refresh_view()

    def action_slower(self: PeersnapApp) -> None:
        self.ticker.slower()
        self._save_settings()
        self.refresh_view()
