"""What a frame costs: unchanged panes are not drawn again, a key costs no screen
layout, logs stay bounded and cheap once full (no timings: counts and contents)."""

from __future__ import annotations

from helpers import drive
from peersnap.tui.widgets.console import Console
from peersnap.tui.widgets.line_log import LineLog


def _count_refreshes(app, ids):  # type: ignore[no-untyped-def]
    counts = dict.fromkeys(ids, 0)
    for widget_id in ids:
        widget = app.query_one(f"#{widget_id}")
        original = widget.refresh

        def counting(*args, _id=widget_id, _original=original, **kwargs):  # type: ignore[no-untyped-def]
            counts[_id] += 1
            return _original(*args, **kwargs)

        widget.refresh = counting
    return counts


def test_a_frame_with_nothing_new_draws_nothing():
    async def check(app, pilot):
        app.dashboard.run_line("echo hello > /gpfs/fs1/sw/a.txt")
        app.dashboard.run_line("mmpsnap fs1 create -j sw")
        await pilot.pause()
        counts = _count_refreshes(app, ["header", "toggles", "queue-pane", "queue-summary", "queue",
                                        "cache-pane", "home-pane", "psnaps"])
        for _ in range(3):
            app.dashboard.refresh_view()
        await pilot.pause()
        assert counts == dict.fromkeys(counts, 0)

    drive(check)


def test_a_toggle_key_costs_no_screen_layout():
    async def check(app, pilot):
        for _ in range(6):  # fill both logs: their scrollbars appear once, with a layout
            await pilot.press("f4")
        await pilot.pause()
        layouts = []
        screen = app.screen
        original = screen._refresh_layout  # (private: the one place every screen layout goes through, counted)

        def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
            layouts.append(args)
            return original(*args, **kwargs)

        screen._refresh_layout = counting
        for _ in range(4):
            await pilot.press("f4")
            await pilot.pause()
        assert layouts == []
        assert app.session.engine.world.exports["/gpfs/fs1/sw"].afm_enabled is True

    drive(check)


def test_typing_leaves_the_prompt_alone_until_the_cluster_changes():
    async def check(app, pilot):
        console = app.query_one(Console)
        prompts = []
        original = type(console.input).prompt.fset

        def watching(self, prompt):  # type: ignore[no-untyped-def]
            prompts.append(prompt.plain)
            original(self, prompt)

        type(console.input).prompt = property(type(console.input).prompt.fget, watching)
        try:
            for ch in "echo hi":
                await pilot.press("space" if ch == " " else ch)
            assert prompts == []
            console.input.value = "@home mmlssnapshot fs1"
            await pilot.pause()
            assert prompts == ["[home]# "]
        finally:
            type(console.input).prompt = property(type(console.input).prompt.fget, original)

    drive(check)


def test_a_full_log_keeps_the_newest_lines_in_order():
    async def check(app, pilot):
        log = app.query_one("#console-output", LineLog)
        cap = log.lines.maxlen
        for i in range(cap + 250):
            log.write(f"line {i} " + "x" * (i % 90))  # some wrap, some do not
        await pilot.pause()
        assert len(log.lines) == cap
        assert log.lines[0].plain.startswith("line 250 ")
        assert log.lines[-1].plain.startswith(f"line {cap + 249} ")
        # every row belongs to a line still in the log, rows in order, none lost or doubled
        texts = {}
        for number, start, end in log._rows:
            texts.setdefault(number, []).append(log.lines[number - log._first_line].plain[start:end])
        assert sorted(texts) == list(range(log._first_line, log._first_line + cap))
        assert log.virtual_size.height == len(log._rows)
        assert log.scroll_y == log.max_scroll_y  # still following the end

    drive(check)


def test_wrapped_lines_lose_nothing_when_the_scrollbar_appears():
    async def check(app, pilot):
        log = app.query_one("#event-lines", LineLog)
        words = " ".join(f"w{i:02d}" for i in range(40))
        for _ in range(12):
            log.write(words)
            await pilot.pause()
        assert log.show_vertical_scrollbar
        width = log.scrollable_content_region.width
        for number, start, end in log._rows:
            assert end - start <= width
        rebuilt = {}
        for number, start, end in log._rows:
            rebuilt.setdefault(number, []).append(log.lines[number - log._first_line].plain[start:end])
        assert all(" ".join(parts) == words for parts in rebuilt.values())

    drive(check)
