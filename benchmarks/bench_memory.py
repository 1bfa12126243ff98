"""Memory and linearity: `sim load` at growing N, and a file built by appends.

    python benchmarks/bench_memory.py              # sim load 1e5, 1e6, 1e7; 8 MiB by 64 KiB appends
    python benchmarks/bench_memory.py --quick      # sim load 1e4, 1e5; 1 MiB by 64 KiB appends

Each case runs in a fresh Python process, so its peak RSS is its own:

1. `sim load N` then `sim settle` through the command language (`Session.run`):
   wall and CPU seconds for each phase, RSS once queued and peak RSS once
   settled, and per op: CPU microseconds (load, settle) and RSS bytes (queued,
   peak). Target: linear in N, i.e. each per-op figure at every larger N within
   1.3x of the smallest N's (time: within 1.3x of what the floor, a plain dict
   build of the same N, grows by on this machine: past its caches every dict
   insert costs more, engine or not). Every N must also be accepted under the world's
   default caps (core.limits): `sim load 10000000` is the largest they allow.
2. One file built by 64 KiB appends (`FileOps.write_file(..., append=True)`: a
   command line holds at most 4,096 characters, so the language cannot append
   64 KiB at once), then flushed home. Target: RSS growth within 3x the file size.

The load average is printed at start and end: on a shared machine the times
move with it (the bytes do not). It reports; the exit status is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

LINEAR_TARGET = 1.3
FLOOR: dict[int, float] = {}  # N -> the floor's per-op CPU at N over its per-op CPU at the smallest N
APPEND_TARGET = 3.0
CHUNK = 64 * 1024

_CHILD = r"""
import gc, json, resource, sys, time

def rss():  # current resident set, bytes
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()

kind, n = sys.argv[1], int(sys.argv[2])
from peersnap.core.session import Session
session = Session(allow_files=False)
gc.collect()
base = rss()
out = {"base_rss": base}
if kind == "load":
    c0 = time.process_time()
    t0 = time.perf_counter()
    result = session.run(f"sim load {n}")
    t1 = time.perf_counter()
    c1 = time.process_time()
    assert result.rc == 0, result.lines
    out["queued_rss"] = rss()
    settled = session.run("sim settle")
    t2 = time.perf_counter()
    assert settled.rc == 0, settled.lines
    out.update(load_s=t1 - t0, settle_s=t2 - t1, load_cpu_s=c1 - c0, settle_cpu_s=time.process_time() - c1,
               cpu_s=time.process_time() - c0)
elif kind == "floor":
    # what any store of N new files must do, and nothing more: build each path and text and
    # put it in two dicts (entries, the directory's children), in the same batches as sim load
    c0 = time.process_time()
    entries, children = {}, {}
    for start in range(1, n + 1, 65536):
        numbers = range(start, min(start + 65536, n + 1))
        paths = [f"load/f{k:07d}" for k in numbers]
        entries.update(zip(paths, [f"load {k:>9}\n" for k in numbers]))
        children.update(dict.fromkeys(paths))
    out.update(load_cpu_s=time.process_time() - c0)
else:
    chunk = "a" * (CHUNK - 1) + "\n"
    files = session.engine.files
    t0 = time.perf_counter()
    for _ in range(n // len(chunk)):
        files.write_file("cache", "/gpfs/fs1/sw/big", chunk, append=True)
    t1 = time.perf_counter()
    out["queued_rss"] = rss()
    session.engine.settle()
    assert session.engine.world.home.fs.trees["sw"].get("big") == chunk * (n // len(chunk))
    out.update(load_s=t1 - t0, settle_s=time.perf_counter() - t1)
out["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps(out))
""".replace("CHUNK", str(CHUNK))


def loadavg() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


def run_case(kind: str, n: int) -> dict:
    """One case in a fresh interpreter; its figures as a dict."""
    done = subprocess.run([sys.executable, "-c", _CHILD, kind, str(n)], capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{kind} {n}: exit {done.returncode}: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _mib(b: float) -> str:
    return f"{b / 2**20:,.1f} MiB"


def section_load(sizes: list[int]) -> list[tuple[str, ...]]:
    print("[1] sim load N + sim settle, through the language (one process per N)", flush=True)
    rows = []
    per_op: list[tuple[int, dict[str, float]]] = []
    for n in sizes:
        r = run_case("load", n)
        grown = r["peak_rss"] - r["base_rss"]
        # CPU seconds, not wall: on a shared machine the wall clock counts the other processes' turns too
        figures = {
            "load CPU us/op": r["load_cpu_s"] / n * 1e6,
            "settle CPU us/op": r["settle_cpu_s"] / n * 1e6,
            "queued RSS B/op": (r["queued_rss"] - r["base_rss"]) / n,
            "peak RSS B/op": grown / n,
        }
        per_op.append((n, figures))
        print(f"    N={n:>12,}: load {r['load_s']:7.2f} s wall {r['load_cpu_s']:7.2f} s CPU, settle {r['settle_s']:7.2f} s "
              f"wall {r['settle_cpu_s']:7.2f} s CPU; RSS queued +{_mib(r['queued_rss'] - r['base_rss'])}, peak "
              f"{_mib(r['peak_rss'])} (+{_mib(grown)})", flush=True)
        print("    " + " " * 16 + ", ".join(f"{name} {value:,.2f}" for name, value in figures.items()), flush=True)
        rows.append((f"sim load {n:,}", f"{r['load_s'] + r['settle_s']:.2f} s wall, {r['cpu_s']:.2f} s CPU",
                     _mib(r["peak_rss"]), f"{r['cpu_s'] / n * 1e6:.2f} us CPU/op", f"{grown / n:.0f} B/op"))
    n0, base = per_op[0]
    for n1, figures in per_op[1:]:
        for name, value in figures.items():
            ratio = value / base[name]
            # time is judged beside the floor's own growth (when measured): what the caches cost any dict
            target = LINEAR_TARGET * max(1.0, FLOOR.get(n1, 1.0)) if "CPU" in name else LINEAR_TARGET
            verdict = "PASS" if ratio <= target else "FAIL"
            floor = f" (1.3x the floor's {FLOOR[n1]:.2f}x)" if "CPU" in name and n1 in FLOOR else ""
            print(f"    {name} at {n1:,} vs {n0:,}: {ratio:.2f}x  target <= {target:.2f}x{floor}  {verdict}")
            rows.append((f"{name}, {n1:,} vs {n0:,}", "", "", f"{ratio:.2f}x", f"<= {target:.2f}x {verdict}"))
    return rows


def section_floor(sizes: list[int]) -> list[tuple[str, ...]]:
    """The machine's own floor: a plain dict build of N entries also costs more per entry
    at 10,000,000 (its table no longer fits the caches) than at 100,000. sim load's per-op
    ratio is judged beside this one's."""
    print("[1b] the floor: N paths and texts built and put in two plain dicts (one process per N)", flush=True)
    rows = []
    per_op = []
    for n in sizes:
        r = run_case("floor", n)
        us = r["load_cpu_s"] / n * 1e6
        per_op.append((n, us))
        print(f"    N={n:>12,}: {r['load_cpu_s']:.2f} s CPU, {us:.2f} us CPU/op", flush=True)
    (n0, us0) = per_op[0]
    for n1, us1 in per_op[1:]:
        FLOOR[n1] = us1 / us0
        print(f"    floor CPU us/op at {n1:,} vs {n0:,}: {us1 / us0:.2f}x (the hardware's share of any growth above)")
        rows.append((f"floor CPU us/op, {n1:,} vs {n0:,}", "", "", f"{us1 / us0:.2f}x", "info"))
    return rows


def section_appends(size: int) -> list[tuple[str, ...]]:
    print(f"[2] a {_mib(size)} file built by {size // CHUNK} appends of 64 KiB, then flushed", flush=True)
    r = run_case("append", size)
    grown = r["peak_rss"] - r["base_rss"]
    ratio = grown / size
    verdict = "PASS" if ratio <= APPEND_TARGET else "FAIL"
    print(f"    appends {r['load_s']:.2f} s, settle {r['settle_s']:.2f} s, peak RSS {_mib(r['peak_rss'])} "
          f"(+{_mib(grown)}, {grown / (size // CHUNK):,.0f} B per append): {ratio:.2f}x the file  "
          f"target <= {APPEND_TARGET:g}x  {verdict}", flush=True)
    return [(f"{_mib(size)} by 64 KiB appends", f"{r['load_s'] + r['settle_s']:.2f} s", _mib(r["peak_rss"]),
             f"{ratio:.2f}x file", verdict)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke check")
    parser.add_argument("--sizes", type=int, nargs="+", help="sim load sizes (default 1e5 1e6 1e7)")
    parser.add_argument("--append-mib", type=int, help="file size built by appends (default 8)")
    parser.add_argument("--only", nargs="+", choices=["load", "floor", "appends"], help="run only these sections")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([10_000, 100_000] if args.quick else [100_000, 1_000_000, 10_000_000])
    size = (args.append_mib or (1 if args.quick else 8)) * 2**20
    print(f"peersnap memory benchmark: Python {sys.version.split()[0]}, {os.cpu_count()} cores, "
          f"load average {loadavg()} at start")
    rows: list[tuple[str, ...]] = []
    sections = {"floor": lambda: section_floor(sizes), "load": lambda: section_load(sizes),
                "appends": lambda: section_appends(size)}
    for name, section in sections.items():
        if args.only and name not in args.only:
            continue
        try:
            rows.extend(section())
        except Exception as exc:  # noqa: BLE001  (a report, not a gate: say what broke and go on)
            print(f"    ERROR: {type(exc).__name__}: {exc}", flush=True)
            rows.append(("section", "-", "-", "-", "ERROR"))
    print("\nsummary")
    for row in rows:
        print("  " + " | ".join(cell for cell in row if cell))
    print(f"load average {loadavg()} at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
