"""SVG snapshots of the dashboard (each one looked at as a picture before it was accepted).

Apps start paused, with a fixed theme and no blinking cursor, so every run
draws the same frame. Update with `pytest tests/tui --snapshot-update`.
"""

from __future__ import annotations

from peersnap.tui.app import make_app

WIDE = (120, 40)


def _lines(*lines: str):
    async def run_before(pilot) -> None:
        for line in lines:
            pilot.app.dashboard.run_line(line)
        await pilot.pause()
        await pilot.pause()

    return run_before


def test_default_screen(snap_compare):
    assert snap_compare(make_app(), terminal_size=WIDE)


def test_psnap_queued_behind_writes(snap_compare):
    run = _lines(
        "echo hello > /gpfs/fs1/sw/a.txt",
        "echo 'Q4 numbers' >> /gpfs/fs1/sw/data/report.txt",
        "sim load 6",
        "mmpsnap fs1 create -j sw",
        "echo after > /gpfs/fs1/sw/b.txt",
    )
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=run)


def test_disconnected_with_pending_home_psnap(snap_compare):
    run = _lines(
        "echo hello > /gpfs/fs1/sw/a.txt",
        "sim link down",
        "sim advance 61s",
        "mmpsnap fs1 create -j sw",
    )
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=run)


def test_refusal_card(snap_compare):
    async def run(pilot) -> None:
        pilot.app.dashboard.run_line("@home mmafmconfig disable /gpfs/fs1/sw")
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=WIDE, run_before=run)


def test_light_theme_with_completed_pair(snap_compare):
    run = _lines("echo hello > /gpfs/fs1/sw/a.txt", "mmpsnap fs1 create -j sw", "sim settle")
    assert snap_compare(make_app(theme="peersnap-light"), terminal_size=WIDE, run_before=run)


def test_small_terminal_80x24(snap_compare):
    run = _lines("echo hello > /gpfs/fs1/sw/a.txt", "sim load 20", "mmpsnap fs1 create -j sw")
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run)


def test_large_terminal_200x60(snap_compare):
    run = _lines("echo hello > /gpfs/fs1/sw/a.txt", "mmpsnap fs1 create -j sw", "sim settle", "sim load 30",
                 "mmpsnap fs1 create -j sw")
    assert snap_compare(make_app(), terminal_size=(200, 60), run_before=run)


LAYOUT_WORLD = ("echo hello > /gpfs/fs1/sw/a.txt", "mmpsnap fs1 create -j sw", "sim settle", "sim load 3",
                "mmpsnap fs1 create -j sw", "@home mmafmconfig disable /gpfs/fs1/sw")


def test_layout_80x24(snap_compare):
    """The same world at three sizes (issue 12): footer with Help, Undo, more and Quit; one psnap-name rule."""
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_lines(*LAYOUT_WORLD))


def test_layout_120x40(snap_compare):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=_lines(*LAYOUT_WORLD))


def test_layout_200x60(snap_compare):
    assert snap_compare(make_app(), terminal_size=(200, 60), run_before=_lines(*LAYOUT_WORLD))


def test_help_at_80x24(snap_compare):
    async def run(pilot) -> None:
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run)


def test_help_at_200x60(snap_compare):
    """F1 help in a big terminal: each description beside its key and title, on one row where it fits."""
    async def run(pilot) -> None:
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(200, 60), run_before=run)
