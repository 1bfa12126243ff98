"""The lesson panel: each bundled lesson completed at the keyboard, hints, the
suggested command, reset, and the panel without a lesson."""

from __future__ import annotations

import pytest
from helpers import console_text, drive, notifications, type_line
from peersnap.core.lessons import bundled, load_lesson
from peersnap.tui.app import make_app
from peersnap.tui.screens import RefusalCard
from peersnap.tui.widgets.console import ConsoleInput
from peersnap.tui.widgets.lesson_panel import LessonPanel


def panel_text(app) -> str:
    panel = app.query_one(LessonPanel)
    return f"{panel.border_title}\n{panel.query_one('#lesson-body').render()}"


@pytest.mark.parametrize("name", sorted(bundled()))
def test_each_lesson_is_completed_by_typing_its_suggested_commands(name):
    lesson = load_lesson(name)
    total = len(lesson.steps)

    async def check(app, pilot):
        panel = app.query_one(LessonPanel)
        assert lesson.title in panel_text(app)
        for k, step in enumerate(lesson.steps):
            assert panel.lesson_run.index == k
            assert f"step {k + 1} of {total}" in panel_text(app)
            assert step.text in panel_text(app)
            assert panel.suggested == step.command
            await type_line(pilot, step.command)
            if isinstance(app.screen, RefusalCard):  # a step that shows a refusal: read it, close it
                await pilot.press("escape")
            await pilot.pause()
            assert panel.lesson_run.index == k + 1, f"step {k + 1} did not complete: {step.command}"
            assert f"[{'home' if step.command.startswith('@home') else 'cache'}]# " in console_text(app)
        text = panel_text(app)
        assert "Lesson complete" in text
        assert f"Steps completed: {total} of {total}" in text
        assert f"Commands used: {total}" in text
        assert "Hints taken: 0" in text

    drive(check, app=make_app(lesson=name))


def test_hint_key_reveals_the_hint_and_the_summary_counts_it():
    async def check(app, pilot):
        panel = app.query_one(LessonPanel)
        step = panel.lesson_run.step
        assert step is not None and step.hint not in panel_text(app)
        await pilot.press("ctrl+g")
        assert step.hint in panel_text(app).replace("\n", " ")
        await pilot.press("ctrl+g")  # the same step's hint counts once
        assert panel.lesson_run.hints_taken == 1
        for command in ("mmpsnap fs1 create -j sw", "mmlssnapshot fs1 -j sw", "sim settle"):
            await type_line(pilot, command)
        await pilot.press("ctrl+g")
        await type_line(pilot, "@home mmlssnapshot fs1")
        assert "Hints taken: 2" in panel_text(app)

    drive(check, app=make_app(lesson="first-psnap"))


def test_try_key_puts_the_suggested_command_in_the_console():
    async def check(app, pilot):
        field = app.query_one(ConsoleInput)
        await pilot.press("ctrl+y")
        assert field.value == "mmpsnap fs1 create -j sw"
        assert app.focused is field
        await pilot.press("enter")
        await pilot.pause()
        assert app.query_one(LessonPanel).lesson_run.index == 1
        assert app.query_one(LessonPanel).lesson_run.hints_taken == 1  # Ctrl+Y shows the hint with the answer
        assert "step 2 of 4" in panel_text(app)
        assert "mmlssnapshot fs1 -j sw" not in panel_text(app)  # the next answer waits for a hint or an attempt

    drive(check, app=make_app(lesson="first-psnap"))


def test_a_step_completes_however_the_world_gets_there():
    """A toggle (F2) or time passing completes a step as well as a typed command."""

    async def check(app, pilot):
        panel = app.query_one(LessonPanel)
        await pilot.press("f2")  # link down, by toggle
        await pilot.pause()
        assert panel.lesson_run.index == 1
        app.dashboard.ticker.speed = 1000
        await pilot.press("f7")  # run time until the fileset is Disconnected
        for _ in range(40):
            await pilot.pause(0.05)
            if panel.lesson_run.index == 2:
                break
        assert panel.lesson_run.index == 2

    drive(check, app=make_app(lesson="disconnected"))


def test_reset_starts_the_lesson_again():
    async def check(app, pilot):
        await type_line(pilot, "mmpsnap fs1 create -j sw")
        assert "step 2 of 4" in panel_text(app)
        await pilot.press("ctrl+backslash", "enter")  # reset, and yes
        await pilot.pause()
        assert "step 1 of 4" in panel_text(app)
        await type_line(pilot, "mmpsnap fs1 create -j sw")
        assert "step 2 of 4" in panel_text(app)

    drive(check, app=make_app(lesson="first-psnap"))


def test_undo_reopens_the_steps_the_undone_commands_completed():
    async def check(app, pilot):
        panel = app.query_one(LessonPanel)
        await type_line(pilot, "mmpsnap fs1 create -j sw")
        await type_line(pilot, "mmlssnapshot fs1 -j sw")
        assert "step 3 of 4" in panel_text(app)
        await pilot.press("ctrl+z")  # undoes the psnap; the listing after it leaves the log too
        await pilot.pause()
        assert "step 1 of 4" in panel_text(app)
        assert panel.lesson_run.commands_used == 3
        await type_line(pilot, "mmpsnap fs1 create -j sw")
        assert "step 2 of 4" in panel_text(app)

    drive(check, app=make_app(lesson="first-psnap"))


def test_clicking_the_suggested_command_or_the_hint_works_like_the_keys():
    """The hint comes first (issue 12): clicking it shows the hint and the command to try; clicking that fills the console."""
    async def check(app, pilot):
        panel = app.query_one(LessonPanel)
        body = panel.query_one("#lesson-body")
        rows = [body.render_line(y).text for y in range(body.size.height)]  # as drawn, wrapped
        assert not any(line.lstrip().startswith("Try ") for line in rows)
        row = next(y for y, line in enumerate(rows) if "Ctrl+G hint" in line)
        await pilot.click(body, offset=(rows[row].index("Ctrl+G") + 1, row))
        await pilot.pause()
        assert panel.lesson_run.hints_taken == 1 and "Hint " in panel_text(app)
        rows = [body.render_line(y).text for y in range(body.size.height)]
        row = next(y for y, line in enumerate(rows) if line.lstrip().startswith("Try "))
        column = rows[row].index("Try ") + len("Try ") + 2
        await pilot.click(body, offset=(column, row))
        await pilot.pause()
        assert app.query_one(ConsoleInput).value == "mmpsnap fs1 create -j sw"

    drive(check, app=make_app(lesson="first-psnap"))


def test_the_lesson_panel_fits_a_small_terminal():
    async def check(app, pilot):
        panel = app.query_one(LessonPanel)
        assert panel.region.width >= 28 and panel.region.height >= 8
        assert app.query_one("#console").region.width >= 40

    drive(check, size=(80, 24), app=make_app(lesson="why-it-waits"))


def test_lesson_keys_without_a_lesson_say_how_to_open_one():
    async def check(app, pilot):
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert "peersnap lesson NAME" in notifications(app)
        assert not app.query(LessonPanel)

    drive(check)


def test_peersnap_lesson_starts_paused_when_the_lesson_asks(monkeypatch, tmp_path):
    import argparse

    from peersnap.tui import cli
    from peersnap.tui.app import PeersnapApp

    started = {}

    def fake_run(self):
        started["running"] = self.dashboard.ticker.running

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setattr(PeersnapApp, "run", fake_run)
    for name, running in (("why-it-waits", False), ("rules", True)):
        args = argparse.Namespace(lesson=name, scenario=None, replay_session=None, theme=None, paused=False, speed=None)
        assert cli.run_dashboard(args) == 0
        assert started["running"] is running
