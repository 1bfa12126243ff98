"""`peersnap`'s whole command line: the dashboard's options and every subcommand's.

The CLI (tui/cli.py) reads a command line of the dashboard's options alone without
this module (no argparse at the dashboard's start); everything else comes here.
"""

from __future__ import annotations

import argparse

from peersnap.core.characters import is_number
from peersnap.tui.settings import SPEEDS

DESCRIPTION = """\
peersnap simulates IBM Storage Scale AFM peer snapshots (mmpsnap): an AFM cache
fileset and its home, the gateway queue between them, and the snapshot pairs that
mmpsnap creates. With no command it opens the dashboard on the demo scenario.
"""

RUN_HELP = """\
Run a script of peersnap commands (one a line, '#' comments, '@home' prefix to run on
the home cluster) on a fresh simulated world, headlessly. Each command is echoed as
'[cache]# CMD' or '[home]# CMD' followed by its output. Exit status: 0 when every
command succeeded, 1 otherwise, 2 when the script or scenario cannot be read.
"""

SERVE_HELP = """\
Serve the dashboard to web browsers (textual-serve): every tab gets its own simulator,
isolated from the others. Students reach the dashboard only: the console runs simulated
commands, 'save FILE' is turned off, nothing runs or writes on this computer. Ctrl+C stops
the server and every session.
"""

LIMIT_HELP = ("set one of the world's caps, as a scenario's [limits] table does (repeat for more): "
              "files, queued_ops, data_bytes or file_size, e.g. --limit files=1000000 --limit data_bytes=536870912")


def _top_parser() -> argparse.ArgumentParser:
    """`peersnap`'s own options (the dashboard's), without the subcommands."""
    parser = argparse.ArgumentParser(prog="peersnap", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", metavar="NAME|FILE",
                        help="start from this bundled scenario or scenario file (default: seed)")
    add_dashboard_options(parser)
    parser.add_argument("--limit", metavar="KEY=N", action="append", dest="limits", help=LIMIT_HELP)
    parser.add_argument("--resume", action="store_true",
                        help="reopen the session autosaved when the dashboard last quit (in the XDG state folder)")
    parser.add_argument("--replay", metavar="SESSION", dest="replay_session",
                        help="open the dashboard on a session saved with 'save FILE' and replay its commands on the "
                             "timer (F7 pauses, F8 steps, F9/F10 change speed)")
    return parser


def build_parser() -> argparse.ArgumentParser:
    from peersnap.tui import authoring
    from peersnap.tui.classroom import add_serve_arguments

    parser = _top_parser()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser("run", help="run a command script headlessly and print the transcript",
                         description=RUN_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("script", metavar="FILE|-", nargs="?", help="the script to run; '-' reads standard input")
    run.add_argument("--replay", metavar="SESSION",
                     help="replay a session saved with 'save FILE' instead of a script, printing its transcript")
    run.add_argument("--scenario", metavar="NAME|FILE", dest="run_scenario",
                     help="start from this bundled scenario or scenario file (default: seed)")
    run.add_argument("--limit", metavar="KEY=N", action="append", dest="run_limits", help=LIMIT_HELP)
    run.add_argument("--trace", action="store_true",
                     help="also print the engine's events, one line each: simulated time since start, "
                          "cache clock, topic, fileset, what happened")
    sub.add_parser("scenarios", help="list the bundled scenarios", description="List the bundled scenarios.")
    sub.add_parser("lessons", help="list the guided lessons", description="List the guided lessons.")
    lesson = sub.add_parser("lesson", help="open the dashboard with a guided lesson",
                            description="Open the dashboard on a lesson's scenario with the lesson panel.")
    lesson.add_argument("name", metavar="NAME|FILE", help="a bundled lesson (see 'peersnap lessons') or a lesson file")
    lesson.add_argument("file", metavar="FILE", nargs="?", help=authoring.LESSON_CHECK_HELP)
    add_dashboard_options(lesson, argparse.SUPPRESS)  # `peersnap lesson NAME --paused` as well as before NAME
    serve = sub.add_parser("serve", help="serve the dashboard to web browsers, one simulator per tab (a classroom)",
                           description=SERVE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_serve_arguments(serve, _positive, _port)
    authoring.add_subcommands(sub)
    return parser


def add_dashboard_options(parser: argparse.ArgumentParser, default: object = None) -> None:
    """The dashboard's options; a subcommand's copy uses `argparse.SUPPRESS` so that
    it leaves the main parser's value alone when not given after the subcommand."""
    parser.add_argument("--theme", metavar="NAME", default=default,
                        help="colour theme (dark, light, high-contrast, or your own)")
    parser.add_argument("--paused", action="store_true", default=False if default is None else default,
                        help="start with simulated time paused")
    parser.add_argument("--speed", type=_speed, metavar="N", default=default,
                        help=f"simulated seconds per real second at start ({', '.join(map(str, SPEEDS))}; "
                             "default: 1, whatever speed was used last)")


def _speed(text: str) -> int:
    if not is_number(text) or int(text) not in SPEEDS:
        raise argparse.ArgumentTypeError(f"not one of the speeds {', '.join(map(str, SPEEDS))}: {text!r}")
    return int(text)


def _port(text: str) -> int:
    if not is_number(text) or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number (1-65535): {text!r}")
    return int(text)


def _positive(text: str) -> int:
    if not is_number(text) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return int(text)
