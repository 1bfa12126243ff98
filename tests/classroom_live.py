"""Live classroom servers for the tests: `peersnap serve` on a free loopback port, tabs opened
the way a browser's page opens them, and headless Chromium (Debian's, never `playwright install`).

xterm.js draws the terminal on a canvas, so the page's DOM holds no text. The browser tests
read what xterm.js holds instead: an init script catches the `Terminal` object textual.js
creates (it is assigned to a `terminal` property; a setter on Object.prototype sees the
assignment) and `term.buffer.active` gives the screen's lines, exactly the characters
the canvas shows.
"""

from __future__ import annotations

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
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PSNAP_ROW = r"\bsw\s+psnap-\d+-"  # a row of the Peer snapshots table (the panes shorten the name)


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


def start_server(folder: Path, *args: str) -> LiveServer:
    """Start `peersnap serve` on a free loopback port and wait until it listens (stop it with .stop())."""
    pytest.importorskip("textual_serve")
    port = free_port()
    log = folder / f"serve-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "peersnap.tui.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *args],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "XDG_CONFIG_HOME": str(folder / "config")},
        )
    server = LiveServer(process, port, log)

    def up() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"the server exited: {log.read_text()}")
        try:
            return bool(server.status())
        except OSError:
            return False

    try:
        wait_until(up, 30, "the server to listen")
    except BaseException:
        server.stop()
        raise
    return server


class Tab:
    """One session opened as a browser tab opens it: the page, its seat claim, then its websocket."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.output = b""
        self.seat = ""

    async def claim(self, http, seat: str = "", mine: bool = False, name: str = "") -> dict:  # type: ignore[no-untyped-def]
        async with http.get(self.server.url) as response:
            ticket = re.search(r'claim\("([A-Za-z0-9_-]+)"\)', await response.text())
        assert ticket, "the page carries no seat ticket"
        async with http.post(self.server.url + "seat", json={"ticket": ticket.group(1), "seat": seat, "mine": mine,
                                                             "name": name}) as response:
            answer = await response.json()
        assert response.status == 200, answer
        self.seat = answer["seat"]
        return answer

    async def open(self, http, seat: str = "", mine: bool = False, name: str = "") -> dict:  # type: ignore[no-untyped-def]
        answer = await self.claim(http, seat, mine, name)
        self.output = b""
        self.socket = await http.ws_connect(f"{self.server.url.replace('http', 'ws')}ws/{self.seat}"
                                            "?width=160&height=48")
        return answer

    async def quiet(self, gap: float = 0.4, seconds: float = 30) -> None:
        """Read what the seat has sent until it pauses for `gap` (its clock draws once a second),
        so that what arrives next is the answer to what is sent next."""
        async def read() -> None:
            while True:
                try:
                    message = await asyncio.wait_for(self.socket.receive(), gap)
                except TimeoutError:
                    return
                assert message.type.name == "BINARY", f"the session ended: {message}"
                self.output += message.data

        await asyncio.wait_for(read(), seconds)

    async def read_until(self, text: bytes, seconds: float = 30) -> None:
        async def read() -> None:
            while text not in self.output:
                message = await self.socket.receive()
                assert message.type.name == "BINARY", f"the session ended: {message}"
                self.output += message.data

        await asyncio.wait_for(read(), seconds)


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
