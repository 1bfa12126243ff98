"""Presenter mode: a prepared script stepped through with a clicker's keys."""

from __future__ import annotations

import asyncio

from peersnap.tui.cli import main
from peersnap.tui.present import Caption, PresenterApp, build_presenter
from peersnap.tui.script import parse_script
from peersnap.tui.shot import stage_for
from peersnap.tui.widgets.console import Console

TALK = """\
#: A write goes to the cache at once.
#: spotlight queue
echo hello > /gpfs/fs1/sw/a.txt
#: The peer snapshot queues its home half behind the write.
#: spotlight psnaps
mmpsnap fs1 create -j sw
mmlssnapshot fs1 -j sw
#: spotlight home
sim settle
#: That is all.
"""


def _present(test, text: str = TALK) -> PresenterApp:
    script = parse_script(text, "talk.script")
    app = build_presenter(script, stage_for(script))

    async def run() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.pause()
            await test(app, pilot)

    asyncio.run(run())
    return app


def _caption(app: PresenterApp) -> str:
    return str(app.query_one(Caption).render())


def _console(app: PresenterApp) -> str:
    return "\n".join(line.plain for line in app.query_one(Console).output.lines)


def _spotlit(app: PresenterApp) -> list[str]:
    return [w.id or "" for w in app.query(".spotlight")]


def test_clicker_keys_step_forward_with_captions_and_spotlights():
    async def test(app, pilot):
        assert app.step == 0 and "5 steps" in _caption(app) and "A write goes" in _caption(app)
        assert app.focused is None  # Space is the clicker's, not the console's
        await pilot.press("pagedown")
        assert app.step == 1 and _caption(app).startswith("A write goes to the cache at once.")
        assert "step 1 of 5" in _caption(app) and _spotlit(app) == ["queue-pane"]
        assert app.dashboard.fileset.queue.length == 1 and "[cache]# echo hello > /gpfs/fs1/sw/a.txt" in _console(app)
        await pilot.press("space")
        assert app.step == 2 and "queues its home half" in _caption(app) and _spotlit(app) == ["psnaps"]
        await pilot.press("right")
        assert app.step == 3 and "mmlssnapshot fs1 -j sw" in _caption(app) and _spotlit(app) == []
        await pilot.press("pagedown", "pagedown")
        assert app.step == 5 and "That is all." in _caption(app)
        await pilot.press("pagedown")  # past the end: nothing happens
        assert app.step == 5 and app.query_one(Console).input.value == ""

    _present(test)


def test_stepping_back_rebuilds_the_world_as_it_was():
    async def test(app, pilot):
        await pilot.press("pagedown", "pagedown", "pagedown", "pagedown")
        assert app.step == 4 and app.dashboard.fileset.queue.length == 0
        await pilot.press("pageup")
        assert app.step == 3 and app.dashboard.fileset.queue.length == 2  # the write and the psnap marker, waiting again
        assert "mmlssnapshot fs1 -j sw" in _caption(app)
        text = _console(app)
        assert text.count("[cache]# mmpsnap fs1 create -j sw") == 1 and "sim settle" not in text
        assert "started again" not in text
        await pilot.press("left", "left")
        assert app.step == 1 and app.dashboard.fileset.queue.length == 1 and _spotlit(app) == ["queue-pane"]
        await pilot.press("pageup", "pageup")  # before the first step: stays at the start
        assert app.step == 0 and app.dashboard.fileset.queue.length == 0 and _spotlit(app) == []
        await pilot.press("space")
        assert app.step == 1 and app.dashboard.fileset.queue.length == 1

    _present(test)


def test_a_refused_step_does_not_stop_the_clicker():
    async def test(app, pilot):
        await pilot.press("pagedown", "pagedown")
        assert app.step == 2 and "6027-2224" in _console(app)
        assert isinstance(app.screen, type(app.screen)) and not app.screen.is_modal

    _present(test, "@home mmafmconfig disable /gpfs/fs1/sw\nmmpsnap fs1 create -j sw\n")


def test_present_refuses_bad_input_in_one_line(tmp_path, capsys):
    assert main(["present", str(tmp_path / "missing.script")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    script = tmp_path / "talk.script"
    script.write_text("#: spotlight stage\nsim status\n", encoding="utf-8")
    assert main(["present", str(script)]) == 2
    assert "unknown pane 'stage'" in capsys.readouterr().err


def test_stepping_with_time_running():
    async def test(app, pilot):
        await pilot.press("f7")  # the presenter resumes time
        assert app.dashboard.ticker.running
        await pilot.press("pagedown", "pagedown")
        await pilot.pause(0.3)
        assert app.session.engine.now > 1_000_000  # the psnap's quiesce second, then real time at 1x
        await pilot.press("pageup")
        assert app.step == 1 and app.dashboard.fileset.queue.length == 1 and not app.dashboard.fileset.psnaps

    _present(test)
