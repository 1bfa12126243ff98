"""`peersnap lesson check FILE`: everything wrong with a trainer's lesson file, and proof
that it can be completed.

Loading a lesson (`lessons.load_lesson`) stops at its first problem; a trainer fixing a
file wants them all at once, so `problems` reads the file key by key and reports every
one, naming the key. A lesson with no problems then plays its own solution (each
step's suggested command): with time paused, and with time running (a simulated second
passes after each command, as in the dashboard at 1x), also for a lesson that declares
`paused = true` (the learner may press F7). Each step must hold after its own command;
a step's own command must not complete the next step too (the learner would never see
it). Time passing may: a step whose state already holds when it opens completes at
once, and the panel says why beside its ✔.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .clock import SECOND
from .commands import REGISTRY
from .language import LineError, parse_line
from .lessons import CHECKS, Lesson, LessonError, LessonRun, parse_lesson
from .lessons import bundled as bundled_lessons
from .model import CacheState
from .records import record
from .scenario import Scenario, ScenarioError
from .scenario import load as load_scenario
from .session import SESSION_COMMANDS, Session
from .textfile import TextFileError, parse_toml, read_text

TOP_KEYS = {"title": str, "description": str, "scenario": str, "paused": bool, "step": list}
STEP_KEYS = {"text": str, "command": str, "hint": str, "check": dict}
RUNNING_STEP = SECOND  # simulated time between two commands when time runs


@record
class Verdict:
    """What `lesson check` found: one line per problem (empty: the lesson is sound)."""

    source: str
    problems: tuple[str, ...]
    steps: int = 0
    paused: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        if self.problems:
            return [f"{self.source}: {p}" for p in self.problems]
        how = "with time paused and with time running" + (" (the lesson starts paused)" if self.paused else "")
        return [f"{self.source}: ok: {self.steps} steps; its suggested commands complete every step, {how}"]


def check_lesson(name_or_path: str) -> Verdict:
    """Check a bundled lesson by name or a lesson file by path."""
    path = bundled_lessons().get(name_or_path, Path(name_or_path))
    source = str(path)
    try:
        text = read_text(path)
    except TextFileError as exc:
        return Verdict(source, (str(exc),))
    return check_lesson_text(text, source, path.stem)


def check_lesson_text(text: str, source: str, name: str = "lesson") -> Verdict:
    """Check a lesson file's text (`source` names it in the report)."""
    try:
        data = parse_toml(text)
    except TextFileError as exc:
        return Verdict(source, (str(exc),))
    scenario: Scenario | None = None
    found = list(_top_problems(data))
    name = data.get("scenario", "seed")
    if isinstance(name, str):
        try:
            scenario = load_scenario(name)
        except ScenarioError as exc:
            found.append(f"key 'scenario': {exc}")
    steps = data.get("step")
    if isinstance(steps, list):
        for i, step in enumerate(steps):
            found.extend(_step_problems(f"step[{i}]", step, scenario))
    if found:
        return Verdict(source, tuple(found))
    try:
        lesson = parse_lesson(data, source, name)
    except LessonError as exc:  # a rule the key-by-key reading does not know yet
        return Verdict(source, (str(exc).removeprefix(f"{source}: "),))
    assert scenario is not None
    found.extend(play_solution(lesson, scenario, running=False))
    if not found:  # (a solution that fails paused says all there is to say)
        found.extend(play_solution(lesson, scenario, running=True))
    return Verdict(source, tuple(found), len(lesson.steps), lesson.paused)


def _top_problems(data: dict[str, Any]) -> Iterator[str]:
    for key, value in data.items():
        expected = TOP_KEYS.get(key)
        if expected is None:
            yield f"unknown key '{key}' (expected one of: {', '.join(TOP_KEYS)})"
        elif not isinstance(value, expected):
            yield f"key '{key}': expected {_kind(expected)}, got {value!r}"
    if data.get("step") in (None, []):  # (a 'step' of the wrong kind is reported above, once)
        yield "key 'step': expected at least one [[step]] table"


def _kind(expected: type) -> str:
    return {str: "a string", bool: "true or false", int: "a whole number", list: "an array of [[step]] tables",
            dict: "a table"}[expected]


def _step_problems(where: str, step: Any, scenario: Scenario | None) -> Iterator[str]:
    if not isinstance(step, dict):
        yield f"key '{where}': expected a table"
        return
    for key, value in step.items():
        expected = STEP_KEYS.get(key)
        if expected is None:
            yield f"unknown key '{where}.{key}' (expected one of: {', '.join(STEP_KEYS)})"
        elif not isinstance(value, expected):
            yield f"key '{where}.{key}': expected {_kind(expected)}, got {value!r}"
    if not step.get("text"):
        yield f"key '{where}.text': the step needs its text (what the learner reads)"
    command = step.get("command")
    if not command:
        yield f"key '{where}.command': the step needs a suggested command (Ctrl+Y, and the solution check)"
    elif isinstance(command, str):
        yield from _command_problems(f"{where}.command", command)
    check = step.get("check")
    if check is None:
        yield f"key '{where}.check': the step needs a check (when it is complete)"
    elif isinstance(check, dict):
        yield from _check_problems(f"{where}.check", check, scenario)


def _command_problems(where: str, command: str) -> Iterator[str]:
    try:
        parsed = parse_line(command)
    except LineError as exc:
        yield f"key '{where}': {str(exc).removeprefix('peersnap: ')}"
        return
    if parsed is None:
        yield f"key '{where}': a comment is not a command"
    elif parsed.argv[0] not in REGISTRY and parsed.argv[0] not in SESSION_COMMANDS:
        yield f"key '{where}': '{parsed.argv[0]}' is not a peersnap command (see 'help')"


def _check_problems(where: str, check: dict[str, Any], scenario: Scenario | None) -> Iterator[str]:
    kind = check.get("kind")
    if kind not in CHECKS:
        yield f"key '{where}.kind': expected one of {', '.join(CHECKS)}, got {kind!r}"
        return
    _, required, optional = CHECKS[kind]
    for key, value in check.items():
        if key == "kind":
            continue
        expected = required.get(key) or optional.get(key)
        if expected is None:
            yield f"unknown key '{where}.{key}' for kind {kind} (expected: {', '.join([*required, *optional])})"
        elif not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            yield f"key '{where}.{key}': expected {_kind(expected)}, got {value!r}"
        else:
            yield from _value_problems(f"{where}.{key}", key, value, scenario)
    for key in required:
        if key not in check:
            yield f"missing key '{where}.{key}' for kind {kind}"


def _value_problems(where: str, key: str, value: Any, scenario: Scenario | None) -> Iterator[str]:
    """Values that name something: they must name something that exists."""
    if key == "pattern":
        try:
            re.compile(value)
        except re.error as exc:
            yield f"key '{where}': not a regular expression: {exc}"
    elif key == "cluster" and value not in ("cache", "home"):
        yield f"key '{where}': expected cache or home, got {value!r}"
    elif key == "state" and value not in {s.value for s in CacheState}:
        yield f"key '{where}': expected one of {', '.join(s.value for s in CacheState)}, got {value!r}"
    elif key in ("min", "rc") and value < 0:
        yield f"key '{where}': expected 0 or more, got {value}"
    elif scenario is not None and key == "fileset":
        names = [f.name for f in scenario.filesets]
        if value not in names:
            yield f"key '{where}': no fileset '{value}' in scenario '{scenario.name}' (filesets: {', '.join(names)})"
    elif scenario is not None and key == "path":
        paths = [e.path for e in scenario.exports]
        if value not in paths:
            yield f"key '{where}': no home export '{value}' in scenario '{scenario.name}' (exports: {', '.join(paths)})"


def play_solution(lesson: Lesson, scenario: Scenario, running: bool) -> list[str]:
    """Run each step's suggested command on a fresh world; what went wrong, if anything."""
    how = "with time running" if running else "with time paused"
    session = Session(scenario, allow_files=False)
    progress = LessonRun(lesson, session)
    try:
        if progress.check():
            return [f"step[0] is complete before any command ({how}): the learner never sees it"]
        for i, step in enumerate(lesson.steps):
            if progress.index > i:
                continue  # time completed it while the step before was open (the panel says why)
            after = lesson.steps[i + 1] if i + 1 < len(lesson.steps) else None
            held = after is not None and CHECKS[after.check["kind"]][0](session, [], after.check)  # (time did it)
            result = session.run(step.command)
            progress.check()
            if progress.index > i + 1 and not held:
                return [f"step[{i + 1}] completes together with step[{i}] ({how}): the learner never sees it"]
            if running:
                session.advance_clock(RUNNING_STEP)
                progress.check()
            if progress.index <= i:
                said = f"; it printed: {result.lines[0]}" if result.lines and result.rc else ""
                return [(f"key 'step[{i}].check': does not hold after its command '{step.command}' "
                        f"(rc {result.rc}, {how}){said}")]
        return []
    finally:
        progress.close()
