"""The `peersnap` command line: the dashboard, the headless runner, the scenario list."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import NoReturn, TextIO, TypeVar

from peersnap.core import clock
from peersnap.core.characters import is_number
from peersnap.core.errors import SimError
from peersnap.core.events import CommandRan, Event
from peersnap.core.limits import DEFAULT_LIMITS, Limits, LimitSettingError, with_settings
from peersnap.core.scenario import ScenarioError, bundled
from peersnap.core.scenario import load as load_scenario
from peersnap.core.session import (
    ClockEntry,
    LogEntry,
    LoggedCommand,
    Session,
    SessionFileError,
    load_session,
    script_lines,
)
from peersnap.core.textfile import TextFileError, read_text, remember_parses
from peersnap.tui import collector
from peersnap.tui.settings import SPEEDS

T = TypeVar("T")

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


def _top_parser(cls: type[argparse.ArgumentParser] = argparse.ArgumentParser, **kwargs: object) -> argparse.ArgumentParser:
    """`peersnap`'s own options (the dashboard's), without the subcommands."""
    parser = cls(prog="peersnap", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
                 **kwargs)
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


class _Unsure(Exception):
    """The dashboard's options alone cannot read this command line (the whole parser says what is wrong)."""


class _OptionsOnly(argparse.ArgumentParser):
    """The top-level options, reporting a problem to `parse_args` instead of printing it and exiting."""

    def error(self, message: str) -> NoReturn:
        raise _Unsure(message)


def dashboard_arguments(argv: Sequence[str]) -> argparse.Namespace | None:
    """A command line of the dashboard's options only, read without building the subcommands' parsers
    (~2.5 ms of the dashboard's start); None when it may be anything else: a subcommand, help, `--`,
    or a mistake (the whole parser then reads it, and says what is wrong in its own words)."""
    if "--" in argv:
        return None
    try:
        args, rest = _top_parser(_OptionsOnly, add_help=False).parse_known_args(list(argv))
    except _Unsure:
        return None
    if rest:
        return None
    args.command = None
    return args


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """What `build_parser().parse_args(argv)` returns (and prints, and exits with)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    return dashboard_arguments(argv) or build_parser().parse_args(argv)


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


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command not in (None, "lesson"):
        collector.release()  # (held by the `peersnap` command for the dashboard's start only)
    if args.replay_session and args.command not in (None, "lesson"):
        sys.stderr.write("peersnap: --replay SESSION opens the dashboard; for the transcript, "
                         "use 'peersnap run --replay SESSION'\n")
        return 2
    problem = _limits_problem(args)
    if problem:
        sys.stderr.write(f"peersnap: {problem}\n")
        return 2
    try:
        if args.command == "run":
            if args.replay:
                if args.script:
                    sys.stderr.write("peersnap run: give a script or --replay SESSION, not both\n")
                    return 2
                return replay_session(args.replay, args.trace, sys.stdout)
            if not args.script:
                sys.stderr.write("peersnap run: give a script FILE (or '-' for standard input), or --replay SESSION\n")
                return 2
            return run_script(args.script, args.run_scenario or args.scenario, args.trace, sys.stdout, args.settings)
        if args.command == "scenarios":
            return list_scenarios(sys.stdout)
        if args.command == "lessons":
            return list_lessons(sys.stdout)
        if args.command == "lesson":
            if args.name == "check" or args.file:
                from peersnap.tui import authoring

                collector.release()
                return authoring.lesson_check(args)
            from peersnap.core.lessons import LessonError, load_lesson

            try:
                args.lesson = load_lesson(args.name)
            except LessonError as exc:
                sys.stderr.write(f"peersnap: {exc}\n")
                return 2
            return dashboard(args)
        if args.command == "serve":
            return serve_classroom(args)
        if args.command is not None:  # shot, cast, present, docs
            from peersnap.tui import authoring

            return authoring.dispatch(args)
        return dashboard(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def _limits_problem(args: argparse.Namespace) -> str:
    """Check the `--limit` settings (they become `args.settings`); what is wrong with them, or ''."""
    args.settings = [*(args.limits or []), *(getattr(args, "run_limits", None) or [])]
    if not args.settings:
        return ""
    try:
        with_settings(DEFAULT_LIMITS, args.settings)
    except LimitSettingError as exc:
        return str(exc)
    if args.command not in (None, "run", "lesson"):
        return f"--limit sets the caps of the world a dashboard or 'peersnap run' starts, not of '{args.command}'"
    if args.replay_session or getattr(args, "replay", None) or getattr(args, "resume", False):
        return "--limit sets the caps of a new world; a saved session keeps its own (leave out --limit)"
    return ""


def dashboard(args: argparse.Namespace) -> int:
    try:
        import peersnap.tui.app  # noqa: F401 - the dashboard needs textual; the headless runner does not
    except ImportError:
        print("peersnap: the dashboard is not available in this build; use 'peersnap run FILE' for the headless runner.")
        return 2
    return run_dashboard(args)


def run_dashboard(args: argparse.Namespace) -> int:
    """`peersnap [--scenario NAME|FILE] [--replay SESSION] [--speed N] [--theme NAME] [--paused]`,
    and `peersnap lesson NAME` (which sets `args.lesson`): the arguments become a `Start`
    and the settings, and the app is built from those.

    Broken files are reported (exit 2) before the app starts. PEERSNAP_CLASSROOM=1
    (set by `peersnap serve` for each browser session) turns off everything that
    writes host files: `save FILE` and the settings file.
    """
    from peersnap.tui import settings as config
    from peersnap.tui import state as saved_state
    from peersnap.tui.app import PeersnapApp
    from peersnap.tui.css_cache import StylesheetCache, cache_file
    from peersnap.tui.dashboard import Dashboard
    from peersnap.tui.launch import LaunchError, prepare

    # The garbage collector is held until the first frame is on screen (tui/collector.py): already from
    # the `peersnap` command's first line, else from here (the start's allocations, the world, the widgets
    # and styles, would set off ~40 collections, a full one among them, walking ~60,000 imported objects).
    collector.hold()
    classroom = os.environ.get("PEERSNAP_CLASSROOM") == "1"
    state = None if classroom else saved_state.state_dir()
    css_cache = None if classroom else StylesheetCache(cache_file())
    remember_parses(css_cache)  # the scenario's, the themes' and the settings' TOML too (tui/css_cache.py)
    try:
        try:
            resume = None
            if getattr(args, "resume", False):
                if state is None:
                    raise LaunchError("--resume: the classroom keeps no sessions")
                resume = str(state / saved_state.AUTOSAVE_FILE)
            start = prepare(getattr(args, "scenario", None), getattr(args, "lesson", None),
                            getattr(args, "replay_session", None), allow_files=not classroom, resume=resume,
                            caps=_seat_caps() if classroom else _setting_caps(getattr(args, "settings", [])))
        except LaunchError as exc:
            sys.stderr.write(f"peersnap: {exc}\n")
            return 2
        path = config.config_dir() / "config.toml"
        saved, warning = config.load(path)
        if warning:
            start.warnings.append(warning)
        paused = bool(getattr(args, "paused", False)) or (start.lesson is not None and start.lesson.paused)
        # a demo cranked to 1000x must not start the next run at 1000x: 1x unless --speed says otherwise
        dashboard = Dashboard(start, paused=paused, speed=getattr(args, "speed", None) or 1, state=state)
        app = PeersnapApp(dashboard, theme=getattr(args, "theme", None) or saved.theme,
                          settings_path=None if classroom else path, theme_dir=config.config_dir() / "themes",
                          css_cache=css_cache)
        try:
            app.run()
        finally:
            collector.release()  # (a start that never drew its first frame: the dashboard lets go after its first)
            if css_cache is not None:
                css_cache.save()  # (what was parsed after the first frame: a help card, another theme)
        dashboard = app.dashboard  # (a lesson opened from the palette is another dashboard)
        if dashboard.autosaved is not None and dashboard.session.log:
            print(f"peersnap: session autosaved to {dashboard.autosaved}; 'peersnap --resume' reopens it")
        return 0
    finally:
        remember_parses(None)


def _setting_caps(settings: list[str]) -> Callable[[Limits], Limits] | None:
    """The world's caps from the scenario's with `--limit` settings in place (None: no setting)."""
    return (lambda given: with_settings(given, settings)) if settings else None


def _seat_caps():  # type: ignore[no-untyped-def]
    """A classroom seat's world caps from its memory limit (tui/classroom.py), None without one."""
    from peersnap.tui.classroom import MEMORY_ENV, seat_limits

    memory = os.environ.get(MEMORY_ENV, "")
    return (lambda given: seat_limits(int(memory), given)) if memory.isdigit() else None


def serve_classroom(args: argparse.Namespace) -> int:
    try:
        from peersnap.tui.serve import serve_from_args
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in ("textual_serve", "aiohttp", "aiohttp_jinja2", "jinja2"):
            raise
        sys.stderr.write("peersnap serve needs the optional textual-serve package: pip install 'peersnap[serve]' "
                         "(from a checkout: pip install '.[serve]')\n")
        return 2
    return serve_from_args(args)


def list_scenarios(out: TextIO) -> int:
    return _catalogue(out, bundled(), load_scenario, ScenarioError, lambda s: (s.title, s.description))


def list_lessons(out: TextIO) -> int:
    from peersnap.core.lessons import LessonError, load_lesson
    from peersnap.core.lessons import bundled as bundled_lessons

    return _catalogue(out, bundled_lessons(), load_lesson, LessonError,
                      lambda lesson: (f"{lesson.title} ({len(lesson.steps)} steps)", lesson.description))


def _catalogue(out: TextIO, names: Iterable[str], load: Callable[[str], T], error: type[Exception],
               describe: Callable[[T], tuple[str, str]]) -> int:
    """Two lines per bundled item: its name and title, then its description."""
    for name in sorted(names):
        try:
            title, description = describe(load(name))
        except error as exc:
            out.write(f"{name:<16} (broken: {exc})\n")
            continue
        out.write(f"{name:<16} {title}\n{'':<16} {description}\n")
    return 0


def trace_line(event: Event, cache_clock: str) -> str:
    """One event in fixed columns: offset, cache clock, topic, fileset, description."""
    return f"  ~ {clock.format_offset(event.at)} {cache_clock} {event.topic:<8} {event.fileset or '-':<6} {event.describe()}"


def run_script(script: str, scenario_name: str | None, trace: bool, out: TextIO, settings: Sequence[str] = ()) -> int:
    try:
        scenario = load_scenario(scenario_name)
    except ScenarioError as exc:
        sys.stderr.write(f"peersnap: {exc}\n")
        return 2
    if settings:
        scenario = replace(scenario, limits=with_settings(scenario.limits, settings))
    try:
        lines = _read_script(script)
    except (OSError, UnicodeDecodeError) as exc:
        sys.stderr.write(f"peersnap: cannot read script {script}: {exc}\n")
        return 2
    except TextFileError as exc:
        sys.stderr.write(f"peersnap: cannot read script {script}: {str(exc).removeprefix('cannot read: ')}\n")
        return 2
    return run_lines(Session(scenario), lines, trace, out)


def replay_session(path: str, trace: bool, out: TextIO) -> int:
    try:
        session, entries = load_session(path)
    except SessionFileError as exc:
        sys.stderr.write(f"peersnap: {exc}\n")
        return 2
    return run_lines(session, entries, trace, out)


def _read_script(script: str) -> list[str]:
    if script == "-":
        return script_lines(sys.stdin.read())
    return script_lines(read_text(script))  # a regular file only: a FIFO would block; '-' is the stream


def run_lines(session: Session, lines: Iterable[str | LogEntry], trace: bool, out: TextIO) -> int:
    """Run each line (or replay each logged entry), printing the transcript;
    0 when every command succeeded."""
    events: list[Event] = []
    if trace:
        session.subscribe(events.append)
    status = 0
    for line in lines:
        if isinstance(line, ClockEntry):
            try:
                session.replay([line])
            except SimError as exc:  # the machine ran out of memory while the time passed: undone
                out.writelines(text + "\n" for text in exc.lines)
                status = 1
            continue
        if isinstance(line, LoggedCommand):
            line = line.line
        result = session.run(line)
        if not result.command and not result.lines:
            continue  # blank line or comment
        out.writelines(text + "\n" for text in session.transcript(result))
        if trace:
            for event in events:
                if not isinstance(event, CommandRan):
                    out.write(trace_line(event, clock.hms(session.engine.clock("cache", event.at))) + "\n")
            events.clear()
        if result.rc != 0:
            status = 1
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
