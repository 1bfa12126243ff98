"""Every row of issue 16's table, with its baseline measured in the same run, in one table.

    python benchmarks/bench_issue16.py            # the issue's sizes (100k lines, 1,000 psnaps, 1M writes)
    python benchmarks/bench_issue16.py --quick    # small sizes, a smoke run

Rows (targets in brackets): one command through the language vs the shlex + dict
+ deque floor [<= 1.5x] and with 1,000 psnaps vs none [<= 1.2x]; the idle dashboard
at 1x [<= 2x] and paused [<= 1.2x] vs a bare Textual app with a 1 s clock, and the
time to its first frame in a terminal [<= 1.3x]; memory per queued op vs the floor's
tuple [<= 1.3x]; 1M writes queued and flushed vs the floor [<= 2.5x] and vs a lean
SimPy model of the same queue [< 1x] (when simpy is importable: pip install '.[bench]').
Each part is the function of its own script (bench_commands, bench_terminal,
bench_engine). The load average is printed at start and end. It reports; the exit
status is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_commands
import bench_engine
import bench_terminal

Row = tuple[str, ...]


def loadavg() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    args = parser.parse_args(argv)
    lines, psnaps, writes = (10_000, 100, 100_000) if args.quick else (100_000, 1_000, 1_000_000)
    starts, seconds, repeat = (3, 4.0, 1) if args.quick else (15, 10.0, 3)
    print(f"peersnap issue 16 benchmarks: Python {sys.version.split()[0]}, {os.cpu_count()} cores, "
          f"load average {loadavg()} at start", flush=True)
    parts = (
        ("commands", lambda: bench_commands.measure(lines, psnaps, 5)),
        ("terminal", lambda: bench_terminal.section_first_frame(starts) + bench_terminal.section_idle(seconds)),
        ("memory", lambda: bench_engine.section_memory(writes)),
        ("writes", lambda: bench_engine.section_writes(writes, repeat)),
    )
    rows: list[Row] = []
    for name, part in parts:
        print(f"-- {name} (load average {loadavg()})", flush=True)
        try:
            rows.extend(part())
        except Exception as exc:  # noqa: BLE001  (a report, not a gate: say what broke and go on)
            print(f"    ERROR: {type(exc).__name__}: {exc}", flush=True)
            rows.append((name, "-", "-", "-", "-", "ERROR"))
    header = ("measure", "baseline", "peersnap", "ratio", "target", "verdict")
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    print("\nsummary: issue 16's table")
    for row in (header, *rows):
        print(" | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
    print(f"load average {loadavg()} at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
