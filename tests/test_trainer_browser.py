"""The classroom in a real browser: two students and their trainer, in headless Chromium.

One server (every seat in the first-psnap lesson) and one browser serve the module; each
student and the trainer get their own browser context (their own storage, as on their own
laptops). The students' screens are read from xterm.js (tests/classroom_live.py), the
trainer's table from its page's DOM.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from classroom_live import (
    CATCH_TERMINAL,
    CHROMIUM,
    CHROMIUM_FLAGS,
    PSNAP_ROW,
    SCREEN,
    LiveServer,
    browser_or_skip,
    start_server,
    wait_for_screen,
)

TOKEN = "browser-trainer-token"
CLOCK = re.compile(r"cache\s+(?:\w{3} \w{3} +\d+ )?(\d\d:\d\d:\d\d)")


@pytest.fixture(scope="module")
def classroom(tmp_path_factory) -> Iterator[tuple[LiveServer, object]]:
    sync_playwright = browser_or_skip()
    server = start_server(tmp_path_factory.mktemp("classroom"), "--max-sessions", "6", "--lesson", "first-psnap",
                          "--trainer-token", TOKEN, "--warm", "2", "--grace", "60")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS, timeout=60_000)
    try:
        yield server, browser
    finally:
        browser.close()
        playwright.stop()
        server.stop()


def student(classroom, name: str):  # type: ignore[no-untyped-def]
    server, browser = classroom
    context = browser.new_context(viewport={"width": 1500, "height": 950})
    context.set_default_timeout(30_000)
    context.route(re.compile(r"^(?!http://127\.0\.0\.1[:/]|ws://127\.0\.0\.1[:/]|data:|about:)"),
                  lambda route: route.abort())
    context.add_init_script(CATCH_TERMINAL)
    page = context.new_page()
    assert page.goto(server.url).status == 200
    wait_for_screen(page, r"Peer snapshots[\s\S]*Console")
    page.fill("#seat-name", name)
    page.press("#seat-name", "Enter")  # the name goes to the trainer; the keyboard back to the terminal
    return page


def trainer(classroom):  # type: ignore[no-untyped-def]
    server, browser = classroom
    page = browser.new_context().new_page()
    assert page.goto(f"{server.url}trainer?token={TOKEN}").status == 200
    assert "token=" not in page.url  # moved out of the address bar
    return page


def type_line(page, line: str) -> None:  # type: ignore[no-untyped-def]
    """Type a console line and, as a student does, wait for its echo before the next one."""
    page.focus(".xterm-helper-textarea")
    page.keyboard.type(line, delay=20)
    page.keyboard.press("Enter")
    wait_for_screen(page, re.escape("]# " + line.removeprefix("@home ")))


def row_text(desk, name: str, pattern: str, seconds: float = 20) -> str:  # type: ignore[no-untyped-def]
    """Wait until the trainer's row for `name` matches `pattern`; its text."""
    desk.wait_for_function(
        "([name, pattern]) => [...document.querySelectorAll('#seats tr')].some("
        "tr => tr.dataset.seat === name && new RegExp(pattern).test(tr.innerText))",
        arg=[name, pattern], timeout=seconds * 1000, polling=200)
    return desk.inner_text(f"#seats tr[data-seat='{name}']")


def declared_key(action: str) -> str:
    """The dashboard's key for an action, from its declaration (tui/actions.py)."""
    from peersnap.tui.actions import ACTIONS

    return next(a.keys.split(",")[0] for a in ACTIONS if a.action == action)


def playwright_key(key: str) -> str:
    names = {"ctrl": "Control", "backslash": "Backslash", "shift": "Shift", "alt": "Alt", "escape": "Escape",
             "tab": "Tab", "pageup": "PageUp", "pagedown": "PageDown"}
    return "+".join(names.get(part, part.upper() if len(part) > 1 else part) for part in key.split("+"))


def clock(page) -> str:  # type: ignore[no-untyped-def]
    match = CLOCK.search(page.evaluate(SCREEN))
    assert match, page.evaluate(SCREEN)
    return match.group(1)


def test_two_students_play_a_lesson_while_the_trainer_watches_their_steps(classroom):
    desk = trainer(classroom)
    ann, ben = student(classroom, "ann"), student(classroom, "ben")
    row_text(desk, "ann", r"Your first peer snapshot: step 1 of 4")
    row_text(desk, "ben", r"step 1 of 4")
    type_line(ann, "mmpsnap fs1 create -j sw")
    wait_for_screen(ann, PSNAP_ROW)
    assert "mmpsnap fs1 create -j sw" in row_text(desk, "ann", r"step 2 of 4")
    type_line(ben, "mmpsnap fs1 create -j ro")  # refused (a read-only cache): ben's step stays
    assert "step 1 of 4" in row_text(desk, "ben", r"6027-")
    wait_for_screen(ben, "Esc or Enter closes this card")
    ben.keyboard.press("Escape")  # closes the refusal's explanation card
    ben.wait_for_function(f"() => !({SCREEN})().includes('closes this card')", polling=100)
    type_line(ben, "mmpsnap fs1 create -j sw")
    row_text(desk, "ben", r"step 2 of 4")
    for line in ("mmlssnapshot fs1 -j sw", "sim settle", "@home mmlssnapshot fs1"):
        type_line(ann, line)
    assert "\u2714" in row_text(desk, "ann", r"all 4 steps")
    assert "\u2714" not in row_text(desk, "ben", r"step 2 of 4")

    # A reload (F5 in the browser's own hands) comes back to the same world.
    seat = ann.evaluate("() => sessionStorage.getItem('peersnap-seat')")
    ann.reload()
    screen = wait_for_screen(ann, r"Lesson complete")
    assert re.search(PSNAP_ROW, screen)
    assert ann.evaluate("() => sessionStorage.getItem('peersnap-seat')") == seat
    row_text(desk, "ann", r"all 4 steps[\s\S]*connected")


def test_the_trainer_freezes_time_and_both_students_clocks_stop(classroom):
    desk = trainer(classroom)
    cleo, dan = student(classroom, "cleo"), student(classroom, "dan")
    for page in (cleo, dan):  # time runs: the clock moves
        first = clock(page)
        page.wait_for_function(f"() => !({SCREEN})().includes({first!r})", timeout=10_000, polling=200)
    desk.click("#freeze")
    desk.wait_for_selector("#frozen:has-text('frozen')")
    for page in (cleo, dan):
        wait_for_screen(page, "the trainer froze time")
    stopped = [clock(cleo), clock(dan)]
    desk.wait_for_timeout(2500)
    assert [clock(cleo), clock(dan)] == stopped
    cleo.focus(".xterm-helper-textarea")
    cleo.keyboard.press("F7")  # F7 reaches the app, and is refused while frozen
    wait_for_screen(cleo, "Time is frozen")
    assert clock(cleo) == stopped[0]
    desk.click("#release")
    for page, was in ((cleo, stopped[0]), (dan, stopped[1])):
        page.wait_for_function(f"() => !({SCREEN})().includes({was!r})", timeout=10_000, polling=200)


def test_the_dashboards_keys_reach_it_and_none_reloads_or_closes_the_page(classroom):
    page = student(classroom, "eve")
    page.evaluate("() => { window.__stayed = true; }")
    page.focus(".xterm-helper-textarea")
    page.keyboard.press("F1")
    wait_for_screen(page, "AFM peer snapshots, simulated")  # the help screen
    page.keyboard.press("Escape")
    page.wait_for_function(f"() => !({SCREEN})().includes('AFM peer snapshots, simulated')", polling=100)
    page.keyboard.press("Control+s")  # psnap: the dashboard's, not the browser's "save page"
    wait_for_screen(page, PSNAP_ROW)
    page.keyboard.press(playwright_key(declared_key("reset")))  # it asks first
    wait_for_screen(page, "Enter resets")
    page.keyboard.press("Enter")
    wait_for_screen(page, "started again")
    for key in ("F5", "Control+r", "Control+p", "Control+l", "F3", "F6", "F10"):
        page.keyboard.press(key)
        page.wait_for_timeout(200)
        page.keyboard.press("Escape")
        page.wait_for_timeout(300)
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__stayed === true")  # never reloaded
    assert not page.is_closed() and len(page.context.pages) == 1


WATCH_KEYS = """() => {
  // What Chromium gave the page (and whether the page cancelled the browser's own action), and
  // what xterm.js sent on to the dashboard for it.
  window.__keys = []; window.__sent = [];
  window.addEventListener("keydown", (event) => window.__keys.push(event), true);
  window.__terminals[0].onData((data) => window.__sent.push(data));
}"""


def test_every_actions_key_reaches_the_dashboard_in_chromium_and_the_browser_does_nothing(classroom):
    """Each action's browser key (tui/actions.py; test_browser_keys.py checks none is one the
    browser keeps), plus the palette's Ctrl+P and the console's Ctrl+R: Chromium hands it to the
    page, xterm.js cancels the browser's action (no reload, print, find, address bar, caret
    browsing) and sends bytes that Textual's own parser reads as that very key."""
    from peersnap.tui.actions import ACTIONS, browser_key
    from textual import events
    from textual._xterm_parser import XTermParser

    keys = [browser_key(a) for a in ACTIONS if a.keys and a.name != "quit"] + ["ctrl+p", "ctrl+r"]
    keys += ["ctrl+q"]  # last: it ends the seat
    page = student(classroom, "fay")
    page.evaluate("() => { window.__stayed = true; }")
    page.focus(".xterm-helper-textarea")
    page.evaluate(WATCH_KEYS)
    for key in keys:
        page.evaluate("() => { window.__keys.length = 0; window.__sent.length = 0; }")
        page.keyboard.press(playwright_key(key))
        try:
            page.wait_for_function("() => window.__sent.length > 0", timeout=10_000, polling=50)
        except Exception as exc:  # say which key, and where the keyboard was
            focused = page.evaluate("() => document.activeElement && document.activeElement.className")
            raise AssertionError(f"{key}: nothing sent to the dashboard (focus: {focused!r})") from exc
        cancelled = page.evaluate("() => window.__keys.filter(e => e.type === 'keydown' && !['Control', 'Shift', "
                                  "'Alt'].includes(e.key)).map(e => e.defaultPrevented)")
        assert cancelled == [True], (key, cancelled)
        sent = "".join(page.evaluate("() => window.__sent"))
        if key == "escape":
            assert sent == "\x1b"
            continue
        parsed = [e.key for e in XTermParser().feed(sent) if isinstance(e, events.Key)]
        assert parsed == [key], (key, repr(sent), parsed)
    page.wait_for_function("() => document.body.classList.contains('-closed')",  # Ctrl+Q ended the seat:
                           timeout=10_000, polling=100)  # the page says so
    assert page.evaluate("() => window.__stayed === true")  # no key reloaded the page
    assert not page.is_closed() and len(page.context.pages) == 1
