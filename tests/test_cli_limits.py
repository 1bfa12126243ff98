"""Issue 10: the world's caps from the command line, `--limit KEY=N`, with the keys and
numbers of a scenario's `[limits]` table (docs/simulator.md). A bad setting is one line
on stderr and exit 2, before anything starts."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from peersnap.core.limits import DEFAULT_LIMITS, HIGHEST, Limits, LimitSettingError, with_settings
from peersnap.core.scenario import parse
from peersnap.tui.cli import _setting_caps, main
from peersnap.tui.launch import prepare

SEED_TOML = (Path(__file__).resolve().parent.parent / "core" / "scenarios" / "seed.toml").read_text(encoding="utf-8")


def run_stdin(monkeypatch: pytest.MonkeyPatch, text: str, argv: list[str]) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    return main(argv)


def test_limit_settings_replace_only_the_caps_they_name_and_the_last_wins():
    given = Limits(100, 200, 300, 40)
    assert with_settings(given, ["files=1_000", "data_bytes = 4096", "files=7"]) == Limits(7, 200, 4096, 40)
    assert with_settings(given, []) == given
    assert with_settings(DEFAULT_LIMITS, [f"queued_ops={HIGHEST}"]).queued_ops == HIGHEST


@pytest.mark.parametrize(("setting", "said"), [
    ("files", "--limit files: expected KEY=N, KEY one of: files, queued_ops, data_bytes, file_size"),
    ("inodes=5", "--limit inodes=5: expected KEY=N, KEY one of: files, queued_ops, data_bytes, file_size"),
    ("files=0", ("--limit files=0: expected a whole number from 1 to 1,125,899,906,842,624 (files and directories "
                 "per cluster)")),
    ("queued_ops=-3", ("--limit queued_ops=-3: expected a whole number from 1 to 1,125,899,906,842,624 "
                       "(operations queued at the gateways)")),
    ("data_bytes=2GiB", "--limit data_bytes=2GiB: expected a whole number"),
    ("file_size=²", "--limit file_size=²: expected a whole number"),
    ("files=1__0", "--limit files=1__0: expected a whole number"),
    (f"files={HIGHEST + 1}", "--limit files=1125899906842625: expected a whole number"),
])
def test_a_bad_limit_setting_is_one_line_and_exit_2(setting, said, capsys, monkeypatch):
    with pytest.raises(LimitSettingError, match="^" + said.replace("(", r"\(").replace(")", r"\)")):
        with_settings(DEFAULT_LIMITS, [setting])
    assert run_stdin(monkeypatch, "sim status\n", ["run", "--limit", setting, "-"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"peersnap: {said}") and captured.err.count("\n") == 1


def test_run_takes_the_caps_before_or_after_run_and_refuses_over_them(monkeypatch, capsys):
    assert run_stdin(monkeypatch, "sim load 3\nsim status\n",
                     ["--limit", "queued_ops=1_000", "run", "--limit", "data_bytes=5000", "-"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "Gateway queues hold 4 of 1,000 operations" in out
    assert any(line.startswith("Cache holds 11 of 16,000,000 files and directories, 247 bytes of 4.9 KiB "
                               "(5,000 bytes) of file data") for line in out)
    assert run_stdin(monkeypatch, "sim load 10\n", ["run", "--limit", "files=12", "-"]) == 1
    assert capsys.readouterr().out.splitlines()[1] == (
        "sim: load: 10 files refused, nothing written: No space left on device (the simulator's cap is 12 files and "
        "directories per cluster; the cache holds 7 and this would add 11).")


def test_a_limit_setting_overrides_the_scenarios_limits_table_key_by_key(tmp_path, monkeypatch, capsys):
    scenario = tmp_path / "capped.toml"
    scenario.write_text(f"{SEED_TOML}\n[limits]\nfiles = 50\nqueued_ops = 9\n", encoding="utf-8")
    assert run_stdin(monkeypatch, "sim status\n", ["run", "--scenario", str(scenario), "--limit", "files=60", "-"]) == 0
    out = capsys.readouterr().out
    assert "Cache holds 7 of 60 files" in out and "Gateway queues hold 0 of 9 operations" in out


def test_the_dashboard_starts_on_a_world_with_the_caps_set(tmp_path):
    start = prepare(parse(SEED_TOML, "seed.toml", "seed"), caps=_setting_caps(["files=99", "file_size=512"]))
    assert start.session.engine.world.limits == Limits(99, DEFAULT_LIMITS.queued_ops, DEFAULT_LIMITS.data_bytes, 512)
    assert start.session.run("sim load 1 --size 513").rc == 1
    assert _setting_caps([]) is None


@pytest.mark.parametrize("argv", [
    ["--limit", "files=5", "scenarios"],
    ["--limit", "files=5", "--resume"],
    ["--limit", "files=5", "--replay", "saved.toml"],
    ["run", "--limit", "files=5", "--replay", "saved.toml"],
])
def test_a_limit_setting_where_no_new_world_starts_is_refused(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("peersnap: --limit sets the caps of ") and err.count("\n") == 1


def test_help_says_how_to_set_the_caps(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--limit KEY=N" in out and "files, queued_ops, data_bytes or file_size" in out
