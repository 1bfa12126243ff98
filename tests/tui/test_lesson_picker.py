"""The lesson picker (issue 12): every bundled lesson is a command palette entry, in the
order they are best played; choosing one asks, then opens the dashboard on it (the world
left behind autosaved). `peersnap lessons` lists the same lessons."""

from __future__ import annotations

from helpers import drive
from peersnap.core.lessons import LESSON_ORDER, bundled
from peersnap.tui.cli import main
from peersnap.tui.screens import Confirm
from peersnap.tui.widgets.lesson_panel import LessonPanel


def lesson_entries(app) -> list[str]:
    return [c.title for c in app.get_system_commands(app.screen) if c.title.startswith("Lesson ") and ":" in c.title]


def test_the_palette_lists_every_bundled_lesson_in_playing_order():
    async def check(app, pilot):
        titles = lesson_entries(app)
        assert len(titles) == len(bundled())
        assert titles[0].startswith("Lesson 1: ") and "steps)" in titles[0]

    drive(check)


def test_choosing_a_lesson_asks_then_opens_it_and_autosaves_the_world_left(tmp_path):
    from peersnap.tui.app import make_app

    async def check(app, pilot):
        app.dashboard.run_line("touch /gpfs/fs1/sw/mine")
        await pilot.pause()
        entry = next(c for c in app.get_system_commands(app.screen) if c.title.startswith("Lesson 1: "))
        entry.callback()
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("enter")
        for _ in range(4):
            await pilot.pause()
        assert app.dashboard.lesson is not None and app.dashboard.lesson.name == LESSON_ORDER[0]
        assert app.screen is app.dashboard and app.screen.query(LessonPanel)
        assert (tmp_path / "session.toml").exists() or any(tmp_path.iterdir())
        await pilot.press(*"ls", "enter")  # the new dashboard takes the keys
        await pilot.pause()
        assert "ls" in [getattr(e, "line", "") for e in app.dashboard.session.log]  # (the lesson's time runs)

    drive(check, app=make_app(state=tmp_path))


def test_declining_keeps_the_world():
    async def check(app, pilot):
        app.dashboard.run_line("touch /gpfs/fs1/sw/mine")
        first = app.dashboard
        app.open_lesson(LESSON_ORDER[1])
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.dashboard is first and app.screen is first and first.lesson is None

    drive(check)


def test_peersnap_lessons_lists_them(capsys):
    assert main(["lessons"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in LESSON_ORDER)
