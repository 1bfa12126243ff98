"""`peersnap serve`: the dashboard in the browser, one simulator per tab, for a classroom.

textual-serve does the heavy lifting (an aiohttp server, xterm.js in the page, one app
process per websocket). On top of it this module adds what a classroom needs:

- a **seat limit**: a visitor gets a seat (a ticket in the page, kept `TICKET_SECONDS`
  for the page's websocket) or, beyond `--max-sessions`, a clear "classroom is full" page;
- **isolation**: each seat is its own `tui.classroom` process, in its own process group,
  with host-file writing turned off; students reach the simulated console only;
- **clean endings**: a closed tab stops its dashboard (killed if it does not quit within
  `STOP_SECONDS`); Ctrl+C or SIGTERM stops every seat before the server exits, and a
  seat whose server dies anyway is ended by the kernel (see tui/classroom.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import signal
import socket
import sys
import time
from contextlib import suppress
from pathlib import Path

from aiohttp import WSCloseCode, WSMsgType, web
from peersnap.core.lessons import LessonError, load_lesson
from peersnap.core.lessons import bundled as bundled_lessons
from peersnap.core.scenario import ScenarioError
from peersnap.core.scenario import bundled as bundled_scenarios
from peersnap.core.scenario import load as load_scenario
from textual_serve.app_service import AppService
from textual_serve.server import Server

from .classroom import DEFAULT_MAX_SESSIONS, seat_command, seat_environment
from .serve_pages import dashboard_page, full_message, full_page

log = logging.getLogger("peersnap.serve")

TICKET_SECONDS = 30.0  # how long a served page keeps its seat while its websocket connects
RETRY_SECONDS = 15  # the "classroom is full" page reloads itself this often
STOP_SECONDS = 3.0  # a seat's dashboard gets this long to quit before its process group is killed
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class Seat(AppService):
    """One browser tab's dashboard: a `tui.classroom` child in its own process group."""

    def __init__(self, argv: list[str], **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(" ".join(argv), **kwargs)
        self.argv = argv

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        # exec, not a shell: the argv is fixed, nothing a visitor sends reaches a command line.
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=seat_environment(self._build_environment(width=width, height=height)),
            start_new_session=True,  # Ctrl+C in the trainer's terminal reaches the server only
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def run(self) -> None:
        await super().run()
        # The dashboard has quit (Ctrl+Q) or died: close the socket so the page says so.
        with suppress(ConnectionError, RuntimeError):
            await self.remote_close()

    async def shut(self) -> None:
        """Ask the dashboard to quit; kill its process group if it has not within STOP_SECONDS."""
        with suppress(asyncio.TimeoutError, ConnectionError, RuntimeError):
            await asyncio.wait_for(self.stop(), STOP_SECONDS)
        self.kill()
        if self._process is not None:
            with suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._process.wait(), STOP_SECONDS)

    def kill(self) -> None:
        # Only while the child is unreaped: then its pid (and process group) is still ours.
        if self._process is not None and self._process.returncode is None:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(self._process.pid, signal.SIGKILL)


class ClassroomServer(Server):
    """textual-serve's Server with a seat limit, seat isolation and clean shutdown."""

    def __init__(self, argv: list[str], host: str = "127.0.0.1", port: int = 8000,
                 max_sessions: int = DEFAULT_MAX_SESSIONS, title: str = "peersnap classroom") -> None:
        super().__init__(" ".join(argv), host=host, port=port, title=title)
        self.argv = argv
        self.max_sessions = max_sessions
        self.seats: set[Seat] = set()
        self.sockets: set[web.WebSocketResponse] = set()
        self.tickets: dict[str, float] = {}
        self.stopping = False
        self.banner = ""

    # -- seats -----------------------------------------------------------------------------
    def taken(self) -> int:
        """Seats in use: live dashboards plus pages whose websocket has not arrived yet."""
        now = time.monotonic()
        for ticket, expires in list(self.tickets.items()):
            if expires <= now:
                del self.tickets[ticket]
        return len(self.seats) + len(self.tickets)

    def _take_ticket(self, ticket: str) -> bool:
        expires = self.tickets.pop(ticket, None)
        return expires is not None and expires > time.monotonic()

    def kill_all(self) -> None:
        for seat in list(self.seats):
            seat.kill()

    # -- web application -------------------------------------------------------------------
    async def _make_app(self) -> web.Application:
        app = web.Application()
        app.add_routes([
            web.get("/", self.handle_index, name="index"),
            web.get("/ws/{ticket}", self.handle_websocket, name="websocket"),
            web.get("/ws", self.handle_websocket),
            web.get("/status", self.handle_status),
            web.get("/download/{key}", self.handle_download, name="download"),
            web.static("/static", self.statics_path, name="static"),
        ])
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def handle_index(self, request: web.Request) -> web.Response:  # type: ignore[override]
        headers = {"Cache-Control": "no-store"}
        used = self.taken()
        if self.stopping or used >= self.max_sessions:
            log.warning("classroom full (%d/%d): turned a visitor away", used, self.max_sessions)
            return web.Response(status=503, text=full_page(used, self.max_sessions, RETRY_SECONDS),
                                content_type="text/html", headers={**headers, "Retry-After": str(RETRY_SECONDS)})
        ticket = secrets.token_urlsafe(16)
        self.tickets[ticket] = time.monotonic() + TICKET_SECONDS
        font_size = min(max(_to_int(request.query.get("fontsize", "16"), 16), 6), 48)
        return web.Response(text=dashboard_page(self.title, ticket, font_size), content_type="text/html",
                            headers=headers)

    async def handle_status(self, request: web.Request) -> web.Response:
        used = self.taken()
        return web.json_response({"sessions": len(self.seats), "reserved": used - len(self.seats),
                                  "max_sessions": self.max_sessions}, headers={"Cache-Control": "no-store"})

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        had_ticket = self._take_ticket(request.match_info.get("ticket", ""))
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        used = self.taken()
        if self.stopping or (not had_ticket and used >= self.max_sessions):
            # A page that waited too long for its websocket, with every seat taken since.
            await websocket.send_bytes(f"\r\n  {full_message(used, self.max_sessions)}\r\n".encode())
            await websocket.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"classroom is full")
            return websocket
        width = _to_int(request.query.get("width", "80"), 80)
        height = _to_int(request.query.get("height", "24"), 24)
        seat = Seat(self.argv, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                    close=websocket.close, download_manager=self.download_manager, debug=self.debug)
        self.seats.add(seat)
        self.sockets.add(websocket)
        try:
            await seat.start(width, height)
            log.info("session opened (pid %s): %d/%d seats in use", seat.pid, len(self.seats), self.max_sessions)
            await self._process_messages(websocket, seat)
        except asyncio.CancelledError:
            pass
        except Exception:  # one student's broken socket must not stop the class
            log.exception("session (pid %s) failed", seat.pid)
        finally:
            await seat.shut()
            self.seats.discard(seat)
            self.sockets.discard(websocket)
            with suppress(ConnectionError, RuntimeError):
                await websocket.close()
            log.info("session closed (pid %s): %d/%d seats in use", seat.pid, len(self.seats), self.max_sessions)
        return websocket

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        # textual-serve's loop, minus the crash on a message that is not the JSON it expects.
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = message.json()
                kind, data = envelope[0], (envelope[1] if len(envelope) > 1 else None)
            except (ValueError, TypeError, KeyError, IndexError):
                continue
            if kind == "stdin" and isinstance(data, str):
                await app_service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await app_service.set_terminal_size(_to_int(str(data.get("width")), 80),
                                                    _to_int(str(data.get("height")), 24))
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()

    async def on_shutdown(self, app: web.Application) -> None:
        self.stopping = True
        if self.seats:
            log.info("stopping %d session(s)", len(self.seats))
        await asyncio.gather(*(seat.shut() for seat in list(self.seats)), return_exceptions=True)
        for websocket in list(self.sockets):
            with suppress(ConnectionError, RuntimeError):
                await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")

    # -- running ---------------------------------------------------------------------------
    def request_exit(self) -> None:
        if self.stopping:  # a second Ctrl+C: do not wait for the dashboards to quit
            self.kill_all()
            return
        self.stopping = True
        super().request_exit()

    def serve(self, debug: bool = False) -> None:
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for signum in (signal.SIGINT, signal.SIGTERM):
            with suppress(NotImplementedError):
                loop.add_signal_handler(signum, self.request_exit)
        try:
            web.run_app(self._make_app(), host=self.host, port=self.port, handle_signals=False, loop=loop,
                        access_log=None, shutdown_timeout=STOP_SECONDS + 2,
                        print=lambda *_: self.console.print(self.banner, highlight=False, markup=False, soft_wrap=True))
        finally:
            self.kill_all()


def _to_int(value: str, default: int) -> int:
    try:
        return int(value)
    except ValueError:
        return default


def _resolve(name: str | None, bundled: dict[str, Path]) -> str | None:
    """A bundled name stays a name; a file becomes an absolute path (seats may start anywhere)."""
    if not name or name in bundled:
        return name
    return str(Path(name).expanduser().resolve())


def banner(host: str, port: int, max_sessions: int, scenario: str | None, lesson: str | None) -> str:
    shown = f"[{host}]" if ":" in host else host
    what = f"lesson {lesson}" if lesson else f"scenario {scenario or 'seed'}"
    lines = [(f"peersnap classroom: http://{shown}:{port}/ ({what}; up to {max_sessions} sessions, "
              "one simulator per browser tab)")]
    if host in LOOPBACK:
        lines.append("Only this computer can open it; 'peersnap serve --host 0.0.0.0' opens it to the network.")
    else:
        lines.append(f"Students open http://{socket.gethostname()}:{port}/ (or this machine's address). Anyone who "
                     "can reach this port gets a simulator: the dashboard only, no shell, no host files.")
    lines.append("Ctrl+C stops the server and every session.")
    return "\n".join(lines)


def serve(host: str = "127.0.0.1", port: int = 8000, scenario: str | None = None, lesson: str | None = None,
          max_sessions: int = DEFAULT_MAX_SESSIONS) -> int:
    """Run the classroom server until Ctrl+C or SIGTERM; 2 when it cannot start."""
    try:
        load_scenario(scenario)
        if lesson:
            load_lesson(lesson)
    except (ScenarioError, LessonError) as exc:
        sys.stderr.write(f"peersnap: {exc}\n")
        return 2
    argv = seat_command(_resolve(scenario, bundled_scenarios()), _resolve(lesson, bundled_lessons()))
    server = ClassroomServer(argv, host=host, port=port, max_sessions=max_sessions)
    server.banner = banner(host, port, max_sessions, scenario, lesson)
    try:
        server.serve()
    except OSError as exc:
        sys.stderr.write(f"peersnap serve: cannot listen on {host}:{port}: {exc.strerror or exc}\n")
        return 2
    return 0
