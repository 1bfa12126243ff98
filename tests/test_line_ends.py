"""Issue 10: lines end at \\n and \\r\\n only, everywhere a line is read: scripts
(`peersnap run FILE`, `run -`, `source FILE`), session files (one log entry is one
command, whatever it holds) and `cat`. U+2028, U+2029, U+0085, \\v, \\f and
\\x1c-\\x1e never split a command (str.splitlines would split at each of them):
`echo hi<U+2028>rm -r DIR` is one echo and the rm never runs. The console's side
(pastes, key bursts) is tests/tui/test_line_ends_console.py."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import tomli_w
from peersnap.core.session import Session
from peersnap.tui.cli import main

BREAKS = ["\u2028", "\u2029", "\u0085", "\v", "\f", "\x1c", "\x1d", "\x1e"]
DATA = "/gpfs/fs1/sw/data"


def session_file(tmp_path: Path, lines: list[str]) -> Path:
    """A saved session whose log holds `lines`, written the way `save` writes one."""
    session = Session()
    made = tmp_path / "made.toml"
    assert session.run(f"save {made}").ok
    import tomllib
    document = tomllib.loads(made.read_text(encoding="utf-8"))
    document["log"] = [{"line": line, "rc": 0, "changed": True} for line in lines]
    target = tmp_path / "session.toml"
    target.write_text(tomli_w.dumps(document), encoding="utf-8")
    return target


@pytest.mark.parametrize("sep", BREAKS)
def test_a_session_files_logged_line_holding_a_unicode_break_is_one_command(tmp_path, capsys, sep):
    path = session_file(tmp_path, [f"echo hi{sep}rm -r {DATA}", "ls /gpfs/fs1/sw"])
    rc = main(["run", "--replay", str(path)])
    out = capsys.readouterr().out
    assert "data/" in out.split("[cache]# ls /gpfs/fs1/sw")[1]  # the rm never ran
    assert out.count("[cache]# ") == 2
    # echo prints it (U+2028, U+2029 pass; the C0/C1 controls are refused as binary, rc 2 -> 1)
    assert rc == (0 if sep in ("\u2028", "\u2029") else 1)


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_a_logged_line_holding_a_line_end_is_refused_as_one_line_never_split(tmp_path, capsys, end):
    path = session_file(tmp_path, [f"echo a{end}rm -r {DATA}", "ls /gpfs/fs1/sw"])
    assert main(["run", "--replay", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    escaped = end.encode("unicode_escape").decode()
    assert out[:2] == [f"[cache]# echo a{escaped}rm -r {DATA}",
                       "peersnap: the line holds control characters or binary data; commands are plain text"]
    assert out[2:] == ["[cache]# ls /gpfs/fs1/sw", "README", "data/"]


@pytest.mark.parametrize("sep", BREAKS)
def test_source_and_stdin_split_only_at_newlines(tmp_path, monkeypatch, capsys, sep):
    script = tmp_path / "script"
    script.write_text(f"echo hi{sep}rm -r {DATA}\r\nls /gpfs/fs1/sw\n", encoding="utf-8")
    session = Session()
    session.run(f"source {script}")
    assert session.engine.world.cache.fs.trees["sw"].get("data/report.txt") == "Q3 numbers\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(script.read_text(encoding="utf-8")))
    main(["run", "-"])
    out = capsys.readouterr().out
    assert out.count("[cache]# ") == 2 and out.rstrip().endswith("data/")


def test_a_refused_lines_echo_shows_its_control_characters_escaped():
    result = Session().run("echo a\x1bb\x00c")
    assert result.rc == 2 and result.command == "echo a\\x1bb\\x00c"
