"""SVG snapshots of the why highlight and the timeline strip (each looked at as a picture).

Update with `pytest tests/tui/test_snapshots_time.py --snapshot-update`, then look at every
changed SVG as a PNG (`rsvg-convert`).
"""

from __future__ import annotations

from peersnap.tui.app import make_app
from peersnap.tui.widgets.psnap_table import PsnapTable

WIDE = (120, 40)


def _lines(*lines: str, select_pair: bool = False):
    async def run_before(pilot) -> None:
        dashboard = pilot.app.dashboard
        for line in lines:
            dashboard.run_line(line)
        await pilot.pause()
        if select_pair:
            table = pilot.app.query_one(PsnapTable)
            table.select(table.names[0])
        await pilot.pause()
        await pilot.pause()

    return run_before


def test_a_selected_pair_highlights_the_ops_ahead_with_their_countdowns(snap_compare):
    """Ops queued 0, 4 and 8 s ago wait 15 s each: their bars show 15, 11 and 7 s still to wait; the psnap
    marker and the write after it are outside the highlight and fade."""
    run = _lines(
        "echo hello > /gpfs/fs1/sw/a.txt", "sim advance 4s",
        "echo more > /gpfs/fs1/sw/b.txt", "sim advance 4s",
        "echo last > /gpfs/fs1/sw/c.txt",
        "mmpsnap fs1 create -j sw",
        "echo after > /gpfs/fs1/sw/d.txt",
        select_pair=True,
    )
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=run)


def test_the_timeline_shows_pairs_an_outage_and_the_queue(snap_compare):
    """Two pairs: the first waited 15 s for its ops; the second was taken disconnected and its home
    half came after the link returned. The outage is shaded; the sparkline follows the queue."""
    run = _lines(
        "echo one > /gpfs/fs1/sw/a.txt",
        "mmpsnap fs1 create -j sw",
        "sim advance 20s",
        "sim link down",
        "echo two > /gpfs/fs1/sw/b.txt",
        "sim load 5",
        "sim advance 70s",
        "mmpsnap fs1 create -j sw",
        "sim advance 20s",
        "sim link up",
        "sim advance 30s",
        "echo three > /gpfs/fs1/sw/c.txt",
    )
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=run)
