"""`peersnap serve`: the dashboard in the browser, one simulator per student, for a classroom.

An aiohttp server with textual-serve's page assets (xterm.js and textual.js) and seats of
our own (tui/seats.py). On top of "one dashboard process per tab" it adds what a classroom
needs:

- a **seat limit**: a visitor gets a ticket in the page (kept `TICKET_SECONDS` for the page
  to claim its seat) or, beyond `--max-sessions`, a clear "classroom is full" page;
- **seats that survive the page**: the page claims a seat (`POST /seat`) and keeps the
  seat's unguessable token in its tab (sessionStorage, and the browser's last seat in
  localStorage); a reload, a reopened tab or a network blip within `--grace` seconds comes
  back to the same dashboard; after the grace the seat is freed;
- **the trainer's desk** (tui/trainer.py): `/trainer?token=...`;
- **isolation**: each seat is its own `tui.classroom` process in its own process group, with
  host-file writing turned off and a memory limit; a websocket whose Origin is another site's
  is refused, and an oversize or malformed message closes that page's socket only;
- **clean endings**: Ctrl+C or SIGTERM stops every seat before the server exits, and a seat
  whose server dies anyway is ended by the kernel (see tui/classroom.py).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import logging
import secrets
import signal
import socket
import sys
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

import textual_serve
from aiohttp import WSCloseCode, WSMsgType, web
from peersnap.core.lessons import LessonError, load_lesson
from peersnap.core.lessons import bundled as bundled_lessons
from peersnap.core.scenario import ScenarioError
from peersnap.core.scenario import bundled as bundled_scenarios
from peersnap.core.scenario import load as load_scenario

from .classroom import DEFAULT_GRACE_SECONDS, DEFAULT_SEAT_MEMORY_MIB, MIB, default_max_sessions, seat_command
from .seats import Seat
from .serve_pages import dashboard_page, full_message, full_page
from .trainer import TrainerDesk, same_origin

log = logging.getLogger("peersnap.serve")

TICKET_SECONDS = 30.0  # how long a served page keeps its seat while it claims it
RETRY_SECONDS = 15  # the "classroom is full" page reloads itself this often
MAX_MESSAGE = 64 * 1024  # a page's websocket message beyond this closes that socket (keys and resizes are tiny)
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
WARM_SIZE = (160, 48)  # a warm seat's terminal until its page says its size
STATIC = Path(textual_serve.__file__).parent / "static"


class ClassroomServer:
    def __init__(self, argv: list[str], host: str = "127.0.0.1", port: int = 8000, *,
                 max_sessions: int | None = None, trainer_token: str = "", grace: float = DEFAULT_GRACE_SECONDS,
                 seat_memory_mib: int = DEFAULT_SEAT_MEMORY_MIB, title: str = "peersnap classroom",
                 scenario: str | None = None, lesson: str | None = None, warm: int | None = None) -> None:
        self.argv, self.host, self.port, self.title = argv, host, port, title
        self.max_sessions = max_sessions or default_max_sessions()
        self.grace, self.memory_bytes = grace, seat_memory_mib * MIB
        self.scenario, self.lesson = scenario, lesson
        self.seats: dict[str, Seat] = {}
        # Warm seats: dashboards started before their students come (time held), so a class
        # opening at once waits for a redraw, not for 30 Python start-ups on a few cores.
        self.warm = self.max_sessions if warm is None else max(0, warm)
        self.pool: list[Seat] = []
        self.tickets: dict[str, float] = {}
        self.stopping = False
        self.frozen = False
        self.events: collections.deque[str] = collections.deque(maxlen=50)  # what the trainer page lists
        self.trainer = TrainerDesk(self, trainer_token or secrets.token_urlsafe(16))
        self.banner = ""
        self._reaper: asyncio.Task[None] | None = None

    # -- seats -----------------------------------------------------------------------------
    def taken(self) -> int:
        """Seats in use: seats (with or without their page) plus pages that have not claimed one yet."""
        now = time.monotonic()
        for ticket, expires in list(self.tickets.items()):
            if expires <= now:
                del self.tickets[ticket]
        return len(self.seats) + len(self.tickets)

    def note(self, text: str) -> None:
        self.events.appendleft(f"{time.strftime('%H:%M:%S')} {text}")

    def _replaced(self, seat: Seat, reason: str) -> None:
        self.note(f"seat {seat.label} was replaced by a fresh simulator: {reason}")

    def _started(self, seat: Seat) -> None:
        if self.frozen:  # a new dashboard (fresh, replaced or pushed) joins a frozen class frozen
            seat.command({"do": "freeze"})

    async def _ended(self, seat: Seat) -> None:
        if self.seats.get(seat.token) is seat:
            del self.seats[seat.token]
        if seat in self.pool:
            self.pool.remove(seat)
        websocket = seat.socket
        if websocket is not None:  # the dashboard quit: close the socket so the page says so
            with suppress(ConnectionError, RuntimeError):
                await websocket.close(code=WSCloseCode.OK, message=b"the session has ended")
        log.info("seat %s ended (pid %s): %d/%d seats in use", seat.label, seat.pid, len(self.seats),
                 self.max_sessions)

    def _make_seat(self) -> Seat:
        seat = Seat(secrets.token_urlsafe(24), list(self.argv), self.memory_bytes, self._replaced, self._ended)
        seat.at_start = self._started
        return seat

    def new_seat(self) -> Seat:
        """A seat for a student: a warm one when there is one (its token is new to everyone)."""
        seat = self.pool.pop(0) if self.pool else self._make_seat()
        seat.last_input = seat.detached_at = time.monotonic()
        self.seats[seat.token] = seat
        asyncio.get_running_loop().call_soon(self.fill_pool)
        return seat

    def fill_pool(self) -> None:
        while not self.stopping and len(self.pool) < min(self.warm, self.max_sessions - len(self.seats)):
            seat = self._make_seat()
            seat.waiting = True
            seat.start(*WARM_SIZE)
            self.pool.append(seat)

    def every_seat(self) -> list[Seat]:
        """The students' seats and the warm ones (the trainer's freeze and push reach both)."""
        return [*self.seats.values(), *self.pool]

    async def _reap(self) -> None:
        """Free the seats whose page has been gone longer than the grace period."""
        while True:
            await asyncio.sleep(min(5.0, max(self.grace / 4, 0.2)))
            now = time.monotonic()
            for seat in list(self.seats.values()):
                if seat.detached_at is not None and now - seat.detached_at > self.grace:
                    self.note(f"seat {seat.label} freed: its page was gone for {self.grace:.0f} s")
                    self.seats.pop(seat.token, None)
                    asyncio.create_task(seat.shut())

    # -- web application -------------------------------------------------------------------
    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_MESSAGE)
        app.add_routes([
            web.get("/", self.handle_index),
            web.post("/seat", self.handle_claim),
            web.get("/ws/{seat}", self.handle_websocket),
            web.get("/status", self.handle_status),
            web.static("/static", STATIC),
        ])
        self.trainer.add_routes(app)
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def handle_index(self, request: web.Request) -> web.Response:
        headers = {"Cache-Control": "no-store"}
        used = self.taken()
        font_size = min(max(_to_int(request.query.get("fontsize", "16"), 16), 6), 48)
        if "resume" in request.query and not self.stopping:  # a page coming back to the seat it kept
            return web.Response(text=dashboard_page(self.title, "", font_size, self.grace, RETRY_SECONDS),
                                content_type="text/html", headers=headers)
        if self.stopping or used >= self.max_sessions:
            log.warning("classroom full (%d/%d): turned a visitor away", used, self.max_sessions)
            return web.Response(status=503, text=full_page(used, self.max_sessions, RETRY_SECONDS),
                                content_type="text/html", headers={**headers, "Retry-After": str(RETRY_SECONDS)})
        ticket = secrets.token_urlsafe(16)
        self.tickets[ticket] = time.monotonic() + TICKET_SECONDS
        return web.Response(text=dashboard_page(self.title, ticket, font_size, self.grace, RETRY_SECONDS), content_type="text/html",
                            headers=headers)

    async def handle_claim(self, request: web.Request) -> web.Response:
        """`POST /seat {ticket, seat, mine, name}`: the page's seat, resumed or new.

        `seat` is the token the page kept; `mine` says it is this tab's own (a reload may take
        its seat back from a page that has not closed yet); the browser's last seat (`mine`
        false, from another tab) is resumed only when no page shows it.
        """
        if not same_origin(request):
            raise web.HTTPForbidden(text="peersnap: this page may not be opened from another site")
        try:
            body = await request.json()
            assert isinstance(body, dict)
        except (ValueError, AssertionError):
            raise web.HTTPBadRequest(text="peersnap: a seat claim is a JSON object") from None
        name = _seat_name(body.get("name"))
        seat = self.seats.get(str(body.get("seat") or ""))
        if seat is not None and not seat.ended and (body.get("mine") is True or not seat.attached):
            self.tickets.pop(str(body.get("ticket") or ""), None)
            resumed = True
        else:
            expires = self.tickets.pop(str(body.get("ticket") or ""), None)
            used = self.taken()
            if self.stopping or ((expires is None or expires <= time.monotonic()) and used >= self.max_sessions):
                return web.json_response({"full": full_message(used, self.max_sessions)}, status=503)
            seat, resumed = self.new_seat(), False
        if name:
            seat.name = name
        return web.json_response({"seat": seat.token, "resumed": resumed, "name": seat.name},
                                 headers={"Cache-Control": "no-store"})

    async def handle_status(self, request: web.Request) -> web.Response:
        used = self.taken()
        return web.json_response({"sessions": len(self.seats), "reserved": used - len(self.seats),
                                  "max_sessions": self.max_sessions}, headers={"Cache-Control": "no-store"})

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        if not same_origin(request):
            raise web.HTTPForbidden(text="peersnap: this page may not be opened from another site")
        seat = self.seats.get(request.match_info["seat"])
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_MESSAGE)
        await websocket.prepare(request)
        if seat is None or seat.ended or self.stopping:
            await websocket.send_bytes(b"\r\n  This seat does not exist (any more): reload the page for a fresh one.\r\n")
            await websocket.close(code=4004, message=b"no such seat")
            return websocket
        width = min(max(_to_int(request.query.get("width", "80"), 80), 20), 500)
        height = min(max(_to_int(request.query.get("height", "24"), 24), 10), 200)
        resumed = seat.pid is not None
        await seat.attach(websocket, width, height)
        with suppress(asyncio.TimeoutError):
            await asyncio.wait_for(seat.started.wait(), 10)
        log.info("seat %s %s (pid %s): %d/%d seats in use", seat.label, "back" if resumed else "opened", seat.pid,
                 len(self.seats), self.max_sessions)
        try:
            await self._pump_page(websocket, seat)
        except asyncio.CancelledError:
            pass
        except Exception:  # one student's broken socket must not stop the class
            log.exception("seat %s: its page's socket failed", seat.label)
        finally:
            seat.detach(websocket)
            with suppress(ConnectionError, RuntimeError):
                await websocket.close()
        return websocket

    async def _pump_page(self, websocket: web.WebSocketResponse, seat: Seat) -> None:
        """textual-serve's message loop, except that anything but its small JSON envelopes closes the socket."""
        async for message in websocket:
            if message.type == WSMsgType.ERROR:  # e.g. a message over MAX_MESSAGE (aiohttp closes with 1009)
                log.warning("seat %s: page socket closed: %s", seat.label, websocket.exception())
                return
            envelope = _envelope(message)
            if envelope is None:
                log.warning("seat %s: a malformed message from its page; closing that socket", seat.label)
                await websocket.close(code=WSCloseCode.UNSUPPORTED_DATA, message=b"malformed message")
                return
            kind, data = envelope
            if kind == "stdin" and isinstance(data, str):
                await seat.send_keys(data)
            elif kind == "resize" and isinstance(data, dict):
                width = min(max(_to_int(str(data.get("width")), 80), 20), 500)
                height = min(max(_to_int(str(data.get("height")), 24), 10), 200)
                seat.size = (width, height)
                await seat.send_meta({"type": "resize", "width": width, "height": height})
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind in ("blur", "focus"):
                await seat.send_meta({"type": kind})

    async def on_startup(self, app: web.Application) -> None:
        self._reaper = asyncio.create_task(self._reap())
        self.fill_pool()

    async def on_shutdown(self, app: web.Application) -> None:
        self.stopping = True
        if self._reaper is not None:
            self._reaper.cancel()
        seats = list(self.seats.values())
        if seats:
            log.info("stopping %d session(s)", len(seats))
        seats += self.pool
        sockets = [seat.socket for seat in seats if seat.socket is not None]
        await asyncio.gather(*(seat.shut() for seat in seats), return_exceptions=True)
        for websocket in sockets:
            with suppress(ConnectionError, RuntimeError):
                await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")

    # -- running ---------------------------------------------------------------------------
    def kill_all(self) -> None:
        for seat in self.every_seat():
            seat.kill()

    def serve(self) -> None:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
        logging.getLogger("aiohttp").setLevel(logging.ERROR)
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        stop = asyncio.Event()

        def request_exit() -> None:
            if self.stopping:  # a second Ctrl+C: do not wait for the dashboards to quit
                self.kill_all()
            self.stopping = True
            stop.set()

        for signum in (signal.SIGINT, signal.SIGTERM):
            with suppress(NotImplementedError):
                loop.add_signal_handler(signum, request_exit)
        try:
            loop.run_until_complete(self._run(stop))
        finally:
            self.kill_all()
            loop.close()

    async def _run(self, stop: asyncio.Event) -> None:
        runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=2)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
            print(self.banner, flush=True)
            await stop.wait()
        finally:
            await runner.cleanup()


def _envelope(message: Any) -> tuple[str, Any] | None:
    if message.type != WSMsgType.TEXT:
        return None
    try:
        envelope = message.json()
    except ValueError:
        return None
    if not isinstance(envelope, list) or not envelope or not isinstance(envelope[0], str):
        return None
    return envelope[0], envelope[1] if len(envelope) > 1 else None


def _seat_name(value: object) -> str:
    """A student's name for their seat: printable, at most 40 characters."""
    if not isinstance(value, str):
        return ""
    return "".join(ch for ch in value if ch.isprintable()).strip()[:40]


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


def banner(server: ClassroomServer) -> str:
    host, port = server.host, server.port
    shown = f"[{host}]" if ":" in host else host
    what = f"lesson {server.lesson}" if server.lesson else f"scenario {server.scenario or 'seed'}"
    lines = [(f"peersnap classroom: http://{shown}:{port}/ ({what}; up to {server.max_sessions} seats, "
              "one simulator per student)")]
    if host in LOOPBACK:
        lines.append("Only this computer can open it; 'peersnap serve --host 0.0.0.0' opens it to the network.")
    else:
        lines.append(f"Students open http://{socket.gethostname()}:{port}/ (or this machine's address). Anyone who "
                     "can reach this port gets a simulator: the dashboard only, no shell, no host files.")
    lines.append(f"Trainer: http://{shown}:{port}/trainer?token={server.trainer.token}")
    lines.append("Ctrl+C stops the server and every session.")
    return "\n".join(lines)


def serve(host: str = "127.0.0.1", port: int = 8000, scenario: str | None = None, lesson: str | None = None,
          max_sessions: int | None = None, trainer_token: str = "", grace: float = DEFAULT_GRACE_SECONDS,
          seat_memory_mib: int = DEFAULT_SEAT_MEMORY_MIB, warm: int | None = None) -> int:
    """Run the classroom server until Ctrl+C or SIGTERM; 2 when it cannot start."""
    try:
        load_scenario(scenario)
        if lesson:
            load_lesson(lesson)
    except (ScenarioError, LessonError) as exc:
        sys.stderr.write(f"peersnap: {exc}\n")
        return 2
    scenario, lesson = _resolve(scenario, bundled_scenarios()), _resolve(lesson, bundled_lessons())
    server = ClassroomServer(seat_command(scenario, lesson), host=host, port=port, max_sessions=max_sessions,
                             trainer_token=trainer_token, grace=grace, seat_memory_mib=seat_memory_mib,
                             scenario=scenario, lesson=lesson, warm=warm)
    server.banner = banner(server)
    try:
        server.serve()
    except OSError as exc:
        sys.stderr.write(f"peersnap serve: cannot listen on {host}:{port}: {exc.strerror or exc}\n")
        return 2
    return 0


def serve_from_args(args: argparse.Namespace) -> int:
    return serve(args.host, args.port, args.serve_scenario or args.scenario, args.lesson, args.max_sessions,
                 args.trainer_token or "", float(args.grace), args.seat_memory, args.warm)
