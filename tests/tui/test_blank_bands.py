"""The screen and its two rows of panes are Textual's BLANK widgets (no border, no content of their own:
each row drawn as its background, not rendered line by line; issue 16, first frame). What they draw
so is what Textual's full rendering draws, at every size and layout (narrow, short, tiny, a lesson)."""

from __future__ import annotations

import pytest
from helpers import drive
from peersnap.tui.app import make_app
from peersnap.tui.dashboard import Band, Dashboard
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region


def cells(strips) -> list[list[tuple[str, object]]]:
    """Each row as the cells a terminal shows: the same picture whatever the segments. A blank cell
    shows its background only (a blank row of Textual's carries the foreground colour too, unseen),
    unless something draws across it (underline, strike, overline, reverse)."""
    def cell(ch: str, style: Style | None) -> tuple[str, object]:
        style = style or Style()
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
            crop = Region(0, 0, widget.size.width, widget.size.height)
            blank = widget.render_lines(crop)
            type(widget).BLANK = False
            try:
                widget._styles_cache.clear()
                full = widget.render_lines(crop)
            finally:
                type(widget).BLANK = True
            assert cells(blank) == cells(full) and len(blank) == widget.size.height, widget

    drive(check, size=size, app=make_app(lesson=lesson))


def test_cells_tells_different_pictures_apart():
    from textual.strip import Strip

    assert cells([Strip([Segment("ab", Style(bold=True))])]) == cells([Strip([Segment("a", Style(bold=True)),
                                                                           Segment("b", Style(bold=True))])])
    assert cells([Strip([Segment("ab")])]) != cells([Strip([Segment("ab", Style(bold=True))])])
    assert cells([Strip([Segment(" ", Style(color="red"))])]) == cells([Strip([Segment(" ")])])
    assert cells([Strip([Segment(" ", Style(bgcolor="red"))])]) != cells([Strip([Segment(" ")])])
    assert cells([Strip([Segment(" ", Style(underline=True))])]) != cells([Strip([Segment(" ")])])
