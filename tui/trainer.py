"""The trainer's desk of `peersnap serve`: `/trainer`, one live row per seat, and the class's controls.

Everything under /trainer needs the trainer token (printed by `serve` at start, or
`--trainer-token`), compared in constant time: the page takes it from its address once
(`/trainer?token=...`) and sends it as the `X-Trainer-Token` header on every request after.
A request without it, or with a wrong one, gets 403; no seat's page can reach these routes
without the token, and seat pages hold no token of the trainer's.

Actions reach every seat over its side channel (tui/seat_link.py): a message, freeze and
release of simulated time; pushing a bundled scenario or lesson starts every seat's
dashboard again on it (the students' worlds are replaced; new seats start on it too).
"""

from __future__ import annotations

import hmac
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import web
from peersnap.core.lessons import LessonError, load_lesson
from peersnap.core.lessons import bundled as bundled_lessons
from peersnap.core.scenario import ScenarioError
from peersnap.core.scenario import bundled as bundled_scenarios
from peersnap.core.scenario import load as load_scenario

from .classroom import seat_command
from .trainer_page import trainer_page

if TYPE_CHECKING:
    from .seats import Seat
    from .serve import ClassroomServer

TOKEN_HEADER = "X-Trainer-Token"
MAX_MESSAGE_TEXT = 500


def same_origin(request: web.Request) -> bool:
    """A browser's request from this server's own page (or no browser at all: no Origin header)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    try:
        return urlsplit(origin).netloc.lower() == (request.host or "").lower()
    except ValueError:
        return False


class TrainerDesk:
    def __init__(self, server: ClassroomServer, token: str) -> None:
        self.server, self.token = server, token

    def add_routes(self, app: web.Application) -> None:
        app.add_routes([
            web.get("/trainer", self.handle_page),
            web.get("/trainer/seats", self.handle_seats),
            web.post("/trainer/message", self.handle_message),
            web.post("/trainer/freeze", self.handle_freeze),
            web.post("/trainer/release", self.handle_release),
            web.post("/trainer/push", self.handle_push),
        ])

    def _check(self, request: web.Request) -> None:
        given = request.headers.get(TOKEN_HEADER) or request.query.get("token") or ""
        if not (same_origin(request) and hmac.compare_digest(given.encode(), self.token.encode())):
            raise web.HTTPForbidden(text="peersnap: the trainer page needs the trainer token that 'peersnap serve' "
                                         "printed at start (or --trainer-token)")

    async def handle_page(self, request: web.Request) -> web.Response:
        self._check(request)
        return web.Response(text=trainer_page(sorted(bundled_lessons()), sorted(bundled_scenarios())),
                            content_type="text/html", headers={"Cache-Control": "no-store"})

    async def handle_seats(self, request: web.Request) -> web.Response:
        self._check(request)
        server = self.server
        now = time.monotonic()
        seats = sorted(server.seats.values(), key=lambda seat: (seat.name.lower() or "~", seat.token))
        return web.json_response({
            "seats": [row(seat, now, server.grace) for seat in seats],
            "events": list(server.events),
            "frozen": server.frozen,
            "starting": f"lesson {server.lesson}" if server.lesson else f"scenario {server.scenario or 'seed'}",
            "max_sessions": server.max_sessions,
        }, headers={"Cache-Control": "no-store"})

    async def _body(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="peersnap: a trainer action is a JSON object")
        return body

    async def handle_message(self, request: web.Request) -> web.Response:
        self._check(request)
        text = str((await self._body(request)).get("text", "")).strip()[:MAX_MESSAGE_TEXT]
        if not text:
            raise web.HTTPBadRequest(text="peersnap: the message is empty")
        for seat in self.server.seats.values():
            seat.command({"do": "message", "text": text})
        self.server.note(f"message to every seat: {text}")
        return web.json_response({"ok": True, "seats": len(self.server.seats)})

    async def handle_freeze(self, request: web.Request) -> web.Response:
        return await self._time(request, frozen=True)

    async def handle_release(self, request: web.Request) -> web.Response:
        return await self._time(request, frozen=False)

    async def _time(self, request: web.Request, frozen: bool) -> web.Response:
        self._check(request)
        self.server.frozen = frozen
        for seat in self.server.every_seat():
            seat.command({"do": "freeze" if frozen else "release"})
        self.server.note("time frozen on every seat" if frozen else "time released on every seat")
        return web.json_response({"ok": True, "frozen": frozen})

    async def handle_push(self, request: web.Request) -> web.Response:
        """`{"lesson": NAME}` or `{"scenario": NAME}` (bundled names only: the page cannot name host files)."""
        self._check(request)
        body = await self._body(request)
        lesson, scenario = body.get("lesson") or None, body.get("scenario") or None
        try:
            if lesson is not None:
                if lesson not in bundled_lessons():
                    raise LessonError(f"no bundled lesson '{lesson}'")
                load_lesson(str(lesson))
            elif scenario is not None:
                if scenario not in bundled_scenarios():
                    raise ScenarioError(f"no bundled scenario '{scenario}'")
                load_scenario(str(scenario))
            else:
                raise LessonError("push a lesson or a scenario")
        except (LessonError, ScenarioError) as exc:
            raise web.HTTPBadRequest(text=f"peersnap: {exc}") from None
        server = self.server
        server.lesson, server.scenario = lesson, scenario
        server.argv = seat_command(scenario, lesson)
        for seat in server.every_seat():
            await seat.restart(list(server.argv))
        server.note(f"every seat restarted on {'lesson ' + lesson if lesson else 'scenario ' + str(scenario)}")
        return web.json_response({"ok": True, "seats": len(server.seats)})


def row(seat: Seat, now: float, grace: float) -> dict[str, Any]:
    """One seat as the trainer's table shows it."""
    status = seat.status
    steps = status.get("steps")
    lesson = ""
    if status.get("lesson"):
        lesson = f"{status['lesson']}: step {min(status.get('step', 0) + 1, steps)} of {steps}" \
            if not status.get("done") else f"{status['lesson']}: all {steps} steps"
    if seat.attached:
        page = "connected"
    elif seat.detached_at is not None:
        away = now - seat.detached_at
        page = f"away {away:.0f} s (freed after {grace:.0f} s)"
    else:
        page = "starting"
    return {
        "seat": seat.label,
        "pid": seat.pid,
        "lesson": lesson,
        "step": status.get("step"),
        "steps": steps,
        "done": bool(status.get("done")),
        "command": status.get("command", ""),
        "rc": status.get("rc"),
        "commands": status.get("commands", 0),
        "refusal": status.get("refusal", ""),
        "idle": round(now - seat.last_input),
        "clock": status.get("clock"),
        "frozen": bool(status.get("frozen")),
        "running": bool(status.get("running")),
        "page": page,
        "notes": list(seat.notes),
    }
