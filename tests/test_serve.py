"""`peersnap serve`: the classroom in the browser.

The server runs for real on a free loopback port. Sessions are opened the way a
browser tab opens them (the page, then its websocket) and, in the last test, by a real
headless Chromium: the page shows the dashboard, `mmpsnap fs1 create -j sw` typed into
its console makes the peer snapshot appear, visitor N+1 is told the classroom is full,
and a closed tab frees its seat.

xterm.js draws the terminal on a canvas, so the page's DOM holds no text. The test reads
what xterm.js holds instead: an init script catches the `Terminal` object textual.js
creates (it is assigned to a `terminal` property; a setter on Object.prototype sees the
assignment) and `term.buffer.active` gives the screen's lines, exactly the characters
the canvas shows. Screenshots of the page are kept beside the test's temporary files.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from peersnap.tui.cli import main

ROOT = Path(__file__).resolve().parent.parent
PSNAP_ROW = r"\bsw\s+psnap-\d+-"  # a row of the Peer snapshots table (the panes shorten the name)


# -- without a server ---------------------------------------------------------------------------
def test_serve_without_textual_serve_says_how_to_install(monkeypatch, capsys):
    for name in ("textual_serve", "textual_serve.server", "textual_serve.app_service"):
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.delitem(sys.modules, "peersnap.tui.serve", raising=False)
    assert main(["serve"]) == 2
    assert "pip install 'peersnap[serve]'" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--port", "0"], ["--port", "http"], ["--max-sessions", "0"]])
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
    from peersnap.tui.app import PeersnapApp, run_dashboard

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
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children(pid: int) -> list[int]:
    """Live child processes of pid (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        return (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]) != "Z"
    except OSError:
        return False


def wait_until(check: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")
        time.sleep(0.05)


class LiveServer:
    def __init__(self, process: subprocess.Popen, port: int, log: Path) -> None:
        self.process, self.port, self.log = process, port, log
        self.url = f"http://127.0.0.1:{port}/"
        self.seen: set[int] = set()  # every seat process seen, to check none is left behind

    def status(self) -> dict:
        with urllib.request.urlopen(self.url + "status", timeout=5) as response:
            return json.loads(response.read())

    def seats(self) -> list[int]:
        pids = children(self.process.pid)
        self.seen.update(pids)
        return pids

    def page(self) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url, timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def stop(self) -> None:
        """Ctrl+C (SIGINT to the server's process group); kill whatever is left."""
        self.seats()
        try:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGINT)
                self.process.wait(15)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            pass
        finally:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
            for pid in self.seen:
                if alive(pid):
                    os.kill(pid, signal.SIGKILL)


@pytest.fixture
def serve(tmp_path) -> Iterator[Callable[..., LiveServer]]:
    """Start `peersnap serve` on a free loopback port; always stopped at the end."""
    pytest.importorskip("textual_serve")
    started: list[LiveServer] = []

    def start(*args: str) -> LiveServer:
        port = free_port()
        log = tmp_path / f"serve-{port}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "peersnap.tui.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *args],
                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")},
            )
        server = LiveServer(process, port, log)
        started.append(server)

        def up() -> bool:
            assert process.poll() is None, f"the server exited: {log.read_text()}"
            try:
                return bool(server.status())
            except OSError:
                return False

        wait_until(up, 30, "the server to listen")
        return server

    try:
        yield start
    finally:
        for server in started:
            server.stop()


class Tab:
    """One session opened as a browser tab opens it: the page, then its websocket."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.output = b""

    async def open(self, http) -> None:  # type: ignore[no-untyped-def]
        async with http.get(self.server.url) as response:
            ticket = re.search(r'"ws/([A-Za-z0-9_-]+)"', await response.text())
        assert ticket, "the page carries no seat ticket"
        self.socket = await http.ws_connect(f"{self.server.url.replace('http', 'ws')}ws/{ticket.group(1)}"
                                            "?width=160&height=48")

    async def read_until(self, text: bytes, seconds: float = 30) -> None:
        async def read() -> None:
            while text not in self.output:
                message = await self.socket.receive()
                assert message.type.name == "BINARY", f"the session ended: {message}"
                self.output += message.data

        await asyncio.wait_for(read(), seconds)


def test_beyond_the_limit_a_visitor_gets_the_full_page(serve):
    server = serve("--max-sessions", "2")
    assert server.page()[0] == 200
    assert server.page()[0] == 200
    status, html = server.page()
    assert status == 503
    assert "The classroom is full (2/2 sessions); try again when a student closes a tab." in html
    assert server.status() == {"sessions": 0, "reserved": 2, "max_sessions": 2}


def test_each_tab_is_its_own_classroom_process_and_closing_it_frees_the_seat(serve):
    aiohttp = pytest.importorskip("aiohttp")
    server = serve("--max-sessions", "2")

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
    server = serve("--max-sessions", "3")

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
CHROMIUM = os.environ.get("PEERSNAP_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CATCH_TERMINAL = """
(() => {
  // textual.js does `this.terminal = new Terminal(...)`; keep every xterm.js Terminal assigned so.
  window.__terminals = [];
  Object.defineProperty(Object.prototype, "terminal", {
    configurable: true,
    get() { return undefined; },
    set(value) {
      Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
      if (value && value.buffer && value.buffer.active && !window.__terminals.includes(value)) {
        window.__terminals.push(value);
      }
    },
  });
})();
"""
SCREEN = """() => {
  const term = window.__terminals && window.__terminals[0];
  if (!term) return "";
  const buffer = term.buffer.active, lines = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
}"""


def browser_or_skip():  # type: ignore[no-untyped-def]
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the browser test needs playwright (Python): pip install '.[test]'")
    if not os.path.exists(CHROMIUM):
        pytest.skip("the browser test needs headless Chromium: apt-get install chromium (Debian; .ci/run "
                    "installs it), or set PEERSNAP_CHROMIUM to a Chromium binary")
    return sync_playwright


def wait_for_screen(page, pattern: str, seconds: float = 30) -> str:  # type: ignore[no-untyped-def]
    page.wait_for_function(f"() => new RegExp({json.dumps(pattern)}, 'm').test(({SCREEN})())",
                           timeout=seconds * 1000, polling=200)
    return page.evaluate(SCREEN)


def test_a_browser_tab_shows_the_dashboard_and_takes_a_peer_snapshot(serve, tmp_path):
    sync_playwright = browser_or_skip()
    server = serve("--max-sessions", "1")
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

            # Closing the tab frees the seat and its dashboard process.
            (seat,) = server.seats()
            page.close()
            wait_until(lambda: server.status()["sessions"] == 0 and not alive(seat), 15, "the closed tab's seat")
            assert second.goto(server.url).status == 200
            wait_for_screen(second, r"Peer snapshots[\s\S]*Console")
        finally:
            context.close()
