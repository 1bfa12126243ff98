"""`peersnap serve`: the classroom in the browser.

The server runs for real on a free loopback port. Sessions are opened the way a
browser tab opens them (the page, its seat claim, then its websocket; tests/classroom_live.py)
and, in the last test, by a real headless Chromium: the page shows the dashboard,
`mmpsnap fs1 create -j sw` typed into its console makes the peer snapshot appear, visitor
N+1 is told the classroom is full, and a closed tab's seat is freed after the grace period.
Screenshots of the page are kept beside the test's temporary files. The trainer's desk,
seats that survive and the limits are in tests/test_trainer*.py.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from classroom_live import (
    CATCH_TERMINAL,
    CHROMIUM,
    CHROMIUM_FLAGS,
    PSNAP_ROW,
    LiveServer,
    Tab,
    alive,
    browser_or_skip,
    start_server,
    wait_for_screen,
    wait_until,
)
from peersnap.tui.classroom import default_max_sessions
from peersnap.tui.cli import main


# -- without a server ---------------------------------------------------------------------------
def test_serve_without_textual_serve_says_how_to_install(monkeypatch, capsys):
    for name in ("textual_serve", "textual_serve.server", "textual_serve.app_service"):
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.delitem(sys.modules, "peersnap.tui.serve", raising=False)
    assert main(["serve"]) == 2
    assert "pip install 'peersnap[serve]'" in capsys.readouterr().err


def test_the_default_seat_limit_comes_from_cores_and_memory():
    gib = 1024 ** 3
    assert default_max_sessions(cores=2, memory_bytes=24 * gib) == 30  # 15 a core
    assert default_max_sessions(cores=16, memory_bytes=8 * gib) == 76  # 3/4 of 8 GiB / 80 MiB
    assert default_max_sessions(cores=1, memory_bytes=64 * 1024 ** 2) == 1


def test_a_seats_world_caps_come_from_its_memory_unless_the_scenario_sets_its_own():
    from peersnap.core.limits import DEFAULT_LIMITS, Limits
    from peersnap.tui.classroom import seat_limits

    mib = 1024 ** 2
    caps = seat_limits(512 * mib, DEFAULT_LIMITS)
    assert caps.files == caps.queued_ops == 655_360 and caps.data_bytes == 80 * mib  # a seat settles 1,000,000
    assert caps.file_size == DEFAULT_LIMITS.file_size
    assert seat_limits(64 * mib, DEFAULT_LIMITS).files == 16 * mib // 512  # never below 16 MiB of room
    own = Limits(files=10 ** 8, queued_ops=10 ** 8)
    assert seat_limits(512 * mib, own) is own  # the trainer's scenario decides


@pytest.mark.parametrize("args", [["--port", "0"], ["--port", "http"], ["--max-sessions", "0"], ["--grace", "-1"]])
def test_serve_refuses_bad_numbers(args, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["serve", *args])
    assert exit_.value.code == 2
    assert "peersnap serve: error" in capsys.readouterr().err


def test_serve_refuses_an_unknown_scenario_before_listening(capsys):
    pytest.importorskip("textual_serve")
    assert main(["serve", "--scenario", "no-such-scenario"]) == 2
    assert "no-such-scenario" in capsys.readouterr().err


def test_a_classroom_dashboard_writes_no_host_files(monkeypatch, tmp_path):
    from peersnap.tui.app import PeersnapApp
    from peersnap.tui.cli import run_dashboard

    started: list[PeersnapApp] = []
    monkeypatch.setattr(PeersnapApp, "run", lambda self, *a, **k: started.append(self))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("PEERSNAP_CLASSROOM", "1")
    assert run_dashboard(argparse.Namespace()) == 0
    app = started[0]
    assert app.settings_path is None
    target = tmp_path / "session.toml"
    result = app.session.run(f"save {target}")
    assert result.rc == 1 and "turned off" in "\n".join(result.lines)
    assert not target.exists()


# -- a live server ------------------------------------------------------------------------------
@pytest.fixture
def serve(tmp_path) -> Iterator[Callable[..., LiveServer]]:
    """Start `peersnap serve` on a free loopback port; always stopped at the end."""
    started: list[LiveServer] = []

    def start(*args: str) -> LiveServer:
        started.append(start_server(tmp_path, *args))
        return started[-1]

    try:
        yield start
    finally:
        for server in started:
            server.stop()


def test_beyond_the_limit_a_visitor_gets_the_full_page(serve):
    server = serve("--max-sessions", "2")
    assert server.page()[0] == 200
    assert server.page()[0] == 200
    status, html = server.page()
    assert status == 503
    assert "The classroom is full (2/2 sessions); try again when a student closes a tab." in html
    assert server.status() == {"sessions": 0, "reserved": 2, "max_sessions": 2}


def test_each_tab_is_its_own_classroom_process_and_a_closed_tab_is_freed_after_the_grace(serve):
    aiohttp = pytest.importorskip("aiohttp")
    server = serve("--max-sessions", "2", "--grace", "1", "--warm", "0")

    async def scenario() -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
            first, second = Tab(server), Tab(server)
            await first.open(http)
            await second.open(http)
            await asyncio.gather(first.read_until(b"Peer snapshots"), second.read_until(b"Peer snapshots"))
            seats = server.seats()
            assert len(seats) == 2 and server.status()["sessions"] == 2
            for pid in seats:
                environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
                assert b"PEERSNAP_CLASSROOM=1" in environ
                assert os.getpgid(pid) == pid  # its own process group, away from the trainer's Ctrl+C
            # One tab's world is not the other's.
            await first.socket.send_json(["stdin", "mmpsnap fs1 create -j sw\r"])
            await first.read_until(b"created with id")
            await second.socket.send_json(["stdin", "mmlssnapshot fs1 -j sw\r"])
            await second.read_until(b"No snapshots")
            await first.socket.close()
            await asyncio.to_thread(wait_until, lambda: server.status()["sessions"] == 1, 15, "the seat to free")
            await asyncio.to_thread(wait_until, lambda: len(server.seats()) == 1, 15, "the dashboard to exit")
            assert server.page()[0] == 200  # the freed seat goes to the next visitor
            await second.socket.close()

    asyncio.run(asyncio.wait_for(scenario(), 90))


def test_ctrl_c_stops_the_server_and_every_session(serve):
    aiohttp = pytest.importorskip("aiohttp")
    server = serve("--max-sessions", "3", "--warm", "0")

    async def open_tabs() -> list[int]:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
            tabs = [Tab(server) for _ in range(3)]
            for tab in tabs:
                await tab.open(http)
            await asyncio.gather(*(tab.read_until(b"Peer snapshots") for tab in tabs))
            seats = server.seats()
            os.killpg(server.process.pid, signal.SIGINT)
            await asyncio.to_thread(server.process.wait, 15)
            return seats

    seats = asyncio.run(asyncio.wait_for(open_tabs(), 90))
    assert len(seats) == 3
    assert server.process.returncode == 0
    assert [pid for pid in seats if alive(pid)] == []
    assert "stopping 3 session(s)" in server.log.read_text()


# -- a real browser -----------------------------------------------------------------------------
def test_a_browser_tab_shows_the_dashboard_and_takes_a_peer_snapshot(serve, tmp_path):
    sync_playwright = browser_or_skip()
    server = serve("--max-sessions", "1", "--grace", "1", "--warm", "0")
    shots = Path(os.environ.get("PEERSNAP_SCREENSHOTS") or tmp_path)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1600, "height": 1000}, timeout=60_000)
        try:
            context.set_default_timeout(30_000)
            # Nothing leaves the loopback interface.
            context.route(re.compile(r"^(?!http://127\.0\.0\.1[:/]|ws://127\.0\.0\.1[:/]|data:|about:)"),
                          lambda route: route.abort())
            context.add_init_script(CATCH_TERMINAL)
            page = context.pages[0] if context.pages else context.new_page()
            assert page.goto(server.url).status == 200

            screen = wait_for_screen(page, r"Peer snapshots[\s\S]*Console")
            assert "No peer snapshots yet" in screen
            assert not re.search(PSNAP_ROW, screen)
            page.screenshot(path=str(shots / "serve-dashboard.png"))

            page.focus(".xterm-helper-textarea")  # the keyboard; the console has focus on start
            page.keyboard.type("mmpsnap fs1 create -j sw", delay=10)
            page.keyboard.press("Enter")
            screen = wait_for_screen(page, PSNAP_ROW)
            assert "created with id" in screen and "No peer snapshots yet" not in screen
            page.screenshot(path=str(shots / "serve-psnap.png"))

            # The console runs simulated commands only: nothing is written on the host.
            target = tmp_path / "from-the-browser.toml"
            page.keyboard.type(f"save {target}", delay=5)
            page.keyboard.press("Enter")
            wait_for_screen(page, "saving to files is turned off")
            assert not target.exists()

            # Visitor N+1 gets a clear page, not a hang.
            second = context.new_page()
            response = second.goto(server.url)
            assert response.status == 503
            assert ("The classroom is full (1/1 sessions); try again when a student closes a tab."
                    in second.inner_text("#message"))

            # Closing the tab frees the seat and its dashboard process (after the 1 s grace period).
            (seat,) = server.seats()
            page.close()
            wait_until(lambda: server.status()["sessions"] == 0 and not alive(seat), 15, "the closed tab's seat")
            assert second.goto(server.url).status == 200
            wait_for_screen(second, r"Peer snapshots[\s\S]*Console")
        finally:
            context.close()


def test_a_warm_seat_waits_with_its_time_held_and_starts_at_its_first_second(serve):
    """Warm seats are started before their students come; the student's clock starts when they do."""
    aiohttp = pytest.importorskip("aiohttp")
    server = serve("--max-sessions", "2", "--warm", "2", "--trainer-token", "t")
    wait_until(lambda: len(server.seats()) == 2, 30, "two warm seats")
    time.sleep(3)

    async def scenario() -> dict:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
            tab = Tab(server)
            await tab.open(http, name="early")
            await tab.read_until(b"Events")
            async with http.get(server.url + "trainer/seats", headers={"X-Trainer-Token": "t"}) as response:
                (row,) = (await response.json())["seats"]
            await tab.socket.close()
            return row

    row = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert row["pid"] in server.seats() and row["seat"] == "early"
    assert row["running"] and row["clock"] < 2_000_000  # not the 3 s and more the seat waited
