"""Layout that follows the terminal (issue 12): the footer keeps Help and Quit and says more
keys exist; F1 help fits any size; one psnap-name rule in every pane; PageUp/PageDown scroll
the console from the prompt; shrinking to 90x28 and growing to 130x45 gives the full layout
back."""

from __future__ import annotations

import pytest
from helpers import drive
from peersnap.tui import format as fmt
from peersnap.tui.actions import ACTIONS
from peersnap.tui.app import make_app
from peersnap.tui.layout import Room
from peersnap.tui.screens import KEY_AND_TITLE, HelpScreen
from peersnap.tui.why_card import WhyCard
from peersnap.tui.widgets.console import ConsoleInput
from peersnap.tui.widgets.event_log import EventLog
from peersnap.tui.widgets.file_pane import FilePane
from peersnap.tui.widgets.key_bar import KeyBar, key_bar_markup
from peersnap.tui.widgets.line_log import LineLog
from peersnap.tui.widgets.psnap_table import PsnapTable
from peersnap.tui.widgets.queue_view import QueueView
from textual.widgets import Static

NAME = "psnap-13882361812785649740-C0A80E85:4F44B305-59-16-10-27-02-27-28"


@pytest.mark.parametrize("width", [40, 60, 80, 100, 120, 150, 200])
def test_the_footer_keeps_help_and_quit_and_says_more_keys_exist(width):
    text = key_bar_markup(width).plain
    assert text.startswith("F1 Help") and text.endswith("^Q Quit")
    assert len(text) <= width
    everything = key_bar_markup(1000).plain
    assert ("^P more" in text) == (text != everything)
    if width >= 40:
        assert "^Z Undo" in text


def test_fit_psnap_is_one_rule():
    assert fmt.fit_psnap(NAME, len(NAME)) == NAME
    assert fmt.fit_psnap(NAME, 40) == "…59-16-10-27-02-27-28" == fmt.short_psnap(NAME)
    assert fmt.fit_psnap(NAME, 15) == "…10-27-02-27-28"


def test_every_pane_shows_a_psnap_by_the_same_tail():
    async def check(app, pilot):
        app.dashboard.run_line("echo a > /gpfs/fs1/sw/a")
        app.dashboard.run_line("mmpsnap fs1 create -j sw")
        await pilot.pause()
        name = next(iter(app.session.engine.world.filesets["sw"].psnaps))
        tail = fmt.short_psnap(name)
        texts = {
            "table": app.query_one(PsnapTable).text,
            "queue": "\n".join(str(app.query_one(QueueView).render_line(y).text) for y in range(6)),
            "cache pane": app.query_one("#cache-pane", FilePane).text,
            "events": "\n".join(r.text for r in app.query_one(EventLog).records),
        }
        for where, text in texts.items():
            assert name in text or tail in text, f"{where}: {text}"
            assert "psnap-…" not in text and "psnap-138…" not in text, where

    drive(check)


def test_a_commented_psnap_has_the_same_short_form_as_the_others():
    """`--comment nightly` names it `nightly-psnap-…`: the short form keeps the comment and the
    same tail (`nightly-…59-16-10-27-02-27-28`, what the event log shows); it was the whole
    name in the pair table and `…F44B305-59-…` or `…4F44B305-59-…` in the file panes."""
    named = "nightly-" + NAME
    assert fmt.short_psnap(named) == "nightly-…59-16-10-27-02-27-28"
    assert fmt.fit_psnap(named, 40) == fmt.short_psnap(named)
    assert fmt.short_psnap("psnap-42-C0A80E85:4F44B305-59-16-10-27-02-27-28") == "…59-16-10-27-02-27-28"  # --uid 42


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_a_commented_psnap_keeps_the_pair_table_in_its_width_and_every_pane_on_one_tail(size):
    """The pair table pushed its Home half and Same data columns off the screen for a
    commented psnap (the full 76-character name); every pane shows the comment and the tail."""
    async def check(app, pilot):
        app.dashboard.run_line("mmpsnap fs1 create -j sw --comment nightly")
        app.dashboard.run_line("sim settle")
        await pilot.pause()
        await pilot.pause()
        name = next(iter(app.session.engine.world.filesets["sw"].psnaps))
        short = fmt.short_psnap(name)
        table = app.query_one(PsnapTable)
        room = table.scrollable_content_region.width
        lines = table.text.splitlines()
        assert all(len(line) <= room for line in lines), (room, lines)
        assert "identical" in lines[-1]
        texts = {
            "table": table.text,
            "cache pane": app.query_one("#cache-pane", FilePane).text,
            "home pane": app.query_one("#home-pane", FilePane).text,
            "events": "\n".join(r.text for r in app.query_one(EventLog).records),
        }
        if size[0] < 100:  # at 80 columns every pane takes the rule's last form: as much of the end as fits
            assert name.endswith(lines[-1].split()[0].lstrip("…"))
            return
        for where, text in texts.items():
            assert name in text or short in text, f"{where}: {text}"

    drive(check, size=size)


@pytest.mark.parametrize("size", [(80, 24), (60, 20), (120, 40), (200, 60)])
def test_f1_help_fits_the_terminal_without_a_ragged_wrap(size):
    async def check(app, pilot):
        await pilot.press("f1")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        room = help_screen.query_one("#help").scrollable_content_region.width  # what is drawn, not what was planned
        assert help_screen.text_width() == room
        tables = list(help_screen.query(Static))[2:]  # (the title and the prose paragraph wrap as prose does)
        assert len(tables) > 4
        for static in tables:
            for line in static.visual.plain.split("\n"):
                assert len(line) <= room, (size, line)

    drive(check, size=size)


def test_pageup_and_pagedown_at_the_prompt_scroll_the_console():
    async def check(app, pilot):
        for i in range(60):
            app.dashboard.run_line(f"echo line {i}")
        await pilot.pause()
        output = app.query_one("#console-output", LineLog)
        bottom = output.scroll_y
        await pilot.press("pageup")
        await pilot.pause()
        assert output.scroll_y < bottom
        assert app.focused is app.query_one("#console-input")
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        assert output.scroll_y == bottom

    drive(check)


def test_shrink_to_90x28_then_grow_to_130x45_gives_the_full_layout_back():
    async def check(app, pilot):
        full = dict(Room(130, 45).screen_classes(lesson=False))
        await pilot.resize_terminal(90, 28)
        await pilot.pause()
        assert app.dashboard.has_class("tiny") and app.dashboard.has_class("short")
        await pilot.resize_terminal(130, 45)
        for _ in range(3):
            await pilot.pause()
        for name, on in full.items():
            assert app.dashboard.has_class(name) == on, name
        assert app.query_one("#events").display and app.query_one("#timeline").display
        assert key_bar_markup(130).plain == str(app.query_one(KeyBar).render())
        assert "protocol NFS" in str(app.query_one("#toggles").render())  # the full labels, not the compact

    drive(check, size=(130, 45))
    drive(check, size=(130, 45), app=make_app(paused=False))


def test_the_event_logs_wrapped_lines_start_under_the_text_column():
    """Cause first, and a long event's later rows indented under its text, not at column 0."""
    async def check(app, pilot):
        app.dashboard.run_line("@home mmafmconfig disable /gpfs/fs1/sw")
        app.dashboard.run_line("mmpsnap fs1 create -j sw")
        await pilot.pause()
        log = app.query_one("#event-lines", LineLog)
        rows = [log.render_line(y).text for y in range(log.size.height)]
        rows = [r.rstrip() for r in rows if r.strip()]
        firsts = [r for r in rows if r[:2].isdigit()]
        later = [r for r in rows if not r[:2].isdigit()]
        assert firsts and later
        assert all(r.startswith(" " * 22) for r in later), rows
        assert next(i for i, r in enumerate(rows) if "[cache]# mmpsnap" in r) < \
            next(i for i, r in enumerate(rows) if "refused" in r)

    drive(check)


def test_at_80x24_the_pair_table_fits_and_the_panes_columns_do_not_touch():
    async def check(app, pilot):
        app.dashboard.run_line("echo a > /gpfs/fs1/sw/a")
        app.dashboard.run_line("mmpsnap fs1 create -j sw")
        await pilot.pause()
        table = app.query_one(PsnapTable)
        room = table.scrollable_content_region.width - table.PAD_LEFT
        lines = table.text.split("\n")
        assert lines[0].rstrip().endswith("Same data")
        assert all(len(line) <= room for line in lines), (room, lines)
        assert "waits for home" in lines[1]
        cache, queue, home = (app.query_one(f"#{name}") for name in ("cache-pane", "queue-pane", "home-pane"))
        assert queue.region.x > cache.region.right and home.region.x > queue.region.right  # a blank column each
        name = next(iter(app.session.engine.world.filesets["sw"].psnaps))
        snap_row = app.query_one("#cache-pane", FilePane).text.split("\n")[-1]
        assert snap_row.endswith(name[-8:]) and len(snap_row) <= cache.scrollable_content_region.width

    drive(check, size=(80, 24))


def test_f1_help_wraps_a_long_description_under_its_own_column():
    async def check(app, pilot):
        await pilot.press("f1")
        await pilot.pause()
        table = list(app.screen.query(Static))[3]  # the Dashboard group's keys
        rows = [strip.text.rstrip() for strip in table.render_lines(table.region.reset_offset)]
        later = [r for r in rows if not r[:12].strip()]  # no key: a description's later row
        assert any("Ctrl+Z" in r for r in rows) and later
        assert all(r.startswith(" " * KEY_AND_TITLE) and r[KEY_AND_TITLE] != " " for r in later), rows

    drive(check, size=(80, 24))


def test_ctrl_o_takes_the_keyboard_into_the_pair_table_and_esc_gives_it_back():
    async def check(app, pilot):
        for i in range(5):
            app.dashboard.run_line(f"echo {i} > /gpfs/fs1/sw/f{i}")
            app.dashboard.run_line("mmpsnap fs1 create -j sw")
        await pilot.pause()
        table = app.query_one(PsnapTable)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.focused is table and app.dashboard.selected_pair == table.names[0]
        await pilot.press("down", "down", "down", "down")
        await pilot.pause()
        assert table.selected == table.names[4] == app.dashboard.selected_pair
        assert table.scroll_y + table.scrollable_content_region.height > 5  # its row is in sight
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WhyCard) and app.screen.why.subject.endswith(table.names[4])
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is table
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is app.query_one(ConsoleInput)

    drive(check)
    drive(check, size=(80, 24))


def test_ctrl_o_is_in_help_and_in_the_palette():
    assert any(a.keys == "ctrl+o" and a.name == "focus_pairs" for a in ACTIONS)

    async def check(app, pilot):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Focus the pair table (Ctrl+O)" in titles
        await pilot.press("f1")
        await pilot.pause()
        assert "Focus the pair table" in "\n".join(s.visual.plain for s in app.screen.query(Static))

    drive(check)


def test_the_toggle_bars_room_before_the_state_is_a_rail_not_a_blank_run():
    async def check(app, pilot):
        text = str(app.query_one("#toggles").render())
        between = text[text.index("F6"):text.rindex("state")]
        assert "─" in between and "      " not in between.split("sw", 1)[1]

    drive(check, app=make_app(theme="peersnap-light"))
