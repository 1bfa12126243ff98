"""Dashboard speed: figures and ratios, printed (not timed tests).

    python benchmarks/bench_tui.py [--ops 1000000] [--repeats 5] [--keys 30]

1. Time to first frame of the dashboard vs a bare Textual app (target <= 1.5x).
2. First frame with N queued ops (target < 1 s; the load itself is not timed).
3. Key-to-frame latency with N queued ops vs with an empty queue (target <= 1.5x, < 50 ms).

Apps run headless (`run_test`) at 120x40, so the figures are the app's own work:
mount, layout, render of every visible line, and the compositor's frame.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from peersnap.core.session import Session
from peersnap.tui.app import PeersnapApp, make_app
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Footer, Static

SIZE = (120, 40)


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("hello")
        yield Footer()


async def _first_frame(factory: Callable[[], App]) -> float:
    start = time.perf_counter()
    app = factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen._compositor.render_update(full=True)  # the first whole frame, as a terminal would get it
        elapsed = time.perf_counter() - start
    return elapsed


def first_frame_seconds(factory: Callable[[], App], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        gc.collect()
        times.append(asyncio.run(_first_frame(factory)))
    return statistics.median(times)


async def _settled_frame(app: App, frames: list[float], since: int, quiet: float = 0.03, limit: float = 2.0) -> float:
    """Wait until the app has drawn after `since` frames and then stayed quiet; the last frame's time."""
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        await asyncio.sleep(0.001)
        if len(frames) > since and time.perf_counter() - frames[-1] > quiet:
            return frames[-1]
    return frames[-1] if len(frames) > since else deadline


async def _key_latency(app: PeersnapApp, keys: int, plan: list[tuple[str, str | None]], focus: str) -> list[float]:
    """Key-to-frame: from the key event entering the app to the last frame it caused
    (the driver's frame writes are timed by wrapping App._display)."""
    frames: list[float] = []
    samples: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        display = app._display

        def timed_display(screen, renderable):  # type: ignore[no-untyped-def]
            display(screen, renderable)
            frames.append(time.perf_counter())

        app._display = timed_display  # type: ignore[method-assign]
        app.query_one(focus).focus()
        await pilot.pause()
        for i in range(keys):
            key, char = plan[i % len(plan)]
            since = len(frames)
            start = time.perf_counter()
            event = events.Key(key, char)
            event.set_sender(app)
            app._driver.send_message(event)  # type: ignore[union-attr]  # (private: as a terminal's key arrives)
            samples.append(await _settled_frame(app, frames, since) - start)
    return samples


TOGGLES_AND_TYPING = [("f2", None), ("x", "x"), ("f4", None), ("backspace", None)]
SCROLLING = [("pagedown", None), ("down", None), ("pagedown", None), ("end", None), ("home", None)]


def key_latency_seconds(make: Callable[[], PeersnapApp], keys: int, plan: list[tuple[str, str | None]] = TOGGLES_AND_TYPING,
                        focus: str = "#console-input") -> float:
    """The median key-to-frame latency over `keys` presses of the keys in `plan`."""
    gc.collect()
    return statistics.median(asyncio.run(_key_latency(make(), keys, plan, focus)))


def loaded_session(ops: int) -> Session:
    session = Session()
    if ops:
        result = session.run(f"sim load {ops}")
        assert result.rc == 0, result.lines
    return session


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ops", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keys", type=int, default=32)
    args = parser.parse_args(argv)

    print(f"machine: {os.cpu_count()} cores, {_load()} (a loaded machine slows the CPU-bound dashboard more "
          "than the mostly idle bare app: run several times, compare medians)")
    bare = first_frame_seconds(BareApp, args.repeats)
    dash = first_frame_seconds(make_app, args.repeats)
    print(f"first frame: bare Textual app {bare * 1000:7.1f} ms, peersnap {dash * 1000:7.1f} ms, "
          f"ratio {dash / bare:.2f}x (target <= 1.5x) [{_load()}]")

    print(f"loading {args.ops:,} queued ops (not timed) ...", flush=True)
    big = loaded_session(args.ops)
    queued = big.engine.world.filesets["sw"].queue.length
    big_frame = first_frame_seconds(lambda: make_app(session=big), 1)
    print(f"first frame with {queued:,} queued ops: {big_frame * 1000:7.1f} ms (target < 1000 ms, "
          f"{big_frame:.2f}x the target) [{_load()}]")

    empty_key = key_latency_seconds(lambda: make_app(session=loaded_session(0)), args.keys)
    big_key = key_latency_seconds(lambda: make_app(session=big), args.keys)
    print(f"key-to-frame: empty queue {empty_key * 1000:6.1f} ms, {queued:,} queued ops {big_key * 1000:6.1f} ms, "
          f"ratio {big_key / empty_key:.2f}x (target <= 1.5x, < 50 ms) [{_load()}]")
    scroll = key_latency_seconds(lambda: make_app(session=big), args.keys, SCROLLING, "#queue")
    print(f"key-to-frame scrolling the {queued:,}-op queue (PageDown/Down/End/Home): {scroll * 1000:6.1f} ms "
          f"(target < 50 ms, {scroll * 1000 / 50:.2f}x the target) [{_load()}]")
    print("selecting a pair, its highlight and the timeline strip's share of a frame: "
          "benchmarks/bench_timetravel.py --only-dashboard")
    print(f"machine at the end: {_load()}")
    return 0


def _load() -> str:
    try:
        return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"


if __name__ == "__main__":
    sys.exit(main())
