"""What the dashboard's start does before its first frame: each stylesheet source is parsed once,
in the theme asked for, and the collector held until it is drawn (issue 16, "first frame in a
terminal": counts, not timings)."""

from __future__ import annotations

import argparse
import gc
from collections import Counter

import pytest
import textual.css.stylesheet as textual_stylesheet
from helpers import drive
from peersnap.tui import cli
from peersnap.tui.app import PeersnapApp, make_app
from textual.color import Color


def _counting_parses(monkeypatch) -> Counter[str]:  # type: ignore[no-untyped-def]
    """Every stylesheet source parsed from its text, counted by where it was read from (and Textual's
    tie breaker: a widget class's DEFAULT_CSS met again at another depth of the classes is a new source)."""
    parsed: Counter[str] = Counter()
    original = textual_stylesheet.parse

    def counting(scope, css, read_from, **kwargs):  # type: ignore[no-untyped-def]
        parsed[f"{read_from} {kwargs.get('tie_breaker')} {scope}"] += 1
        return original(scope, css, read_from, **kwargs)

    monkeypatch.setattr(textual_stylesheet, "parse", counting)
    return parsed


def test_each_stylesheet_source_is_parsed_once_before_the_first_frame(monkeypatch):
    parsed = _counting_parses(monkeypatch)

    async def check(app, pilot):
        assert any("peersnap.tcss" in source for source in parsed)
        assert max(parsed.values()) == 1, {source: n for source, n in parsed.items() if n > 1}

    drive(check, app=make_app(theme="peersnap-light"))


def test_the_first_frame_wears_the_theme_asked_for(monkeypatch):
    """Skipping the start's refresh must not leave the default theme's colours behind."""
    async def check(app, pilot):
        light = app.get_theme("peersnap-light")
        assert app.theme == "peersnap-light"
        assert app.dashboard.styles.background == Color.parse(light.background)
        assert app.query_one("#cache-pane").styles.border_title_color.rgb == Color.parse(light.primary).rgb

    drive(check, app=make_app(theme="peersnap-light"))


def test_a_theme_changed_after_the_start_restyles_the_screen(monkeypatch):
    parsed = _counting_parses(monkeypatch)

    async def check(app, pilot):
        before = sum(parsed.values())
        app.theme = "peersnap-contrast"
        await pilot.pause()
        contrast = app.get_theme("peersnap-contrast")
        assert sum(parsed.values()) > before  # parsed again with the new theme's variables
        assert app.dashboard.styles.background == Color.parse(contrast.background)

    drive(check, app=make_app(theme="peersnap-dark"))


def test_the_dashboard_starts_with_the_collector_held_and_lets_it_go(monkeypatch, tmp_path):
    """The start's allocations set off no collection walking the imported objects: the collector is
    held while the app starts (tui/collector.py) and let go, everything made so far frozen out of its
    walks, by the first frame or at the latest when run_dashboard returns (a start that drew none)."""
    seen = {}

    def fake_run(self):
        seen["collecting"] = gc.isenabled()

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(PeersnapApp, "run", fake_run)
    gc.unfreeze()
    try:
        args = argparse.Namespace(scenario=None, lesson=None, replay_session=None, theme=None, paused=True, speed=None)
        assert cli.run_dashboard(args) == 0
        # every module, class and function loaded by then, at the least the textual ones: tens of thousands
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()  # (this test process goes on collecting as before)
    assert seen["collecting"] is False
    assert gc.isenabled()


def _styles(app):  # type: ignore[no-untyped-def]
    """Every node's CSS rules, its component classes' too (what a restyle of the screen would recompute)."""
    seen = {}
    for node in app.screen.walk_children(with_self=True):
        rules = dict(node._css_styles.get_rules())  # (private: Textual offers no reader of a node's own rules)
        components = {name: dict(styles._base_styles.get_rules()) if hasattr(styles, "_base_styles")
                      else dict(styles.get_rules()) for name, styles in node._component_styles.items()}
        seen[(type(node).__name__, node.id)] = (rules, components)
    return seen


@pytest.mark.parametrize(("size", "lesson"), [((120, 40), None), ((80, 24), None), ((60, 16), None),
                                              ((160, 45), "why-it-waits")])
def test_the_first_showing_keeps_the_styles_the_widgets_mounted_with(size, lesson):
    """The dashboard skips Textual's restyle of the whole screen when it is first shown: a restyle
    done now must change nothing, in every layout class (wide, narrow, short, tiny, a lesson)."""
    async def check(app, pilot):
        first = _styles(app)
        assert len(first) >= 15
        app.screen.update_node_styles(animate=False)
        await pilot.pause()
        assert _styles(app) == first

    drive(check, size=size, app=make_app(lesson=lesson))


def test_a_resize_to_the_same_size_fits_nothing_again():
    """Textual sends a new screen its size twice before the first frame: the second draws nothing."""
    async def check(app, pilot):
        dashboard = app.dashboard
        calls = []
        original = dashboard.refresh_view

        def counting() -> None:
            calls.append(dashboard.size)
            original()

        dashboard.refresh_view = counting
        dashboard.on_resize()  # the same size again
        assert calls == []
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert calls and calls[-1] == (100, 30)  # a real resize fits the panes to it

    drive(check)


def test_no_widget_is_restyled_before_it_is_mounted(monkeypatch):
    """A widget is styled as it mounts; restyling it before (as Input's `compact=True` does in its
    `__init__`) is work thrown away: the console's field and the event filter are made compact
    without it, and still are compact."""
    unmounted: list[str] = []
    original = PeersnapApp.update_styles

    def recording(self, node, animate=True):  # type: ignore[no-untyped-def]
        if not node.is_mounted:
            unmounted.append(repr(node))
        return original(self, node, animate)

    monkeypatch.setattr(PeersnapApp, "update_styles", recording)

    async def check(app, pilot):
        assert unmounted == []
        for field in (app.query_one("#console-input"), app.query_one("#event-filter")):
            assert field.compact and field.has_class("-textual-compact")
            assert field.styles.border_top[0] in ("", "none")

    drive(check, app=make_app())


@pytest.mark.parametrize("theme", ["peersnap-dark", "textual-dark", "peersnap-light"])
def test_the_themes_colours_are_generated_once_and_are_the_themes(monkeypatch, theme):
    """Textual's App makes its stylesheet with its default theme's variables, which the app replaces at
    once: they are not generated for nothing (Textual's own default, asked for, still gets its own)."""
    from textual.design import ColorSystem

    generated: list[str] = []
    original = ColorSystem.generate

    def counting(self):  # type: ignore[no-untyped-def]
        generated.append(self.primary.hex)
        return original(self)

    monkeypatch.setattr(ColorSystem, "generate", counting)
    app = make_app(theme=theme)
    assert len(generated) == 1
    assert Color.parse(app.stylesheet._variables["primary"]) == Color.parse(app.get_theme(theme).primary)

    async def check(app, pilot):
        assert app.query_one("#cache-pane").styles.border_title_color.rgb == Color.parse(app.get_theme(theme).primary).rgb

    drive(check, app=app)
