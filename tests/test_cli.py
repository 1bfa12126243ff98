"""The headless command line: `peersnap run FILE|-`, `--trace`, `--scenario`,
exit statuses, help, and clear messages for what cannot be read."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from peersnap.tui.cli import build_parser, main

NAME = "psnap-13882361812785649740-C0A80E85:4F44B305-59-16-10-27-02-27-28"
SEED_TOML = (Path(__file__).resolve().parent.parent / "core" / "scenarios" / "seed.toml").read_text(encoding="utf-8")
TRACE = re.compile(
    r"^  ~ \+ *\d+\.\d{6}s (?P<clock>\d\d:\d\d:\d\d) (?P<topic>[a-z]+ *) (?P<fileset>\S+ *) (?P<what>\S.*)$"
)


def script(tmp_path: Path, text: str) -> str:
    path = tmp_path / "script.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_run_prints_each_command_with_its_prompt_then_its_output(tmp_path, capsys):
    path = script(tmp_path, "# the seed's first two examples\nmmpsnap fs1 create -j sw\n\nmmlssnapshot fs1 -j sw\n")
    assert main(["run", path]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "[cache]# mmpsnap fs1 create -j sw"
    assert out[4] == f"Snapshot {NAME} created with id 8."
    assert out[7] == "[cache]# mmlssnapshot fs1 -j sw"
    assert out[-1].startswith(f"{NAME} 8")
    assert not any(line.startswith("#") for line in out)  # comments and blank lines print nothing


def test_run_echoes_home_commands_with_the_home_prompt(tmp_path, capsys):
    assert main(["run", script(tmp_path, "@home mmlssnapshot fs1\n")]) == 0
    assert capsys.readouterr().out.splitlines() == ["[home]# mmlssnapshot fs1", "No snapshots in file system fs1."]


def test_run_reads_standard_input_with_a_dash(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("sim advance 30s\n"))
    assert main(["run", "-"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "[cache]# sim advance 30s",
        "Advanced 30s to Thu Oct 27 02:27:58 2016 (cache).",
    ]


def test_exit_status_is_1_when_any_command_failed(tmp_path, capsys):
    path = script(tmp_path, "mmpsnap fs1 create -j ro\nmmlssnapshot fs1\n")
    assert main(["run", path]) == 1
    out = capsys.readouterr().out
    assert "mmpsnap: 6027-2183 [E]" in out
    assert "[cache]# mmlssnapshot fs1" in out  # it carries on after a failure


def test_an_empty_script_succeeds(tmp_path, capsys):
    assert main(["run", script(tmp_path, "")]) == 0
    assert capsys.readouterr().out == ""


def test_trace_prints_every_event_in_fixed_columns(tmp_path, capsys):
    path = script(tmp_path, "echo x > /gpfs/fs1/sw/a\nmmpsnap fs1 create -j sw\nsim settle\nsim link down\n")
    assert main(["run", "--trace", path]) == 0
    out = capsys.readouterr().out.splitlines()
    traced = [line for line in out if line.startswith("  ~ ")]
    assert traced, out
    for line in traced:
        match = TRACE.match(line)
        assert match, line
        assert match.start("clock") == 21 and match.start("topic") == 30 and match.start("fileset") == 39
        assert match.start("what") == 46
    assert traced[0] == "  ~ +      0.000000s 02:27:28 queue    sw     queued #1 create a (2 B)"
    assert "  ~ +     15.001000s 02:27:43 link     -      link to home is DOWN" in traced
    # events follow the command that caused them
    assert out.index("[cache]# sim settle") < out.index(next(t for t in traced if "home half created" in t))


def test_without_trace_no_events_are_printed(tmp_path, capsys):
    main(["run", script(tmp_path, "echo x > /gpfs/fs1/sw/a\nsim settle\n")])
    assert not any(line.startswith("  ~") for line in capsys.readouterr().out.splitlines())


def test_scenario_by_bundled_name(tmp_path, capsys):
    assert main(["run", "--scenario", "clock-skew", script(tmp_path, "sim status\n")]) == 0
    first = capsys.readouterr().out.splitlines()[1]
    assert first.startswith("Simulated time +0s: cache ")
    assert first != "Simulated time +0s: cache Thu Oct 27 02:27:28 2016, home Thu Oct 27 02:23:15 2016"


def test_scenario_from_a_file(tmp_path, capsys):
    custom = tmp_path / "mine.toml"
    custom.write_text(SEED_TOML.replace('clock = "2016-10-27 02:27:28"', 'clock = "2020-01-02 03:04:05"'), encoding="utf-8")
    for argv in (["run", "--scenario", str(custom)], ["--scenario", str(custom), "run"]):
        assert main([*argv, script(tmp_path, "mmpsnap fs1 create -j sw\n")]) == 0
        out = capsys.readouterr().out
        assert "psnap-13882361812785649740-C0A80E85:4F44B305-59-20-01-02-03-04-05 created with id 8." in out


def test_a_missing_script_exits_2_with_a_clear_message(tmp_path, capsys):
    missing = tmp_path / "nope.txt"
    assert main(["run", str(missing)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"peersnap: cannot read script {missing}: ")
    assert "No such file or directory" in captured.err


def test_a_directory_as_script_exits_2(tmp_path, capsys):
    assert main(["run", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith(f"peersnap: cannot read script {tmp_path}: ")


def test_a_script_that_is_not_utf8_exits_2(tmp_path, capsys):
    path = tmp_path / "binary.bin"
    path.write_bytes(b"mmlssnapshot fs1\n\xff\xfe\x00junk\n")
    assert main(["run", str(path)]) == 2
    assert "cannot read script" in capsys.readouterr().err


def test_an_unreadable_script_exits_2(tmp_path, capsys, monkeypatch):
    path = Path(script(tmp_path, "mmlssnapshot fs1\n"))
    path.chmod(0)
    if os.access(path, os.R_OK):  # root reads a mode-000 file: make the open refuse instead
        from peersnap.core import textfile

        real_open = os.open

        def refuse(name, *args, **kwargs):
            if str(name) == str(path):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(name, *args, **kwargs)

        monkeypatch.setattr(textfile.os, "open", refuse)
    try:
        assert main(["run", str(path)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"peersnap: cannot read script {path}: ") and "Permission denied" in err
    finally:
        path.chmod(0o644)


@pytest.mark.parametrize("text,says", [
    ("title = \n", "TOML syntax error"),
    ("[cache]\nname = 'x'\n", "missing"),
    (SEED_TOML + "\n[surprise]\n", "unknown key 'surprise'"),
    (SEED_TOML.replace("next_snapshot_id = 8", "next_snapshot_id = 'eight'"), "key 'filesystem.next_snapshot_id'"),
    (SEED_TOML.replace('mode = "ro"', 'mode = "xx"'), "key 'fileset[1].mode'"),
])
def test_a_broken_scenario_exits_2_naming_what_is_wrong(tmp_path, capsys, text, says):
    broken = tmp_path / "broken.toml"
    broken.write_text(text, encoding="utf-8")
    assert main(["run", "--scenario", str(broken), script(tmp_path, "sim status\n")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"peersnap: {broken}: ")
    assert says in captured.err
    assert len(captured.err.splitlines()) == 1


def test_an_unknown_scenario_name_exits_2_listing_the_bundled_ones(tmp_path, capsys):
    assert main(["run", "--scenario", "nosuch", script(tmp_path, "sim status\n")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("peersnap: nosuch: no such scenario file or bundled scenario (bundled: ")
    assert "seed" in err


def test_run_without_a_script_exits_2(capsys):
    assert main(["run"]) == 2
    assert "give a script FILE" in capsys.readouterr().err


def options_of(parser) -> list[str]:
    return [option for action in parser._actions for option in action.option_strings]


def test_help_mentions_every_option_and_command(capsys):
    parser = build_parser()
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in options_of(parser):
        assert option in out, option
    for command in ("run", "scenarios"):
        assert command in out


def test_run_help_mentions_every_option_and_the_exit_statuses(capsys):
    run_parser = build_parser()._subparsers._group_actions[0].choices["run"]
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in options_of(run_parser):
        assert option in out, option
    assert "FILE|-" in out and "--trace" in out and "--scenario" in out
    assert "Exit status: 0" in " ".join(out.split())


def test_a_wrong_option_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--bogus", "x"])
    assert exit_info.value.code == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


def test_scenarios_lists_the_bundled_scenarios(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("busy-gateway")
    assert "seed             Seed demo: the peer snapshot page" in out


def test_the_console_script_runs_a_script_from_standard_input():
    exe = Path(sys.executable).with_name("peersnap")
    done = subprocess.run(
        [str(exe), "run", "--trace", "-"],
        input="mmpsnap fs1 create -j sw\nsim settle\n@home mmlssnapshot fs1\nfrobnicate\n",
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0] == "[cache]# mmpsnap fs1 create -j sw"
    assert f"{NAME} 8         Valid   Thu Oct 27 02:23:16 2016" in lines
    assert lines[-1] == "frobnicate: command not found (GPFS commands start with mm; try 'help')"
