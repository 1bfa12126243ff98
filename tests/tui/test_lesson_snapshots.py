"""SVG snapshots of the lesson panel (each looked at as a picture before it was accepted).

Apps start paused with an explicit theme and no blinking cursor. Update with
`pytest tests/tui/test_lesson_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from peersnap.tui.app import make_app

WIDE = (120, 40)


def _lesson_steps(*lines: str, hint: bool = False):
    async def run_before(pilot) -> None:
        for line in lines:
            pilot.app.dashboard.run_line(line, explain=False)
        await pilot.pause()
        if hint:
            await pilot.press("ctrl+g")
        await pilot.pause()
        await pilot.pause()

    return run_before


def test_lesson_panel_mid_lesson_with_a_hint(snap_compare):
    run = _lesson_steps("echo alpha > /gpfs/fs1/sw/alpha", "sim load 2", hint=True)
    app = make_app(lesson="why-it-waits", theme="peersnap-dark", paused=True)
    assert snap_compare(app, terminal_size=WIDE, run_before=run)


def test_lesson_panel_mid_lesson_80x24(snap_compare):
    run = _lesson_steps("sim link down")
    app = make_app(lesson="disconnected", theme="peersnap-dark", paused=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run)


def test_lesson_panel_summary(snap_compare):
    run = _lesson_steps("mmpsnap fs1 create -j sw", "mmlssnapshot fs1 -j sw", "sim settle", "@home mmlssnapshot fs1")
    app = make_app(lesson="first-psnap", theme="peersnap-light", paused=True)
    assert snap_compare(app, terminal_size=WIDE, run_before=run)
