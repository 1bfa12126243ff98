"""The `peersnap` command holds the garbage collector through the dashboard's start (tui/collector.py):
held from its first line, let go once the first frame is on screen, or as soon as the command line
says it is not the dashboard; importing peersnap or making an app (as the tests do) holds nothing."""

from __future__ import annotations

import gc
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from helpers import drive
from peersnap.tui import cli, collector
from peersnap.tui.app import make_app


@pytest.fixture
def undone():
    """Whatever a test does to the collector is undone (the rest of the suite collects as before)."""
    yield
    collector._held = False
    gc.enable()
    gc.unfreeze()


def test_hold_and_release(undone):
    collector.hold()
    assert not gc.isenabled()
    collector.release()
    assert gc.isenabled() and gc.get_freeze_count() > 1000  # what the start made is set aside
    frozen = gc.get_freeze_count()
    collector.release()  # once only
    assert gc.get_freeze_count() == frozen


def test_nothing_is_let_go_that_was_not_held(undone):
    gc.disable()  # (somebody else's choice, e.g. a profiler's)
    collector.hold()
    collector.release()
    assert not gc.isenabled() and gc.get_freeze_count() == 0


def test_the_dashboard_lets_the_collector_go_after_its_first_frame(undone):
    collector.hold()

    async def check(app, pilot):
        await pilot.pause()
        assert gc.isenabled()
        assert app.dashboard.query_one("#events").border_title  # (the frame it waited for)

    drive(check, app=make_app())


def test_a_dashboard_made_by_a_test_leaves_the_collector_alone(undone):
    async def check(app, pilot):
        await pilot.pause()
        assert gc.isenabled() and gc.get_freeze_count() == 0

    gc.unfreeze()
    drive(check, app=make_app())


def test_a_headless_run_collects_as_usual(undone, tmp_path, monkeypatch, capsys):
    """`peersnap run` (a script of any length) never runs with the collector held."""
    script = tmp_path / "s.txt"
    script.write_text("echo a > /gpfs/fs1/sw/f\n")
    seen = []
    original = cli.run_lines

    def spying(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return original(*args, **kwargs)

    monkeypatch.setattr(cli, "run_lines", spying)
    collector.hold()
    assert cli.main(["run", str(script)]) == 0
    assert seen == [True]


def test_the_command_is_the_startup_main():
    """`python -m peersnap` and the `peersnap` script (pyproject's entry point) go through startup.main."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "peersnap", "scenarios"], check=False,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "seed" in done.stdout
    assert "peersnap.tui.startup" in done.stderr  # (-X importtime lists each module imported)
    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["peersnap"] == "peersnap.tui.startup:main"
