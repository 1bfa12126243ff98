"""No terminal size from 1x1 up may crash the dashboard (issue 10: 8 columns or
fewer died with a RecursionError in the console's line log, whose scrollbar
appearing and vanishing re-wrapped it for ever)."""

from __future__ import annotations

from helpers import console_text, drive, type_line

SIZES = [(1, 1), (2, 1), (1, 5), (3, 3), (5, 10), (8, 24), (9, 24), (12, 6), (20, 4), (40, 12), (80, 24)]


def test_the_dashboard_survives_resizing_through_tiny_sizes():
    async def check(app, pilot):
        await type_line(pilot, "echo hello > /gpfs/fs1/sw/a")
        await type_line(pilot, "mmpsnap fs1 create -j sw")
        for width, height in [*SIZES, *reversed(SIZES), (120, 40)]:
            await pilot.resize_terminal(width, height)
            await pilot.pause()
        await type_line(pilot, "sim status")
        assert "Simulated time" in console_text(app)

    drive(check, size=(120, 40))


def test_the_dashboard_starts_at_one_by_one_and_at_eight_columns():
    for size in ((1, 1), (8, 24), (4, 40)):
        async def check(app, pilot):
            await type_line(pilot, "mmpsnap fs1 status -j sw")
            await pilot.pause()

        drive(check, size=size)
