"""Issue 10, "Nothing wrong, nothing lost": the host running out of memory part way
through a command. The command is refused in the caps' voice (a reason naming what ran
out, GPFS commands add `Command failed`), never a traceback, and the world is as it was
before it: the half-changed world is dropped and built again the way undo builds it.

Each test injects a MemoryError into a low-level write (a tree's bulk create, a queue's
push, a home write while flushing) on its K-th call, after the command has already
changed part of the world, and checks everything observable before and after."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from peersnap.core import requeue, resync
from peersnap.core.gateway import GatewayQueue
from peersnap.core.model import HomeHalf
from peersnap.core.session import OUT_OF_MEMORY, Session
from peersnap.core.tree import VersionedTree

SW = "/gpfs/fs1/sw"
FAILED = "Command failed. Examine previous error messages to determine cause."


def observed(session: Session) -> tuple:
    """All a user can see of the world: its fingerprint, every queued op, each pair's
    marker, the GPFS log, every tree's entries and byte count, and the clock."""
    world = session.engine.world
    queues = tuple((name, tuple(f.queue.window(0, f.queue.slots())), f.queue.busy_until, f.queue.flush_through)
                   for name, f in world.filesets.items())
    markers = tuple((p.name, p.marker.seq if p.marker else None) for f in world.filesets.values()
                    for p in f.psnaps.values())
    trees = tuple((c.role, name, tuple(sorted(t.items(), key=lambda e: e[0])), t.data_bytes)
                  for c in (world.cache, world.home) for name, t in c.fs.trees.items())
    return (session.engine.now, session.engine.fingerprint(), queues, markers, tuple(world.gpfs_log), trees,
            tuple(session.engine.world.filesets[n].unsent_pin for n in world.filesets))


def fail_once(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, on_call: int,
              when: Callable[..., bool] = lambda *a, **k: True) -> list[int]:
    """Make `owner.name` raise MemoryError on its `on_call`-th call that `when` accepts,
    once (the world built again afterwards calls it too); returns the call counter."""
    original = getattr(owner, name)
    calls = [0]

    def flaky(*args: Any, **kwargs: Any) -> Any:
        if when(*args, **kwargs):
            calls[0] += 1
            if calls[0] == on_call:
                raise MemoryError
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, flaky)
    return calls


def refused_unchanged(session: Session, line: str, calls: list[int], on_call: int) -> list[str]:
    before = observed(session)
    logged = len(session.log)
    result = session.run(line)
    assert calls[0] >= on_call, f"the fault was never reached: {line}"
    assert result.rc == 1, result.lines
    assert observed(session) == before, line
    assert len(session.log) == logged  # not logged: on a larger machine it would not fail
    return result.lines


def test_a_load_that_runs_out_of_memory_in_its_third_batch_writes_nothing(monkeypatch):
    """`sim load` builds its files 65,536 at a time; memory running out in the third
    batch, with two batches already in the tree and the queue, leaves neither."""
    session = Session(allow_files=False)
    assert session.run(f"echo before > {SW}/kept").ok and session.run("sim load 10").ok
    calls = fail_once(monkeypatch, VersionedTree, "create_files", 3)
    lines = refused_unchanged(session, "sim load 200000", calls, 3)
    assert lines == [f"sim: load: {OUT_OF_MEMORY}"]
    assert "Cannot allocate memory" in lines[0] and "the world is as it was before" in lines[0]
    tree = session.engine.world.cache.fs.trees["sw"]
    assert tree.child_count("load") == 10
    # the session goes on: the same load, memory permitting, and undo
    assert session.run("sim load 200000").ok
    assert session.engine.world.cache.fs.trees["sw"].child_count("load") == 200_010
    assert session.run("undo").ok and session.engine.world.cache.fs.trees["sw"].child_count("load") == 10


def test_a_load_that_runs_out_while_queueing_leaves_the_tree_as_it_was(monkeypatch):
    session = Session(allow_files=False)
    calls = fail_once(monkeypatch, GatewayQueue, "push_creates", 2)
    assert refused_unchanged(session, "sim load 100000", calls, 2) == [f"sim: load: {OUT_OF_MEMORY}"]
    assert session.engine.world.cache.fs.trees["sw"].get("load") is None


def test_a_big_echo_written_to_the_tree_but_not_queued_is_undone(monkeypatch):
    """`echo` sets the file, then queues its write: memory running out in between."""
    session = Session(allow_files=False)
    assert session.run(f"echo small > {SW}/big").ok
    calls = fail_once(monkeypatch, GatewayQueue, "push_write", 1)
    assert refused_unchanged(session, f"echo {'x' * 2000} > {SW}/big", calls, 1) == [f"echo: {OUT_OF_MEMORY}"]
    assert session.run(f"cat {SW}/big").lines == ["small"]


def test_a_resync_that_pinned_the_cache_and_ran_out_queueing_is_refused_gpfs_style(monkeypatch):
    session = Session(allow_files=False)
    assert session.run("@home echo rogue > /gpfs/fs1/sw/README").ok
    calls = fail_once(monkeypatch, GatewayQueue, "push", 1, lambda self, kind, *rest: kind == "resync")
    assert refused_unchanged(session, "mmafmctl fs1 resync -j sw", calls, 1) == [
        f"mmafmctl: {OUT_OF_MEMORY}", f"mmafmctl: {FAILED}"]


def test_a_resync_running_out_part_way_through_rewriting_home_is_undone_with_the_clock(monkeypatch):
    """The resync reaches home during `sim settle`: home half rewritten, then no memory."""
    session = Session(allow_files=False)
    for i in range(5):
        assert session.run(f"@home echo rogue{i} > /gpfs/fs1/sw/r{i}").ok
    assert session.run("mmafmctl fs1 resync -j sw").ok
    calls = fail_once(monkeypatch, resync, "remove_subtree", 3)
    assert refused_unchanged(session, "sim settle", calls, 3) == [f"sim: settle: {OUT_OF_MEMORY}"]
    assert session.run("sim settle").ok
    assert session.run("ls /gpfs/fs1/sw").lines == session.run("@home ls /gpfs/fs1/sw").lines


def test_a_failover_that_moved_the_target_and_ran_out_queueing_its_resync_keeps_the_old_target(monkeypatch):
    session = Session(allow_files=False)
    assert session.run("@home mkdir /gpfs/fs1/sw2").ok
    calls = fail_once(monkeypatch, GatewayQueue, "push", 1, lambda self, kind, *rest: kind == "resync")
    lines = refused_unchanged(session, "mmafmctl fs1 failover -j sw --new-target=home1:/gpfs/fs1/sw2", calls, 1)
    assert lines == [f"mmafmctl: {OUT_OF_MEMORY}", f"mmafmctl: {FAILED}"]
    assert str(session.engine.world.filesets["sw"].target).endswith("/gpfs/fs1/sw")


def test_a_gateway_failure_that_runs_out_requeueing_keeps_the_queue_it_would_have_lost(monkeypatch):
    """Recovery loses the queue, then requeues: memory running out while requeueing
    (the queue already lost) leaves the old queue, its psnap marker and the pair."""
    session = Session(allow_files=False)
    assert session.run("sim load 3000").ok and session.run("mmpsnap fs1 create -j sw").ok
    assert session.run(f"echo after > {SW}/after").ok
    queue = session.engine.world.filesets["sw"].queue
    assert queue.markers == 1
    calls = fail_once(monkeypatch, GatewayQueue, "push_creates", 1)
    assert refused_unchanged(session, "sim gateway fail", calls, 1) == [f"sim: gateway: {OUT_OF_MEMORY}"]
    assert session.engine.world.filesets["sw"].queue.markers == 1
    assert session.run("sim gateway fail").ok and session.run("sim settle").ok
    (pair,) = session.engine.world.filesets["sw"].psnaps.values()
    assert pair.home is HomeHalf.CREATED and pair.identical


def test_a_gateway_failure_that_runs_out_while_comparing_changes_nothing(monkeypatch):
    """The comparison runs before anything changes: running out there needs no undo at all."""
    session = Session(allow_files=False)
    assert session.run("sim load 500").ok
    calls = fail_once(monkeypatch, requeue, "differences", 1)
    assert refused_unchanged(session, "sim gateway fail", calls, 1) == [f"sim: gateway: {OUT_OF_MEMORY}"]


def test_an_iw_recovery_at_start_that_runs_out_stays_stopped_with_what_it_kept(monkeypatch):
    session = Session(allow_files=False)
    assert session.run("echo one > /gpfs/fs1/iw/a").ok and session.run("mmafmctl fs1 stop -j iw").ok
    assert session.run("echo two > /gpfs/fs1/iw/b").ok
    calls = fail_once(monkeypatch, GatewayQueue, "push_creates", 1)
    assert refused_unchanged(session, "mmafmctl fs1 start -j iw", calls, 1) == [
        f"mmafmctl: {OUT_OF_MEMORY}", f"mmafmctl: {FAILED}"]
    assert session.engine.world.filesets["iw"].stopped
    assert session.run("mmafmctl fs1 start -j iw").ok and session.run("sim settle").ok
    assert session.run("@home cat /gpfs/fs1/iw/b").lines == ["two"]


def test_undo_that_runs_out_building_the_earlier_world_undoes_nothing(monkeypatch):
    session = Session(allow_files=False)
    assert session.run(f"echo one > {SW}/u").ok and session.run(f"echo two > {SW}/u").ok
    before = observed(session)
    logged = list(session.log)
    monkeypatch.setattr(session.timeline, "engine_at", lambda *a, **k: (_ for _ in ()).throw(MemoryError))
    result = session.run("undo")
    assert result.rc == 1 and result.lines == [f"undo: {OUT_OF_MEMORY}"]
    assert observed(session) == before and session.log == logged
    monkeypatch.undo()
    assert session.run("undo").ok and session.run(f"cat {SW}/u").lines == ["one"]


def test_the_dashboards_clock_running_out_while_flushing_puts_the_world_back_and_says_so(monkeypatch):
    """Time passing outside any command (the dashboard's timer, its single step): home half
    written when memory runs out. The world is as before and SimError says why (the
    dashboard pauses and shows it); nothing is logged."""
    from peersnap.core import engine
    from peersnap.core.errors import SimError

    session = Session(allow_files=False)
    assert session.run("sim load 200").ok
    # the step flushes the load/ mkdir alone (its queue head already moved on); the timer, the files
    for advance, owner, name in ((session.step_clock, engine, "apply_at_home"),
                                 (lambda: session.advance_clock(60_000_000), VersionedTree, "set_files")):
        calls = fail_once(monkeypatch, owner, name, 1)
        before, logged = observed(session), list(session.log)
        with pytest.raises(SimError, match="^time: Cannot allocate memory"):
            advance()
        assert calls[0] == 1 and observed(session) == before and session.log == logged
        monkeypatch.undo()
    session.advance_clock(60_000_000)
    assert session.engine.world.filesets["sw"].queue.length == 0


def test_peersnap_run_replaying_time_that_runs_out_prints_the_refusal_and_goes_on(tmp_path, monkeypatch, capsys):
    """`peersnap run --replay`: a clock entry (time the dashboard let pass) that runs out of
    memory is one refusal line in the transcript and exit 1, not a traceback; the rest runs."""
    from peersnap.tui.cli import main

    session = Session()
    assert session.run("sim load 200").ok
    session.advance_clock(60_000_000)
    assert session.run(f"echo after > {SW}/after").ok
    assert session.run(f"save {tmp_path / 'saved.toml'}").ok
    calls = fail_once(monkeypatch, VersionedTree, "set_files", 1)
    assert main(["run", "--replay", str(tmp_path / "saved.toml")]) == 1
    out = capsys.readouterr().out.splitlines()
    assert calls[0] == 1 and f"time: {OUT_OF_MEMORY}" in out
    assert out[-1] == f"[cache]# echo after > {SW}/after"


def test_running_out_while_reading_the_line_changes_nothing(monkeypatch):
    from peersnap.core import session as session_module

    session = Session(allow_files=False)
    before, logged = observed(session), list(session.log)
    calls = fail_once(monkeypatch, session_module.language, "parse_line", 1)  # (the session's line reader)
    result = session.run(f"echo {'x' * 500} > {SW}/x")
    assert calls[0] == 1 and result.rc == 1 and result.lines == [f"peersnap: {OUT_OF_MEMORY}"]
    assert observed(session) == before and session.log == logged
