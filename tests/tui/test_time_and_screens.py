"""Time controls, the explanation card, help, the palette, settings and themes."""

from __future__ import annotations

import tomllib

from helpers import console_text, drive, notifications
from peersnap.tui.actions import ACTIONS
from peersnap.tui.app import PeersnapApp, make_app
from peersnap.tui.dashboard import Dashboard
from peersnap.tui.screens import Confirm, HelpScreen, RefusalCard
from peersnap.tui.settings import Settings, load, save
from peersnap.tui.themes import ThemeError, bundled_themes, parse_theme, user_themes
from peersnap.tui.widgets.console import ConsoleInput


def test_paused_at_start_step_runs_to_the_next_event():
    async def check(app, pilot):
        engine = app.session.engine
        assert app.dashboard.ticker.running is False
        await pilot.pause(0.2)
        assert engine.now == 0
        app.dashboard.run_line("echo hi > /gpfs/fs1/sw/a")
        queued_at = engine.now
        await pilot.press("f8")
        assert engine.now > queued_at + 15_000_000  # the async delay passed
        assert engine.world.filesets["sw"].queue.length == 0
        await pilot.press("f8")
        await pilot.pause()
        assert "Nothing is pending" in notifications(app)

    drive(check)


def test_pause_resume_and_speed():
    async def check(app, pilot):
        engine = app.session.engine
        await pilot.press("f10", "f10")
        assert app.dashboard.ticker.speed == 5
        await pilot.press("f9")
        assert app.dashboard.ticker.speed == 2
        for _ in range(12):
            await pilot.press("f10")
        assert app.dashboard.ticker.speed == 1000
        await pilot.press("f7")
        assert app.dashboard.ticker.running
        await pilot.pause(0.3)
        assert engine.now > 0
        assert "running" in str(app.query_one("#header").render())
        await pilot.press("f7")
        stopped = engine.now
        await pilot.pause(0.2)
        assert engine.now == stopped
        assert "1000x" in str(app.query_one("#header").render())

    drive(check)


def test_refusal_card_names_rule_message_and_fix():
    async def check(app, pilot):
        app.dashboard.run_line("@home mmafmconfig disable /gpfs/fs1/sw")
        await pilot.press("ctrl+s")
        await pilot.pause()
        card = app.screen
        assert isinstance(card, RefusalCard)
        text = " ".join(str(w.render()) for w in card.query("Static"))
        assert "home needs mmafmconfig enable" in text
        assert "6027-2224" in text
        assert "@home mmafmconfig enable /gpfs/fs1/sw" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.focused, ConsoleInput)
        assert "6027-2224" in console_text(app)

    drive(check)


def test_help_is_built_from_the_action_declarations():
    async def check(app, pilot):
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(str(w.render()) for w in app.screen.query("Static"))
        for action in ACTIONS:
            assert action.title in text and action.key_display in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)

    drive(check)


def test_palette_holds_every_action_and_bindings_match():
    async def check(app, pilot):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for action in ACTIONS:
            assert any(t.startswith(action.title) for t in titles)
        keys = {b.key: b.action for b in [*PeersnapApp.BINDINGS, *Dashboard.BINDINGS]}
        for action in (a for a in ACTIONS if a.keys):  # (a click-only toggle has no key to bind)
            assert keys[action.keys] == action.action

    drive(check)


def test_reset_asks_first_then_starts_the_scenario_again():
    """Reset moved off Ctrl+R (history search) to Ctrl+\\ and asks first: Esc keeps the world."""
    async def check(app, pilot):
        app.dashboard.run_line("sim load 100")
        await pilot.press("ctrl+backslash")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        assert app.session.engine.world.filesets["sw"].queue.length == 101  # nothing happened yet
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.dashboard
        assert app.session.engine.world.filesets["sw"].queue.length == 101
        await pilot.press("ctrl+backslash")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.engine.world.filesets["sw"].queue.length == 0

    drive(check)


def test_settings_round_trip_and_speed_is_saved(tmp_path):
    path = tmp_path / "peersnap" / "config.toml"
    assert save(Settings(theme="peersnap-light", speed=50), path) == ""
    assert load(path) == (Settings("peersnap-light", 50), "")
    path.write_text("speed = [broken")
    settings, warning = load(path)
    assert settings == Settings() and "ignored" in warning

    app = make_app(settings_path=path)

    async def check(app, pilot):
        await pilot.press("f10")
        app.theme = "peersnap-contrast"
        await pilot.pause()

    drive(check, app=app)
    assert tomllib.loads(path.read_text()) == {"theme": "peersnap-contrast", "speed": 2}


def test_a_settings_file_or_a_theme_nested_too_deeply_is_a_warning_not_a_crash(tmp_path):
    deep = "a = " + "[" * 5000 + "]" * 5000
    path = tmp_path / "config.toml"
    path.write_text(deep)
    assert load(path) == (Settings(), f"settings ignored: {path}: TOML nested too deeply")
    (tmp_path / "themes").mkdir()
    (tmp_path / "themes" / "deep.toml").write_text(deep)
    found, warnings = user_themes(tmp_path / "themes")
    assert found == [] and warnings == [f"theme skipped: {tmp_path / 'themes' / 'deep.toml'}: TOML nested too deeply"]


def test_themes_bundled_and_user(tmp_path):
    names = {t.name for t in bundled_themes()}
    assert {"peersnap-dark", "peersnap-light", "peersnap-contrast"} <= names
    (tmp_path / "mine.toml").write_text('name = "mine"\nprimary = "#ff8800"\ndark = true\n')
    (tmp_path / "bad.toml").write_text('name = "bad"\nprimary = "not a colour"\n')
    found, warnings = user_themes(tmp_path)
    assert [t.name for t in found] == ["mine"] and "not a colour" in warnings[0]
    try:
        parse_theme('primary = "#fff"', "x.toml")
    except ThemeError as exc:
        assert "name" in str(exc)
    app = make_app(theme="mine", theme_dir=tmp_path)
    assert app.theme == "mine"
    assert make_app(theme="light").theme == "peersnap-light"
    unknown = make_app(theme="nope")
    assert unknown.theme == "peersnap-dark" and "unknown theme" in unknown.warnings[0]
