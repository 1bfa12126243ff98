"""Load check for `peersnap serve`: N concurrent browser sessions on loopback.

    python benchmarks/bench_serve.py                 # 10 sessions, 10 s idle
    python benchmarks/bench_serve.py --sessions 20 --idle 20

Starts the classroom server on a free loopback port (`--max-sessions N`, so N warm seats),
waits until the warm seats have started (as a trainer starts the server before the class), then opens N
sessions at once the way a browser tab does (GET the page for its seat ticket, open the
websocket with the terminal size) and reads each session's output. Browsers only draw;
the server-side cost of a session is the same whether xterm.js or this script reads it.

It reports, per session:
- time to first frame: from opening the websocket until the dashboard's first complete
  screen has arrived (its last pane title, "Events", is in the output), plus the
  time to the first byte;
- memory of the session's dashboard process: RSS, and PSS (RSS with shared pages split
  between the processes sharing them; what N sessions really add up to);
- CPU of each dashboard while idle with simulated time running at 1x (nothing queued), then paused;
- "seats per 24 GiB": 24 GiB over the median PSS of a seat;
and for the server: its own RSS and CPU, whether visitor N+1 gets the "classroom is full"
page, how long closed tabs take to free their seats and Ctrl+C to stop everything.

It reports; it never fails on the figures (exit status 2 only if the server will not start).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 160, 48
FRAME_MARK = b"Events"  # the last pane title the dashboard draws
COMMAND = "mmpsnap fs1 create -j sw"
ANSWER = b"created with id"  # in the console's echo of COMMAND's output
TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, _, rest = line.partition(":")
        values[key] = int(rest.split()[0])
    return values.get("Rss", 0), values.get("Pss", 0)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def load() -> str:
    return " ".join(f"{figure:.2f}" for figure in os.getloadavg())


def status(port: int) -> dict:
    import json

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=5) as response:
        return json.loads(response.read())


def start_server(port: int, max_sessions: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "peersnap.tui.cli", "serve", "--port", str(port), "--max-sessions", str(max_sessions),
         "--grace", "1"],  # a closed tab's seat is freed 1 s later (the default keeps it 2 min)
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status(port)
            return server
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.1)
    server.kill()
    raise SystemExit(f"bench_serve: the server did not start on port {port}")


class Session:
    def __init__(self, http: aiohttp.ClientSession, port: int) -> None:
        self.http, self.port = http, port
        self.first_byte = self.first_frame = float("nan")
        self.received = 0
        self.socket: aiohttp.ClientWebSocketResponse | None = None
        self.reader: asyncio.Task | None = None
        self.framed = asyncio.Event()
        self.wanted = b""
        self.answered = asyncio.Event()
        self.tail = b""

    async def open(self) -> None:
        """As the page does: GET it for its ticket, claim the seat, open the seat's websocket."""
        started = time.monotonic()
        async with self.http.get(f"http://127.0.0.1:{self.port}/") as response:
            page = await response.text()
        ticket = re.search(r'claim\("([A-Za-z0-9_-]+)"\)', page)
        assert ticket, "no seat ticket in the page"
        async with self.http.post(f"http://127.0.0.1:{self.port}/seat", json={"ticket": ticket.group(1)}) as response:
            seat = (await response.json())["seat"]
        self.socket = await self.http.ws_connect(
            f"ws://127.0.0.1:{self.port}/ws/{seat}?width={WIDTH}&height={HEIGHT}", heartbeat=None)
        self.reader = asyncio.create_task(self._read(started))
        await asyncio.wait_for(self.framed.wait(), 60)

    async def _read(self, started: float) -> None:
        assert self.socket is not None
        self.tail = b""
        async for message in self.socket:
            if message.type != aiohttp.WSMsgType.BINARY:
                continue
            if not self.received:
                self.first_byte = time.monotonic() - started
            self.received += len(message.data)
            if not self.framed.is_set():
                seen = self.tail + message.data
                if FRAME_MARK in seen:
                    self.first_frame = time.monotonic() - started
                    self.framed.set()
                self.tail = seen[-len(FRAME_MARK):]
            elif self.wanted and not self.answered.is_set():
                seen = self.tail + message.data
                if self.wanted in seen:
                    self.answered.set()
                self.tail = seen[-len(self.wanted):]

    async def command(self, line: str, answer: bytes) -> float:
        """Type a console line as a browser does; seconds until `answer` is in the output."""
        assert self.socket is not None
        self.wanted, started = answer, time.monotonic()
        self.tail = b""  # only output from now on answers
        self.answered.clear()
        await self.socket.send_json(["stdin", line + "\r"])
        await asyncio.wait_for(self.answered.wait(), 60)
        return time.monotonic() - started

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
        if self.reader is not None:
            await asyncio.wait_for(self.reader, 10)


def summary(values: list[float], unit: str, scale: float = 1.0) -> str:
    values = [v * scale for v in values]
    return (f"median {statistics.median(values):7.1f} {unit}   min {min(values):7.1f}   max {max(values):7.1f}   "
            f"total {sum(values):8.1f}")


async def measure(port: int, server: subprocess.Popen, sessions: int, idle: float) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        single = Session(http, port)
        await single.open()
        await asyncio.sleep(1)
        answer = await single.command(COMMAND, ANSWER)
        await single.close()
        print(f"one session alone:  first byte {single.first_byte * 1000:6.0f} ms   "
              f"first frame {single.first_frame * 1000:6.0f} ms   '{COMMAND}' answered {answer * 1000:6.0f} ms")
        while status(port)["sessions"]:  # its seat is freed after the grace period
            await asyncio.sleep(0.1)

        opened = [Session(http, port) for _ in range(sessions)]
        started = time.monotonic()
        await asyncio.gather(*(s.open() for s in opened))
        all_framed = time.monotonic() - started
        print(f"{sessions} sessions opened at once: all framed after {all_framed * 1000:.0f} ms")
        print(f"  time to first byte   {summary([s.first_byte for s in opened], 'ms', 1000)}")
        print(f"  time to first frame  {summary([s.first_frame for s in opened], 'ms', 1000)}")

        await asyncio.sleep(2)  # let start-up settle before measuring the steady state
        pids = children(server.pid)
        before = {pid: cpu_seconds(pid) for pid in [*pids, server.pid]}
        await asyncio.sleep(idle)
        cpu = {pid: (cpu_seconds(pid) - before[pid]) / idle * 100 for pid in before}
        memory = {pid: memory_kib(pid) for pid in [*pids, server.pid]}
        print(f"  dashboards running    {len(pids)} processes")
        print(f"  RSS per session      {summary([memory[p][0] for p in pids], 'MiB', 1 / 1024)}")
        print(f"  PSS per session      {summary([memory[p][1] for p in pids], 'MiB', 1 / 1024)}")
        print(f"  CPU per session idle {summary([cpu[p] for p in pids], '%  ')} (of one core, time running 1x, "
              "nothing queued)")
        print(f"  server               RSS {memory[server.pid][0] / 1024:.1f} MiB   CPU {cpu[server.pid]:.1f} %")
        pss = statistics.median(memory[p][1] for p in pids) / 1024
        print(f"  seats per 24 GiB     {int(24 * 1024 // pss)} by memory (median PSS {pss:.0f} MiB a seat)")
        for s in opened:  # F7 in every tab: time paused
            assert s.socket is not None
            await s.socket.send_json(["stdin", "\x1b[18~"])
        await asyncio.sleep(2)
        before = {pid: cpu_seconds(pid) for pid in pids}
        await asyncio.sleep(idle)
        paused = [(cpu_seconds(pid) - before[pid]) / idle * 100 for pid in pids]
        print(f"  CPU per session idle {summary(paused, '%  ')} (time paused)")
        typed = await asyncio.gather(*(s.command(COMMAND, ANSWER) for s in opened))
        print(f"  '{COMMAND}' arriving whole in every tab at once (a paste), until its output shows:")
        print(f"                       {summary(typed, 'ms', 1000)}")
        for s in opened:  # as students type: each line is in its console before anyone presses Enter
            assert s.socket is not None
            await s.socket.send_json(["stdin", COMMAND])
        await asyncio.sleep(3)
        entered = await asyncio.gather(*(s.command("", ANSWER) for s in opened))
        print(f"  '{COMMAND}' typed in every tab, then Enter pressed in all at once, until its output shows:")
        print(f"                       {summary(entered, 'ms', 1000)}")

        async with http.get(f"http://127.0.0.1:{port}/") as response:
            message = re.search(r'<p id="message">(.*?)</p>', await response.text())
            print(f"  visitor N+1          HTTP {response.status}: "
                  f"{message.group(1) if message else 'a dashboard page (NOT refused)'}")

        started = time.monotonic()
        await asyncio.gather(*(s.close() for s in opened))
        while (status(port)["sessions"] or any(alive(p) for p in pids)) and time.monotonic() - started < 30:
            await asyncio.sleep(0.05)
        print(f"  closing every tab    seats free and processes gone after {(time.monotonic() - started) * 1000:.0f} ms")


async def stop_with_sessions(port: int, server: subprocess.Popen, sessions: int) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        opened = [Session(http, port) for _ in range(sessions)]
        await asyncio.gather(*(s.open() for s in opened))
        pids = children(server.pid)
        started = time.monotonic()
        os.killpg(server.pid, signal.SIGINT)
        while server.poll() is None and time.monotonic() - started < 30:
            await asyncio.sleep(0.05)
        left = [p for p in pids if alive(p)]
        print(f"Ctrl+C with {len(pids)} sessions open: server exited (rc {server.returncode}) after "
              f"{(time.monotonic() - started) * 1000:.0f} ms; processes left behind: {len(left)}")
        for s in opened:
            if s.reader is not None:
                s.reader.cancel()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle measurement")
    args = parser.parse_args(argv)
    print(f"peersnap serve load check: {args.sessions} sessions, {WIDTH}x{HEIGHT} terminals, "
          f"{os.cpu_count()} CPUs, python {sys.version.split()[0]}, load average {load()}")
    port = free_port()
    server = start_server(port, args.sessions)
    deadline = time.monotonic() + 120  # the warm seats start before the class comes, as a trainer's would
    while len(children(server.pid)) < args.sessions and time.monotonic() < deadline:
        time.sleep(0.2)
    busy = float("inf")
    while busy > max(0.03 * args.sessions, 0.2) and time.monotonic() < deadline:  # until started (~1% a seat)
        before = sum(cpu_seconds(pid) for pid in children(server.pid))
        time.sleep(1)
        busy = sum(cpu_seconds(pid) for pid in children(server.pid)) - before
    try:
        asyncio.run(measure(port, server, args.sessions, args.idle))
        asyncio.run(stop_with_sessions(port, server, args.sessions))
        print(f"load average at the end {load()} (other work on this machine shares its cores)")
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
