"""The command line of the material trainers make: `shot`, `cast`, `present`,
`lesson check`, and `docs` for peersnap's own docs/.

`add_subcommands` declares them on the main parser and `dispatch` runs them, so the
main CLI module needs one line for each. Every bad input is one line on stderr and
exit status 2; nothing is written unless the picture or recording was made.
"""

from __future__ import annotations

import argparse
import sys

from peersnap.core import clock

from .script import ScriptError, read_script

SHOT_HELP = """\
Play a script (a 'peersnap run' script) in the real dashboard, headless and with time
paused, and write the screen after line N (default: the end) as SVG. The same script
draws the same bytes. '#: size 100x30', '#: scenario NAME', '#: lesson NAME' and
'#: theme NAME' lines in the script set what it is taken on; the options win.
For PNG: rsvg-convert out.svg -o out.png.
"""

CAST_HELP = """\
Record the dashboard as the script plays, as an asciinema v2 file (play it with
'asciinema play demo.cast' or the asciinema web player). Timings come from the script,
not the clock: each command shows typed, then its result for --delay; a '#: pause 2s'
line holds the screen 2 s longer.
"""

LESSON_CHECK_HELP = ("'peersnap lesson check FILE' checks a lesson file: every problem, one line each naming its key, "
                     "then its suggested commands must complete every step (exit status 2 when not)")

PRESENT_HELP = """\
Present a prepared script in the dashboard, one step per command: PageDown, Space or
Right (what a presentation clicker sends) runs the next step, PageUp or Left goes back
one. Each step shows its '#:' caption lines large; '#: spotlight PANE' (cache, home,
queue, psnaps, console, events, toggles, header, lesson) frames the pane it is about.
Time stays paused. Ctrl+Q quits.
"""

COMMANDS = ("shot", "cast", "present", "docs")


def _add_stage_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("script", metavar="SCRIPT", help="the script to play")
    parser.add_argument("--scenario", metavar="NAME|FILE", dest="stage_scenario",
                        help="start from this bundled scenario or scenario file (default: seed)")
    parser.add_argument("--lesson", metavar="NAME|FILE", dest="stage_lesson", help="open this lesson's panel")
    parser.add_argument("--size", metavar="COLSxROWS", help="terminal size (default: 120x40)")
    parser.add_argument("--theme", metavar="NAME", dest="stage_theme",
                        help="colour theme: dark, light, high-contrast (default: dark)")


def add_subcommands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    raw = argparse.RawDescriptionHelpFormatter
    shot = sub.add_parser("shot", help="a screenshot (SVG) of the dashboard after a script", description=SHOT_HELP,
                          formatter_class=raw)
    _add_stage_options(shot)
    shot.add_argument("-o", dest="output", metavar="FILE", required=True, help="the SVG file to write")
    shot.add_argument("--at", metavar="N", type=int, help="the screen after line N of the script (default: the end)")
    cast = sub.add_parser("cast", help="an asciinema recording of the dashboard playing a script",
                          description=CAST_HELP, formatter_class=raw)
    _add_stage_options(cast)
    cast.add_argument("-o", dest="output", metavar="FILE", required=True, help="the .cast file to write")
    cast.add_argument("--delay", metavar="DURATION", default="1500ms",
                      help="how long each command's result shows before the next (default: 1500ms)")

    present = sub.add_parser("present", help="present a prepared script step by step (a clicker's keys)",
                             description=PRESENT_HELP, formatter_class=raw)
    _add_stage_options(present)
    docs = sub.add_parser("docs", help="write docs/' generated pages (peersnap's own repository)", description="Write the generated pages of docs/: the "
                          "command reference and the lesson pages.")
    docs.add_argument("--check", action="store_true",
                      help="change nothing; exit 1 when a generated page or a picture is stale")
    docs.add_argument("folder", metavar="DOCS", nargs="?", default="docs", help="the docs folder (default: docs)")


def dispatch(args: argparse.Namespace) -> int:
    if args.command == "docs":
        from .docgen import update_docs
        from .output import OutputError

        try:
            return update_docs(args.folder, args.check, sys.stdout, sys.stderr)
        except OutputError as exc:
            return _fail("docs", str(exc))
    try:
        script = read_script(args.script)
        if args.command == "present":
            from .present import present
            return present(script, args.stage_scenario, args.stage_lesson, args.size, args.stage_theme)
        return _picture(args, script)
    except ScriptError as exc:
        return _fail(args.command, str(exc))


def _picture(args: argparse.Namespace, script) -> int:  # type: ignore[no-untyped-def]
    from .output import OutputError, checked_target, write_output
    from .shot import ShotError, cast_text, shot_svg, stage_for

    try:
        checked_target(args.output)  # refuse a FIFO or a directory before playing anything
        stage = stage_for(script, args.stage_scenario, args.stage_lesson, args.size, args.stage_theme)
        if args.command == "shot":
            text = shot_svg(script, stage, args.at)
        else:
            try:
                delay = clock.parse_duration(args.delay)
            except ValueError as exc:
                raise ShotError(f"--delay: {exc}") from None
            text = cast_text(script, stage, delay)
        write_output(args.output, text)
    except (ShotError, OutputError) as exc:
        return _fail(args.command, str(exc))
    return 0


def lesson_check(args: argparse.Namespace) -> int:
    """`peersnap lesson check FILE`: one line per problem (exit 2), or one line saying it is sound."""
    from peersnap.core.lesson_check import check_lesson

    if args.name != "check" or not args.file:
        return _fail("lesson", "to check a lesson file: peersnap lesson check FILE")
    verdict = check_lesson(args.file)
    (sys.stdout if verdict.ok else sys.stderr).writelines(line + "\n" for line in verdict.lines())
    return 0 if verdict.ok else 2


def _fail(command: str, message: str) -> int:
    sys.stderr.write(f"peersnap {command}: {message}\n")
    return 2
