"""Time travel: seek, undo from checkpoints, branches, compare, and saved sessions that keep branches.

The property: from any seek point on any branch, the world is byte-identical to the
world a fresh session reaches by replaying that line's entries from the start.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from peersnap.core import timeline as timeline_module
from peersnap.core.session import Session, load_session
from peersnap.core.session_file import ClockEntry
from peersnap.core.timeline import Moment
from peersnap.core.why import explain

LINES = [
    "echo a > /gpfs/fs1/sw/a", "echo b >> /gpfs/fs1/sw/a", "echo c > /gpfs/fs1/sw/c", "rm /gpfs/fs1/sw/c",
    "mkdir /gpfs/fs1/sw/d", "mv /gpfs/fs1/sw/a /gpfs/fs1/sw/d/a", "mmpsnap fs1 create -j sw", "sim advance 10s",
    "sim advance 3m", "sim link down", "sim link up", "mmafmctl fs1 stop -j sw", "mmafmctl fs1 start -j sw",
    "sim settle", "sim load 30", "@home echo x > /gpfs/fs1/sw/x", "mmafmctl fs1 resync -j sw", "ls /gpfs/fs1/sw",
    "@home mmafmconfig disable /gpfs/fs1/sw", "@home mmafmconfig enable /gpfs/fs1/sw", "sim step",
    "sim gateway fail", "sim home full", "sim home free", "mmafmctl fs1 resumeRequeued -j sw",  # issue 11's recovery
]
CLOCK = "clock"  # a step of the dashboard's timer (a ClockEntry), not a command


def ok(session: Session, line: str) -> list[str]:
    result = session.run(line)
    assert result.rc == 0, (line, result.lines)
    return result.lines


def state(session: Session) -> str:
    """Everything observable, as text: the fingerprint and what `why` says of the fileset."""
    engine = session.engine
    return repr(engine.fingerprint()) + "\n".join(explain(engine.world, "sw", engine.now).lines())


def play(session: Session, steps: list[str]) -> None:
    for step in steps:
        if step == CLOCK:
            session.advance_clock(7_000_000)
        else:
            session.run(step)


def replayed(session: Session, moment: Moment) -> Session:
    """A fresh session that ran the current line's entries up to `moment` from the start."""
    fresh = Session(session.scenario)
    fresh.replay(session.log[: moment.index])
    if moment.extra_us:
        fresh.engine.advance(moment.extra_us)
    return fresh


@pytest.fixture
def dense_checkpoints(monkeypatch):
    """Checkpoints every few entries, so seeks start from checkpoints, not from the start."""
    monkeypatch.setattr(timeline_module, "REPLAY_BUDGET", 150)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(st.sampled_from([*LINES, CLOCK]), min_size=1, max_size=18),
    branch_steps=st.lists(st.sampled_from([*LINES, CLOCK]), min_size=1, max_size=6),
    where=st.floats(0, 1),
    extra=st.integers(0, 9_000_000),
)
def test_seek_then_replay_is_byte_identical_on_every_branch(dense_checkpoints, steps, branch_steps, where, extra):
    session = Session()
    play(session, steps)
    end_state, end_log = state(session), list(session.log)
    index = round(where * len(session.log))
    moment = Moment(index, extra if index < len(session.log) else 0)
    session.seek(moment)
    moment = session.moment
    assert state(session) == state(replayed(session, moment))
    play(session, branch_steps)  # from the past: a branch (if anything changed)
    assert state(session) == state(replayed(session, session.moment))
    if session.timeline.current.name != "main":
        branch = session.timeline.current.name
        session.run("branch switch main")
        assert state(session) == end_state and session.log == end_log
        session.run(f"branch switch {branch}")
        assert state(session) == state(replayed(session, session.timeline.end()))
        for back in range(len(session.log) + 1):
            session.seek(Moment(back))
            assert state(session) == state(replayed(session, Moment(back))), back


def test_a_command_at_an_earlier_moment_starts_a_branch_and_the_old_line_stays():
    session = Session()
    for line in ("echo a > /gpfs/fs1/sw/a", "mmpsnap fs1 create -j sw", "echo b > /gpfs/fs1/sw/b", "sim advance 30s"):
        ok(session, line)
    end = state(session)
    session.seek(Moment(2))
    assert session.moment_text(session.moment) == "main after entry 2 of 4 (+1s)"
    assert ok(session, "ls /gpfs/fs1/sw") == ["README", "a", "data/"]  # a look at the past starts nothing
    assert list(session.timeline.branches) == ["main"]
    ok(session, "echo c > /gpfs/fs1/sw/c")
    assert session.timeline.current.name == "b1"
    assert ok(session, "branch list") == [
        "  main     4 entries of its own, 4 commands in all",
        "* b1       from main after entry 2, 1 entry of its own, 3 commands in all",
    ]
    assert ok(session, "compare main") == [  # fits the dashboard's console (62 columns at 120)
        "               b1 (here)               main (its end)",
        "* time         02:27:29 (+1s)          02:27:59 (+31s)",
        "  sw",
        "* not at home  a, c                    nothing",
        "* pending      …02-27-28 behind 1 op   none",
        "* queue        3 ops (#1..#3)          empty",
        "               head #1 create a",
        "* state        Dirty                   Active",
    ]
    assert ok(session, "branch switch main") == ["Switched to branch main (4 entries)."]
    assert state(session) == end


def test_seek_by_time_lands_inside_a_clock_entry():
    session = Session()
    ok(session, "echo a > /gpfs/fs1/sw/a")
    session.advance_clock(20_000_000)
    session.seek_time(10_000_000)
    assert session.moment == Moment(1, 10_000_000)
    assert session.engine.now == 10_000_000
    assert session.engine.world.filesets["sw"].queue.length == 1  # flushes at +15s: not yet
    session.advance_clock(1_000_000)  # time moving at a past moment branches too
    assert session.timeline.current.name == "b1"
    assert session.log[1:] == [ClockEntry(11_000_000)]


def test_step_back_and_forward_walk_the_entries():
    session = Session()
    for line in ("echo a > /gpfs/fs1/sw/a", "echo b > /gpfs/fs1/sw/b"):
        ok(session, line)
    assert session.step_back() and session.moment == Moment(1)
    assert session.step_back() and session.moment == Moment(0)
    assert not session.step_back()
    assert session.step_forward() and session.step_forward()
    assert session.timeline.at is None and not session.step_forward()


def test_undo_in_the_past_is_refused_and_changes_nothing():
    session = Session()
    ok(session, "echo a > /gpfs/fs1/sw/a")
    session.seek(Moment(0))
    result = session.run("undo")
    assert result.rc == 1 and result.lines == [
        "undo: you are looking at an earlier moment; run a command there to branch from it, or go forward to the end first"]
    assert len(session.log) == 1


def test_branch_errors_speak_plainly():
    session = Session()
    assert session.run("branch switch nope").lines == ["branch: no branch named 'nope' (branches: main)"]
    assert session.run("branch").lines == ["branch: Usage: branch list | branch switch NAME"]
    assert session.run("compare").lines == ["compare: name one branch to compare with this one (Usage: compare BRANCH)"]


def test_saved_sessions_keep_branches_and_old_files_still_load(tmp_path):
    session = Session()
    for line in ("echo a > /gpfs/fs1/sw/a", "mmpsnap fs1 create -j sw", "sim settle"):
        ok(session, line)
    session.seek(Moment(1))
    ok(session, "echo other > /gpfs/fs1/sw/o")
    path = tmp_path / "s.toml"
    ok(session, f"save {path}")
    text = path.read_text()
    assert 'branch = "b1"' in text and 'name = "main"' in text
    loaded, entries = load_session(str(path))
    loaded.replay(entries)
    assert state(loaded) == state(session)
    assert list(loaded.timeline.branches) == ["b1", "main"]
    assert ok(loaded, "branch list") == [  # where b1 forked from is kept too
        "* b1       from main after entry 1, 1 entry of its own, 2 commands in all",
        "  main     3 entries of its own, 3 commands in all",
    ]
    assert ok(session, "branch list") == ok(loaded, "branch list")[::-1]
    again = tmp_path / "again.toml"  # saved again: the same relations, no entry kept twice
    ok(loaded, f"save {again}")
    assert again.read_text() == text
    ok(loaded, "branch switch main")
    ok(session, "branch switch main")
    assert state(loaded) == state(session)
    old = tmp_path / "old.toml"  # a session without branches writes the format of before: no 'branch' keys
    plain = Session()
    ok(plain, "echo a > /gpfs/fs1/sw/a")
    ok(plain, f"save {old}")
    assert "branch" not in old.read_text()
    loaded, entries = load_session(str(old))
    loaded.replay(entries)
    assert list(loaded.timeline.branches) == ["main"] and state(loaded) == state(plain)


def test_a_session_file_with_a_bad_branch_is_refused(tmp_path):
    session = Session()
    ok(session, "echo a > /gpfs/fs1/sw/a")
    session.seek(Moment(0))
    ok(session, "echo b > /gpfs/fs1/sw/b")
    path = tmp_path / "s.toml"
    ok(session, f"save {path}")
    bad = tmp_path / "bad.toml"
    bad.write_text(path.read_text().replace("fork_at = 0", "fork_at = 9"))
    from peersnap.core.session_file import SessionFileError, read_session

    with pytest.raises(SessionFileError, match=r"key 'branches\[0\].fork_at': 9 is not inside"):
        read_session(str(bad))
    for key, value, message in (("branch_parent", '"nope"', "'nope' is not another branch"),
                                ("branch_parent", '"b1"', "'b1' is not another branch"),
                                ("branch_fork_at", "7", "7 is not inside b1 and main"),
                                ("branch_fork_at", '"x"', "must be a name and a whole number")):
        bad.write_text(path.read_text().replace(f"{key} = ", f"{key} = {value}\nignored_{key} = "))
        with pytest.raises(SessionFileError, match=message):
            read_session(str(bad))


def test_forked_twins_never_see_each_others_changes():
    """Filtering (a write superseded, a marker removed) in one twin must not show in the other, nor a
    tree change."""
    session = Session()
    for line in ("echo v1 > /gpfs/fs1/sw/r", "mmpsnap fs1 create -j sw", "echo v1 > /gpfs/fs1/sw/s"):
        ok(session, line)
    twin = session.engine.fork()
    before = repr(twin.fingerprint())
    ok(session, "echo v2 > /gpfs/fs1/sw/s")  # drops #3 in the live queue only
    ok(session, "mmpsnap fs1 delete -s " + next(iter(session.engine.world.filesets["sw"].psnaps)) + " -j sw")
    ok(session, "rm /gpfs/fs1/sw/r")
    assert repr(twin.fingerprint()) == before
    assert [op.dropped for op in twin.world.filesets["sw"].queue.window(0, 9)] == [False, False, False]
    assert [op.dropped for op in session.engine.world.filesets["sw"].queue.window(0, 9)][:3] == [False, True, True]
    twin.settle()
    assert len(twin.world.home.fs.snapshots) == 1 and session.engine.world.home.fs.snapshots == {}


def test_the_history_the_timeline_draws_is_recorded_forked_and_bounded(monkeypatch):
    from peersnap.core import history
    from peersnap.core.model import Sample

    session = Session()
    ok(session, "echo a > /gpfs/fs1/sw/a")
    ok(session, "sim link down")
    ok(session, "sim advance 20s")
    ok(session, "sim link up")
    ok(session, "sim settle")
    world = session.engine.world
    assert world.history.link_down == [(0, 20_000_000)]
    samples = world.history.samples["sw"]
    assert samples[0] == Sample(0, 1, 0) and samples[-1].length == 0
    twin = session.engine.fork()
    before = list(twin.world.history.samples["sw"])
    session.advance_clock(1_000_000)
    ok(session, "echo b > /gpfs/fs1/sw/b")
    assert twin.world.history.samples["sw"] == before  # the twin keeps its own past
    assert session.engine.world.history.samples["sw"] == [*before, Sample(21_000_500, 1, 21_000_500)]
    monkeypatch.setattr(history, "MAX_SAMPLES", 8)
    for i in range(40):
        session.advance_clock(1_000_000)
        ok(session, f"echo {i} > /gpfs/fs1/sw/n{i}")
    kept = session.engine.world.history.samples["sw"]
    assert len(kept) <= 8 and kept == sorted(kept, key=lambda s: s.at)


def test_compare_fits_the_console_and_wraps_long_cells_instead_of_cutting_them():
    """Long paths and many pending halves wrap inside their column: every line fits the
    dashboard's console (62 columns in a 120-column terminal) and no text is lost."""
    session = Session()
    ok(session, "echo a > /gpfs/fs1/sw/a")
    session.seek(Moment(0))
    long_name = "a-rather-long-file-name-that-needs-two-lines.txt"
    ok(session, f"echo x > /gpfs/fs1/sw/{long_name}")
    for _ in range(4):
        ok(session, "mmpsnap fs1 create -j sw")
    lines = ok(session, "compare main")
    assert max(map(len, lines)) <= 62, lines
    left = [line[15:39].rstrip() for line in lines]
    start = left.index("a-rather-long-file-name")
    assert "".join(left[start:start + 3]) == long_name  # wrapped, not cut
    assert left[start + 3:start + 7] == ["…02-27-28 behind 1 op", "…02-27-29 behind 2 ops", "…02-27-30 behind 3 ops",
                                         "+1 more"]
    assert lines[0].split() == ["b1", "(here)", "main", "(its", "end)"]


def test_checkpoints_in_a_world_of_many_pairs_are_spaced_by_their_count(monkeypatch):
    """A fork copies every peer snapshot pair: with checkpoints every ~140 commands a world of
    1,000 psnaps spent a third of each `echo` forking them (bench_commands: 1.72x the same command
    with none). Spaced by PAIR_SPACING work per pair, 3,000 commands make at most a few forks, and
    an undo still starts from the nearest checkpoint and reaches the same world as a replay."""
    from peersnap.core.engine import Engine

    session = Session()
    for _ in range(1000):
        session.run("mmpsnap fs1 create -j sw")
    session.run("sim settle")
    forks = []
    real_fork = Engine.fork
    monkeypatch.setattr(Engine, "fork", lambda self: forks.append(1) or real_fork(self))
    for i in range(3000):
        session.run(f"echo v{i} > /gpfs/fs1/sw/f{i}")
    spacing = timeline_module.PAIR_SPACING * 1000 // timeline_module.COMMAND_WORK  # commands between forks
    assert 1 <= len(forks) <= 3000 // spacing + 1, len(forks)
    before = session.engine.fingerprint()
    session.run("echo last > /gpfs/fs1/sw/last")
    assert session.run("undo").rc == 0
    assert session.engine.fingerprint() == before
