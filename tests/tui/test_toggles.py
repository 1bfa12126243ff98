"""Every toggle runs the real command through the engine, shows it, and a
refused toggle changes nothing and says why."""

from __future__ import annotations

from helpers import click_toggle, console_text, drive
from peersnap.core.model import AfmMode, CacheState, Protocol
from peersnap.core.session import Session
from peersnap.tui.actions import BY_NAME
from peersnap.tui.app import make_app
from peersnap.tui.screens import RefusalCard
from peersnap.tui.widgets.console import ConsoleInput
from peersnap.tui.widgets.key_bar import KeyBar, key_bar_items, key_bar_markup
from textual.style import Style
from peersnap.tui.widgets.toggle_bar import ToggleBar


def test_link_toggle_by_key_and_by_click():
    async def check(app, pilot):
        engine = app.session.engine
        await pilot.press("f2")
        assert engine.world.link_up is False
        assert "[cache]# sim link down" in console_text(app)
        await click_toggle(pilot, "toggle_link")
        await pilot.pause()
        assert engine.world.link_up is True
        assert "[cache]# sim link up" in console_text(app)
        assert app.focused is app.query_one(ConsoleInput)  # a click runs the toggle; the cursor stays in the console

    drive(check)


def test_protocol_toggle_relinks_with_the_other_target():
    async def check(app, pilot):
        fileset = app.session.engine.world.filesets["sw"]
        await pilot.press("f3")
        assert fileset.target.protocol is Protocol.NSD
        assert fileset.linked
        text = console_text(app)
        assert "[cache]# mmunlinkfileset fs1 sw" in text
        assert "[cache]# mmchfileset fs1 sw -p afmTarget=gpfs:///gpfs/fs1/sw" in text
        assert "[cache]# mmlinkfileset fs1 sw -J /gpfs/fs1/sw" in text
        await click_toggle(pilot, "toggle_protocol")
        await pilot.pause()
        assert str(fileset.target) == "nfs://home1/gpfs/fs1/sw"

    drive(check)


def test_a_refused_toggle_changes_nothing_and_shows_why():
    async def check(app, pilot):
        engine = app.session.engine
        app.dashboard.run_line("echo data > /gpfs/fs1/sw/new.txt")
        before = engine.fingerprint()
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, RefusalCard)
        assert app.screen.refusal.rule == "queue must be empty"
        assert engine.fingerprint()[1:] == before[1:]  # all but the clock
        assert engine.world.filesets["sw"].linked
        assert "[cache]# mmlinkfileset fs1 sw -J /gpfs/fs1/sw   # undo" in console_text(app)
        await pilot.press("escape")
        assert not isinstance(app.screen, RefusalCard)

    drive(check)


def test_afmconfig_toggle_runs_at_home():
    async def check(app, pilot):
        engine = app.session.engine
        await pilot.press("f4")
        assert engine.world.exports["/gpfs/fs1/sw"].afm_enabled is False
        assert "[home]# mmafmconfig disable /gpfs/fs1/sw" in console_text(app)
        await click_toggle(pilot, "toggle_afmconfig")
        await pilot.pause()
        assert engine.world.exports["/gpfs/fs1/sw"].afm_enabled is True
        assert "[home]# mmafmconfig enable /gpfs/fs1/sw" in console_text(app)

    drive(check)


def test_mode_toggle_cycles_sw_ro_iw_and_back_to_sw_never_into_lu():
    """Changed on purpose (issue 12): the cycle went SW -> RO -> IW -> LU and ended there, since
    IBM's "Conversion of mode" says an LU fileset can never be converted; LU is left out."""
    async def check(app, pilot):
        fileset = app.session.engine.world.filesets["sw"]
        for expected in (AfmMode.RO, AfmMode.IW, AfmMode.SW, AfmMode.RO):
            await pilot.press("f5")
            assert app.session.engine.world.filesets["sw"].mode is expected
            assert app.session.engine.world.filesets["sw"].linked
        assert "afmMode=lu" not in console_text(app)
        assert not isinstance(app.screen, RefusalCard)
        assert fileset.name == "sw"

    drive(check)


def test_f5_on_an_lu_fileset_is_refused_linked_with_advice_that_fixes_something():
    async def check(app, pilot):
        for _ in range(3):
            await pilot.press("f6")
        assert app.dashboard.fileset_name == "lu"
        await pilot.press("f5")
        await pilot.pause()
        fileset = app.session.engine.world.filesets["lu"]
        assert fileset.mode is AfmMode.LU and fileset.linked
        assert "mmunlinkfileset" not in console_text(app)  # refused as it is: nothing unlinked
        assert isinstance(app.screen, RefusalCard)
        refusal = app.screen.refusal
        assert refusal.rule == "LU is final"
        assert "another fileset" in refusal.hint and "undo" in refusal.hint

    drive(check, app=make_app("rules-tour"))


def test_the_psnap_card_on_an_lu_sw_fileset_does_not_send_the_learner_to_itself():
    """The SW fileset made LU: its card used to say "Use the sw fileset" (this one) and to convert it
    with afmMode=sw (never possible from LU)."""
    session = Session()
    for line in ("mmunlinkfileset fs1 sw", "mmchfileset fs1 sw -p afmMode=lu", "mmlinkfileset fs1 sw -J /gpfs/fs1/sw"):
        assert session.run(line).rc == 0
    refusal = session.run("mmpsnap fs1 create -j sw").refusal
    assert refusal is not None and refusal.message_id == "6027-2183"
    assert "Use the sw fileset" not in refusal.hint and "afmMode=sw" not in refusal.hint
    assert "never become SW" in refusal.hint and "undo" in refusal.hint
    ro = Session()
    ro.run("mmunlinkfileset fs1 sw")
    ro.run("mmchfileset fs1 sw -p afmMode=ro")
    ro.run("mmlinkfileset fs1 sw -J /gpfs/fs1/sw")
    assert "mmchfileset fs1 sw -p afmMode=sw" in ro.run("mmpsnap fs1 create -j sw").refusal.hint


def test_fileset_toggle_and_state_toggle():
    async def check(app, pilot):
        await pilot.press("f6")
        assert app.dashboard.fileset_name == "ro"
        await click_toggle(pilot, "show_state")
        await pilot.pause()
        assert "[cache]# mmafmctl fs1 getstate -j ro" in console_text(app)

    drive(check)


def test_toggles_are_keyboard_reachable_with_enter():
    async def check(app, pilot):
        app.query_one("#toggles").focus()
        await pilot.press("enter")  # the first toggle: link
        assert app.session.engine.world.link_up is False
        await pilot.press("right", "right", "space")  # F4's toggle, two to the right
        assert app.session.engine.world.exports["/gpfs/fs1/sw"].afm_enabled is False
        await pilot.press("left", "left", "left", "enter")  # wraps round to the state toggle
        await pilot.pause()
        assert "[cache]# mmafmctl fs1 getstate -j sw" in console_text(app)

    drive(check)


def test_state_shows_disconnected_after_the_timeout():
    async def check(app, pilot):
        await pilot.press("f2")
        app.dashboard.run_line("sim advance 61s")
        await pilot.pause()
        assert app.session.engine.world.filesets["sw"].state is CacheState.DISCONNECTED
        assert "Disconnected" in app.query_one(ToggleBar).toggle("show_state").value
        assert "Disconnected" in str(app.query_one(ToggleBar).render())

    drive(check)


def test_every_toggle_is_clickable():
    async def check(app, pilot):
        pressed = []

        async def record(action, *args, **kwargs):  # type: ignore[no-untyped-def]
            pressed.append(action)

        app.dashboard.run_action = record  # type: ignore[method-assign]
        names = [t.action for t in app.query_one(ToggleBar).toggles]
        for name in names:
            await click_toggle(pilot, name)
        await pilot.pause()
        assert pressed == [BY_NAME[name].action for name in names]

    drive(check)
    drive(check, size=(80, 24))


def test_each_footer_item_is_found_where_it_is_drawn_and_the_gaps_are_no_item():
    """Clicks are found by position (tui/widgets/key_bar.py): every cell of an item is that item,
    the two cells between items are none, at every width from tiny to wide."""
    async def check(app, pilot):
        bar = app.query_one(KeyBar)
        line = key_bar_markup(bar.size.width).plain
        items = key_bar_items(bar.size.width)
        for index, (key, label, _action) in enumerate(items):
            start = line.index(f"{key} {label}")
            assert all(bar._at(x) == index for x in range(start, start + len(f"{key} {label}")))
            assert bar._at(start + len(f"{key} {label}")) is None
        assert bar._at(-1) is None and bar._at(len(line) + 5) is None

    for size in ((120, 40), (80, 24), (40, 12), (200, 50)):
        drive(check, size=size)


def test_the_footer_item_under_the_pointer_is_drawn_as_hovered_and_clicking_more_opens_the_palette():
    async def check(app, pilot):
        bar = app.query_one(KeyBar)
        line = key_bar_markup(bar.size.width).plain
        column = line.index("^P more")
        hover = Style.from_rich_style(bar.link_style_hover)  # (the bar's CSS: bold, on $primary 30%)
        assert hover.bold and hover != Style.from_rich_style(bar.link_style)
        await pilot.hover(bar, offset=(column + 2, 0))
        await pilot.pause()
        hovered = [span for span in bar.render().spans if span.style == hover]
        assert [(s.start, s.end) for s in hovered] == [(column, column + len("^P more"))]
        await pilot.hover(app.query_one("#header"))
        await pilot.pause()
        assert not [span for span in bar.render().spans if span.style == hover]
        await pilot.click(bar, offset=(column + 1, 0))
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"

    drive(check, size=(80, 24))


def test_the_footer_line_is_what_its_content_draws_hovered_or_not():
    """KeyBar draws its line from segments (tui/widgets/key_bar.py); the picture is its content's."""
    from test_blank_bands import cells
    from textual.visual import Visual

    async def check(app, pilot):
        bar = app.query_one(KeyBar)
        for hover in (None, 0, 1, len(key_bar_items(bar.size.width)) - 1):
            bar._set_hover(hover)
            drawn = bar.render_line(0)
            content = Visual.to_strips(bar, bar.render(), bar.size.width, 1, bar.visual_style, pad=True)
            assert cells([drawn]) == cells(content) and drawn.cell_length == bar.size.width, hover
        assert bar.render_line(1).text.strip() == ""

    for size in ((120, 40), (80, 24), (40, 12), (200, 50)):
        drive(check, size=size)
    drive(check, app=make_app(theme="peersnap-light"))


def test_a_footer_key_runs_its_action_when_clicked():
    """The footer's `F2 Link` is a link to the same action as the key (a toggle, on the dashboard)."""

    async def check(app, pilot):
        bar = app.query_one(KeyBar)
        column = key_bar_markup(bar.size.width).plain.index("F2 Link")
        await pilot.click(bar, offset=(column + 1, 0))
        await pilot.pause()
        assert app.session.engine.world.link_up is False
        assert "[cache]# sim link down   # link toggle" in console_text(app)

    drive(check)


def test_a_card_takes_the_keys_the_dashboard_behind_it_does_not():
    """The dashboard's keys are its screen's: while a refusal card is open, F2 does not
    toggle the link behind it; once the card is closed, F2 works again."""

    async def check(app, pilot):
        engine = app.session.engine
        app.dashboard.run_line("@home mmafmconfig disable /gpfs/fs1/sw")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RefusalCard)
        await pilot.press("f2")
        assert engine.world.link_up is True
        await pilot.press("escape")
        await pilot.press("f2")
        assert engine.world.link_up is False

    drive(check)
