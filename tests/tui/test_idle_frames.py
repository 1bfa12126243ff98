"""An idle dashboard draws only what changed, and only when it changed: paused with nothing
to draw it makes no frames at all; running at 1x with nothing queued, about one a second
(when the shown second changes), like a clock. Time still runs at real speed, and a line
typed between two frames runs at the moment it was typed."""

from __future__ import annotations

import asyncio
import time

from helpers import drive
from peersnap.tui.app import make_app


def counted_ticks(app) -> list[float]:  # type: ignore[no-untyped-def]
    """Wrap the dashboard's frame callback: the real times of its frames."""
    dashboard = app.dashboard
    frames: list[float] = []
    tick = dashboard._tick

    def counting() -> None:
        frames.append(time.monotonic())
        tick()

    dashboard._tick = counting  # type: ignore[method-assign]
    return frames


def test_paused_with_nothing_to_draw_no_frames_until_a_key():
    async def check(app, pilot):
        await pilot.pause(0.2)
        frames = counted_ticks(app)
        await asyncio.sleep(0.6)
        assert frames == []  # no timer at all while paused
        app.dashboard.run_line("echo x > /gpfs/fs1/sw/x")  # something to draw: frames again
        await pilot.pause(0.2)
        assert 1 <= len(frames) <= 3
        drawn = len(frames)
        await asyncio.sleep(0.5)
        assert len(frames) == drawn  # drawn, and paused again: no more frames
        assert app.session.engine.now == 0

    drive(check)


def test_running_idle_at_1x_about_one_frame_a_second_and_time_keeps_real_speed():
    async def check(app, pilot):
        dashboard = app.dashboard
        await pilot.pause(0.3)
        frames = counted_ticks(app)
        engine = app.session.engine
        dashboard.run_line("mmlsfileset fs1")  # (the clock caught up: it stands at this moment)
        start_real, start_sim = time.monotonic(), engine.now
        frames.clear()
        await asyncio.sleep(3.2)
        assert 2 <= len(frames) <= 6, frames  # at 20 frames a second this was ~64
        # between frames the clock waits; a typed line first makes up the real time
        dashboard.run_line("mmlsfileset fs1")
        real = time.monotonic() - start_real
        assert abs((engine.now - start_sim) / 1e6 - real) < 0.3, (engine.now - start_sim, real)

    drive(check, app=make_app(paused=False))


def test_a_faster_speed_or_a_command_brings_the_next_frame_at_once():
    async def check(app, pilot):
        await pilot.pause(0.3)
        frames = counted_ticks(app)
        await pilot.press("f10")  # 2x
        await pilot.pause(0.15)
        assert frames, "the speed change waited for the next second"
        frames.clear()
        app.dashboard.run_line("echo x > /gpfs/fs1/sw/x")
        await pilot.pause(0.15)
        assert frames  # the queued op is drawn within a frame
        assert app.session.engine.world.filesets["sw"].queue.length == 1

    drive(check, app=make_app(paused=False))
