"""Sessions in the dashboard: time is logged, undo (console and Ctrl+Z) rewinds
and redraws, a saved session replays to the same world, broken files stop
before the app starts."""

from __future__ import annotations

import pytest
import tomli_w
from helpers import console_text, drive, type_line
from peersnap.core.session import Session
from peersnap.core.session_file import ClockEntry
from peersnap.tui.app import PeersnapApp, make_app
from peersnap.tui.cli import main
from peersnap.tui.widgets.event_log import EventLog
from peersnap.tui.widgets.file_pane import FilePane
from peersnap.tui.widgets.psnap_table import PsnapTable
from peersnap.tui.widgets.toggle_bar import ToggleBar


def pane_text(app: PeersnapApp, pane: str) -> str:
    return app.query_one(f"#{pane}", FilePane).text


def psnap_text(app: PeersnapApp) -> str:
    return app.query_one(PsnapTable).text


def header_text(app: PeersnapApp) -> str:
    return str(app.query_one("#header").render())


async def wait_for(pilot, condition, frames: int = 200) -> None:
    for _ in range(frames):
        if condition():
            return
        await pilot.pause(0.05)
    assert condition()


# -- time goes through the session ------------------------------------------------------------
def test_running_time_is_logged_as_clock_entries():
    async def check(app, pilot):
        await pilot.press("f7")
        await wait_for(pilot, lambda: app.session.engine.now > 0)
        await pilot.press("f7")
        clock = [e for e in app.session.log if isinstance(e, ClockEntry)]
        assert len(clock) == 1  # consecutive frames make one entry
        assert clock[0].duration_us == app.session.engine.now

    drive(check)


def test_a_step_is_logged_as_a_clock_entry():
    async def check(app, pilot):
        app.dashboard.run_line("echo hi > /gpfs/fs1/sw/a")
        before = app.session.engine.now
        await pilot.press("f8")
        assert isinstance(app.session.log[-1], ClockEntry)
        assert app.session.log[-1].duration_us == app.session.engine.now - before

    drive(check)


# -- undo ----------------------------------------------------------------------------------
def test_undo_typed_in_the_console_rewinds_and_the_screen_shows_it():
    async def check(app, pilot):
        start = app.session.engine.fingerprint()
        await type_line(pilot, "echo hello > /gpfs/fs1/sw/undo-me.txt")
        assert "undo-me.txt" in pane_text(app, "cache-pane")
        await type_line(pilot, "undo")
        assert app.session.engine.fingerprint() == start
        assert "undo-me.txt" not in pane_text(app, "cache-pane")
        text = console_text(app)
        assert "[cache]# undo" in text and "Undid: echo hello > /gpfs/fs1/sw/undo-me.txt" in text
        assert any("undo: rewound" in r.text for r in app.query_one(EventLog).records)

    drive(check)


def test_ctrl_z_undoes_through_the_console_any_number_of_times_back_to_the_start():
    async def check(app, pilot):
        states = [app.session.engine.fingerprint()]
        for line in ("echo one > /gpfs/fs1/sw/one", "mmpsnap fs1 create -j sw", "sim settle"):
            await type_line(pilot, line)
            states.append(app.session.engine.fingerprint())
        assert "identical" in psnap_text(app)
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert app.session.engine.fingerprint() == states[2]
        assert "waits for home" in psnap_text(app)
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert app.session.engine.fingerprint() == states[1]
        assert "No peer snapshots yet" in psnap_text(app)
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert app.session.engine.fingerprint() == states[0]
        assert "one" not in pane_text(app, "cache-pane").split()
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert app.session.engine.fingerprint() == states[0]
        text = console_text(app)
        assert text.count("[cache]# undo") == 4
        assert "nothing to undo" in text

    drive(check)


def test_after_undo_time_and_events_reach_the_new_world():
    async def check(app, pilot):
        app.dashboard.run_line("echo hi > /gpfs/fs1/sw/a")
        await pilot.press("ctrl+z")
        engine = app.session.engine
        await pilot.press("f7")
        await wait_for(pilot, lambda: engine.now > 0)
        await pilot.press("f7")
        await type_line(pilot, "sim link down")
        assert "DOWN" in app.query_one(ToggleBar).toggle("toggle_link").value
        assert any("link" == r.topic for r in app.query_one(EventLog).records)

    drive(check)


def test_reset_starts_again_and_undo_brings_the_world_back():
    """A reset can be undone (issue 12): the world before it comes back; then undo goes on as before."""
    async def check(app, pilot):
        app.dashboard.run_line("sim load 10")
        await pilot.press("ctrl+backslash", "enter")
        await pilot.pause()
        assert app.session.engine.world.filesets["sw"].queue.length == 0
        assert app.session.log == []
        assert "scenario 'seed' started again" in console_text(app)
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert "Undid: reset" in console_text(app)
        assert app.session.engine.world.filesets["sw"].queue.length == 11  # 10 writes and their mkdir
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert app.session.engine.world.filesets["sw"].queue.length == 0
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert "nothing to undo" in console_text(app)

    drive(check)


# -- replay in the dashboard -------------------------------------------------------------------
def saved_dashboard_session(tmp_path) -> tuple[str, tuple, int]:
    """A session made at the dashboard: commands, a toggle, steps and running time; saved with `save`."""
    path = tmp_path / "lesson.toml"
    found: dict[str, object] = {}

    async def record(app, pilot):
        await type_line(pilot, "echo hello > /gpfs/fs1/sw/a.txt")
        await type_line(pilot, "sim load 3")
        await pilot.press("f8")
        await type_line(pilot, "mmpsnap fs1 create -j sw")
        await pilot.press("f2")  # link down, by toggle
        app.dashboard.ticker.speed = 100
        await pilot.press("f7")
        await wait_for(pilot, lambda: app.session.engine.now > 70_000_000)
        await pilot.press("f7")
        await pilot.press("f2")
        await type_line(pilot, "sim settle")
        await type_line(pilot, f"save {path}")
        assert "Saved the session" in console_text(app)
        found["fingerprint"] = app.session.engine.fingerprint()
        found["entries"] = len(app.session.log)

    drive(record)
    return str(path), found["fingerprint"], found["entries"]  # type: ignore[return-value]


def test_replay_in_the_dashboard_reaches_the_saved_world(tmp_path):
    path, fingerprint, total = saved_dashboard_session(tmp_path)

    async def check(app, pilot):
        assert app.dashboard.replay is not None and app.dashboard.replay.total == total
        assert f"replay 0/{total}" in header_text(app)
        await pilot.press("f7")
        await wait_for(pilot, lambda: app.dashboard.replay.done, frames=400)
        await pilot.pause()
        assert app.session.engine.fingerprint() == fingerprint
        assert f"replay {total}/{total} ✔" in header_text(app)
        assert "paused" in header_text(app)
        text = console_text(app)
        for line in ("[cache]# echo hello > /gpfs/fs1/sw/a.txt", "[cache]# mmpsnap fs1 create -j sw",
                     "[cache]# sim link down", "[cache]# sim settle", "replay finished"):
            assert line in text

    drive(check, app=make_app(replay=path, speed=1000))


def test_replay_waits_while_paused_and_steps_one_entry_at_a_time(tmp_path):
    path, fingerprint, total = saved_dashboard_session(tmp_path)

    async def check(app, pilot):
        await pilot.pause(0.3)
        assert app.dashboard.replay.index == 0 and app.session.engine.now == 0
        await pilot.press("f8")
        assert app.dashboard.replay.index == 1
        assert "[cache]# echo hello > /gpfs/fs1/sw/a.txt" in console_text(app)
        assert f"replay 1/{total}" in header_text(app)
        for _ in range(total - 1):
            await pilot.press("f8")
        await pilot.pause()
        assert app.session.engine.fingerprint() == fingerprint
        assert "replay finished" in console_text(app)

    drive(check, app=make_app(replay=path))


def test_peersnap_run_replay_prints_the_dashboard_session(tmp_path, capsys):
    path, _, _ = saved_dashboard_session(tmp_path)
    assert main(["run", "--replay", path]) == 0
    out = capsys.readouterr().out
    assert out.startswith("[cache]# echo hello > /gpfs/fs1/sw/a.txt\n")
    assert "[cache]# sim link down" in out and "[cache]# sim settle" in out


# -- broken files stop before the app -----------------------------------------------------------
@pytest.fixture
def started(monkeypatch):
    apps: list[PeersnapApp] = []
    monkeypatch.setattr(PeersnapApp, "run", lambda self, *a, **k: apps.append(self))
    return apps


def saved_with_log(log: list[dict[str, object]]) -> str:
    data = Session().to_toml()
    data["log"] = log
    return tomli_w.dumps(data)


@pytest.mark.parametrize("text, message", [
    ("this is [not toml", "TOML syntax error"),
    ("log = []\n", "not a peersnap session file"),
    ('peersnap_session = 1\nlog = []\n[scenario]\n', "missing table [cache]"),
    (saved_with_log([{"line": "sim status", "rc": "x"}]), "key 'log[0].rc': expected a whole number"),
    (saved_with_log([{"line": "rm -rf /", "clock": True}]), "a clock entry must read 'sim advance Nus'"),
    (saved_with_log([{"rc": 0}]), "expected a table with a 'line' string"),
])
def test_a_broken_session_file_exits_2_before_the_app(tmp_path, capsys, started, text, message):
    bad = tmp_path / "bad-session.toml"
    bad.write_text(text)
    assert main(["--replay", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad-session.toml" in err and message in err and "Traceback" not in err
    assert started == []
    assert main(["run", "--replay", str(bad)]) == 2  # the headless replay says the same
    assert message in capsys.readouterr().err


def test_a_missing_session_file_and_a_broken_scenario_exit_2(tmp_path, capsys, started):
    assert main(["--replay", str(tmp_path / "nope.toml")]) == 2
    assert "nope.toml: cannot read" in capsys.readouterr().err
    bad = tmp_path / "bad-scenario.toml"
    bad.write_text("[cache\n")
    assert main(["--scenario", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad-scenario.toml" in err and "Traceback" not in err
    assert started == []


def test_replay_refuses_other_choices_that_contradict_it(tmp_path, capsys, started):
    session = Session()
    session.run("sim status")
    path = tmp_path / "s.toml"
    session.save(str(path))
    assert main(["--replay", str(path), "--scenario", "seed"]) == 2
    assert "brings its own scenario" in capsys.readouterr().err
    assert main(["--replay", str(path), "lesson", "first-psnap"]) == 2
    assert "not both" in capsys.readouterr().err
    assert main(["--replay", str(path), "scenarios"]) == 2
    assert "peersnap run --replay" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["--speed", "3"])
    assert exit_.value.code == 2
    assert started == []
    assert main(["--replay", str(path), "--speed", "50"]) == 0
    assert started[0].dashboard.ticker.speed == 50 and started[0].dashboard.replay.total == 1


def test_peersnap_lesson_opens_the_dashboard_with_the_panel(started):
    assert main(["lesson", "first-psnap"]) == 0
    app = started[0]
    assert app.dashboard.lesson is not None and app.dashboard.lesson.name == "first-psnap"
    assert app.dashboard.scenario.name == "seed"
