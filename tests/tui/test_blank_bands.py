"""The screen and its two rows of panes are Textual's BLANK widgets (no border, no content of their own:
each row drawn as its background, not rendered line by line), and the console, the event log and the
queue pane are frames (their inside rows rendered once; issue 16, first frame). What they draw so is
what Textual's full rendering draws, at every size and layout (narrow, short, tiny, a lesson), focused
or not."""

from __future__ import annotations

import pytest
from helpers import drive
from peersnap.tui.app import make_app
from peersnap.tui.dashboard import Band, Dashboard
from peersnap.tui.widgets.frame import Frame
from peersnap.tui.widgets.line_view import LineView
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region


def cells(strips) -> list[list[tuple[str, object]]]:
    """Each row as the cells a terminal shows: the same picture whatever the segments, and whatever
    they carry unseen (Textual's content marks each cell's offset, for selecting text). A blank cell
    shows its background only (a blank row of Textual's carries the foreground colour too, unseen),
    unless something draws across it (underline, strike, overline, reverse)."""
    def cell(ch: str, style: Style | None) -> tuple[str, object]:
        style = (style or Style()).clear_meta_and_links()
        if ch == " " and not (style.underline or style.strike or style.overline or style.reverse):
            return ch, Style(bgcolor=style.bgcolor)
        return ch, style
    return [[cell(ch, seg.style) for seg in strip for ch in seg.text] for strip in strips]


@pytest.mark.parametrize("size", [(200, 60), (120, 40), (80, 24), (60, 20), (40, 12)])
@pytest.mark.parametrize("lesson", [None, "first-psnap"])
def test_the_blank_widgets_draw_what_a_full_rendering_draws(size, lesson):
    async def check(app, pilot):
        widgets = [app.screen, *app.screen.query(Band)]
        assert isinstance(app.screen, Dashboard) and len(widgets) == 3
        for widget in widgets:
            assert widget.BLANK
            styles = widget.styles
            assert not any(edge[0] for edge in (styles.border_top, styles.border_right, styles.border_bottom,
                                                styles.border_left)), widget
            assert tuple(styles.padding) == (0, 0, 0, 0) and not widget.border_title
            crop = Region(0, 0, widget.outer_size.width, widget.outer_size.height)
            blank = widget.render_lines(crop)
            type(widget).BLANK = False
            try:
                widget._styles_cache.clear()
                full = widget.render_lines(crop)
            finally:
                type(widget).BLANK = True
            assert cells(blank) == cells(full) and len(blank) == widget.outer_size.height, widget

    drive(check, size=size, app=make_app(lesson=lesson))


def test_cells_tells_different_pictures_apart():
    from textual.strip import Strip

    assert cells([Strip([Segment("ab", Style(bold=True))])]) == cells([Strip([Segment("a", Style(bold=True)),
                                                                           Segment("b", Style(bold=True))])])
    assert cells([Strip([Segment("ab")])]) != cells([Strip([Segment("ab", Style(bold=True))])])
    assert cells([Strip([Segment(" ", Style(color="red"))])]) == cells([Strip([Segment(" ")])])
    assert cells([Strip([Segment(" ", Style(bgcolor="red"))])]) != cells([Strip([Segment(" ")])])
    assert cells([Strip([Segment(" ", Style(underline=True))])]) != cells([Strip([Segment(" ")])])


def full_rendering(widget, crop):
    """What Textual's own `render_lines` draws for `widget` (the Vertical's, not the frame's)."""
    widget._styles_cache.clear()
    return super(Frame, widget).render_lines(crop)


@pytest.mark.parametrize("size", [(200, 60), (120, 40), (80, 24), (60, 20), (40, 12), (120, 8)])
@pytest.mark.parametrize("lesson", [None, "first-psnap"])
def test_the_frames_draw_what_a_full_rendering_draws(size, lesson):
    async def check(app, pilot):
        frames = list(app.screen.query(Frame))
        assert {f.id for f in frames} == {"console", "events", "queue-pane"}
        for focus in ("#console-input", "#event-filter"):
            app.screen.query_one(focus).focus()
            await pilot.pause()
            for frame in frames:
                height, width = frame.outer_size.height, frame.outer_size.width
                for crop in (Region(0, 0, width, height), Region(1, 1, max(width - 2, 0), max(height - 1, 0)),
                             Region(0, height - 1, width, 1)):
                    frame._styles_cache.clear()
                    mine = frame.render_lines(crop)
                    assert cells(mine) == cells(full_rendering(frame, crop)), (frame, crop, focus)
                    assert len(mine) == crop.height

    drive(check, size=size, app=make_app(lesson=lesson))


def lines_rendering(view, crop):
    """What Textual's own `render_lines` draws for a line view (row by row)."""
    view._styles_cache.clear()
    return super(LineView, view).render_lines(crop)


@pytest.mark.parametrize("size", [(200, 60), (120, 40), (80, 24), (60, 20), (40, 12)])
def test_the_line_views_blank_rows_are_what_a_full_rendering_draws(size):
    """The console, the event log's lines, the queue and the bordered panes (files, pairs), empty,
    filled, scrolled (sideways too) and cropped."""
    async def check(app, pilot):
        dashboard = app.dashboard
        for step in range(4):
            if step == 1:
                for i in range(3):
                    dashboard.run_line(f"echo v{i} > /gpfs/fs1/sw/f{i}")
            elif step == 2:
                dashboard.run_line("sim load 300")
                dashboard.run_line("mmafmctl fs1 getstate")  # (GPFS lines: the console scrolls sideways)
                dashboard.run_line("mmpsnap fs1 create -j sw")
                for i in range(40):
                    dashboard.run_line(f"ls /gpfs/fs1/sw/f{i % 3}")
            elif step == 3:
                for view in app.screen.query(LineView):
                    view.scroll_to(y=max(view.virtual_size.height // 2, 0), animate=False, immediate=True)
            await pilot.pause()
            views = list(app.screen.query(LineView))
            assert {"console-output", "event-lines", "queue", "cache-pane", "home-pane", "psnaps"} <= \
                {v.id for v in views}
            for view in views:
                height, width = view.outer_size.height, view.outer_size.width
                for crop in (Region(0, 0, width, height), Region(0, 1, width, max(height - 2, 0)),
                             Region(2, height // 2, max(width - 4, 0), height - height // 2)):
                    view._styles_cache.clear()
                    mine = view.render_lines(crop)
                    assert cells(mine) == cells(lines_rendering(view, crop)), (view, crop, step)
                    assert len(mine) == crop.height

    drive(check, size=size)


@pytest.mark.parametrize("size", [(200, 60), (120, 40), (80, 24), (40, 12)])
def test_the_toggle_bars_row_is_what_textuals_content_rendering_draws(size):
    """The toggle bar draws its row from its content's segments (line_view.content_row): focused, with
    the cursor moved, hovered, after toggles changed the world, in both themes."""
    from peersnap.tui.widgets.toggle_bar import ToggleBar
    from textual.widget import Widget

    async def check(app, pilot):
        bar = app.query_one(ToggleBar)

        def same() -> None:
            mine = bar.render_line(0)
            bar._styles_cache.clear()
            theirs = Widget.render_line(bar, 0)
            assert cells([mine]) == cells([theirs]) and mine.cell_length == bar.size.width
            assert bar.render_line(1).cell_length == bar.size.width

        same()
        bar.focus()
        await pilot.pause()
        same()
        bar.action_cursor(2)
        bar._set_hover(1)
        same()
        for line in ("sim link down", "@home mmafmconfig disable /gpfs/fs0/home", "sim protocol nsd"):
            app.dashboard.run_line(line)
        app.dashboard.refresh_view()
        await pilot.pause()
        same()

    drive(check, size=size)
    drive(check, size=size, app=make_app(theme="peersnap-light"))


def test_content_wider_than_its_widget_is_left_to_textual():
    """(Textual wraps it; a row cut at the width would differ.)"""
    from peersnap.tui.widgets.line_view import content_row
    from peersnap.tui.widgets.toggle_bar import ToggleBar
    from textual.content import Content

    async def check(app, pilot):
        bar = app.query_one(ToggleBar)
        assert content_row(bar, Content("x" * (bar.size.width + 1)), 0) is None
        assert content_row(bar, Content("a\nb"), 0) is None
        assert content_row(bar, Content("x" * bar.size.width), 0).text == "x" * bar.size.width

    drive(check, size=(60, 20))
