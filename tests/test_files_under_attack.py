"""Issue 10, "nothing lost, nothing clobbered, no traceback": `save` against every
kind of target, the files peersnap reads (scenario, session, lesson) mutated
every way a careless or hostile hand could, and the small parsing holes.

Each save case asserts the target afterwards: its bytes, mode, kind and link.
Each fuzz case exits 2 with exactly one line on stderr and leaves the file
it was given untouched.
"""

from __future__ import annotations

import os
import random
import stat
from pathlib import Path

import pytest
from peersnap.core.lessons import LessonError, load_lesson
from peersnap.core.session import Session
from peersnap.tui.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED = (ROOT / "core" / "scenarios" / "seed.toml").read_text(encoding="utf-8")
LESSON = (ROOT / "core" / "lessons" / "first-psnap.toml").read_text(encoding="utf-8")


def saved_session_text(tmp_path: Path) -> str:
    session = Session()
    session.run("echo hello > /gpfs/fs1/sw/a")
    path = tmp_path / "made.toml"
    assert session.run(f"save {path}").ok
    return path.read_text(encoding="utf-8")


def save(session: Session, target: str):
    return session.run(f"save {target}")


def snapshot_of(path: Path) -> tuple:
    """What must not change: kind, mode, link target and bytes."""
    st = os.lstat(path)
    link = os.readlink(path) if stat.S_ISLNK(st.st_mode) else None
    data = path.read_bytes() if stat.S_ISREG(st.st_mode) else None
    return stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), link, data


# -- save against every kind of target ---------------------------------------------------------------


def test_save_to_a_name_with_a_trailing_slash_is_not_a_directory(tmp_path):
    existing = tmp_path / "existing.toml"
    existing.write_text("keep me\n", encoding="utf-8")
    before = snapshot_of(existing)
    result = save(Session(), f"{existing}/")
    assert not result.ok and result.lines == [f"save: cannot write {existing}/: Not a directory"]
    assert snapshot_of(existing) == before
    result = save(Session(), f"{tmp_path}/new.toml/")
    assert result.lines == [f"save: cannot write {tmp_path}/new.toml/: Is a directory"]
    assert not (tmp_path / "new.toml").exists()


@pytest.mark.parametrize("kind", ["fifo", "socket", "directory"])
def test_save_refuses_what_is_not_a_regular_file_and_leaves_it_be(tmp_path, kind):
    target = tmp_path / "target"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "directory":
        target.mkdir()
    else:
        import socket
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(target))
    before = snapshot_of(target)
    result = save(Session(), str(target))
    assert not result.ok and len(result.lines) == 1
    assert {"fifo": "FIFO", "socket": "socket", "directory": "Is a directory"}[kind] in result.lines[0]
    assert snapshot_of(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target"]  # no temporary file left behind


def test_save_over_a_character_device_leaves_the_device():
    before = snapshot_of(Path("/dev/null"))
    result = save(Session(), "/dev/null")
    assert result.lines == ["save: cannot write /dev/null: it is a character device; only a regular file is written"]
    assert snapshot_of(Path("/dev/null")) == before


def test_save_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path):
    real = tmp_path / "real.toml"
    real.write_text("old\n", encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "link.toml"
    link.symlink_to("real.toml")
    assert save(Session(), str(link)).ok
    assert os.readlink(link) == "real.toml" and link.is_symlink()
    assert real.read_text(encoding="utf-8").startswith("peersnap_session")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_save_through_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.toml"
    link.symlink_to("made-later.toml")
    assert save(Session(), str(link)).ok
    assert link.is_symlink() and (tmp_path / "made-later.toml").is_file()


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_new_file_honours_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        assert save(Session(), str(tmp_path / "new.toml")).ok
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.toml").stat().st_mode) == 0o666 & ~umask


def test_overwriting_keeps_the_existing_mode_and_replaces_the_bytes(tmp_path):
    target = tmp_path / "s.toml"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o644)
    session = Session()
    session.run("echo x > /gpfs/fs1/sw/a")
    assert save(session, str(target)).ok
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    text = target.read_text(encoding="utf-8")
    assert text.startswith("peersnap_session") and "echo x > /gpfs/fs1/sw/a" in text


# -- the files peersnap reads, refused in one line ------------------------------------------------------


def run_cli(capsys, *argv: str) -> tuple[int, list[str]]:
    rc = main(list(argv))
    err = capsys.readouterr().err
    return rc, err.splitlines()


def test_a_fifo_is_refused_for_every_file_peersnap_reads(tmp_path, capsys):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    script = tmp_path / "script"
    script.write_text("sim status\n", encoding="utf-8")
    for argv in (["run", "--replay", str(fifo)], ["run", "--scenario", str(fifo), str(script)],
                 ["run", str(fifo)]):
        rc, err = run_cli(capsys, *argv)
        assert rc == 2 and len(err) == 1 and "FIFO" in err[0], (argv, err)
    with pytest.raises(LessonError, match="FIFO"):
        load_lesson(str(fifo))
    assert Session().run(f"source {fifo}").lines == [(f"source: cannot read {fifo}: it is a FIFO (named pipe), "
                                                     "not a regular file")]


def mutations(text: str, rng: random.Random) -> list[tuple[str, bytes]]:
    """A corpus of broken versions of a TOML file: wrong types, missing keys,
    huge numbers, deep nesting, truncation, binary, unicode line breaks."""
    lines = text.splitlines(keepends=True)
    cases: list[tuple[str, bytes]] = []
    keyed = [i for i, line in enumerate(lines) if " = " in line and not line.lstrip().startswith("#")]
    for i in rng.sample(keyed, min(6, len(keyed))):
        key = lines[i].split(" = ", 1)[0]
        for label, value in (("wrong type", "[1, 2]"), ("huge number", "9" * 400), ("table", "{ x = 1 }"),
                             ("negative", "-99999999999999999999"), ("bool", "true")):
            broken = lines[:i] + [f"{key} = {value}\n"] + lines[i + 1:]
            cases.append((f"{label} at {key.strip()}", "".join(broken).encode()))
        cases.append((f"missing {key.strip()}", "".join(lines[:i] + lines[i + 1:]).encode()))
    for cut in sorted(rng.sample(range(1, len(text)), 8)):
        cases.append((f"truncated at {cut}", text[:cut].encode()))
    cases.append(("deep arrays", (text + "\nzz = " + "[" * 3000 + "]" * 3000 + "\n").encode()))
    cases.append(("deep inline tables", (text + "\nzz = " + "{a=" * 3000 + "1" + "}" * 3000 + "\n").encode()))
    cases.append(("binary", bytes(rng.randrange(256) for _ in range(300))))
    cases.append(("NUL bytes", text.encode()[:40] + b"\x00\x00" + text.encode()[40:]))
    cases.append(("not UTF-8", text.encode()[:30] + b"\xff\xfe" + text.encode()[30:]))
    for ch in ("\u2028", "\u2029", "\u0085", "\v", "\f", "\x1c"):
        cases.append((f"{ch!r} inside a line", text.replace(" = ", f" ={ch} ", 1).encode()))
    cases.append(("empty", b""))
    return cases


def check_corpus(tmp_path: Path, capsys, text: str, argv_for) -> int:
    rng = random.Random(10)
    target = tmp_path / "mutated.toml"
    refused = 0
    for label, data in mutations(text, rng):
        target.write_bytes(data)
        before = snapshot_of(target)
        rc, err = run_cli(capsys, *argv_for(target))
        assert snapshot_of(target) == before, f"{label}: the file was changed"
        if rc == 0:
            continue  # the mutation left a valid file (a key that has a default, say)
        assert rc == 2 and len(err) == 1 and "Traceback" not in err[0], (label, rc, err)
        assert str(target) in err[0], (label, err)
        refused += 1
    return refused


def test_mutated_scenario_files_are_refused_in_one_line(tmp_path, capsys):
    script = tmp_path / "script"
    script.write_text("sim status\n", encoding="utf-8")
    refused = check_corpus(tmp_path, capsys, SEED, lambda f: ["run", "--scenario", str(f), str(script)])
    assert refused >= 25


def test_mutated_session_files_are_refused_in_one_line(tmp_path, capsys):
    refused = check_corpus(tmp_path, capsys, saved_session_text(tmp_path), lambda f: ["run", "--replay", str(f)])
    assert refused >= 25


def test_mutated_lesson_files_are_refused_in_one_line(tmp_path):
    rng = random.Random(11)
    target = tmp_path / "lesson.toml"
    refused = 0
    for label, data in mutations(LESSON, rng):
        target.write_bytes(data)
        before = snapshot_of(target)
        try:
            load_lesson(str(target))
        except LessonError as exc:
            assert "\n" not in str(exc) and str(target) in str(exc), (label, str(exc))
            refused += 1
        assert snapshot_of(target) == before
    assert refused >= 25


def test_a_scenario_file_used_as_a_directory_names_the_key(tmp_path, capsys):
    text = SEED.replace('"data/report.txt" = "Q3 numbers\\n"', '"data/report.txt" = "Q3 numbers\\n", "data" = "x"', 1)
    assert text != SEED
    scenario = tmp_path / "s.toml"
    scenario.write_text(text, encoding="utf-8")
    script = tmp_path / "script"
    script.write_text("sim status\n", encoding="utf-8")
    rc, err = run_cli(capsys, "run", "--scenario", str(scenario), str(script))
    assert rc == 2 and err == [(f"peersnap: {scenario}: key 'fileset[0].files.data/report.txt': expected a path "
                               "whose parent 'data' is a directory, but files.data makes it a file, got 'Q3 numbers\\n'")]


def test_a_byte_order_mark_is_accepted_in_scripts_and_files(tmp_path, capsys):
    script = tmp_path / "script"
    script.write_bytes(b"\xef\xbb\xbfsim status\n")
    scenario = tmp_path / "s.toml"
    scenario.write_bytes(b"\xef\xbb\xbf" + SEED.encode())
    assert main(["run", "--scenario", str(scenario), str(script)]) == 0
    assert capsys.readouterr().out.startswith("[cache]# sim status\n")


# -- lines end at \n and \r\n only ----------------------------------------------------------------------


@pytest.mark.parametrize("sep", ["\u2028", "\u2029", "\u0085", "\v", "\f", "\x1c", "\x1d", "\x1e"])
def test_a_unicode_line_break_never_splits_a_script_line(tmp_path, capsys, sep):
    script = tmp_path / "script"
    script.write_text(f"echo hi{sep}rm -r /gpfs/fs1/sw/data\nls /gpfs/fs1/sw\n", encoding="utf-8")
    main(["run", str(script)])
    out = capsys.readouterr().out
    assert "data/" in out  # the rm never ran
    assert out.count("[cache]# ") == 2


def test_a_file_holding_a_unicode_line_break_is_one_line_to_cat():
    session = Session()
    assert session.run("echo 'a\u2028b' > /gpfs/fs1/sw/x").ok
    assert session.run("cat /gpfs/fs1/sw/x").lines == ["a\u2028b"]


# -- small parsing holes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "said"), [
    ("sim load ²", "sim: load: N must be a whole number from 1 to 10,000,000 (got '²': invalid number)."),
    ("sim load 3 --size ²", "sim: load: --size must be a whole number of bytes up to 1048576 (got '²': invalid number)."),
    ("sim load ٣", "sim: load: N must be a whole number from 1 to 10,000,000 (got '٣': invalid number)."),
    ("mmchfileset fs1 sw -p afmAsyncDelay=²",
     "mmchfileset: Incorrect value for afmAsyncDelay: '²': invalid number (1 to 2147483647 seconds)."),
    ("sim advance ٣s", "sim: invalid duration '٣s' (use a whole number with us, ms, s, m, h or d: 30s, 5m)"),
    ("sim advance 5 s", "sim: invalid duration '5 s': write the number and its unit together (5s)"),
])
def test_unicode_digits_and_split_durations_say_what_is_wrong(line, said):
    session = Session()
    before = session.engine.fingerprint()
    result = session.run(line)
    assert result.rc == 1 and result.lines[0] == said
    assert session.engine.fingerprint() == before


@pytest.mark.parametrize("line", ["echo x > /gpfs/fs1/sw/README/", "touch /gpfs/fs1/sw/README/"])
def test_a_file_named_with_a_trailing_slash_is_not_a_directory(line):
    session = Session()
    before = session.engine.fingerprint()
    result = session.run(line)
    assert result.rc == 1 and result.lines[0].endswith("Not a directory")
    assert session.engine.fingerprint() == before
    assert session.run("cat /gpfs/fs1/sw/README").lines == ["Single-writer cache of home1:/gpfs/fs1/sw"]


@pytest.mark.parametrize("name", [".snapshots", ".", ".."])
def test_reserved_snapshot_names_are_refused(name):
    for line in (f"mmcrsnapshot fs1 {name} -j sw", f"mmcrsnapshot fs1 {name}"):
        session = Session()
        before = session.engine.fingerprint()
        result = session.run(line)
        assert result.rc == 1 and "reserved" in result.lines[0]
        assert session.engine.fingerprint() == before


def test_paths_are_normalised_one_way():
    session = Session()
    assert session.run("@home mmafmconfig disable /gpfs/fs1//sw").ok
    assert not session.engine.world.exports["/gpfs/fs1/sw"].afm_enabled
    assert session.run("@home mmafmconfig enable /gpfs/fs1/sw///").ok
    assert session.engine.world.exports["/gpfs/fs1/sw"].afm_enabled
    assert sorted(session.engine.world.exports) == sorted(Session().engine.world.exports)
    assert session.run("mmunlinkfileset fs1 sw").ok
    assert session.run("mmlinkfileset fs1 sw -J /gpfs/fs1//sw/").ok
