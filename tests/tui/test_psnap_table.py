"""The peer snapshot table: the home half's state follows the pair and its queue, as data."""

from __future__ import annotations

from helpers import drive
from peersnap.tui.widgets.psnap_table import PsnapTable


def _home_cell(app) -> str:  # type: ignore[no-untyped-def]
    row = app.query_one(PsnapTable).text.splitlines()[1]
    return row.split("  at ", 1)[1].split("  ", 1)[1].strip()


def test_the_home_half_says_what_it_waits_for():
    async def check(app, pilot):
        run = app.dashboard.run_line
        run("echo a > /gpfs/fs1/sw/a")
        run("echo b > /gpfs/fs1/sw/b")
        run("mmpsnap fs1 create -j sw")
        await pilot.pause()
        assert _home_cell(app).startswith("queued behind 2 ops")
        run("mmafmctl fs1 stop -j sw")
        await pilot.pause()
        assert _home_cell(app).startswith("queued (replication stopped)")
        run("mmafmctl fs1 start -j sw")
        run("sim link down")
        await pilot.pause()
        assert _home_cell(app).startswith("pending reconnect")
        run("sim link up")
        run("sim settle")
        await pilot.pause()
        assert _home_cell(app).startswith("created id 8 at ")
        assert "✔ identical" in app.query_one(PsnapTable).text

    drive(check)
