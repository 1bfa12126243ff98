"""Input is never lost, merged or reordered (issue 12): bursts of keys, pastes,
`source FILE`, keys typed anywhere, Ctrl+R history search, history and the
autosave kept between runs in the XDG state folder."""

from __future__ import annotations

import pytest
from helpers import console_text, drive
from peersnap.core.session_file import LoggedCommand
from peersnap.tui.app import make_app
from peersnap.tui.launch import prepare
from peersnap.tui.screens import Confirm, HelpScreen
from peersnap.tui.widgets.console import ConsoleInput, pasted_lines
from textual import events
from textual._xterm_parser import XTermParser  # the driver's own parser: raw terminal bytes -> events


def commands_run(app) -> list[str]:
    return [entry.line for entry in app.session.log if isinstance(entry, LoggedCommand)]


def write_raw(app, data: str) -> None:
    """What the terminal driver does with one read: every event posted at once,
    before the app handles the first (a paste without bracketed paste, a laggy link)."""
    for event in XTermParser().feed(data):
        app.post_message(event)


async def settle(pilot, frames: int = 4) -> None:
    for _ in range(frames):
        await pilot.pause()


def files_at(app, fileset: str = "sw") -> set[str]:
    return set(app.session.engine.world.cache.fs.trees[fileset].children(""))


# -- bursts ---------------------------------------------------------------------------------------
def test_a_burst_of_lines_in_one_write_runs_each_line_once_in_order():
    async def check(app, pilot):
        write_raw(app, "touch sw/t1\rtouch sw/t2\rtouch sw/t3\rls sw\r")
        await settle(pilot)
        assert commands_run(app) == ["touch sw/t1", "touch sw/t2", "touch sw/t3", "ls sw"]
        assert {"t1", "t2", "t3"} <= files_at(app)
        assert not any("t1touch" in name for name in files_at(app))
        text = console_text(app)
        assert text.index("[cache]# touch sw/t2") < text.index("[cache]# ls sw")
        assert app.query_one(ConsoleInput).value == ""

    drive(check)


@pytest.mark.parametrize("paused", [True, False], ids=["paused", "running"])
def test_ctrl_z_in_the_same_burst_as_a_line_undoes_that_line(paused):
    """`sim load 3⏎` then Ctrl+Z, one write (tmux: `sim load 1000000⏎`, Ctrl+Z, `echo ...⏎`): the
    undo ran first, undoing the command before, then `sim load` ran. Ctrl+Z is a priority key and
    fired before the console had handled the Enter; it now queues behind it."""
    async def check(app, pilot):
        app.dashboard.run_line("echo first > /gpfs/fs1/sw/first")
        await settle(pilot)
        write_raw(app, "sim load 3\r\x1aecho after > /gpfs/fs1/sw/after\r")
        await settle(pilot, 8)
        assert commands_run(app) == ["echo first > /gpfs/fs1/sw/first", "echo after > /gpfs/fs1/sw/after"]
        assert "load" not in files_at(app) and {"first", "after"} <= files_at(app)
        assert console_text(app).index("[cache]# sim load 3") < console_text(app).index("[cache]# undo")

    drive(check, app=make_app(paused=paused))


@pytest.mark.parametrize("paused", [True, False], ids=["paused", "running"])
def test_f_keys_and_ctrl_s_in_the_same_burst_as_a_line_act_after_it(paused):
    """`echo a > f⏎`, F2, `echo b > g⏎`, Ctrl+S, F2 in one write: each acts where it was typed.
    F2 and Ctrl+S are priority bindings; they took the link down (and the psnap) before the line
    typed ahead of them ran."""
    async def check(app, pilot):
        write_raw(app, "echo a > /gpfs/fs1/sw/a\r\x1bOQecho b > /gpfs/fs1/sw/b\r\x13\x1bOQ")
        await settle(pilot, 10)
        assert commands_run(app) == ["echo a > /gpfs/fs1/sw/a", "sim link down", "echo b > /gpfs/fs1/sw/b",
                                     "mmpsnap fs1 create -j sw", "sim link up"]
        text = console_text(app)
        assert text.index("[cache]# echo a") < text.index("sim link down") < text.index("[cache]# echo b")

    drive(check, app=make_app(paused=paused))


def test_f8_and_ctrl_b_in_the_same_burst_as_a_line_act_after_it():
    """F8 (step) and Ctrl+B (back in time) typed right after a line: the step runs the line's write,
    and Ctrl+B looks back from after the line, not from before it."""
    async def check(app, pilot):
        write_raw(app, "echo a > /gpfs/fs1/sw/a\r\x1b[19~")
        await settle(pilot, 10)
        assert commands_run(app)[0] == "echo a > /gpfs/fs1/sw/a"
        assert "a" in set(app.session.engine.world.home.fs.trees["sw"].children(""))
        write_raw(app, "echo c > /gpfs/fs1/sw/c\r\x02")
        await settle(pilot, 10)
        assert "echo c > /gpfs/fs1/sw/c" in commands_run(app)
        assert "c" not in files_at(app)  # one entry back from after the echo: before it

    drive(check, app=make_app(paused=True))


def test_pilot_keys_pressed_together_with_edits_in_between():
    """Backspace and the arrows are bindings; in a burst they act where they were typed."""
    async def check(app, pilot):
        await pilot.press(*"touch sw/ax", "backspace", *"b", "enter", *"touch sw/c", "left", "d", "enter")
        await settle(pilot)
        assert commands_run(app) == ["touch sw/ab", "touch sw/dc"]

    drive(check)


def test_type_ahead_while_a_long_command_runs_is_kept_whole():
    async def check(app, pilot):
        write_raw(app, "sim load 100000\rtouch sw/d1\rtouch sw/d2\r")
        await settle(pilot, 8)
        assert commands_run(app) == ["sim load 100000", "touch sw/d1", "touch sw/d2"]
        assert {"d1", "d2"} <= files_at(app)

    drive(check)


def test_a_burst_with_time_running_at_1x_and_a_second_between_commands():
    async def check(app, pilot):
        write_raw(app, "touch sw/r1\rtouch sw/r2\r")
        await pilot.pause(1.0)
        write_raw(app, "mmpsnap fs1 create -j sw\r")
        await pilot.pause(1.0)
        await settle(pilot)
        assert app.dashboard.ticker.running
        assert app.session.engine.now > 0
        assert commands_run(app) == ["touch sw/r1", "touch sw/r2", "mmpsnap fs1 create -j sw"]
        assert len(app.session.engine.world.filesets["sw"].psnaps) == 1

    drive(check, app=make_app(paused=False))


# -- pastes ---------------------------------------------------------------------------------------
def test_pasted_lines_end_at_newline_crlf_and_the_terminals_cr():
    assert pasted_lines("a\nb\r\nc\rd") == ["a", "b", "c", "d"]
    assert pasted_lines("a\n") == ["a", ""]
    assert pasted_lines("one line") == ["one line"]


def test_a_bracketed_paste_of_three_lines_runs_three_commands_in_order_each_echoed():
    async def check(app, pilot):
        field = app.query_one(ConsoleInput)
        field.value = "to"
        write_raw(app, "\x1b[200~uch sw/p1\rtouch sw/p2\rls sw\rech\x1b[201~")
        await settle(pilot)
        assert commands_run(app) == ["touch sw/p1", "touch sw/p2", "ls sw"]
        text = console_text(app)
        for line in ("[cache]# touch sw/p1", "[cache]# touch sw/p2", "[cache]# ls sw"):
            assert line in text
        assert field.value == "ech"  # the text after the last line end waits to be finished
        assert field.history[-3:] == ["touch sw/p1", "touch sw/p2", "ls sw"]

    drive(check)


def test_a_long_paste_asks_once_saying_how_many_lines():
    lines = [f"touch sw/f{i}" for i in range(8)]

    async def check(app, pilot):
        app.query_one(ConsoleInput).post_message(events.Paste("\n".join(lines) + "\n"))
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        assert "Run 8 pasted lines?" in app.screen.question
        assert commands_run(app) == []
        await pilot.press("enter")
        await settle(pilot)
        assert commands_run(app) == lines

    drive(check)


def test_a_declined_paste_runs_nothing_and_keeps_the_lines_in_the_history():
    lines = [f"touch sw/g{i}" for i in range(7)]

    async def check(app, pilot):
        app.query_one(ConsoleInput).post_message(events.Paste("\n".join(lines)))
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert commands_run(app) == []
        assert "6 pasted lines were not run" in console_text(app)
        assert app.query_one(ConsoleInput).value == "touch sw/g6"  # no line end: still being typed
        await pilot.press("ctrl+u", "up")  # (Ctrl+U clears the line)
        assert app.query_one(ConsoleInput).value == "touch sw/g5"

    drive(check)


def test_a_paste_while_a_pane_has_focus_goes_to_the_console():
    async def check(app, pilot):
        app.query_one("#queue").focus()
        await settle(pilot)
        write_raw(app, "\x1b[200~touch sw/q1\rtouch sw/q2\r\x1b[201~")
        await settle(pilot)
        assert commands_run(app) == ["touch sw/q1", "touch sw/q2"]
        assert isinstance(app.focused, ConsoleInput)

    drive(check)


# -- source FILE --------------------------------------------------------------------------------
def test_source_runs_a_script_line_by_line_each_echoed_and_logged(tmp_path):
    script = tmp_path / "demo.psnap"
    script.write_text("# a demo\ntouch sw/s1\r\nmmpsnap fs1 create -j sw\n\nls sw\n", encoding="utf-8")

    async def check(app, pilot):
        write_raw(app, f"source {script}\r")
        await settle(pilot)
        assert commands_run(app) == ["touch sw/s1", "mmpsnap fs1 create -j sw", "ls sw"]
        text = console_text(app)
        assert f"[cache]# source {script}" in text
        assert text.index("[cache]# touch sw/s1") < text.index("[cache]# mmpsnap fs1 create -j sw")
        assert len(app.session.engine.world.filesets["sw"].psnaps) == 1
        write_raw(app, "undo\r")  # each sourced command is its own undo step
        await settle(pilot)
        assert "s1" in files_at(app)

    drive(check)


def test_source_refuses_what_it_cannot_run(tmp_path):
    loop = tmp_path / "loop"
    loop.write_text(f"source {loop}\n", encoding="utf-8")
    binary = tmp_path / "bin"
    binary.write_bytes(b"\xff\xfe\x00")

    async def check(app, pilot):
        for line in (f"source {tmp_path}/missing", f"source {binary}", f"source {loop}", "source"):
            app.dashboard.run_line(line)
        text = console_text(app)
        assert f"source: cannot read {tmp_path}/missing" in text
        assert "not a text file" in text
        assert "nested more than 8 deep" in text
        assert "Usage: source FILE" in text
        assert "Traceback" not in text
        assert commands_run(app) == []

    drive(check)


def test_source_reads_no_host_file_in_the_classroom(tmp_path):
    script = tmp_path / "s"
    script.write_text("touch sw/x\n", encoding="utf-8")
    start = prepare(allow_files=False)
    result = start.session.run(f"source {script}")
    assert result.rc == 1 and "turned off" in result.lines[0]
    assert start.session.log == []


# -- keys typed anywhere --------------------------------------------------------------------------
def test_printable_keys_typed_in_another_pane_go_to_the_console():
    async def check(app, pilot):
        app.query_one("#queue").focus()
        await pilot.press(*"ls sw", "enter")
        await settle(pilot)
        assert commands_run(app) == ["ls sw"]

    drive(check)


@pytest.mark.parametrize("paused", [True, False], ids=["paused", "running"])
def test_a_burst_typed_in_another_pane_keeps_its_slashes_and_question_marks(paused):
    """`ls /gpfs/fs1` typed fast with the pair table focused (Ctrl+O) ran `ls gpfs/fs1` (tmux,
    120x40): the console's focus had not arrived when `/` did, so `/` focused the event filter.
    Once a key has gone on to the console, the keys after it are the line's."""
    async def check(app, pilot):
        app.query_one("#psnaps").focus()
        await settle(pilot)
        write_raw(app, "ls /gpfs/fs1\r")
        await settle(pilot)
        write_raw(app, "echo a?b\r")
        await settle(pilot)
        assert commands_run(app) == ["ls /gpfs/fs1", "echo a?b"]
        assert not isinstance(app.screen, HelpScreen)

    drive(check, app=make_app(paused=paused))


def test_question_mark_on_an_empty_line_opens_help_and_slash_focuses_the_filter():
    async def check(app, pilot):
        field = app.query_one(ConsoleInput)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press(*"echo a?")  # typed inside a line, it is a character
        assert field.value == "echo a?"
        app.query_one("#psnaps").focus()
        await pilot.press("slash")
        await settle(pilot)
        assert app.focused is app.query_one("#event-filter")

    drive(check)


# -- Ctrl+R ----------------------------------------------------------------------------------------
def test_ctrl_r_searches_the_history_backwards_and_resets_nothing():
    async def check(app, pilot):
        for line in ("mmlssnapshot fs1 -j sw", "touch sw/h1", "ls sw", "touch sw/h2"):
            app.dashboard.run_line(line)
            app.query_one(ConsoleInput).remember(line)
        field = app.query_one(ConsoleInput)
        field.value = "draft"
        await pilot.press("ctrl+r", *"tou")
        assert field.value == "touch sw/h2"
        assert "reverse-i-search" in field.prompt.plain
        await pilot.press("ctrl+r")
        assert field.value == "touch sw/h1"
        await pilot.press("escape")
        assert field.value == "draft" and field.prompt.plain == "[cache]# "
        await pilot.press("ctrl+u", "ctrl+r", *"mmls", "enter")
        await settle(pilot)
        assert commands_run(app)[-1] == "mmlssnapshot fs1 -j sw"
        assert len(commands_run(app)) == 5  # the world was not reset
        assert field.prompt.plain == "[cache]# "

    drive(check)


# -- kept between runs --------------------------------------------------------------------------
def test_history_is_kept_in_the_state_folder_between_runs(tmp_path):
    async def first(app, pilot):
        await pilot.press(*"sim status", "enter", *"ls sw", "enter")
        await settle(pilot)

    drive(first, app=make_app(state=tmp_path))
    assert (tmp_path / "history").read_text(encoding="utf-8") == "sim status\nls sw\n"

    async def second(app, pilot):
        await pilot.press("up")
        assert app.query_one(ConsoleInput).value == "ls sw"

    drive(second, app=make_app(state=tmp_path))


def test_quit_autosaves_and_resume_reopens_the_same_world(tmp_path):
    async def work(app, pilot):
        await pilot.press(*"touch sw/k1", "enter", *"mmpsnap fs1 create -j sw", "enter", "ctrl+q")
        await settle(pilot)

    app = drive(work, app=make_app(state=tmp_path))
    assert app.return_code == 0
    saved = tmp_path / "session.toml"
    assert saved.is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # written atomically
    start = prepare(resume=str(saved))
    assert start.session.engine.fingerprint() == app.session.engine.fingerprint()
    assert "resumed the autosaved session (2 commands run again)" in start.warnings[0]


def test_quitting_where_nothing_is_kept_says_so_once():
    async def work(app, pilot):
        await pilot.press(*"touch sw/u1", "enter", "ctrl+q")
        await settle(pilot)
        assert app.is_running
        assert "not kept here" in " ".join(str(n.message) for n in app._notifications)
        await pilot.press("ctrl+q")
        await settle(pilot)

    app = drive(work)
    assert app.return_code == 0


# -- the command line ----------------------------------------------------------------------------
def started_dashboard(monkeypatch, tmp_path, argv: list[str], classroom: bool = False):
    """What `peersnap ARGV` would open (the app is built, not run)."""
    from peersnap.tui import cli
    from peersnap.tui.app import PeersnapApp
    from peersnap.tui.settings import Settings, save

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    if classroom:
        monkeypatch.setenv("PEERSNAP_CLASSROOM", "1")
    save(Settings(speed=1000), tmp_path / "config" / "peersnap" / "config.toml")  # a demo cranked up last time
    opened = []
    monkeypatch.setattr(PeersnapApp, "run", lambda self: opened.append(self))
    assert cli.main(argv) == 0
    return opened[0].dashboard


def test_options_after_the_lesson_name_and_speed_starts_at_1x(monkeypatch, tmp_path):
    dashboard = started_dashboard(monkeypatch, tmp_path, ["lesson", "first-psnap", "--paused", "--speed", "10"])
    assert not dashboard.ticker.running and dashboard.ticker.speed == 10
    dashboard = started_dashboard(monkeypatch, tmp_path, ["--paused", "lesson", "first-psnap"])
    assert not dashboard.ticker.running
    dashboard = started_dashboard(monkeypatch, tmp_path, [])
    assert dashboard.ticker.speed == 1  # not the 1000x saved last time
    assert dashboard.state == tmp_path / "state" / "peersnap"


def test_the_classroom_keeps_no_state_and_cannot_resume(monkeypatch, tmp_path, capsys):
    dashboard = started_dashboard(monkeypatch, tmp_path, [], classroom=True)
    assert dashboard.state is None
    from peersnap.tui import cli
    assert cli.main(["--resume"]) == 2
    assert "the classroom keeps no sessions" in capsys.readouterr().err


def test_resume_without_an_autosave_says_so(monkeypatch, tmp_path, capsys):
    from peersnap.tui import cli
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert cli.main(["--resume"]) == 2
    assert "no autosaved session" in capsys.readouterr().err
