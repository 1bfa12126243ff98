"""Issue 10, "no traceback, anywhere": a seeded fuzz corpus for every file peersnap
reads. Scenario, session and lesson TOML are mutated structurally (a value at a random
depth replaced by a wrong type, a huge or negative number, a long string, a unicode
line break, deep nesting; a key removed or added) and as bytes (truncated, flipped,
binary, NUL, invalid UTF-8, a line doubled, a stray BOM, unicode line breaks between
tokens). Every case that is refused exits 2 with exactly one line on stderr naming
the file; none shows a traceback; and the file given is untouched: its bytes, mode,
inode and mtime (to the nanosecond) are as before.

tests/test_files_under_attack.py holds a fixed, hand-picked corpus; this one is
generated (seed 10), a few hundred cases in a few seconds.
"""

from __future__ import annotations

import os
import random
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from peersnap.core.lessons import LessonError, load_lesson
from peersnap.core.session import Session
from peersnap.tui.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED = (ROOT / "core" / "scenarios" / "seed.toml").read_text(encoding="utf-8")
LESSON = (ROOT / "core" / "lessons" / "first-psnap.toml").read_text(encoding="utf-8")
CASES = 70  # per kind and per family (structural, bytes)
BREAKS = ["\u2028", "\u2029", "\u0085", "\v", "\f", "\x1c", "\x1d", "\x1e"]
ODD_VALUES: list[Any] = [
    0, -1, 1 << 62, -(1 << 62), 10**18, 3.5, float("inf"), float("nan"), True, False, "", "x" * 5000,
    "line\u2028break", "nul\x00byte", "tab\tand\rcr", "é∑\U0001f600", [], [1, "two"], {}, {"k": "v"},
    [[[[[[1]]]]]], "99999999999999999999d", "-5s", "²", "/gpfs/fs1/../etc", "nfs://", "gpfs:///",
]


def saved_session_text(tmp_path: Path) -> str:
    session = Session()
    for line in ("echo hello > /gpfs/fs1/sw/a", "mmpsnap fs1 create -j sw", "sim settle"):
        session.run(line)
    path = tmp_path / "made.toml"
    assert session.run(f"save {path}").ok
    return path.read_text(encoding="utf-8")


# -- the generator ------------------------------------------------------------------------------------
def paths_in(doc: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path (dict keys and list indexes) in a parsed TOML document."""
    found = []
    if isinstance(doc, dict):
        items = list(doc.items())
    elif isinstance(doc, list):
        items = list(enumerate(doc))
    else:
        return found
    for key, value in items:
        found.append((*prefix, key))
        found.extend(paths_in(value, (*prefix, key)))
    return found


def structural(doc: dict, rng: random.Random) -> tuple[str, bytes]:
    """A copy of `doc` with one value changed (or a key removed or added), as TOML bytes."""
    import copy
    mutated = copy.deepcopy(doc)
    path = rng.choice(paths_in(mutated))
    parent = mutated
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    roll = rng.random()
    if roll < 0.15 and isinstance(parent, dict):
        del parent[last]
        label = f"removed {path}"
    elif roll < 0.25 and isinstance(parent, dict):
        parent[f"unknown_{rng.randrange(100)}"] = rng.choice(ODD_VALUES)
        label = f"added a key beside {path}"
    elif roll < 0.35:
        depth = rng.choice([50, 400, 3000])
        label = f"nested {depth} deep at {path}"
        parent[last] = "@@DEEP@@"
        text = tomli_w.dumps(mutated)
        deep = "[" * depth + "1" + "]" * depth if rng.random() < 0.5 else "{a=" * depth + "1" + "}" * depth
        return label, text.replace('"@@DEEP@@"', deep, 1).encode()
    else:
        value = rng.choice(ODD_VALUES)
        parent[last] = value
        label = f"{path} = {value!r:.40}"
    try:
        return label, tomli_w.dumps(mutated).encode()
    except (ValueError, TypeError):  # tomli_w refuses nan in some places, a NUL key...: say it as text
        return label, (tomli_w.dumps(doc) + f"\n# {label}\nzz = {value!r:.40}\n").encode("utf-8", "surrogatepass")


def as_bytes(text: str, rng: random.Random) -> tuple[str, bytes]:
    data = text.encode("utf-8")
    roll = rng.randrange(9)
    at = rng.randrange(1, len(data))
    if roll == 0:
        return f"truncated at {at}", data[:at]
    if roll == 1:
        flipped = bytearray(data)
        for _ in range(rng.randrange(1, 6)):
            flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
        return "bits flipped", bytes(flipped)
    if roll == 2:
        return "binary", bytes(rng.randrange(256) for _ in range(rng.randrange(1, 600)))
    if roll == 3:
        return f"NUL at {at}", data[:at] + b"\x00" + data[at:]
    if roll == 4:
        return f"invalid UTF-8 at {at}", data[:at] + rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80"]) + data[at:]
    if roll == 5:
        lines = text.splitlines(keepends=True)
        i = rng.randrange(len(lines))
        return f"line {i} doubled", "".join(lines[: i + 1] + lines[i:]).encode()
    if roll == 6:
        return f"BOM at {at}", data[:at] + b"\xef\xbb\xbf" + data[at:]
    sep = rng.choice(BREAKS)
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    if roll == 7:  # a break where a line end was: TOML sees one line, never two
        joined = "\n".join(lines[:i]) + ("\n" if i else "") + sep.join(lines[i:i + 2]) + "\n" + "\n".join(lines[i + 2:])
        return f"{sep!r} for line end {i}", joined.encode()
    return f"{sep!r} inside line {i}", "\n".join(lines[:i] + [lines[i] + sep] + lines[i + 1:]).encode()


def corpus(text: str, seed: int) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    doc = tomllib.loads(text)
    return [structural(doc, rng) for _ in range(CASES)] + [as_bytes(text, rng) for _ in range(CASES)]


# -- the checks -------------------------------------------------------------------------------------------
def state_of(path: Path) -> tuple:
    """What must not change: bytes, mode, inode and mtime to the nanosecond."""
    st = os.stat(path)
    return path.read_bytes(), st.st_mode, st.st_ino, st.st_mtime_ns


def fresh(target: Path, data: bytes) -> None:
    target.write_bytes(data)
    old = 1_000_000_000_123_456_789  # an mtime no write of ours could give it by chance
    os.utime(target, ns=(old, old))


def run_cli(capsys, argv: list[str]) -> tuple[int, list[str]]:
    rc = main(argv)
    captured = capsys.readouterr()
    return rc, captured.err.splitlines()


def check_kind(tmp_path: Path, capsys, text: str, seed: int, argv_for) -> tuple[int, int]:
    target = tmp_path / "fuzzed.toml"
    refused = accepted = 0
    for label, data in corpus(text, seed):
        fresh(target, data)
        before = state_of(target)
        rc, err = run_cli(capsys, argv_for(target))
        assert state_of(target) == before, f"{label}: the file was changed"
        assert not any("Traceback" in line or "internal error" in line for line in err), (label, err)
        if rc == 2:
            assert len(err) == 1 and str(target) in err[0], (label, err)
            refused += 1
        else:
            assert rc in (0, 1) and not err, (label, rc, err)  # a valid file: the script ran
            accepted += 1
    return refused, accepted


def test_fuzzed_scenario_files_exit_2_in_one_line_and_stay_untouched(tmp_path, capsys):
    script = tmp_path / "script"
    script.write_text("sim status\nmmpsnap fs1 create -j sw\nsim settle\n", encoding="utf-8")
    refused, accepted = check_kind(tmp_path, capsys, SEED, 10, lambda f: ["run", "--scenario", str(f), str(script)])
    assert refused >= CASES and refused + accepted == 2 * CASES


def test_fuzzed_session_files_exit_2_in_one_line_and_stay_untouched(tmp_path, capsys):
    refused, accepted = check_kind(tmp_path, capsys, saved_session_text(tmp_path), 11,
                                   lambda f: ["run", "--replay", str(f)])
    assert refused >= CASES and refused + accepted == 2 * CASES


def test_fuzzed_lesson_files_are_refused_in_one_line_and_stay_untouched(tmp_path, capsys):
    target = tmp_path / "lesson.toml"
    refused = 0
    for label, data in corpus(LESSON, 12):
        fresh(target, data)
        before = state_of(target)
        try:
            load_lesson(str(target))
        except LessonError as exc:
            refused += 1
            assert "\n" not in str(exc) and str(target) in str(exc), (label, str(exc))
            rc, err = run_cli(capsys, ["lesson", str(target)])  # refused before any dashboard opens
            assert rc == 2 and len(err) == 1 and str(target) in err[0], (label, rc, err)
            # the checker lists every problem it finds: each a line naming the file
            rc, err = run_cli(capsys, ["lesson", "check", str(target)])
            assert rc == 2 and err and all(line.startswith(str(target)) for line in err), (label, rc, err)
            assert not any("Traceback" in line for line in err), (label, err)
        assert state_of(target) == before, f"{label}: the file was changed"
    assert refused >= CASES


@pytest.mark.parametrize("seed", range(3))
def test_the_generator_is_seeded(seed):
    assert corpus(SEED, seed) == corpus(SEED, seed)
