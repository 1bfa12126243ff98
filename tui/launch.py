"""From the command line to a dashboard: a scenario, a guided lesson, or a saved
session to replay.

Everything that can be wrong with the user's files is found here, before the app
starts: a `LaunchError`'s text is the message to print, and the exit status is 2.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from peersnap.core.errors import SimError
from peersnap.core.limits import Limits
from peersnap.core.records import record
from peersnap.core.scenario import Scenario, ScenarioError
from peersnap.core.scenario import load as load_scenario
from peersnap.core.session import LogEntry, LoggedCommand, Session, SessionFileError, load_session

if TYPE_CHECKING:
    from peersnap.core.lessons import Lesson


class LaunchError(Exception):
    """The dashboard cannot start; str() says why, naming the file."""


@record(frozen=False)
class Start:
    """What the dashboard opens on: a session (on a scenario's world, or a saved
    session's fresh world with the `replay` of its log), and maybe a lesson."""

    session: Session
    lesson: Lesson | None = None
    replay: list[LogEntry] | None = None
    warnings: list[str] = field(default_factory=list)


def prepare(scenario: str | Scenario | None = None, lesson: str | Lesson | None = None, replay: str | None = None,
            allow_files: bool = True, resume: str | None = None,
            caps: Callable[[Limits], Limits] | None = None) -> Start:
    """Load and check every file named on the command line. `resume`: the autosaved
    session, whose log is run again at once (the world as it was when the dashboard quit).
    `caps`: the world's caps from the scenario's (a classroom seat lowers them to its memory)."""
    if resume:
        if lesson is not None or replay or scenario is not None:
            raise LaunchError("--resume reopens the autosaved session as it was; leave out the lesson, "
                              "--replay and --scenario")
        if not Path(resume).is_file():
            raise LaunchError(f"--resume: no autosaved session ({resume} does not exist yet; "
                              "the dashboard writes it as you work)")
        try:
            session, entries = load_session(resume)
        except SessionFileError as exc:
            raise LaunchError(str(exc)) from None
        session.allow_files = allow_files
        try:
            session.replay(entries)
        except SimError as exc:  # out of memory replaying the time that passed
            raise LaunchError(f"--resume: {exc}") from None
        commands = sum(1 for entry in entries if isinstance(entry, LoggedCommand))
        return Start(session, warnings=[f"resumed the autosaved session ({commands} commands run again)"])
    if replay:
        if lesson is not None:
            raise LaunchError("give a lesson or --replay SESSION, not both")
        if scenario is not None:
            raise LaunchError("--replay SESSION brings its own scenario; leave out --scenario")
        try:
            session, entries = load_session(replay)
        except SessionFileError as exc:
            raise LaunchError(str(exc)) from None
        session.allow_files = allow_files
        return Start(session, replay=entries)
    warnings: list[str] = []
    if isinstance(lesson, str):
        from peersnap.core.lessons import LessonError, load_lesson  # (the dashboard's start without one: ~1 ms)

        try:
            lesson = load_lesson(lesson)
        except LessonError as exc:
            raise LaunchError(str(exc)) from None
    if lesson is not None:
        wanted = scenario if isinstance(scenario, str) else getattr(scenario, "name", None)
        if wanted is not None and wanted != lesson.scenario:
            warnings.append(f"the lesson '{lesson.name}' runs on its own scenario '{lesson.scenario}'; "
                            f"--scenario {wanted} is not used")
        scenario = lesson.scenario
    try:
        world = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    except ScenarioError as exc:
        raise LaunchError(str(exc)) from None
    if caps is not None:
        world = replace(world, limits=caps(world.limits))
    return Start(Session(world, allow_files=allow_files), lesson, warnings=warnings)
