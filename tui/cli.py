"""The `peersnap` command line: the dashboard, the headless runner, the scenario list."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from types import SimpleNamespace
from typing import TYPE_CHECKING, TextIO, TypeVar

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

if TYPE_CHECKING:
    import argparse

T = TypeVar("T")

# The dashboard's options, as the whole parser reads them (tui/arguments.py): a flag, or an option and its value
_FLAGS = {"--paused": "paused", "--resume": "resume"}
_VALUED = {"--scenario": "scenario", "--theme": "theme", "--speed": "speed", "--replay": "replay_session",
           "--limit": "limits"}


def dashboard_arguments(argv: Sequence[str]) -> SimpleNamespace | None:
    """A command line of the dashboard's options only, each spelled out (`--speed 10`, `--speed=10`),
    read without argparse: importing it and building the subcommands' parsers was ~10 ms of the
    dashboard's start. None for anything else: a subcommand, help, `--`, an abbreviation, a value
    that looks like an option, or a mistake (the whole parser then reads it, and says what is wrong in
    its own words). What it reads is what the whole parser reads (tests/test_cli_fast_parse.py)."""
    found: dict[str, object] = {"scenario": None, "theme": None, "paused": False, "speed": None, "limits": None,
                                "resume": False, "replay_session": None}
    words = list(argv)
    at = 0
    while at < len(words):
        word = words[at]
        at += 1
        if word in _FLAGS:
            found[_FLAGS[word]] = True
            continue
        option, equals, value = word.partition("=")
        dest = _VALUED.get(option)
        if dest is None:
            return None
        if not equals:
            if at == len(words) or words[at].startswith("-"):
                return None
            value = words[at]
            at += 1
        if dest == "speed":
            if not is_number(value) or int(value) not in SPEEDS:
                return None
            found[dest] = int(value)
        elif dest == "limits":
            found[dest] = [*(found[dest] or []), value]  # type: ignore[misc]
        else:
            found[dest] = value
    return SimpleNamespace(**found, command=None)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace | SimpleNamespace:
    """What `build_parser().parse_args(argv)` returns (and prints, and exits with)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    return dashboard_arguments(argv) or build_parser().parse_args(argv)


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: the dashboard's options and every subcommand (tui/arguments.py)."""
    from peersnap.tui.arguments import build_parser as whole

    return whole()


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
                css_cache.save(final=True)  # (what was parsed after the first frame: a help card, another theme; the ages)
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
