"""save / replay / undo: a saved session replays to the same transcript; undo rewinds."""

import io
import os

from hypothesis import given, settings
from hypothesis import strategies as st
from peersnap.core.session import Session, load_session
from peersnap.tui.cli import main, run_lines

SCRIPT = [
    "echo hello > /gpfs/fs1/sw/a",
    "mmpsnap fs1 create -j sw",
    "mmpsnap fs1 status -j sw",
    "sim advance 20s",
    "mmpsnap fs1 create -j ro",
    "@home mmlssnapshot fs1",
    "sim link down",
    "sim advance 2m",
    "echo more >> /gpfs/fs1/sw/a",
    "mmpsnap fs1 create -j sw",
    "sim link up",
    "sim settle",
    "mmpsnap fs1 status -j sw",
]


def transcript(session, lines):
    out = io.StringIO()
    run_lines(session, lines, trace=False, out=out)
    return out.getvalue()


def test_save_then_replay_prints_the_same_transcript(tmp_path, capsys):
    session = Session()
    original = transcript(session, SCRIPT)
    path = tmp_path / "s.toml"
    assert session.run(f"save {path}").rc == 0
    assert main(["run", "--replay", str(path)]) == 1  # the script holds one refused command
    assert capsys.readouterr().out == original


def test_replay_restores_the_same_world(tmp_path):
    session = Session()
    transcript(session, SCRIPT)
    session.save(str(tmp_path / "s.toml"))
    fresh, entries = load_session(str(tmp_path / "s.toml"))
    fresh.replay(entries)
    assert fresh.engine.fingerprint() == session.engine.fingerprint()


def test_clock_moved_by_the_dashboard_timer_is_saved_and_replayed(tmp_path):
    session = Session()
    session.run("echo x > /gpfs/fs1/sw/x")
    session.advance_clock(7_000_000)
    session.advance_clock(9_000_000)
    session.run("mmpsnap fs1 create -j sw")
    session.save(str(tmp_path / "s.toml"))
    fresh, entries = load_session(str(tmp_path / "s.toml"))
    fresh.replay(entries)
    assert fresh.engine.now == session.engine.now
    assert fresh.engine.fingerprint() == session.engine.fingerprint()


def test_save_replaces_a_file_whole_and_leaves_no_temporary_files(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("old contents")
    session = Session()
    session.run("echo x > /gpfs/fs1/sw/x")
    session.save(str(path))
    assert path.read_text().startswith("peersnap_session = 1")
    assert os.listdir(tmp_path) == ["s.toml"]


def test_save_to_an_impossible_place_fails_cleanly_and_keeps_the_old_file(tmp_path):
    session = Session()
    result = session.run(f"save {tmp_path}/missing-dir/s.toml")
    assert result.rc == 1 and "cannot write" in result.lines[0]
    target = tmp_path / "dir"
    target.mkdir()
    assert session.run(f"save {target}").rc == 1  # a directory is never clobbered
    assert target.is_dir()


def test_save_is_refused_when_host_files_are_off(tmp_path):
    session = Session(allow_files=False)
    result = session.run(f"save {tmp_path}/s.toml")
    assert result.rc == 1 and not (tmp_path / "s.toml").exists()


def test_undo_rewinds_one_changing_command_at_a_time_back_to_the_start():
    session = Session()
    start = session.engine.fingerprint()
    states = [start]
    for line in ("echo a > /gpfs/fs1/sw/a", "mmpsnap fs1 create -j sw", "ls /gpfs/fs1/sw", "sim settle"):
        session.run(line)
        if line != "ls /gpfs/fs1/sw":
            states.append(session.engine.fingerprint())
    for expected in reversed(states[:-1]):
        result = session.run("undo")
        assert result.rc == 0, result.lines
        assert session.engine.fingerprint() == expected
    result = session.run("undo")
    assert result.rc == 1 and "nothing to undo" in result.lines[0]
    assert session.engine.fingerprint() == start


def test_undo_keeps_subscribers_and_announces_the_reset():
    session = Session()
    seen = []
    session.subscribe(seen.append)
    session.run("echo a > /gpfs/fs1/sw/a")
    seen.clear()
    session.run("undo")
    assert [e.topic for e in seen] == ["session", "command"]
    session.run("echo b > /gpfs/fs1/sw/b")
    assert any(e.topic == "queue" for e in seen)


def test_broken_session_files_exit_2_with_a_message(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("peersnap_session = 1\nlog = 3\n")
    assert main(["run", "--replay", str(bad)]) == 2
    assert "expected a [scenario] table" in capsys.readouterr().err
    bad.write_text("not toml [")
    assert main(["run", "--replay", str(bad)]) == 2
    assert "TOML syntax error" in capsys.readouterr().err


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(SCRIPT + ["rm /gpfs/fs1/sw/a", "mkdir /gpfs/fs1/sw/d", "sim step"]), max_size=12))
def test_round_trip_save_load_gives_identical_state_and_transcript(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("rt") / "s.toml"
    session = Session()
    original = transcript(session, lines)
    session.save(str(path))
    fresh, entries = load_session(str(path))
    out = io.StringIO()
    run_lines(fresh, entries, trace=False, out=out)
    assert out.getvalue() == original
    assert fresh.engine.fingerprint() == session.engine.fingerprint()
