"""Issue 16's shortcuts on a command's path change nothing a user or a listener can see.

`echo TEXT > PATH` at the cache resolves the commonest shape of path without building a
`Location` (`FileOps._write_plain`); these tests run the same lines with the shortcut
and with it turned off, and compare everything: each result, each event, the log and
the world's fingerprint. (The records' own quick `__init__`: tests/test_records.py.)
"""

from __future__ import annotations

import pytest
from peersnap.core import fileops, scenario
from peersnap.core.session import Session
from test_change_key import random_script

SW = "/gpfs/fs1/sw"
M = "/gpfs/fs1"
# every way a path can leave the shortcut's shape, and the shape itself
ECHO_LINES = [
    f"echo a > {SW}/new", f"echo b > {SW}/new", f"echo b > {SW}/new", f"echo c >> {SW}/new", f"echo -n d >> {SW}/new",
    f"echo e > {SW}/d/x", f"mkdir {SW}/d", f"echo e > {SW}/d/x", f"echo f > {SW}/d", f"echo g > {SW}/d/x/y",
    f"echo h > {SW}//new", f"echo i > {SW}/./new", f"echo j > {SW}/d/../new2", f"echo k > {SW}/new/",
    f"echo l > {SW}/.hidden", f"echo m > {SW}/.snapshots/x", f"echo n > {SW}", f"echo o > {M}/", f"echo p > {M}",
    f"echo q > {M}/ro/x", f"echo r > {M}/lu/x", f"echo r > {M}/lu/x", f"echo s > {M}/iw/x", f"echo t > {M}/swnsd/x",
    f"echo u > {M}/nosuch/x", f"echo v > {M}/.snapshots/x", "echo w > relative", "echo x > /elsewhere/x",
    f"echo y > {SW}/{'n' * 300}", f"echo z > {SW}/{'d/' * 130}x", f"@home echo a > {SW}/home-side",
    "mmunlinkfileset fs1 lu", f"echo b > {M}/lu/x", "mmlinkfileset fs1 lu -J /gpfs/fs1/lu", f"echo b > {M}/lu/y",
    "mmafmctl fs1 stop -j sw", f"echo stopped > {SW}/s", "mmafmctl fs1 start -j sw", f"echo started > {SW}/s",
    "sim gateway fail", f"echo dropped > {SW}/dr", "sim advance 61s", f"echo later > {SW}/dr",
    f"@home echo behind > {SW}/h", "sim settle", f"echo resync > {SW}/r", "sim settle",
    "sim home full", f"echo full > {SW}/full", "sim settle", "sim home free", "sim link down", f"echo down > {SW}/x",
    "sim advance 120s", f"echo disconnected > {SW}/x", "sim link up", "sim settle", f"echo é > {SW}/ünï", "echo plain",
]


def run_lines(lines: list, shortcut: bool, monkeypatch: pytest.MonkeyPatch, name: str | None = None) -> list:
    """Everything the lines showed: results, events, log entries and fingerprints, in order."""
    with monkeypatch.context() as patch:
        if not shortcut:
            patch.setattr(fileops.FileOps, "_write_plain", lambda self, path, text, append: False)
        session = Session(scenario.load(name), allow_files=False)
        seen: list = []
        session.subscribe(lambda event: seen.append(("event", repr(event))))
        for line in lines:
            if callable(line):  # a state the lines cannot reach on their own
                line(session)
                continue
            result = session.run(line)
            seen.append(("result", result.rc, result.lines, result.cluster, result.command))
            seen.append(("fingerprint", session.engine.fingerprint(), session.engine.change_key()))
        seen.append(("log", session.log))
        return seen


@pytest.mark.parametrize("name", [None, "rules-tour"])
def test_echo_gives_the_same_everything_with_the_shortcut_and_without(monkeypatch, name):
    with_shortcut = run_lines(ECHO_LINES, True, monkeypatch, name)
    assert with_shortcut == run_lines(ECHO_LINES, False, monkeypatch, name)
    # the lines did reach both paths: refusals, writes and the shortcut's own shape
    results = [entry for entry in with_shortcut if entry[0] == "result"]
    assert {rc for _, rc, *_ in results} >= {0, 1}


def test_a_dropped_fileset_with_home_reachable_recovers_on_the_write_and_queues_it(monkeypatch):
    """The write's access starts the recovery (IBM: recovery runs when "the cache is accessed"): the
    fileset queues again, so the write is queued, with and without the shortcut."""
    def drop(session: Session) -> None:
        session.engine.world.filesets["sw"].dropped = True

    lines = [f"echo a > {SW}/a", "sim settle", drop, f"echo b > {SW}/b", f"echo c > {SW}/c"]
    with_shortcut = run_lines(lines, True, monkeypatch)
    assert with_shortcut == run_lines(lines, False, monkeypatch)
    assert any(kind == "event" and "OpQueued" in text and "path='b'" in text for kind, text, *_ in with_shortcut)


@pytest.mark.parametrize("seed", range(6))
def test_random_scripts_give_the_same_everything_with_the_shortcut_and_without(monkeypatch, seed):
    lines = random_script(seed, 150)
    assert run_lines(lines, True, monkeypatch) == run_lines(lines, False, monkeypatch)


def test_the_shortcut_is_taken_for_the_commonest_shape(monkeypatch):
    taken: list[str] = []
    plain = fileops.FileOps._write_plain

    def spy(self, path, text, append):  # type: ignore[no-untyped-def]
        done = plain(self, path, text, append)
        if done:
            taken.append(path)
        return done

    monkeypatch.setattr(fileops.FileOps, "_write_plain", spy)
    session = Session(allow_files=False)
    for line in (f"echo a > {SW}/f", f"echo b >> {SW}/f", f"echo c > {SW}//g", f"echo d > {SW}/../sw/h"):
        assert session.run(line).rc == 0
    assert taken == [f"{SW}/f", f"{SW}/f"]


def test_a_forked_pair_holds_every_field_of_its_original_and_is_its_own():
    """A fork copies each peer snapshot pair (`PeerSnapshot.__copy__`, not copy's generic way: a world of
    1,000 psnaps forks them all at each checkpoint): every field the same, and a change to the twin is its own."""
    import copy
    from dataclasses import fields as fields_of

    from peersnap.core.model import HomeHalf, PeerSnapshot

    values = {"name": "p", "fileset": "sw", "cache_snap": object(), "marker": object(), "home": HomeHalf.FAILED,
              "home_snap": object(), "created_disconnected": True, "identical": False, "failure": "why",
              "comment": "c", "broken": "home", "marker_seq": 7}
    assert set(values) == {f.name for f in fields_of(PeerSnapshot)}  # a new field: give it a value here
    pair = PeerSnapshot(**values)
    twin = copy.copy(pair)
    assert twin is not pair and all(getattr(twin, name) is value for name, value in values.items())
    twin.home = HomeHalf.CREATED
    assert pair.home is HomeHalf.FAILED


def test_a_forked_fileset_holds_every_field_of_its_original_and_is_its_own():
    """A fork copies each fileset (`AfmFileset.__copy__`: its slots set directly, where copy's generic way
    went through `__setattr__` a field at a time): every field the same (its settings_version too), and a
    change to the twin is its own and moves only its own change key."""
    import copy
    from dataclasses import fields as fields_of

    session = Session(allow_files=False)
    fileset = session.engine.world.filesets["sw"]
    fileset.async_delay_us = 1  # a settings_version other than the first
    twin = copy.copy(fileset)
    assert twin is not fileset
    assert all(getattr(twin, f.name) is getattr(fileset, f.name) for f in fields_of(type(fileset)))
    version = fileset.settings_version
    twin.stopped = True
    assert fileset.stopped is False and twin.settings_version == version + 1 == fileset.settings_version + 1


def test_the_session_forwards_events_only_while_someone_listens_and_across_undo_and_reset():
    """With no listener the engine's events are not forwarded at all (each command's events made a call
    that did nothing); a listener subscribed at any time, before or after an undo or a reset, gets every
    event from then on, and none once it unsubscribes."""
    from peersnap.core.events import OpQueued, SessionReset

    session = Session(allow_files=False)

    def forwarders() -> int:
        return sum(1 for listener, _ in session.engine.bus._listeners if listener == session._forward)

    assert forwarders() == 0
    session.run(f"echo a > {SW}/a")
    seen: list = []
    stop = session.subscribe(seen.append)
    assert forwarders() == 1
    session.run(f"echo b > {SW}/b")
    assert any(isinstance(e, OpQueued) and e.path == "b" for e in seen)
    session.run("undo")  # a new engine: the listener follows it
    assert forwarders() == 1
    session.run(f"echo c > {SW}/c")
    assert any(isinstance(e, OpQueued) and e.path == "c" for e in seen)
    stop()
    assert forwarders() == 0
    count = len(seen)
    session.run(f"echo d > {SW}/d")
    session.reset()
    assert len(seen) == count
    again: list = []
    session.subscribe(again.append)
    session.run(f"echo e > {SW}/e")
    assert any(isinstance(e, OpQueued) and e.path == "e" for e in again) and len(seen) == count
    before_undo = len(again)
    session.run("undo")
    assert any(isinstance(e, SessionReset) for e in again[before_undo:])
