"""What one command costs does not grow with the world: counted in function calls
(noise-free, unlike seconds on a shared machine), and the shortcuts that made it cheap
keep their meaning (the change key after outside changes, events routed by type,
checkpoints that copy little however big the world, `sim load`'s lazily indexed writes)."""

from __future__ import annotations

import sys

from peersnap.core import clock, gateway, layers, timeline
from peersnap.core.events import CommandRan, EventBus, OpQueued, StateChanged
from peersnap.core.session import Session

SW = "/gpfs/fs1/sw"


def calls_per_echo(session: Session, start: int, commands: int = 12) -> int:
    """The fewest Python and C function calls one `echo vI > FILE` line made, over `commands` lines."""
    fewest = None
    for i in range(start, start + commands):
        calls = 0

        def count(frame, event, arg):  # type: ignore[no-untyped-def]
            nonlocal calls
            if event in ("call", "c_call"):
                calls += 1

        sys.setprofile(count)
        try:
            result = session.run(f"echo v{i} > {SW}/f{i}")
        finally:
            sys.setprofile(None)
        assert result.rc == 0, result.lines
        fewest = calls if fewest is None else min(fewest, calls)
    assert fewest is not None
    return fewest


def test_an_echo_costs_the_same_calls_with_psnaps_snapshots_and_files():
    """Issue 16: a command cost 8.5x more at 1,000 psnaps (whole-world fingerprints) and grew
    with the files (checkpoint bookkeeping walked every tree). Same calls now, whatever the world,
    but for what its checkpoints share (issue 13): the echo's two reads of a path the live tree
    does not hold look through the frozen layers too, a call and at most MAX_DEPTH lookups each."""
    empty = Session(allow_files=False)
    crowded = Session(allow_files=False)
    engine = crowded.engine
    for i in range(150):
        engine.snapshots.create_psnap("sw")
        engine.snapshots.take_snapshot("cache", f"s{i}", "sw")
        engine.advance(clock.SECOND)
    for i in range(3_000):
        crowded.run(f"echo old{i} > {SW}/old{i}")
    crowded.run("sim settle")
    assert len(engine.world.filesets["sw"].psnaps) == 150
    assert crowded.timeline.current.checkpoints and not empty.timeline.current.checkpoints
    plain = calls_per_echo(empty, 10_000)
    assert plain <= calls_per_echo(crowded, 10_000) <= plain + 2 * (1 + layers.MAX_DEPTH)


def test_a_command_after_outside_changes_is_judged_on_its_own():
    """The session reuses the change key the last command ended with only when nothing happened
    since; time passing, or an engine call outside the language, makes it look again."""
    session = Session(allow_files=False)
    assert session.run(f"echo a > {SW}/a").rc == 0
    session.engine.snapshots.take_snapshot("cache", "outside", "sw")  # not a command: no log entry
    session.run(f"ls {SW}")
    assert session.log[-1].changed is False  # the snapshot was not this command's doing
    session.advance_clock(30 * clock.SECOND)  # the write flushes home meanwhile
    session.run(f"cat {SW}/a")
    assert session.log[-1].changed is False
    session.run(f"echo b > {SW}/a")
    assert session.log[-1].changed is True
    session.run(f"echo b > {SW}/a")  # the same text again: the queued write is replaced
    assert session.log[-1].changed == (session.engine.world.filesets["sw"].queue.next_seq > 3)


def test_listeners_get_only_the_event_types_they_ask_for_in_order():
    bus = EventBus()
    everything: list[object] = []
    queued: list[object] = []
    bus.subscribe(everything.append)
    unsubscribe = bus.subscribe(queued.append, (OpQueued,))
    events = [CommandRan(0, "cache", "ls", 0), OpQueued(1, "sw", 1, "create", "a", 2), StateChanged(2, "sw", "a", "b")]
    for event in events:
        bus.emit(event)
    assert everything == events and queued == [events[1]]
    unsubscribe()
    bus.emit(events[1])
    assert queued == [events[1]] and everything[-1] is events[1]
    late: list[object] = []

    def subscribe_late(event: object) -> None:  # subscribing while an event is delivered: from the next one on
        if not late:
            bus.subscribe(late.append)
            late.append("subscribed")

    bus.subscribe(subscribe_late)
    bus.emit(events[0])
    bus.emit(events[2])
    assert late == ["subscribed", events[2]]
    assert bus.emitted == 6


def test_a_checkpoint_copies_little_however_big_the_world(monkeypatch):
    """A fork used to copy the whole world, so checkpoints were spaced by its size (issue 16). It
    shares the trees' entries and the queue's full chunks now (issue 13): checkpoints come every
    REPLAY_BUDGET of work, and what each one holds alone when it is made does not grow with the
    world (its last queue chunk, its directories' empty tops, its small indexes)."""
    monkeypatch.setattr(timeline, "REPLAY_BUDGET", 200)
    session = Session(allow_files=False)
    line = session.timeline.current
    made: list[tuple[int, int]] = []  # (index, what the checkpoint holds alone) as it was made
    for i in range(3_000):
        before = set(line.checkpoints)
        session.run(f"echo v{i} > {SW}/f{i}")
        for index in set(line.checkpoints) - before:
            made.append((index, timeline.parts(line.checkpoints[index])[1]))
    assert len(made) >= 500  # every ~2 commands (each is COMMAND_WORK and an op of work), some let go for room
    assert max(alone for _, alone in made) <= gateway.CHUNK + 200
    assert len(line.checkpoints) <= timeline.MAX_CHECKPOINTS + 1
    assert session.run("undo").rc == 0 and not session.engine.files.exists("cache", f"{SW}/f2999")
    assert session.engine.files.exists("cache", f"{SW}/f2998")


def test_a_write_after_sim_load_still_replaces_the_loaded_create():
    """`sim load` indexes its batch's writes only when a later write asks (most never do)."""
    session = Session(allow_files=False)
    assert session.run("sim load 100").rc == 0
    queue = session.engine.world.filesets["sw"].queue
    length = queue.length
    assert session.run(f"echo new > {SW}/load/f0000007").rc == 0
    assert queue.length == length  # the loaded create was dropped, a create of the new text queued
    ops = [op for op in queue if op.path == "load/f0000007"]
    assert [(op.kind, op.data) for op in ops] == [("create", "new\n")]
    assert session.run(f"rm {SW}/load/f0000009").rc == 0
    assert queue.length == length - 1  # created and removed before it went home: nothing to send
    twin = session.engine.fork()
    assert twin.world.filesets["sw"].queue.length == length - 1
