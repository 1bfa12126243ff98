"""The timeline turns a checkpoint down before forking one when it can tell the fork would be
dropped (`Timeline._room`): in a long session most asks are, and the fork was most of their cost.
Each refusal made that way must be one the fork and `_fits` would have made too, dropping the
same older checkpoints on the way; these tests fork anyway at every such refusal and check."""

from __future__ import annotations

import random

import pytest
from peersnap.core import timeline as timeline_module
from peersnap.core.session import Session
from peersnap.core.timeline import Timeline, parts

SW = "/gpfs/fs1/sw"


def script(seed: int, length: int) -> list[str]:
    """Writes (new files and rewrites), loads, removes, directories, psnaps, time, undo and seeks."""
    rng = random.Random(seed)
    lines = []
    for i in range(length):
        roll = rng.random()
        if roll < 0.55:
            lines.append(f"echo v{i} > {SW}/f{rng.randrange(i + 1)}")
        elif roll < 0.62:
            lines.append(f"sim load {rng.choice([50, 200, 800])}")
        elif roll < 0.68:
            lines.append(f"rm -f {SW}/f{rng.randrange(i + 1)}")
        elif roll < 0.72:
            lines.append(f"mkdir -p {SW}/d{rng.randrange(20)}")
        elif roll < 0.76:
            lines.append("mmpsnap fs1 create -j sw")
        elif roll < 0.82:
            lines.append(rng.choice(["sim settle", "sim advance 20s", f"mmcrsnapshot fs1 s{i} -j sw"]))
        elif roll < 0.86:
            lines.append("undo")
        else:
            lines.append(f"echo w{i} > {SW}/d{rng.randrange(20)}/g{i}")
    return lines


@pytest.mark.parametrize("seed", range(5))
def test_every_checkpoint_refused_without_a_fork_is_one_the_fork_would_have_refused(monkeypatch, seed):
    monkeypatch.setattr(timeline_module, "REPLAY_BUDGET", 200)
    monkeypatch.setattr(timeline_module, "SMALL_WORLD", 2_000)  # a budget small enough to refuse often
    asked = {True: 0, False: 0}
    real_room = Timeline._room

    def checked_room(self, line, live, new, frozen=False):  # type: ignore[no-untyped-def]
        before = dict(line.checkpoints)
        room = real_room(self, line, live, new, frozen)
        asked[room] += 1
        if not room:
            # what the code before the shortcut did: fork, then ask _fits (on a copy of the line's checkpoints)
            trial = dict(before)
            trial[new] = live.fork()
            assert not self._trim(trial, parts(live), new)
            assert sorted(trial) == sorted(line.checkpoints)
        return room

    monkeypatch.setattr(Timeline, "_room", checked_room)
    session = Session(allow_files=False)
    for i, line in enumerate(script(seed, 1000)):
        session.run(line)
        if i % 97 == 96:  # a seek into the past replays from a checkpoint, asking for more on the way
            session.seek(timeline_module.Moment(len(session.log) // 2))
            session.seek(session.timeline.end())
    assert asked[False] >= 3 and asked[True] >= 3, asked  # both answers were given


def test_a_long_run_of_writes_forks_far_less_often_than_it_asks(monkeypatch):
    """bench_commands' 100,000 writes forked 750 times (one every ~124 commands once the world
    had grown, nearly all dropped at once); now most asks end before a fork, asks the budget turns
    down come further and further apart (MAX_BACKOFF), and undo still reaches the world as it was. (The budgets a tenth of the real ones, the run a fifteenth.)"""
    from peersnap.core.engine import Engine

    monkeypatch.setattr(timeline_module, "REPLAY_BUDGET", timeline_module.REPLAY_BUDGET // 10)
    monkeypatch.setattr(timeline_module, "SMALL_WORLD", timeline_module.SMALL_WORLD // 10)
    forks: list[int] = []
    real_fork = Engine.fork
    monkeypatch.setattr(Engine, "fork", lambda self: forks.append(1) or real_fork(self))
    asks = []
    real_room = Timeline._room

    def counted_room(self, line, live, new, frozen=False):  # type: ignore[no-untyped-def]
        if not frozen:  # an ask (the second trial, after the freeze, is part of the same one)
            asks.append(1)
        return real_room(self, line, live, new, frozen)

    monkeypatch.setattr(Timeline, "_room", counted_room)
    session = Session(allow_files=False)
    for i in range(6_000):
        session.run(f"echo v{i} > {SW}/f{i}")
    every_spacing = 6_000 * (timeline_module.COMMAND_WORK + 1) // timeline_module.REPLAY_BUDGET  # ~240 asks
    assert 20 <= len(asks) <= every_spacing // 2, len(asks)  # backed off (MAX_BACKOFF): 66; 239 without
    assert len(forks) <= every_spacing // 4, (len(forks), len(asks))
    before = session.engine.fingerprint()
    session.run(f"echo last > {SW}/last")
    assert session.run("undo").rc == 0
    assert session.engine.fingerprint() == before


@pytest.mark.parametrize("seed", range(3))
def test_a_fork_the_frozen_trial_let_through_is_never_refused_after(monkeypatch, seed):
    """After the freeze a fork leaves the live world as it is and its twin holds alone exactly what the
    live world does, so the second trial is _fits' own question: no fork is made only to be dropped
    (in a world of 1,000 psnaps each cost ~5 ms, copying every pair; most asks were such forks)."""
    monkeypatch.setattr(timeline_module, "REPLAY_BUDGET", 200)
    monkeypatch.setattr(timeline_module, "SMALL_WORLD", 2_000)
    answers: list[bool] = []
    real_fits = Timeline._fits
    monkeypatch.setattr(Timeline, "_fits", lambda self, *a: answers.append(real_fits(self, *a)) or answers[-1])
    session = Session(allow_files=False)
    for i, line in enumerate(script(seed, 1000)):
        session.run(line)
        if i % 97 == 96:
            session.seek(timeline_module.Moment(len(session.log) // 2))
            session.seek(session.timeline.end())
    assert len(answers) >= 3 and all(answers), answers


def test_after_a_refused_checkpoint_the_next_ask_waits_a_full_spacing(monkeypatch):
    """A refusal (before the fork, after the freeze, or by `_fits`) is asked again only when as much
    replay work has passed as between two checkpoints, not half of it: in a long run of writes that
    outgrows the budget most asks are refused, and each one walks every checkpoint and layer."""
    monkeypatch.setattr(timeline_module, "REPLAY_BUDGET", 2_000)
    monkeypatch.setattr(timeline_module, "SMALL_WORLD", 500)
    asked: list[tuple[int, bool]] = []  # (the line's log length at the ask, its answer)
    real_room = Timeline._room

    def counted_room(self, line, live, new, frozen=False):  # type: ignore[no-untyped-def]
        room = real_room(self, line, live, new, frozen)
        if not frozen:
            asked.append((new, room))
        return room

    monkeypatch.setattr(Timeline, "_room", counted_room)
    session = Session(allow_files=False)
    for i in range(3_000):
        session.run(f"echo v{i} > {SW}/f{i}")
    refused = [at for at, room in asked if not room]
    assert len(refused) >= 3, asked  # (10 or more before the back-off, MAX_BACKOFF)
    # a write is COMMAND_WORK + 1 of replay work: a full spacing is REPLAY_BUDGET // 101 commands
    gaps = [b - a for (a, _), (b, _) in zip(asked, asked[1:])]
    assert min(gaps) >= 2_000 // (timeline_module.COMMAND_WORK + 1), [(asked[i], asked[i + 1]) for i, g in enumerate(gaps) if g < 19][:5]


def test_asks_the_budget_turns_down_back_off_and_an_added_checkpoint_resets_them(monkeypatch):
    """In a world past the budget most asks were refused, or took a checkpoint only by dropping an older
    one (and the fork's freeze made older checkpoints' entries private, so they were dropped again): each
    such ask doubles the spacing to the next, up to 2 ** MAX_BACKOFF spacings; one that adds a checkpoint
    to the line brings the next ask back to one spacing. Undo still reaches the world as it was."""
    monkeypatch.setattr(timeline_module, "REPLAY_BUDGET", 2_000)
    monkeypatch.setattr(timeline_module, "SMALL_WORLD", 500)
    asks: list[tuple[int, bool]] = []  # (the line's log length at the ask, whether it added a checkpoint)
    real = Timeline._maybe_checkpoint
    real_room = Timeline._room

    def counted_room(self, line, live, new, frozen=False):  # type: ignore[no-untyped-def]
        if not asks or asks[-1][0] != new:  # (a line with no checkpoint is asked only after the freeze)
            asks.append((new, False))
        return real_room(self, line, live, new, frozen)

    def watched(self, line, index, engine):  # type: ignore[no-untyped-def]
        held, count = len(line.checkpoints), len(asks)
        real(self, line, index, engine)
        if len(line.checkpoints) > held:  # (a line's first checkpoint is taken without a trial)
            asks[count:] = [(index, True)]

    monkeypatch.setattr(Timeline, "_room", counted_room)
    monkeypatch.setattr(Timeline, "_maybe_checkpoint", watched)
    session = Session(allow_files=False)
    session.run(f"echo v0 > {SW}/f0")
    for i in range(1, 8_000):
        session.run(f"echo v{i} > {SW}/f{i}")
    spacing = 2_000 // (timeline_module.COMMAND_WORK + 1) + 1  # commands: a write is COMMAND_WORK + 1 of work
    top = 2 ** timeline_module.MAX_BACKOFF
    gaps = [(b - a, added) for (a, added), (b, _) in zip(asks, asks[1:])]
    assert all(gap <= top * spacing + 1 for gap, _ in gaps), [g for g in gaps if g[0] > top * spacing + 1]
    assert any(gap >= top * spacing // 2 for gap, _ in gaps), gaps  # it backed off to the top
    after_added = [gap for gap, added in gaps if added]
    assert after_added and max(after_added) <= spacing + 1, gaps  # and came back
    # the first refusal after an added checkpoint doubles one spacing, not the backed-off one
    first_refused = [gap for (_, added), (gap, refused) in zip(gaps, gaps[1:]) if added and not refused]
    assert first_refused and max(first_refused) <= 2 * spacing + 1, gaps
    assert sum(1 for _, added in gaps if not added) >= 5, gaps
    before = session.engine.fingerprint()
    session.run(f"echo last > {SW}/last")
    assert session.run("undo").rc == 0
    assert session.engine.fingerprint() == before
