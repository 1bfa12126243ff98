"""`peersnap shot` and `peersnap cast`: the real dashboard, headless, playing a script.

asciinema's v2 format (docs.asciinema.org, "asciicast v2"): "a newline-delimited JSON
file where the first line contains header (initial terminal size, timestamp and other
metadata), followed by event stream lines. ... version - set to 2 ... width - Initial
terminal width (number of columns) ... height - Initial terminal height ... Each
element of the event stream is a 3-tuple encoded as JSON array: [time, code, data]
where time indicates when the event happened (float, seconds since the start of the
recording), code ("o" for output) and data (UTF-8 string)."
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from peersnap.tui.cli import main

SCRIPT = """\
#: size 80x24
#: A write, then a peer snapshot behind it.
echo hello > /gpfs/fs1/sw/a.txt
mmpsnap fs1 create -j sw
#: pause 2s
#: Home turns AFM off: the next psnap is refused.
@home mmafmconfig disable /gpfs/fs1/sw
mmpsnap fs1 create -j sw
"""


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "demo.script"
    path.write_text(SCRIPT, encoding="utf-8")
    return path


def _shot(script: Path, out: Path, *extra: str, seed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-m", "peersnap", "shot", str(script), "-o", str(out), *extra],
                          check=False, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


def test_the_same_script_draws_the_same_bytes_across_runs_and_hash_seeds(script, tmp_path):
    first = _shot(script, tmp_path / "1.svg", seed="0")
    second = _shot(script, tmp_path / "2.svg", seed="4242")
    assert first == second
    assert first.startswith(b"<svg") and b"Refused" in first  # the refusal card of the last line


def test_at_n_is_the_screen_after_line_n(script, tmp_path):
    assert main(["shot", str(script), "-o", str(tmp_path / "early.svg"), "--at", "4"]) == 0
    early = (tmp_path / "early.svg").read_text(encoding="utf-8")
    assert "PSNAP" in early and "Refused" not in early


def test_the_picture_gets_the_permissions_a_shell_redirection_would(script, tmp_path):
    old = os.umask(0o022)
    try:
        assert main(["shot", str(script), "-o", str(tmp_path / "new.svg")]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.svg").stat().st_mode) == 0o644
    kept = tmp_path / "kept.svg"
    kept.write_text("old", encoding="utf-8")
    kept.chmod(0o600)
    assert main(["shot", str(script), "-o", str(kept)]) == 0
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and kept.read_text(encoding="utf-8").startswith("<svg")


@pytest.mark.parametrize("kind", ["fifo", "directory", "symlink to a fifo"])
def test_never_writes_over_a_file_that_is_not_regular(script, tmp_path, capsys, kind):
    target = tmp_path / "out.svg"
    if kind == "directory":
        target.mkdir()
    else:
        fifo = tmp_path / "fifo"
        os.mkfifo(fifo)
        if kind == "fifo":
            target = fifo
        else:
            target.symlink_to(fifo)
    before = os.lstat(target)
    assert main(["shot", str(script), "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("peersnap shot: cannot write") and "not a regular file" in err
    after = os.lstat(target)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary left


@pytest.mark.parametrize(("args", "says"), [
    (["--size", "12x4"], "out of range"),
    (["--size", "wide"], "invalid size"),
    (["--at", "99"], "not a line of"),
    (["--theme", "neon"], "unknown theme 'neon'"),
    (["--scenario", "nowhere"], "nowhere: no such scenario"),
    (["--lesson", "nowhere"], "nowhere: no such lesson"),
])
def test_bad_options_are_one_line_and_exit_2(script, tmp_path, capsys, args, says):
    out = tmp_path / "x.svg"
    assert main(["shot", str(script), "-o", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err, err
    assert not out.exists()


@pytest.mark.parametrize(("text", "says"), [
    ("#: pause soon\nsim status\n", "line 1: #: pause: invalid duration"),
    ("#: spotlight kitchen\nsim status\n", "unknown pane 'kitchen'"),
    ("#: size 2x2\n", "line 1: #: size"),
])
def test_bad_scripts_are_one_line_and_exit_2(tmp_path, capsys, text, says):
    script = tmp_path / "bad.script"
    script.write_text(text, encoding="utf-8")
    assert main(["shot", str(script), "-o", str(tmp_path / "x.svg")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err, err


def test_a_binary_script_is_refused(tmp_path, capsys):
    script = tmp_path / "bad.script"
    script.write_bytes(b"\xff\xfe\x00binary")
    assert main(["cast", str(script), "-o", str(tmp_path / "x.cast")]) == 2
    assert "not UTF-8 text" in capsys.readouterr().err


def test_cast_is_asciinema_v2_with_monotonic_times_from_the_script(script, tmp_path):
    out = tmp_path / "demo.cast"
    assert main(["cast", str(script), "-o", str(out), "--delay", "1s"]) == 0
    text = out.read_text(encoding="utf-8")
    header, *events = (json.loads(line) for line in text.splitlines())
    assert header["version"] == 2 and (header["width"], header["height"]) == (80, 24)
    assert "timestamp" not in header  # no wall clock in the file
    times = [e[0] for e in events]
    assert all(isinstance(e, list) and len(e) == 3 and e[1] == "o" and isinstance(e[2], str) for e in events)
    assert times == sorted(times) and times[0] == 0
    # first frame, then typed + result per command (4 commands), then the closing event
    assert len(events) == 1 + 2 * 4 + 1
    # typed at t, result 0.6 s later, then 1 s of --delay; '#: pause 2s' before the third command
    assert times[1:9] == [0, 0.6, 1.6, 2.2, 5.2, 5.8, 6.8, 7.4]
    assert events[0][2].startswith("\x1b[?25l\x1b[H\x1b[2J")
    assert "Refused" in events[-2][2]
    again = tmp_path / "again.cast"
    assert main(["cast", str(script), "-o", str(again), "--delay", "1s"]) == 0
    assert again.read_bytes() == out.read_bytes()


def test_a_script_cannot_write_files_through_save(tmp_path):
    script = tmp_path / "save.script"
    script.write_text(f"#: size 80x24\nsave {tmp_path / 'session.toml'}\n", encoding="utf-8")
    assert main(["shot", str(script), "-o", str(tmp_path / "x.svg")]) == 0
    assert not (tmp_path / "session.toml").exists()


def _png_rows(data: bytes) -> list[bytes]:
    """The RGBA rows of an 8-bit RGBA PNG (what rsvg-convert writes): enough of PNG to find ink."""
    import struct
    import zlib

    width, height = struct.unpack(">II", data[16:24])
    assert data[24:26] == b"\x08\x06", "expected 8-bit RGBA"
    chunks, i = b"", 8
    while i < len(data):
        length, kind = struct.unpack(">I4s", data[i:i + 8])
        if kind == b"IDAT":
            chunks += data[i + 8:i + 8 + length]
        i += 12 + length
    raw, stride, rows, prev = zlib.decompress(chunks), width * 4, [], bytes(width * 4)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - 4] if x >= 4 else 0
            b, c = prev[x], prev[x - 4] if x >= 4 else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = bytes(line)
    return rows


def _first_ink(rows: list[bytes]) -> int:
    return min((x // 4 for row in rows for x in range(3, len(row), 4) if row[x] > 128), default=-1)


@pytest.mark.skipif(not shutil.which("rsvg-convert"), reason="rsvg-convert not installed (Debian: librsvg2-bin)")
def test_shots_keep_leading_spaces_when_rsvg_convert_makes_a_png(tmp_path: Path):
    """Textual's SVG writes a space as U+00A0; librsvg drops a text run's leading ones unless the
    document says xml:space="preserve" (SVG 1.1, 10.15 "White space handling": with "preserve"
    the user agent converts all newline and tab characters into space characters and draws all
    space characters, leading ones included)."""
    from peersnap.tui.shot import preserve_spaces

    def ink_from_left(svg: str) -> int:
        (tmp_path / "t.svg").write_text(svg, encoding="utf-8")
        subprocess.run(["rsvg-convert", "-o", str(tmp_path / "t.png"), str(tmp_path / "t.svg")], check=True, timeout=60)
        return _first_ink(_png_rows((tmp_path / "t.png").read_bytes()))

    text = '<text x="0" y="30" font-size="20" fill="black">{}X</text>'
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40">{}</svg>'
    plain = ink_from_left(preserve_spaces(svg.format(text.format(""))))
    indented = ink_from_left(preserve_spaces(svg.format(text.format("&#160;" * 6))))
    assert plain >= 0 and indented > plain + 20  # six spaces of a 20 px font: well to the right
    assert preserve_spaces(preserve_spaces(svg)).count('xml:space="preserve"') == 1


def test_a_shot_is_marked_to_keep_its_spaces(script: Path, tmp_path: Path):
    svg = _shot(script, tmp_path / "s.svg", seed="0").decode("utf-8")
    assert svg.startswith("<svg") and 'xml:space="preserve"' in svg.split(">", 1)[0]
