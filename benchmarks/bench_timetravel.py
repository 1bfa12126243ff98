"""Time travel speed: undo, seek and `why` after a big load, against the old replay-from-the-start.

    python benchmarks/bench_timetravel.py [--ops 1000000] [--commands 1000]

1. `sim load N` then C more commands (writes, psnaps, time): the live session.
2. Replaying the whole log from the start (what undo did before checkpoints): the baseline.
3. One undo, and seeks to moments spread over the line (start, middle, near the end, end)
   (target <= 100 ms each).
4. `why` on the last queued op (target <= 50 ms).
5. Memory: the process's RSS with checkpoints against the same run without them, in
   child processes (target: checkpoints <= 25% more than the live world).
6. Dashboard (headless, 120x40) with N queued ops and a psnap behind them: selecting the pair
   and its highlight, to the frame (target <= 50 ms); a frame with the timeline strip against
   one without it, time moving each frame (target: <= 10% more).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from peersnap.core import timeline
from peersnap.core.session import Session
from peersnap.core.timeline import Moment
from peersnap.core.why import explain


def build(ops: int, commands: int) -> Session:
    session = Session()
    session.run(f"sim load {ops}")
    for i in range(commands):
        if i % 100 == 50:
            session.run("mmpsnap fs1 create -j sw")
        elif i % 10 == 9:
            session.advance_clock(1_000_000)
        else:
            session.run(f"echo v{i} > /gpfs/fs1/sw/f{i % 300}")
    return session


def timed(action) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def measure(ops: int, commands: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    start = time.perf_counter()
    session = build(ops, commands)
    figures["build_s"] = time.perf_counter() - start
    figures["checkpoints"] = len(session.timeline.current.checkpoints)
    log = list(session.log)
    figures["replay_from_start_s"] = timed(lambda: Session(session.scenario).replay(log))
    # The replayed session is garbage now: a million-entry world with reference cycles, freed only
    # by a full collection. Collected here, so that the undo below is not charged for it (it was:
    # 242 ms of a 243 ms undo).
    gc.collect()
    last = session.engine.world.filesets["sw"].queue.next_seq - 1
    figures["why_last_op_ms"] = 1000 * min(timed(lambda: explain(session.engine.world, str(last), session.engine.now))
                                           for _ in range(5))
    figures["undo_ms"] = 1000 * timed(session.undo)
    length = len(session.log)
    seeks = []
    for index in (0, 1, length // 2, length - 3, length):
        seeks.append(1000 * timed(lambda index=index: session.seek(Moment(index))))
    figures["seek_ms_max"] = max(seeks)
    figures["seek_ms_median"] = statistics.median(seeks)
    figures["seeks_ms"] = seeks  # type: ignore[assignment]
    return figures


def rss_child(ops: int, commands: int, checkpoints: bool):  # type: ignore[no-untyped-def]
    """The RSS (MiB) a child process gains building the session, with or without checkpoints
    (with them: also how many it kept)."""
    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r}); import bench_timetravel as b; "
            f"b.child({ops}, {commands}, {checkpoints})")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    mib, kept = out.stdout.strip().splitlines()[-1].split()
    return (float(mib), int(kept)) if checkpoints else float(mib)


def rss_mib() -> float:
    """The process's resident set now (not its peak: a child forked from a big parent inherits
    the parent's peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(ops: int, commands: int, checkpoints: bool) -> None:
    if not checkpoints:
        timeline.REPLAY_BUDGET = 1 << 60
    base = rss_mib()
    session = build(ops, commands)
    print(rss_mib() - base, len(session.timeline.current.checkpoints))


async def _dashboard(session: Session, frames: int) -> dict[str, float]:
    import asyncio

    from peersnap.tui.app import make_app
    from peersnap.tui.widgets.psnap_table import PsnapTable

    app = make_app(session=session)
    figures: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        dashboard = app.dashboard
        table = app.query_one(PsnapTable)
        name = table.names[-1]
        frames_at: list[float] = []
        display = app._display

        def timed_display(screen, renderable):  # type: ignore[no-untyped-def]
            display(screen, renderable)
            frames_at.append(time.perf_counter())

        app._display = timed_display  # type: ignore[method-assign]  # (private: the driver's frame write, timed)
        selects = []
        for _ in range(7):
            table.select(None)
            await pilot.pause()
            await asyncio.sleep(0.1)
            since = len(frames_at)
            start = time.perf_counter()
            table.select(name)  # what Down in the pair table or a click on a pair does
            deadline = start + 2
            while time.perf_counter() < deadline:  # to the last frame it caused (then 30 ms of quiet)
                await asyncio.sleep(0.001)
                if len(frames_at) > since and time.perf_counter() - frames_at[-1] > 0.03:
                    break
            selects.append(frames_at[-1] - start if len(frames_at) > since else float("nan"))
            assert dashboard.query_one("#queue").ahead is not None
        figures["select_pair_highlight_ms"] = 1000 * statistics.median(selects)
        app._display = display  # type: ignore[method-assign]

        from peersnap.tui.widgets.timeline import TimelineStrip

        strip = app.query_one(TimelineStrip)
        frames_ms, strip_ms = [], []
        for _ in range(frames):
            session.engine.time.now += 1_000_000  # a new second: every pane, the strip too, draws again
            start = time.perf_counter()
            dashboard.refresh_view()
            app.screen._compositor.render_update(full=True)
            frames_ms.append(1000 * (time.perf_counter() - start))
            session.engine.time.now += 1_000_000  # the strip's own share of such a frame: its drawing and its lines
            start = time.perf_counter()
            strip.show(session.engine, dashboard.fileset, session.engine.now)
            strip.render_lines(strip.region.reset_offset)
            strip_ms.append(1000 * (time.perf_counter() - start))
        figures["frame_ms"] = statistics.median(frames_ms)
        figures["timeline_ms_per_frame"] = statistics.median(strip_ms)
        figures["timeline_share"] = figures["timeline_ms_per_frame"] / figures["frame_ms"]
    return figures


def dashboard_figures(ops: int, frames: int = 20) -> dict[str, float]:
    import asyncio

    session = Session()
    session.run(f"sim load {ops}")
    session.run("mmpsnap fs1 create -j sw")
    return asyncio.run(_dashboard(session, frames))


def _load() -> str:
    try:
        return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load unknown"


def line(what: str, value: float, unit: str, target: float, against: tuple[str, float] | None = None) -> str:
    """One figure: its value, its target (met or MISSED), its ratio to the target and, when given,
    to the figure it replaces, and the machine's load average as it was measured."""
    verdict = "ok" if value <= target else "MISSED"
    ratio = f"{value / target:.2f}x the target"
    if against is not None:
        ratio += f", {value / against[1]:.3f}x {against[0]}"
    return f"{what}: {value:,.1f} {unit} (target <= {target:g} {unit}: {verdict}; {ratio}) [{_load()}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ops", type=int, default=1_000_000)
    parser.add_argument("--commands", type=int, default=1_000)
    parser.add_argument("--no-memory", action="store_true", help="skip the two child processes")
    parser.add_argument("--only-dashboard", action="store_true", help="only part 6")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, {_load()}; sim load {args.ops:,} then {args.commands:,} commands", flush=True)
    figures: dict[str, float] = {}
    if not args.only_dashboard:
        figures = measure(args.ops, args.commands)
        replay_ms = 1000 * figures["replay_from_start_s"]
        print(f"built in {figures['build_s']:.1f} s with {figures['checkpoints']:.0f} checkpoints; replaying the whole "
              f"log from the start (undo before checkpoints): {replay_ms:,.0f} ms [{_load()}]")
        print(line("one undo", figures["undo_ms"], "ms", 100, ("the replay", replay_ms)))
        seeks = ", ".join(f"{ms:,.0f}" for ms in figures["seeks_ms"])  # type: ignore[attr-defined]
        print(line(f"seek, slowest of 5 moments ({seeks} ms)", figures["seek_ms_max"], "ms", 100,
                   ("the replay", replay_ms)))
        print(line("why on the last op", figures["why_last_op_ms"], "ms", 50))
    figures.update(dashboard_figures(args.ops))
    print(line("selecting a pair and its highlight, to the frame", figures["select_pair_highlight_ms"], "ms", 50))
    print(line(f"timeline strip's share of a {figures['frame_ms']:.1f} ms frame "
               f"({figures['timeline_ms_per_frame']:.2f} ms)", 100 * figures["timeline_share"], "%", 10))
    if not args.no_memory and not args.only_dashboard:
        without = rss_child(args.ops, args.commands, False)
        with_, kept = rss_child(args.ops, args.commands, True)
        figures["rss_live_mib"] = without
        figures["rss_with_checkpoints_mib"] = with_
        figures["checkpoint_share"] = (with_ - without) / max(without, 1)
        print(f"memory: the live world {without:,.0f} MiB, with {kept} checkpoints {with_:,.0f} MiB")
        print(line("checkpoints' memory over the live world's", 100 * figures["checkpoint_share"], "%", 25))
    print(json.dumps(figures))
    print(f"machine at the end: {_load()}")


if __name__ == "__main__":
    main()
