"""The gateway queue view renders only its visible rows: a big queue scrolls like a small one."""

from __future__ import annotations

from helpers import drive
from peersnap.core.session import Session
from peersnap.tui.app import make_app
from peersnap.tui.widgets.queue_view import QueueView


def test_a_big_queue_scrolls_to_its_end_and_shows_psnap_markers():
    session = Session()
    session.run("sim load 20000")
    session.run("mmpsnap fs1 create -j sw")

    async def check(app, pilot):
        view = app.query_one(QueueView)
        assert view.virtual_size.height == 20002
        view.focus()
        await pilot.press("end")
        await pilot.pause()
        height = view.scrollable_content_region.height
        rows = [view.render_line(y).text for y in range(height)]
        assert "#20002 PSNAP" in rows[-1]
        assert "◆" in rows[-1]
        await pilot.press("home")
        await pilot.pause()
        assert "#1 mkdir" in view.render_line(0).text
        summary = str(app.query_one("#queue-summary").render())
        assert "length 20,002" in summary and "psnap #20002: 20,001 ahead" in summary

    drive(check, app=make_app(session=session))
