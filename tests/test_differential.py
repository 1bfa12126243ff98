"""peersnap against a reference model written apart from it (tests/reference_model.py):
seeded random scripts of file work, psnaps, time, link flaps, home writes,
resync, stop/start, a failed gateway, mmafmconfig and linking, run through both; the engine is
read back only through the command language. Any disagreement fails with the
seed and the script, so it can be replayed with `peersnap run`.

`benchmarks/soak_differential.py` runs many more seeds.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from differential import run_script

SEEDS = 2_000  # x 12 steps: about 10 s on a quiet two-core runner, 20 s on a busy one
STEPS = 12
CHUNKS = 4


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_peersnap_agrees_with_the_reference_model(chunk):
    started = time.perf_counter()
    psnaps = completed = 0
    for seed in range(chunk, SEEDS, CHUNKS):
        report = run_script(seed, STEPS)
        assert not report.problems, (
            f"seed {seed}: " + "\n".join(report.problems) + "\n--- script ---\n" + report.script()
        )
        psnaps += report.psnaps
        completed += report.completed_pairs
    # the scripts must exercise what they check: psnaps taken and pairs completed
    assert psnaps > SEEDS // CHUNKS // 4 and completed > SEEDS // CHUNKS // 10, (psnaps, completed)
    print(f"{SEEDS // CHUNKS} scripts, {psnaps} psnaps, {completed} completed pairs, "
          f"{time.perf_counter() - started:.1f}s")


@pytest.mark.parametrize("seed", [20, 30])
def test_longer_scripts_that_write_at_home_between_a_psnap_and_its_home_half(seed):
    """Seeds that, before the pair invariant was built in, completed a pair whose
    halves differed (a home write between the psnap and its home half)."""
    report = run_script(seed, 30)
    assert not report.problems, "\n".join(report.problems) + "\n" + report.script()
    assert any(line.startswith("@home echo rogue") for line in report.lines)


def test_the_driver_catches_a_pair_whose_halves_differ(monkeypatch):
    """The differential can fail: with home no longer put right before its half
    is taken, the same seeds report a pair that completed with halves that differ."""
    from peersnap.core import snapshots

    monkeypatch.setattr(snapshots, "match_cache_half", lambda *args: 0)
    problems = [p for seed in (20, 30) for p in run_script(seed, 30).problems]
    assert any("halves that differ" in p or "reported identical but differs" in p for p in problems), problems


@pytest.mark.parametrize("seed", [70115, 70124, 70269])
def test_a_failed_gateway_loses_nothing_queued(seed):
    """Scripts in which the gateway fails (and nothing is stopped): IBM, "Gateway node
    failure and recovery" (5.0.5): "Gateway node failures are not catastrophic and do not
    result in the loss of data ... When a gateway node fails, the in-memory queue is lost.
    The queue is rebuilt in memory by the node taking over for the failed gateway." No home
    write in these scripts, so home must equal the cache by replication alone (no resync)."""
    report = run_script(seed, 30)
    assert not report.problems, "\n".join(report.problems) + "\n" + report.script()
    assert "sim gateway fail" in report.lines and not any(line.startswith("@home echo") for line in report.lines)


def test_the_driver_catches_a_recovery_that_loses_a_change(monkeypatch):
    """The differential can fail: a recovery that leaves one difference out of the queue it
    rebuilds is reported as home differing from the cache after settle."""
    from peersnap.core import requeue

    original = requeue.differences

    def lossy(have, wanted):  # type: ignore[no-untyped-def]
        missing = next((path for path in sorted(wanted) if have.get(path) != wanted[path]), None)
        return original(have, {p: c for p, c in wanted.items() if p != missing})

    monkeypatch.setattr(requeue, "differences", lossy)
    problems = [p for seed in (70115, 70124, 70269) for p in run_script(seed, 30).problems]
    assert any("home differs from the cache after settle" in p for p in problems), problems
