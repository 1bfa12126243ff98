"""The console: focus at start, commands like a terminal, history, completion, @home."""

from __future__ import annotations

from helpers import console_text, drive, type_line
from peersnap.tui.app import make_app
from peersnap.tui.widgets.console import Console, ConsoleInput, apply_completion, cluster_of


def test_console_has_focus_at_start():
    async def check(app, pilot):
        assert isinstance(app.focused, ConsoleInput)

    drive(check)


def test_a_typed_command_runs_and_shows_its_output_like_a_terminal():
    async def check(app, pilot):
        await type_line(pilot, "mmpsnap fs1 create -j sw")
        text = console_text(app)
        assert "[cache]# mmpsnap fs1 create -j sw" in text
        assert "Core snapshot has been queued." in text
        assert len(app.session.engine.world.filesets["sw"].psnaps) == 1

    drive(check)


def test_at_home_runs_on_home_and_the_prompt_says_so():
    async def check(app, pilot):
        console = app.query_one(Console)
        console.input.value = "@home mmlssnapshot fs1"
        await pilot.pause()
        assert console.input.prompt.plain == "[home]# "
        await pilot.press("enter")
        await pilot.pause()
        assert "[home]# mmlssnapshot fs1" in console_text(app)

    drive(check)


def test_history_walks_up_and_down_and_keeps_the_draft():
    async def check(app, pilot):
        await type_line(pilot, "sim status")
        await type_line(pilot, "help")
        field = app.query_one(ConsoleInput)
        field.value = "draft"
        await pilot.press("up")
        assert field.value == "help"
        await pilot.press("up")
        assert field.value == "sim status"
        await pilot.press("up")
        assert field.value == "sim status"
        await pilot.press("down")
        assert field.value == "help"
        await pilot.press("down")
        assert field.value == "draft"

    drive(check)


def test_tab_completes_command_names_options_filesets_and_snapshot_names():
    async def check(app, pilot):
        field = app.query_one(ConsoleInput)
        for typed, expected in [
            ("mmps", "mmpsnap "),
            ("mmpsnap fs1 cr", "mmpsnap fs1 create "),
            ("mmpsnap fs1 create --wa", "mmpsnap fs1 create --wait "),
            ("mmpsnap fs1 create -j s", "mmpsnap fs1 create -j sw"),
        ]:
            field.value = typed
            field.cursor_position = len(typed)
            await pilot.press("tab")
            assert field.value == expected, typed
        app.dashboard.run_line("mmpsnap fs1 create -j sw")
        name = next(iter(app.session.engine.world.filesets["sw"].psnaps))
        field.value = "mmpsnap fs1 delete -j sw -s psn"
        field.cursor_position = len(field.value)
        await pilot.press("tab")
        assert field.value.startswith(f"mmpsnap fs1 delete -j sw -s {name}")

    drive(check)


def test_ambiguous_completion_lists_the_choices():
    async def check(app, pilot):
        field = app.query_one(ConsoleInput)
        field.value = "sim l"
        field.cursor_position = 5
        await pilot.press("tab")
        await pilot.pause()
        assert field.value == "sim l"
        assert "link  load" in console_text(app)

    drive(check)


def test_bad_input_is_an_error_line_never_a_traceback():
    async def check(app, pilot):
        for line in ("nosuchcommand", "mmpsnap", "echo 'unterminated", "@mars ls", "ls /nowhere", "\x00"):
            app.dashboard.run_line(line)
        await pilot.pause()
        text = console_text(app)
        assert "command not found" in text
        assert "Traceback" not in text

    drive(check)


def test_completion_helpers():
    assert apply_completion("mmp", ["mmpsnap "]) == ("mmpsnap ", [])
    assert apply_completion("sim l", ["sim link ", "sim load "]) == ("sim l", ["link", "load"])
    assert apply_completion("x", []) == ("x", [])
    assert cluster_of("@home ls") == "home"
    assert cluster_of("ls") == "cache"


def test_tab_after_a_subcommand_lists_its_options_once_and_a_typo_gets_a_did_you_mean():
    """Typed as a user does, keys one at a time; Tab twice on the same line lists once."""
    async def check(app, pilot):
        field = app.query_one(ConsoleInput)
        await pilot.press(*"mmpsnap", "space", *"fs1", "space", *"create", "space", "tab")
        await pilot.pause()
        assert field.value == "mmpsnap fs1 create -"  # what every option starts with, as bash does
        assert console_text(app).endswith("--comment  --uid  --wait  -j")
        before = console_text(app)
        await pilot.press("tab")
        await pilot.pause()
        assert console_text(app) == before  # not listed again
        await pilot.press("j", "space", *"sw", "space", "tab")
        await pilot.pause()
        assert console_text(app).endswith("--comment  --uid  --wait")
        field.value = ""
        await pilot.press(*"mmpsnap", "space", *"fs1", "space", *"crate", "tab")
        await pilot.pause()
        assert field.value == "mmpsnap fs1 crate"  # nothing typed for the user
        assert console_text(app).endswith("crate: no such word here; did you mean create?")
        await pilot.press("tab")
        await pilot.pause()
        assert console_text(app).count("did you mean create?") == 1

    drive(check)
    drive(check, app=make_app(paused=False))
