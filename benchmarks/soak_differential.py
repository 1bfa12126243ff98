"""Soak: many more seeded random scripts through peersnap and the reference model.

    python benchmarks/soak_differential.py                     # 20,000 scripts of 30 steps
    python benchmarks/soak_differential.py --scripts 2000 --steps 12 --first-seed 100000

Prints scripts per second and every disagreement with its seed and script
(replay one with `python benchmarks/soak_differential.py --show SEED`). The exit
status is 1 when any script disagreed, 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from differential import run_script


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scripts", type=int, default=20_000)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--show", type=int, metavar="SEED", help="print one seed's script and problems, then stop")
    args = parser.parse_args(argv)
    if args.show is not None:
        report = run_script(args.show, args.steps)
        print(report.script())
        print("\n".join(report.problems) or "no disagreement")
        return 1 if report.problems else 0
    started = time.perf_counter()
    bad = psnaps = completed = 0
    for seed in range(args.first_seed, args.first_seed + args.scripts):
        report = run_script(seed, args.steps)
        psnaps += report.psnaps
        completed += report.completed_pairs
        if report.problems:
            bad += 1
            print(f"seed {seed} disagrees:", *report.problems, "--- script ---", report.script(), sep="\n", flush=True)
        done = seed - args.first_seed + 1
        if done % 1000 == 0:
            rate = done / (time.perf_counter() - started)
            print(f"  {done:,} scripts, {rate:.0f} scripts/s, {bad} disagreeing", flush=True)
    elapsed = time.perf_counter() - started
    print(f"{args.scripts:,} scripts of {args.steps} steps in {elapsed:.1f}s ({args.scripts / elapsed:.0f} scripts/s): "
          f"{psnaps:,} psnaps, {completed:,} completed pairs, {bad} disagreeing")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
