"""The engine benchmark script runs: its measurement functions at a tiny N.

No timing assertions: this only proves benchmarks/bench_engine.py works.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

N = 2_000
SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_engine.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_engine", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_write_timings_are_positive(bench):
    for times in (bench.floor_writes(N), bench.engine_writes(N)):
        assert times.queue > 0 and times.flush > 0 and times.total > 0


def test_psnap_create_timings_are_positive(bench):
    assert bench.psnap_create_seconds(N, repeats=3) > 0
    assert bench.psnap_create_seconds(N, repeats=2, collect_each=True) > 0


def test_bytes_per_op_are_positive(bench):
    assert bench.floor_bytes_per_op(N) > 0
    assert bench.engine_bytes_per_op(N) > 0


def test_main_reports_and_exits_zero(bench, capsys):
    assert bench.main(["--n", str(N), "--repeat", "1", "--psnap-repeats", "2"]) == 0
    out = capsys.readouterr().out
    assert "summary" in out and "ERROR" not in out


def test_the_memory_benchmark_reports_every_case(capsys):
    spec = importlib.util.spec_from_file_location("bench_memory", SCRIPT.parent / "bench_memory.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--sizes", "2000", "4000", "--append-mib", "1"]) == 0
    out = capsys.readouterr().out
    assert "summary" in out and "ERROR" not in out and "appends" in out and "load average" in out


def test_the_simpy_model_runs_when_simpy_is_installed(bench):
    pytest.importorskip("simpy")
    times = bench.simpy_writes(N)
    assert times is not None and times.queue > 0 and times.flush > 0


def test_the_command_benchmark_reports_both_rows(capsys):
    spec = importlib.util.spec_from_file_location("bench_commands", SCRIPT.parent / "bench_commands.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--lines", "500", "--psnaps", "5", "--rounds", "2"]) == 0
    out = capsys.readouterr().out
    assert "one command via the language" in out and "5 psnaps vs none" in out and "load average" in out


def _script(name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, SCRIPT.parent / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_command_benchmark_gives_its_rows():
    rows = _script("bench_commands").measure(300, 3, 2)
    assert [row[0].split(",")[0] for row in rows] == ["one command via the language", "same", "same"]
    assert all(row[3].endswith("x") for row in rows)


def test_the_terminal_benchmark_sees_both_apps_first_frames_and_their_cpu():
    terminal = _script("bench_terminal")
    assert 0 < terminal.first_frame("bare", []) < 60
    assert 0 < terminal.first_frame("dashboard", ["--paused"]) < 60
    assert 0 <= terminal.idle_cpu("dashboard", ["--paused"], 0.5) < 1.0


def test_the_instruction_benchmark_says_so_without_valgrind(monkeypatch, capsys):
    counting = _script("bench_first_frame_instructions")
    monkeypatch.setattr(counting.shutil, "which", lambda name: None)
    assert counting.main() == 0
    assert "valgrind is not installed" in capsys.readouterr().out


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind not installed (Debian: valgrind)")
def test_the_instruction_benchmark_counts_an_apps_first_frame():
    counting = _script("bench_first_frame_instructions")
    assert 300e6 < counting.instructions("bare", []) < 5e9  # (the bare app: ~0.9 G here)
