"""The trainer's desk and the seats' safety in `peersnap serve`, on a live server.

One server (a lesson for every seat, a 2 s grace period, a 300 MiB memory limit per seat)
serves the whole module; tabs are opened the way the page opens them (tests/classroom_live.py).
The trainer's desk is read the way its page reads it: `GET /trainer/seats` with the token.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from classroom_live import ROOT, LiveServer, Tab, alive, start_server, wait_until

aiohttp = pytest.importorskip("aiohttp")

TOKEN = "a-trainer-token-for-the-tests"
LESSON = "Your first peer snapshot"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("trainer"), "--max-sessions", "8", "--lesson", "first-psnap",
                        "--grace", "2", "--seat-memory", "300", "--trainer-token", TOKEN, "--warm", "2")
    try:
        yield live
    finally:
        live.stop()


def request(server: LiveServer, path: str, body: dict | None = None, token: str | None = TOKEN,
            headers: dict | None = None) -> tuple[int, str]:
    data = json.dumps(body).encode() if body is not None else None
    sent = {"Content-Type": "application/json", **(headers or {})}
    if token is not None:
        sent["X-Trainer-Token"] = token
    try:
        with urllib.request.urlopen(urllib.request.Request(server.url + path, data=data, headers=sent),
                                    timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def desk(server: LiveServer) -> dict:
    status, text = request(server, "trainer/seats")
    assert status == 200, text
    return json.loads(text)


def seat_row(server: LiveServer, name: str) -> dict:
    rows = [row for row in desk(server)["seats"] if row["seat"] == name]
    assert rows, f"no seat named {name} on the trainer's desk"
    return rows[0]


def wait_for_row(server: LiveServer, name: str, check, what: str, seconds: float = 20) -> dict:  # type: ignore[no-untyped-def]
    found: dict = {}

    def holds() -> bool:
        rows = [row for row in desk(server)["seats"] if row["seat"] == name]
        if rows and check(rows[0]):
            found.update(rows[0])
            return True
        return False

    wait_until(holds, seconds, what)
    return found


async def type_line(server: LiveServer, tab: Tab, name: str, line: str) -> dict:
    """Type a console line in one go and wait until the seat has run it (as a student waits for the
    prompt: keys sent straight after an Enter may reach the dashboard in the same read)."""
    before = (await asyncio.to_thread(seat_row, server, name))["commands"]
    await tab.socket.send_json(["stdin", line + "\r"])
    return await asyncio.to_thread(wait_for_row, server, name, lambda r: r["commands"] > before, f"'{line}' to run")


def run(coroutine) -> None:  # type: ignore[no-untyped-def]
    asyncio.run(asyncio.wait_for(coroutine, 90))


def session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))


# -- the trainer token ----------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["trainer", "trainer/seats"])
def test_the_trainer_pages_without_the_token_or_with_a_wrong_one_are_403(server, path):
    assert request(server, path, token=None)[0] == 403
    assert request(server, path, token="wrong")[0] == 403
    assert request(server, f"{path}?token=wrong", token=None)[0] == 403
    assert request(server, path, token=TOKEN + "x")[0] == 403
    status, text = request(server, f"{path}?token={TOKEN}", token=None)
    assert status == 200 and ("peersnap classroom" in text or '"seats"' in text)


@pytest.mark.parametrize("action", ["freeze", "release", "message", "push"])
def test_the_trainer_actions_without_the_token_are_403_and_change_nothing(server, action):
    body = {"text": "hello", "lesson": "first-psnap"}
    assert request(server, f"trainer/{action}", body, token=None)[0] == 403
    assert request(server, f"trainer/{action}", body, token="guess")[0] == 403
    assert desk(server)["frozen"] is False


# -- seat tokens, origins, bad messages ----------------------------------------------------------
def test_a_guessed_seat_token_gets_no_seat(server):
    guessed = secrets.token_urlsafe(24)

    async def scenario() -> None:
        async with session() as http:
            student = Tab(server)  # a live seat a guess could reach if tokens were not checked
            await student.open(http, name="guess-victim")
            await student.read_until(b"Events")
            socket = await http.ws_connect(f"{server.url.replace('http', 'ws')}ws/{guessed}?width=80&height=24")
            message = await socket.receive()
            while message.type.name == "BINARY":
                assert b"does not exist" in message.data
                message = await socket.receive()
            assert message.type.name == "CLOSE" and message.data == 4004
            tab = Tab(server)
            answer = await tab.claim(http, seat=guessed, mine=True)
            assert answer["seat"] != guessed and answer["resumed"] is False  # a new seat, never the guessed one
            assert answer["seat"] != student.seat and len(student.seat) >= 32  # 24 random bytes, urlsafe
            await student.socket.close()

    run(scenario())


def test_a_websocket_or_seat_claim_from_another_site_is_refused(server):
    async def scenario() -> None:
        async with session() as http:
            tab = Tab(server)
            await tab.claim(http)
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(f"{server.url.replace('http', 'ws')}ws/{tab.seat}",
                                      headers={"Origin": "http://evil.example"})
            assert refused.value.status == 403
            async with http.post(server.url + "seat", json={"seat": tab.seat, "mine": True},
                                 headers={"Origin": "http://evil.example"}) as response:
                assert response.status == 403

    run(scenario())


def test_an_oversize_or_malformed_message_closes_only_that_page(server):
    async def scenario() -> None:
        async with session() as http:
            big, bad, good = Tab(server), Tab(server), Tab(server)
            for tab in (big, bad, good):
                await tab.open(http)
            await asyncio.gather(*(tab.read_until(b"Events") for tab in (big, bad, good)))
            await big.socket.send_str(json.dumps(["stdin", "x" * 200_000]))
            await bad.socket.send_str("this is not a textual-serve envelope")
            for tab, code in ((big, 1009), (bad, 1003)):
                message = await tab.socket.receive()
                while message.type.name == "BINARY":
                    message = await tab.socket.receive()
                assert message.type.name in ("CLOSE", "CLOSED", "CLOSING"), message
                assert tab.socket.close_code == code
            await good.socket.send_json(["stdin", "mmpsnap fs1 create -j sw\r"])
            await good.read_until(b"created with id")
            # The closed pages' seats are still there: the page comes back to the same world.
            await big.open(http, seat=big.seat, mine=True)
            await big.read_until(b"Events")

    run(scenario())


# -- seats that survive ----------------------------------------------------------------------------
def test_a_page_that_comes_back_gets_the_same_simulator_and_world(server):
    async def scenario() -> None:
        async with session() as http:
            tab = Tab(server)
            await tab.open(http, name="carol")
            await tab.read_until(b"Events")
            pid = seat_row(server, "carol")["pid"]
            await tab.socket.send_json(["stdin", "mmpsnap fs1 create -j sw\r"])
            await tab.read_until(b"created with id")
            await tab.socket.close()
            await asyncio.to_thread(wait_for_row, server, "carol", lambda row: row["page"].startswith("away"),
                                    "the page to be away")
            answer = await tab.open(http, seat=tab.seat, mine=True)
            assert answer == {"seat": tab.seat, "resumed": True, "name": "carol"}
            await tab.read_until(b"created with id")  # the whole screen again, console included
            while not re.search(rb"psnap-\d+-", tab.output):  # (its panes may come in the next packet)
                message = await asyncio.wait_for(tab.socket.receive(), 20)
                assert message.type.name == "BINARY", message
                tab.output += message.data
            assert seat_row(server, "carol")["pid"] == pid  # the same dashboard process
            await tab.socket.close()

    run(scenario())


def test_after_the_grace_period_the_seat_is_freed_and_its_token_fails(server):
    async def scenario() -> None:
        async with session() as http:
            tab = Tab(server)
            await tab.open(http, name="dave")
            await tab.read_until(b"Events")
            pid = seat_row(server, "dave")["pid"]
            await tab.socket.close()
            started = time.monotonic()
            await asyncio.to_thread(wait_until, lambda: not [r for r in desk(server)["seats"] if r["seat"] == "dave"],
                                    15, "the seat to be freed")
            assert time.monotonic() - started >= 1.5  # not before the 2 s grace
            await asyncio.to_thread(wait_until, lambda: not alive(pid), 15, "the seat's dashboard to exit")
            assert any("seat dave freed" in line for line in desk(server)["events"])
            socket = await http.ws_connect(f"{server.url.replace('http', 'ws')}ws/{tab.seat}")
            message = await socket.receive()
            while message.type.name == "BINARY":
                message = await socket.receive()
            assert message.data == 4004

    run(scenario())


# -- the trainer's desk ----------------------------------------------------------------------------
def test_the_desk_shows_each_named_seat_its_lesson_step_commands_refusals_and_completion(server):
    async def scenario() -> None:
        async with session() as http:
            tab = Tab(server)
            await tab.open(http, name="erin")
            await tab.read_until(b"Events")
            row = await asyncio.to_thread(wait_for_row, server, "erin", lambda r: r["lesson"], "erin's lesson")
            assert row["lesson"] == f"{LESSON}: step 1 of 4" and not row["done"] and row["page"] == "connected"
            for line in ("@home mmafmconfig disable /gpfs/fs1/sw", "mmpsnap fs1 create -j sw"):
                row = await type_line(server, tab, "erin", line)
            assert row["refusal"].startswith("6027-2224") and row["command"] == "mmpsnap fs1 create -j sw"
            assert row["rc"] == 1 and row["lesson"] == f"{LESSON}: step 1 of 4"
            await tab.quiet()
            tab.output = b""
            await tab.socket.send_json(["stdin", "\x1b"])  # Escape closes the refusal's explanation card:
            await tab.read_until(b"Events")  # the dashboard is drawn again (keys sent with the Escape would be Alt+key)
            # enabled after the fileset was linked: unlink and relink before the psnap (issue 11)
            for line in ("@home mmafmconfig enable /gpfs/fs1/sw", "mmunlinkfileset fs1 sw",
                         "mmlinkfileset fs1 sw -J /gpfs/fs1/sw", "mmpsnap fs1 create -j sw"):
                await type_line(server, tab, "erin", line)
            row = await asyncio.to_thread(wait_for_row, server, "erin", lambda r: "step 2" in r["lesson"], "step 2")
            assert row["rc"] == 0 and row["idle"] <= 3
            for line in ("mmlssnapshot fs1 -j sw", "sim settle", "@home mmlssnapshot fs1"):
                await type_line(server, tab, "erin", line)
            row = await asyncio.to_thread(wait_for_row, server, "erin", lambda r: r["done"], "the lesson's end")
            assert row["lesson"] == f"{LESSON}: all 4 steps" and row["command"] == "mmlssnapshot fs1"
            await tab.socket.close()

    run(scenario())


def test_the_trainer_messages_freezes_and_releases_every_seat(server):
    async def scenario() -> None:
        async with session() as http:
            tabs = [Tab(server), Tab(server)]
            for i, tab in enumerate(tabs):
                await tab.open(http, name=f"frank{i}")
                await tab.read_until(b"Events")
                # (first-psnap no longer starts paused, issue 12: time already runs)
                await asyncio.to_thread(wait_for_row, server, f"frank{i}", lambda r: r["running"], "time to run")
            status, _ = await asyncio.to_thread(request, server, "trainer/message", {"text": "look at the queue"})
            assert status == 200
            await asyncio.gather(*(tab.read_until(b"trainer: look at the queue") for tab in tabs))
            assert (await asyncio.to_thread(request, server, "trainer/freeze", {}))[0] == 200
            rows = [await asyncio.to_thread(wait_for_row, server, f"frank{i}", lambda r: r["frozen"], "frozen")
                    for i in range(2)]
            await tabs[0].socket.send_json(["stdin", "\x1b[18~"])  # F7 while frozen: refused, with a notice
            await tabs[0].read_until(b"Time is frozen")
            await asyncio.sleep(1.5)
            later = [await asyncio.to_thread(seat_row, server, f"frank{i}") for i in range(2)]
            assert [r["clock"] for r in later] == [r["clock"] for r in rows]  # time stands still
            assert [r["running"] for r in later] == [False, False]
            assert desk(server)["frozen"] is True
            assert (await asyncio.to_thread(request, server, "trainer/release", {}))[0] == 200
            for i, row in enumerate(rows):
                await asyncio.to_thread(wait_for_row, server, f"frank{i}",
                                        lambda r, clock=row["clock"]: not r["frozen"] and r["clock"] > clock,
                                        "time to run again")
            for tab in tabs:
                await tab.socket.close()

    run(scenario())


def test_a_huge_sim_load_in_a_seat_gets_the_engines_cap_message_first(server):
    """A seat's world has caps from its memory limit (300 MiB here: 221,184 files), so a student's
    huge `sim load` is refused in the engine's own words and the seat lives on."""
    async def scenario() -> None:
        async with session() as http:
            hungry = Tab(server)
            await hungry.open(http, name="hungry")
            await hungry.read_until(b"Events")
            pid = seat_row(server, "hungry")["pid"]
            row = await type_line(server, hungry, "hungry", "sim load 9000000")
            await hungry.read_until(b"221,184")  # the cap, named (the console wraps its lines between words)
            assert all(word in hungry.output for word in (b"refused,", b"device", b"simulator's", b"cap"))
            assert row["rc"] == 1 and row["command"] == "sim load 9000000" and not row["notes"]
            row = await type_line(server, hungry, "hungry", "sim load 1000")
            await hungry.read_until(b"Wrote 1,000 files")
            assert row["rc"] == 0 and row["pid"] == pid and not row["notes"]
            await hungry.socket.close()

    run(scenario())


@pytest.fixture(scope="module")
def roomy_server(tmp_path_factory) -> Iterator[LiveServer]:
    """Seats on a scenario whose own [limits] lets a world outgrow the seat's memory (the
    trainer's choice: the seat's caps then give way to the scenario's)."""
    folder = tmp_path_factory.mktemp("roomy")
    seed = (ROOT / "core" / "scenarios" / "seed.toml").read_text()
    (folder / "roomy.toml").write_text(seed + "\n[limits]\nfiles = 100000000\nqueued_ops = 100000000\n")
    live = start_server(folder, "--max-sessions", "3", "--scenario", str(folder / "roomy.toml"), "--grace", "2",
                        "--seat-memory", "300", "--trainer-token", TOKEN, "--warm", "0")
    try:
        yield live
    finally:
        live.stop()


def test_a_seat_that_runs_out_of_memory_refuses_the_command_and_keeps_its_world(roomy_server):
    """A world allowed past the seat's memory (the scenario's own [limits]): `sim load 9000000`
    runs the seat out of memory part way. Issue 10: the command is refused in the caps' voice
    (Cannot allocate memory) and the world is as it was, so the seat lives on with the student's
    work in it (it used to be replaced by a fresh simulator, the work lost); the neighbour never
    noticed."""
    server = roomy_server

    async def scenario() -> None:
        async with session() as http:
            victim, neighbour = Tab(server), Tab(server)
            await victim.open(http, name="greedy")
            await neighbour.open(http, name="neighbour")
            await asyncio.gather(victim.read_until(b"Events"), neighbour.read_until(b"Events"))
            # the neighbour's page keeps reading, as a browser does (and so answers the server's heartbeat)
            watching = asyncio.create_task(neighbour.quiet(gap=120, seconds=120))
            pid = seat_row(server, "greedy")["pid"]
            row = await type_line(server, victim, "greedy", "mmpsnap fs1 create -j sw")
            assert row["rc"] == 0
            await victim.socket.send_json(["stdin", "sim load 9000000\r"])
            row = await asyncio.to_thread(wait_for_row, server, "greedy", lambda r: r["command"] == "sim load 9000000",
                                          "the load to be refused", 60)
            assert row["rc"] == 1 and row["pid"] == pid and not row["notes"] and alive(pid)
            await victim.read_until(b"allocate memory", 30)  # (the console wraps its lines between words)
            # the world as it was: the pair taken before is there, and the seat goes on working
            row = await type_line(server, victim, "greedy", "mmlssnapshot fs1 -j sw")
            assert row["rc"] == 0 and row["pid"] == pid
            await victim.read_until(b"psnap-", 30)
            watching.cancel()
            await asyncio.gather(watching, return_exceptions=True)
            await neighbour.socket.send_json(["stdin", "mmpsnap fs1 create -j sw\r"])
            await neighbour.read_until(b"created with id")
            for tab in (victim, neighbour):
                await tab.socket.close()

    run(scenario())


def test_pushing_a_scenario_or_lesson_starts_every_seat_on_it(server):
    assert request(server, "trainer/push", {"lesson": "no-such-lesson"})[0] == 400
    assert request(server, "trainer/push", {"scenario": "/etc/passwd"})[0] == 400  # bundled names only

    async def scenario() -> None:
        async with session() as http:
            tab = Tab(server)
            await tab.open(http, name="heidi")
            await tab.read_until(b"Events")
            await asyncio.to_thread(wait_for_row, server, "heidi", lambda r: r["lesson"], "heidi's lesson")
            assert (await asyncio.to_thread(request, server, "trainer/push", {"scenario": "disconnect-drill"}))[0] == 200
            await asyncio.to_thread(wait_for_row, server, "heidi", lambda r: r["clock"] is not None and not r["lesson"],
                                    "the pushed scenario")
            assert desk(server)["starting"] == "scenario disconnect-drill"
            assert (await asyncio.to_thread(request, server, "trainer/push", {"lesson": "first-psnap"}))[0] == 200
            await asyncio.to_thread(wait_for_row, server, "heidi", lambda r: r["lesson"] == f"{LESSON}: step 1 of 4",
                                    "the pushed lesson")
            await tab.socket.close()

    run(scenario())
