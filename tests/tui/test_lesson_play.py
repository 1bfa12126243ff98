"""Every bundled lesson played as a learner plays it (issue 12): each step's suggested
command typed into the console, with time paused and with time running at 1x and a real
second between commands. A step whose check already holds when it opens completes at
once, with a ✔ and one line of why; an expected refusal shows in the panel, not a card."""

from __future__ import annotations

import pytest
from helpers import drive
from peersnap.core.lessons import LESSON_ORDER, bundled, load_lesson
from peersnap.tui.app import make_app
from peersnap.tui.screens import RefusalCard
from peersnap.tui.widgets.console import ConsoleInput
from peersnap.tui.widgets.lesson_panel import LessonPanel
from textual._xterm_parser import XTermParser


def panel_text(app) -> str:
    return app.query_one("#lesson-body").render().plain


def type_raw(app, line: str) -> None:
    for event in XTermParser().feed(line + "\r"):
        app.post_message(event)


@pytest.mark.parametrize("running", [False, True], ids=["paused", "running-1x"])
@pytest.mark.parametrize("name", sorted(bundled()))
def test_every_bundled_lesson_can_be_finished_as_a_learner_plays_it(name, running):
    lesson = load_lesson(name)

    async def play(app, pilot):
        panel = app.query_one(LessonPanel)
        for i, step in enumerate(lesson.steps):
            if panel.lesson_run.index > i:
                continue  # time completed it while the learner read the step before
            type_raw(app, step.command)
            if running:
                await pilot.pause(1.0)  # a second between commands, time running at 1x
            for _ in range(6):
                await pilot.pause()
            assert panel.lesson_run.index > i, (step.command, panel_text(app))
            assert not isinstance(app.screen, RefusalCard)  # an expected refusal is the panel's
        assert panel.lesson_run.done
        assert "Lesson complete" in panel_text(app)
        assert app.dashboard.ticker.running is running
        assert app.query_one(ConsoleInput).value == ""

    drive(play, app=make_app(lesson=name, paused=not running))


def test_first_psnap_with_time_running_completes_the_settle_step_at_once_and_says_why():
    async def play(app, pilot):
        panel = app.query_one(LessonPanel)
        type_raw(app, "mmpsnap fs1 create -j sw")
        await pilot.pause(1.0)  # time runs: the home half is taken now, during step 2
        type_raw(app, "mmlssnapshot fs1 -j sw")
        for _ in range(6):
            await pilot.pause()
        assert panel.lesson_run.index == 3  # step 3's check already held when it opened
        text = panel_text(app)
        assert "step 4 of 4" in text
        assert "✔ step 2: you ran it on cache" in text
        assert "✔ step 3: the home half on sw is taken: both halves hold the same data" in text

    drive(play, app=make_app(lesson="first-psnap", paused=False))


def test_the_command_to_try_appears_after_a_hint_or_a_wrong_attempt():
    async def play(app, pilot):
        assert "Try mmpsnap" not in panel_text(app)
        type_raw(app, "sim status")  # a wrong attempt
        for _ in range(4):
            await pilot.pause()
        assert "Try mmpsnap fs1 create -j sw" in panel_text(app)
        type_raw(app, "mmpsnap fs1 create -j sw")
        for _ in range(4):
            await pilot.pause()
        assert "Try mmlssnapshot" not in panel_text(app)
        await pilot.press("ctrl+g")
        assert "Try mmlssnapshot fs1 -j sw" in panel_text(app)

    drive(play, app=make_app(lesson="first-psnap"))


def test_ctrl_y_keeps_what_the_learner_typed_in_the_history():
    async def play(app, pilot):
        field = app.query_one(ConsoleInput)
        await pilot.press(*"mmpsnap fs1 crea")
        await pilot.press("ctrl+y")
        assert field.value == "mmpsnap fs1 create -j sw"
        await pilot.press("up")
        assert field.value == "mmpsnap fs1 crea"

    drive(play, app=make_app(lesson="first-psnap"))


def test_the_summary_points_at_the_next_lesson():
    lesson = load_lesson("first-psnap")

    async def play(app, pilot):
        for step in lesson.steps:
            app.dashboard.run_line(step.command)
        for _ in range(4):
            await pilot.pause()
        assert f"Next: peersnap lesson {LESSON_ORDER[1]}" in panel_text(app)

    drive(play, app=make_app(lesson="first-psnap"))
    assert set(LESSON_ORDER) == set(bundled())
