"""One classroom seat as the server holds it: a dashboard process that outlives its page.

A `Seat` is a `tui.classroom` child (its own process group, a memory limit, a side channel:
tui/seat_link.py) and at most one browser websocket at a time. The page may go and come
back (reload, reopened tab, network blip): the process and its world stay, and the page
that comes back with the seat's token gets the same dashboard, redrawn in full. A seat
whose process dies on its own (out of memory, a crash) is replaced by a fresh one on the
same page and the trainer is told; a seat whose dashboard quits (Ctrl+Q) has ended.

The process speaks textual-serve's packet protocol on stdin/stdout (textual 8.2.8's
WebDriver): `D` + 4-byte length + terminal bytes, `M` + length + JSON meta.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from aiohttp import web

from .classroom import seat_environment
from .seat_link import MEMORY_EXIT

log = logging.getLogger("peersnap.serve")

STOP_SECONDS = 3.0  # a seat's dashboard gets this long to quit before its process group is killed
MAX_STATUS_LINE = 64 * 1024
REPLACEMENTS_PER_MINUTE = 3  # a seat that keeps dying is ended, not restarted for ever
# What textual's WebDriver writes when an app starts (start_application_mode): a page that
# reconnects to a running seat has a fresh xterm.js and needs the same modes.
TERMINAL_MODES = (b"\x1b[?1049h\x1b[?1000h\x1b[?1003h\x1b[?1015h\x1b[?1006h\x1b[?25l\x1b[?1003h"
                  b"\x1b[?2004h")


def packet(kind: bytes, payload: bytes) -> bytes:
    return kind + len(payload).to_bytes(4, "big") + payload


class Seat:
    """One student's dashboard process, its status and the page (websocket) showing it."""

    def __init__(self, token: str, argv: list[str], memory_bytes: int,
                 on_replaced: Callable[[Seat, str], None], on_ended: Callable[[Seat], Awaitable[None]]) -> None:
        self.token, self.argv, self.memory_bytes = token, argv, memory_bytes
        self.on_replaced, self.on_ended = on_replaced, on_ended
        self.name = ""
        self.status: dict[str, Any] = {}
        self.notes: list[str] = []  # what the trainer should know: "replaced: over its memory limit"
        self.socket: web.WebSocketResponse | None = None
        self.size = (80, 24)
        now = time.monotonic()
        self.last_input = self.detached_at = now
        self.process: asyncio.subprocess.Process | None = None
        self.link: asyncio.StreamWriter | None = None
        self.pending: list[dict[str, Any]] = []  # commands queued before the link is up
        self.started = asyncio.Event()
        self.quitting = False  # the server ends the seat: do not replace its dashboard
        self.restarting = False
        self.ended = False
        self.replaced_at: list[float] = []
        self.waiting = False  # a warm seat: started before its student came, its time held
        self.at_start: Callable[[Seat], None] | None = None  # each new dashboard process is told this
        self._task: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    @property
    def attached(self) -> bool:
        return self.socket is not None

    # -- the process --------------------------------------------------------------------
    def start(self, width: int, height: int) -> None:
        self.size = (width, height)
        self._task = asyncio.create_task(self._life())

    async def _life(self) -> None:
        """Run the dashboard; replace it when it dies on its own; end the seat when it quits."""
        while True:
            rc, stderr = await self._run_once()
            if self.restarting:
                self.restarting = False
                continue
            reason = None if self.quitting else _death(rc, stderr, self.memory_bytes)
            if reason is None:  # the student quit (Ctrl+Q), or the server ends the seat
                break
            now = time.monotonic()
            self.replaced_at = [t for t in self.replaced_at if now - t < 60] + [now]
            if len(self.replaced_at) > REPLACEMENTS_PER_MINUTE:
                self.notes.append(f"ended: {reason}, again and again")
                log.warning("seat %s ended: %s, %d times in a minute", self.label, reason, len(self.replaced_at))
                break
            self.notes.append(f"replaced by a fresh simulator at {time.strftime('%H:%M:%S')}: {reason}")
            log.warning("seat %s (pid %s) %s; replaced by a fresh one", self.label, self.pid, reason)
            self.on_replaced(self, reason)
            self.status = {}
            self.command({"do": "message", "text": f"Your simulator was replaced by a fresh one: {reason}."})
        self.ended = True
        await self.on_ended(self)

    async def _run_once(self) -> tuple[int, bytes]:
        server_end, seat_end = socket.socketpair()
        width, height = self.size
        env = seat_environment(_terminal_environment(width, height), link_fd=seat_end.fileno(),
                               memory_bytes=self.memory_bytes, warm=self.waiting)
        try:
            # exec, not a shell: the argv is fixed, nothing a visitor sends reaches a command line.
            self.process = process = await asyncio.create_subprocess_exec(
                *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE, env=env, pass_fds=(seat_end.fileno(),),
                start_new_session=True)  # Ctrl+C in the trainer's terminal reaches the server only
        finally:
            seat_end.close()
        reader, self.link = await asyncio.open_unix_connection(sock=server_end, limit=MAX_STATUS_LINE)
        for message in self.pending:
            self.command(message)
        self.pending.clear()
        if self.at_start is not None:
            self.at_start(self)
        self.started.set()
        stderr_tail = bytearray()
        tasks = [asyncio.create_task(self._pump_output(process)), asyncio.create_task(self._pump_status(reader)),
                 asyncio.create_task(_tail(process.stderr, stderr_tail))]
        rc = await process.wait()
        await asyncio.wait(tasks, timeout=2)
        for task in tasks:
            task.cancel()
        self.link.close()
        self.link = None
        return rc, bytes(stderr_tail)

    async def _pump_output(self, process: asyncio.subprocess.Process) -> None:
        stdout = process.stdout
        assert stdout is not None
        with suppress(asyncio.IncompleteReadError, ConnectionError):
            for _ in range(10):  # textual's prelude line says a Textual app is speaking
                if not (line := await stdout.readline()) or line == b"__GANGLION__\n":
                    break
            while True:
                kind = await stdout.readexactly(1)
                payload = await stdout.readexactly(int.from_bytes(await stdout.readexactly(4), "big"))
                if kind == b"D":
                    await self._to_page(payload)

    async def _to_page(self, data: bytes) -> None:
        websocket = self.socket
        if websocket is not None and not websocket.closed:
            with suppress(ConnectionError, RuntimeError):
                await websocket.send_bytes(data)

    async def _pump_status(self, reader: asyncio.StreamReader) -> None:
        with suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                try:
                    line = await reader.readline()
                except ValueError:  # a line over the limit: skip to the next
                    continue
                if not line:
                    return
                with suppress(ValueError):
                    message = json.loads(line)
                    if isinstance(message, dict) and "event" not in message:
                        self.status = message

    # -- talking to the dashboard -------------------------------------------------------
    async def send_keys(self, data: str) -> None:
        self.last_input = time.monotonic()
        await self._to_process(packet(b"D", data.encode("utf-8")))

    async def send_meta(self, meta: dict[str, Any]) -> None:
        await self._to_process(packet(b"M", json.dumps(meta).encode()))

    async def _to_process(self, data: bytes) -> None:
        process = self.process
        if process is None or process.stdin is None or process.returncode is not None:
            return
        with suppress(ConnectionError, RuntimeError):
            process.stdin.write(data)
            await process.stdin.drain()

    def command(self, message: dict[str, Any]) -> None:
        """A command for the seat's dashboard (tui/seat_link.py), sent once its link is up."""
        if self.link is None or self.link.is_closing():
            self.pending.append(message)
            return
        self.link.write(json.dumps(message).encode() + b"\n")

    # -- the page -----------------------------------------------------------------------
    async def attach(self, websocket: web.WebSocketResponse, width: int, height: int) -> None:
        """Show this seat on a page; a page already showing it is told it moved."""
        previous, self.socket, self.detached_at = self.socket, websocket, None
        if previous is not None and previous is not websocket:
            with suppress(ConnectionError, RuntimeError):
                await previous.close(code=4001, message=b"this seat was opened in another tab")
        if self._task is None:
            self.start(width, height)
            return
        await websocket.send_bytes(TERMINAL_MODES)
        self.size = (width, height)
        await self.send_meta({"type": "resize", "width": width, "height": height})
        self.command({"do": "redraw"})
        if self.waiting:  # a warm seat's student has come: its time starts now
            self.waiting = False
            self.command({"do": "start"})

    def detach(self, websocket: web.WebSocketResponse) -> None:
        if self.socket is websocket:
            self.socket, self.detached_at = None, time.monotonic()

    async def restart(self, argv: list[str]) -> None:
        """Start the seat's dashboard again with another command line (the trainer pushed a lesson)."""
        self.argv = argv
        if self.process is None or self.process.returncode is not None:
            return
        self.restarting = True
        self.status = {}
        await self._stop_process()

    async def shut(self) -> None:
        """End the seat: ask the dashboard to quit; kill its process group if it has not within STOP_SECONDS."""
        self.quitting = True
        await self._stop_process()
        if self._task is not None:
            with suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(self._task), STOP_SECONDS)

    async def _stop_process(self) -> None:
        process = self.process
        if process is None:
            return
        await self.send_meta({"type": "quit"})
        with suppress(asyncio.TimeoutError):
            await asyncio.wait_for(process.wait(), STOP_SECONDS)
        self.kill()
        with suppress(asyncio.TimeoutError):
            await asyncio.wait_for(process.wait(), STOP_SECONDS)

    def kill(self) -> None:
        # Only while the child is unreaped: then its pid (and process group) is still ours.
        if self.process is not None and self.process.returncode is None:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)

    @property
    def label(self) -> str:
        return self.name or f"#{self.token[:6]}"


def _terminal_environment(width: int, height: int) -> dict[str, str]:
    """What textual-serve's AppService gives an app: the web driver, truecolor, the size."""
    env = dict(os.environ)
    env.update(TEXTUAL_DRIVER="textual.drivers.web_driver:WebDriver", TEXTUAL_FPS="60",
               TEXTUAL_COLOR_SYSTEM="truecolor", TERM_PROGRAM="textual", COLUMNS=str(width), ROWS=str(height))
    return env


async def _tail(stream: asyncio.StreamReader | None, into: bytearray, keep: int = 16 * 1024) -> None:
    if stream is None:
        return
    with suppress(ConnectionError):
        while data := await stream.read(4096):
            into += data
            del into[:-keep]


def _death(rc: int, stderr: bytes, memory_bytes: int) -> str | None:
    """Why a seat's dashboard died on its own; None when it quit (rc 0, no traceback)."""
    limit = f"over its {memory_bytes // (1024 * 1024)} MiB memory limit"
    if rc == MEMORY_EXIT or b"MemoryError" in stderr:
        return limit
    if rc < 0:
        return f"{limit} or killed (signal {signal.Signals(-rc).name})" if -rc == signal.SIGKILL else \
            f"crashed (signal {signal.Signals(-rc).name})"
    if rc == 0:
        return "crashed (see the server's log)" if b"Traceback" in stderr else None
    return f"crashed (exit status {rc})"
