"""A command line of the dashboard's options is read without building the subcommands' parsers
(issue 16, first frame), and reads exactly as the whole parser reads it; anything else (a
subcommand, help, a mistake) is the whole parser's, with its own messages."""

from __future__ import annotations

import contextlib
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from peersnap.tui import cli
from probes import probe

TOKENS = ["--paused", "--pause", "--speed", "--speed=10", "--sp", "10", "7", "1", "--theme", "dark", "--theme=",
          "--scenario", "seed", "--scenario=seed", "run", "lesson", "lessons", "scenarios", "serve", "shot",
          "--limit", "files=10", "files=x", "--resume", "--replay", "x.session", "-h", "--help", "--he", "--",
          "-", "x", "-p", "--trace", "--paused=1", "--limit=queued_ops=5", "--r", "--re"]


def whole(argv: list[str]) -> dict | str:
    try:
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            return vars(cli.build_parser().parse_args(argv))
    except SystemExit as exc:
        return f"exit {exc.code}"


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=6))
def test_what_the_options_alone_read_the_whole_parser_reads_the_same(argv):
    light = cli.dashboard_arguments(argv)
    expected = whole(argv)
    if light is not None:
        assert vars(light) == expected, argv


@pytest.mark.parametrize("argv", [[], ["--paused"], ["--speed", "10", "--theme", "light"], ["--scenario", "seed"],
                                  ["--limit", "files=100", "--paused"], ["--resume"], ["--replay", "s.session"],
                                  ["--scenario", "run"]])
def test_the_dashboards_command_lines_are_read_by_the_options_alone(argv):
    light = cli.dashboard_arguments(argv)
    assert light is not None and vars(light) == whole(argv)


@pytest.mark.parametrize("argv", [["run", "x"], ["lessons"], ["-h"], ["--help"], ["--speed", "7"], ["--"],
                                  ["--paused", "x"], ["--limit"], ["--he"]])
def test_anything_else_is_left_to_the_whole_parser(argv):
    assert cli.dashboard_arguments(argv) is None


def test_a_mistake_gets_the_whole_parsers_message(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.parse_args(["--speed", "7"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "usage: peersnap [-h]" in err and "COMMAND" in err and "not one of the speeds" in err


def test_the_dashboards_start_builds_no_parser_and_imports_no_argparse():
    code = ("import sys\n"
             "from peersnap.tui import cli\n"
             "built = []\n"
             "original = cli.build_parser\n"
             "cli.build_parser = lambda: built.append(1) or original()\n"
             "cli.parse_args(['--paused', '--speed', '10', '--limit=files=5', '--theme', 'light'])\n"
             "print(len(built), sorted(m for m in ('peersnap.tui.authoring', 'peersnap.tui.classroom', 'argparse',\n"
             "                                     'peersnap.tui.arguments') if m in sys.modules))\n")
    assert probe(code) == "0 []"
