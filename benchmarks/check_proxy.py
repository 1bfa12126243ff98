"""Several `peersnap serve` instances behind one sticky reverse proxy (README "Beyond one machine").

    python benchmarks/check_proxy.py            # needs Caddy (Debian's `caddy` package)

Starts two classroom servers on free loopback ports and Caddy in front of them with the
README's `lb_policy cookie`, then plays four browsers through the proxy (each its own cookie
jar, as each student's browser is): open the page, claim a seat, see the dashboard, write a
file, close the websocket, reload (the page again, the seat claimed back with its token),
read the file. It prints where each browser's seat was, whether it came back to the same
seat with its world, and how the seats spread over the instances; then the same without the
cookie policy, to show what a proxy that is not sticky does. Exit status 0 when every
browser kept its seat behind the sticky proxy, 1 otherwise, 2 without Caddy.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
BROWSERS = ("ann", "ben", "cleo", "dan")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seats(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=5) as response:
        return json.loads(response.read())["sessions"]


def caddyfile(port: int, upstreams: list[int], sticky: bool) -> str:
    policy = "        lb_policy cookie peersnap_instance\n" if sticky else "        lb_policy round_robin\n"
    targets = " ".join(f"127.0.0.1:{p}" for p in upstreams)
    return (f"{{\n    auto_https off\n    admin off\n}}\n:{port} {{\n    reverse_proxy {targets} {{\n{policy}"
            "    }\n}\n")


async def browser(port: int, name: str) -> tuple[bool, str]:
    """One student's browser through the proxy; (kept its seat and world, what happened)."""
    base = f"http://127.0.0.1:{port}"
    jar = aiohttp.CookieJar(unsafe=True)  # (loopback addresses: keep the proxy's cookie like a browser does)
    async with aiohttp.ClientSession(cookie_jar=jar, timeout=aiohttp.ClientTimeout(total=60)) as http:
        page = await (await http.get(base + "/")).text()
        ticket = re.search(r'claim\("([A-Za-z0-9_-]+)"\)', page)
        if ticket is None:
            return False, "no seat ticket in the page"
        claimed = await (await http.post(base + "/seat", json={"ticket": ticket.group(1)},
                                         headers={"Origin": base})).json()
        seat = claimed["seat"]
        if await _screen(http, port, seat, f"echo {name} > /gpfs/fs1/sw/{name}\r", b"# echo") is None:
            return False, "its websocket reached an instance without its seat"
        await http.get(base + "/?resume")  # a reload: the page, then its claim with the token it kept
        back = await (await http.post(base + "/seat", json={"seat": seat, "mine": True},
                                      headers={"Origin": base})).json()
        if back.get("seat") != seat:
            return False, "the reload got a new seat (its claim reached another instance)"
        after = await _screen(http, port, seat, f"cat /gpfs/fs1/sw/{name}\r", f"cat /gpfs/fs1/sw/{name}".encode())
        if after is None:
            return False, "its websocket reached an instance without its seat after the reload"
        if b"No such file" in after:
            return False, "its seat came back without its world"
        return True, "kept its seat and its world through a reload"


async def _screen(http: aiohttp.ClientSession, port: int, seat: str, line: str, wanted: bytes) -> bytes | None:
    """Open the seat's websocket, type `line` once the dashboard shows, and return what the page
    got in the next second after `wanted` (None: the socket closed or `wanted` never came)."""
    base = f"http://127.0.0.1:{port}"
    socket_ = await http.ws_connect(f"ws://127.0.0.1:{port}/ws/{seat}?width=120&height=40", origin=base)
    seen, typed, deadline = b"", False, time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            message = await asyncio.wait_for(socket_.receive(), 30)
            if message.type != aiohttp.WSMsgType.BINARY:
                return None  # closed: "this seat does not exist"
            seen += message.data
            if not typed and b"Events" in seen:
                await socket_.send_json(["stdin", line])
                seen, typed = b"", True
            elif typed and wanted in seen:
                with contextlib.suppress(asyncio.TimeoutError):
                    while True:  # its output, for a second
                        message = await asyncio.wait_for(socket_.receive(), 1)
                        seen += message.data if message.type == aiohttp.WSMsgType.BINARY else b""
                return seen
        return None
    finally:
        await socket_.close()


def run(sticky: bool) -> bool:
    proxy, upstreams = free_port(), [free_port(), free_port()]
    servers = [subprocess.Popen([sys.executable, "-m", "peersnap.tui.cli", "serve", "--port", str(p),
                                 "--max-sessions", "4", "--warm", "1"], cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True) for p in upstreams]
    config = Path(tempfile.mkdtemp()) / "Caddyfile"
    config.write_text(caddyfile(proxy, upstreams, sticky))
    caddy = subprocess.Popen(["caddy", "run", "--config", str(config), "--adapter", "caddyfile"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                [seats(p) for p in (*upstreams, proxy)]
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("check_proxy: the servers or Caddy did not start") from None
                time.sleep(0.3)

        async def everyone() -> list[tuple[bool, str]]:
            return await asyncio.gather(*(browser(proxy, name) for name in BROWSERS))

        results = asyncio.run(everyone())
        print(f"{'sticky (lb_policy cookie)' if sticky else 'not sticky (round_robin)'}:")
        for name, (kept, what) in zip(BROWSERS, results):
            print(f"  {name:5} {what}")
        print(f"  seats: {seats(upstreams[0])} on instance 1, {seats(upstreams[1])} on instance 2")
        return all(kept for kept, _ in results)
    finally:
        for process in (*servers, caddy):
            os.killpg(process.pid, signal.SIGTERM)
        for process in (*servers, caddy):
            process.wait(15)


def main() -> int:
    if shutil.which("caddy") is None:
        print("check_proxy: needs Caddy ('apt-get install caddy')", file=sys.stderr)
        return 2
    sticky = run(sticky=True)
    run(sticky=False)
    return 0 if sticky else 1


if __name__ == "__main__":
    sys.exit(main())
