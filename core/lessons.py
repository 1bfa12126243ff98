"""Guided lessons: steps of text, a suggested command, and a check.

A lesson is a TOML file of `[[step]]` tables. Each step's `check` is a small
table naming a `kind` (see `CHECKS`) and its parameters. Checks read the world's
state (`psnap_created`, `psnap_completed`, `link`, `state`, `queue_length`,
`home_enabled`), so a step whose check already holds when it opens completes at
once, however the world got there (a typed command, a toggle, time passing while
the learner read the step before). Only what the state cannot show is an event
seen since the step opened: a command the learner ran (`command`), a refusal
(`refused`), how much a psnap was queued behind (`psnap_queued_behind`, also held
while the marker still waits behind that many). A `LessonRun` follows a session's
events and moves through the steps as their checks hold, with one line of why for
each completed step; when `undo` rewinds the session, the steps that the undone
commands had completed open again (the commands and hints counted so far still count).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import field
from pathlib import Path
from typing import Any

from .events import (
    CommandRan,
    Event,
    PeerSnapshotQueued,
    RuleRefused,
    SessionReset,
)
from .model import HomeHalf, PeerSnapshot
from .records import record
from .session import Session
from .textfile import TextFileError, read_toml


class LessonError(Exception):
    """A lesson file that cannot be used; str() says where and why."""


@record
class Step:
    text: str
    check: dict[str, Any]
    command: str = ""
    hint: str = ""


@record
class Lesson:
    name: str
    title: str
    description: str
    scenario: str
    steps: tuple[Step, ...]
    paused: bool = False  # the dashboard starts with time paused (steps that must not race the clock)


# -- checks -----------------------------------------------------------------------------------
Check = Callable[[Session, list[Event], dict[str, Any]], bool]


def _matches_fileset(event: Event, params: dict[str, Any]) -> bool:
    return params.get("fileset") in (None, event.fileset)


def _command(session: Session, events: list[Event], p: dict[str, Any]) -> bool:
    pattern = re.compile(p["pattern"])
    return any(
        isinstance(e, CommandRan)
        and e.rc == p.get("rc", 0)
        and p.get("cluster", e.cluster) == e.cluster
        and pattern.search(e.line)
        for e in events
    )


def _pairs(session: Session, p: dict[str, Any]) -> list[PeerSnapshot]:
    return [psnap for fileset in session.engine.world.filesets.values() if p.get("fileset") in (None, fileset.name)
            for psnap in fileset.psnaps.values() if not p.get("disconnected") or psnap.created_disconnected]


def _psnap_created(session: Session, events: list[Event], p: dict[str, Any]) -> bool:
    return bool(_pairs(session, p))


def _psnap_queued_behind(session: Session, events: list[Event], p: dict[str, Any]) -> bool:
    # the count at creation is history (an event); a marker still waiting behind as many is state
    return any(isinstance(e, PeerSnapshotQueued) and _matches_fileset(e, p) and e.ahead >= p["min"] for e in events) \
        or any(psnap.home is HomeHalf.QUEUED and session.engine.snapshots.psnap_ahead(psnap) >= p["min"]
               for psnap in _pairs(session, p))


def _psnap_completed(session: Session, events: list[Event], p: dict[str, Any]) -> bool:
    return any(psnap.home is HomeHalf.CREATED and psnap.identical is True for psnap in _pairs(session, p))


def _refused(session: Session, events: list[Event], p: dict[str, Any]) -> bool:
    return any(
        isinstance(e, RuleRefused) and _matches_fileset(e, p) and p.get("message_id", e.message_id) == e.message_id
        for e in events
    )


def _link(session: Session, events: list[Event], p: dict[str, Any]) -> bool:
    return session.engine.world.link_up == (p["up"] is True)


def _state(session: Session, events: list[Event], p: dict[str, Any]) -> bool:
    fileset = session.engine.world.filesets.get(p["fileset"])
    return fileset is not None and fileset.state.value == p["state"]


def _queue_length(session: Session, events: list[Event], p: dict[str, Any]) -> bool:
    fileset = session.engine.world.filesets.get(p["fileset"])
    return fileset is not None and fileset.queue.length >= p["min"]


def _home_enabled(session: Session, events: list[Event], p: dict[str, Any]) -> bool:
    export = session.engine.world.exports.get(p["path"])
    return export is not None and export.afm_enabled == (p["enabled"] is True)


#: kind -> (check, required parameters with their types, optional parameters)
CHECKS: dict[str, tuple[Check, dict[str, type], dict[str, type]]] = {
    "command": (_command, {"pattern": str}, {"rc": int, "cluster": str}),
    "psnap_created": (_psnap_created, {}, {"fileset": str, "disconnected": bool}),
    "psnap_queued_behind": (_psnap_queued_behind, {"min": int}, {"fileset": str}),
    "psnap_completed": (_psnap_completed, {}, {"fileset": str, "disconnected": bool}),
    "refused": (_refused, {}, {"fileset": str, "message_id": str}),
    "link": (_link, {"up": bool}, {}),
    "state": (_state, {"fileset": str, "state": str}, {}),
    "queue_length": (_queue_length, {"fileset": str, "min": int}, {}),
    "home_enabled": (_home_enabled, {"path": str, "enabled": bool}, {}),
}

# Events worth keeping for the checks (not the flood of flushes).
_KEPT = (CommandRan, PeerSnapshotQueued, RuleRefused)


def _on(p: dict[str, Any]) -> str:
    return f" on {p['fileset']}" if p.get("fileset") else ""


#: kind -> the one line of why a completed step shows beside its ✔
WHY: dict[str, Callable[[dict[str, Any]], str]] = {
    "command": lambda p: "you ran it" + (f" on {p['cluster']}" if p.get("cluster") else ""),
    "psnap_created": lambda p: f"a peer snapshot{_on(p)} exists" + (", taken while disconnected"
                                                                    if p.get("disconnected") else ""),
    "psnap_queued_behind": lambda p: f"its home half was queued behind {p['min']} or more ops",
    "psnap_completed": lambda p: f"the home half{_on(p)} is taken: both halves hold the same data",
    "refused": lambda p: "refused, as the rule says" + (f" ({p['message_id']})" if p.get("message_id") else ""),
    "link": lambda p: "the link to home is " + ("up" if p["up"] else "down"),
    "state": lambda p: f"{p['fileset']} is {p['state']}",
    "queue_length": lambda p: f"{p['min']} or more ops wait in {p['fileset']}'s queue",
    "home_enabled": lambda p: f"AFM controls are {'enabled' if p['enabled'] else 'disabled'} on {p['path']}",
}


def why(step: Step) -> str:
    """One line: why a completed step is complete (what its check saw)."""
    return WHY[step.check["kind"]](step.check)


#: the order to play the bundled lessons in; the summary points at the next one
LESSON_ORDER = ("first-psnap", "why-it-waits", "disconnected", "rules", "gateway-failure")


def next_lesson(name: str) -> str | None:
    """The bundled lesson to play after `name` (None after the last, or for a lesson file)."""
    if name not in LESSON_ORDER:
        return None
    index = LESSON_ORDER.index(name) + 1
    return LESSON_ORDER[index] if index < len(LESSON_ORDER) else None


@record(frozen=False)
class LessonRun:
    """Progress through one lesson on one session."""

    lesson: Lesson
    session: Session
    index: int = 0
    hints_taken: int = 0
    commands_used: int = 0
    hinted: set[int] = field(default_factory=set)
    _marks: list[int] = field(default_factory=list)  # the session log's length when each step completed
    reasons: list[str] = field(default_factory=list)  # one line of why for each completed step
    _events: list[Event] = field(default_factory=list)
    _unsubscribe: Callable[[], None] | None = None

    def __post_init__(self) -> None:
        self._unsubscribe = self.session.subscribe(self._observe)

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    @property
    def done(self) -> bool:
        return self.index >= len(self.lesson.steps)

    @property
    def step(self) -> Step | None:
        return None if self.done else self.lesson.steps[self.index]

    def _observe(self, event: Event) -> None:
        if isinstance(event, SessionReset):
            self._rewind()
        if isinstance(event, CommandRan):
            self.commands_used += 1
        if isinstance(event, _KEPT):
            self._events.append(event)

    def _rewind(self) -> None:
        """The session's log was cut back (undo, reset): a step completed by a command
        no longer in the log is open again, and so is every step after it."""
        length = len(self.session.log)
        keep = next((k for k, mark in enumerate(self._marks) if mark > length), len(self._marks))
        self._events.clear()  # what happened since the step began was undone too
        if keep < len(self._marks):
            self.index = keep
            del self._marks[keep:]
            del self.reasons[keep:]

    def restart(self) -> None:
        """Start again from the first step, nothing counted (the scenario was reset)."""
        self.index = self.hints_taken = self.commands_used = 0
        self.hinted.clear()
        self._marks.clear()
        self.reasons.clear()
        self._events.clear()

    def check(self) -> int:
        """Complete every step whose check holds now; return how many completed."""
        completed = 0
        while not self.done:
            step = self.lesson.steps[self.index]
            run_check = CHECKS[step.check["kind"]][0]
            if not run_check(self.session, self._events, step.check):
                break
            self.index += 1
            self._marks.append(len(self.session.log))
            self.reasons.append(why(step))
            self._events.clear()
            completed += 1
        return completed

    @property
    def attempted(self) -> bool:
        """A command ran while this step was open and did not complete it (a wrong attempt)."""
        return any(isinstance(e, CommandRan) for e in self._events)

    @property
    def answer_shown(self) -> bool:
        """The step's command is shown after a hint or a wrong attempt: hints come first."""
        return self.index in self.hinted or self.attempted

    def hint(self) -> str:
        """The current step's hint (counted once per step)."""
        step = self.step
        if step is None:
            return "The lesson is complete."
        if self.index not in self.hinted:
            self.hinted.add(self.index)
            self.hints_taken += 1
        text = step.hint or "Try the suggested command."
        return f"{text} (suggested: {step.command})" if step.command else text

    @property
    def heading(self) -> str:
        return f"Lesson complete: {self.lesson.title}" if self.done else f"Lesson: {self.lesson.title}"

    def tally(self) -> tuple[tuple[str, str], ...]:
        """The summary's counts as (label, value) pairs."""
        total = len(self.lesson.steps)
        return (
            ("Steps completed", f"{min(self.index, total)} of {total}"),
            ("Commands used", str(self.commands_used)),
            ("Hints taken", str(self.hints_taken)),
        )

    def summary(self) -> list[str]:
        return [self.heading, *(f"{label}: {value}" for label, value in self.tally())]


# -- loading ------------------------------------------------------------------------------------
def bundled() -> dict[str, Path]:
    return {p.stem: p for p in (Path(__file__).parent / "lessons").iterdir() if p.suffix == ".toml"}


def load_lesson(name_or_path: str) -> Lesson:
    shipped = bundled()
    path = shipped.get(name_or_path, Path(name_or_path))
    if name_or_path not in shipped and not path.exists():
        raise LessonError(f"{name_or_path}: no such lesson (bundled: {', '.join(sorted(shipped))})")
    try:
        data = read_toml(path)
    except TextFileError as exc:
        raise LessonError(f"{path}: {exc}") from None
    return parse_lesson(data, str(path), path.stem)


def parse_lesson(data: dict[str, Any], source: str, name: str) -> Lesson:
    allowed = {"title", "description", "scenario", "paused", "step"}
    for key in data:
        if key not in allowed:
            raise LessonError(f"{source}: unknown key '{key}' (expected one of: {', '.join(sorted(allowed))})")
    steps_data = data.get("step")
    if not isinstance(steps_data, list) or not steps_data:
        raise LessonError(f"{source}: expected at least one [[step]] table")
    steps = tuple(_step(source, i, s) for i, s in enumerate(steps_data))
    for key in ("title", "description", "scenario"):
        if not isinstance(data.get(key, ""), str):
            raise LessonError(f"{source}: key '{key}': expected a string")
    if not isinstance(data.get("paused", False), bool):
        raise LessonError(f"{source}: key 'paused': expected true or false")
    return Lesson(name, data.get("title", name), data.get("description", ""), data.get("scenario", "seed"), steps,
                  data.get("paused", False))


def _step(source: str, i: int, data: Any) -> Step:
    where = f"step[{i}]"
    if not isinstance(data, dict):
        raise LessonError(f"{source}: key '{where}': expected a table")
    for key in data:
        if key not in ("text", "command", "hint", "check"):
            raise LessonError(f"{source}: unknown key '{where}.{key}' (expected text, command, hint, check)")
    for key in ("text", "command", "hint"):
        if not isinstance(data.get(key, ""), str):
            raise LessonError(f"{source}: key '{where}.{key}': expected a string")
    if not data.get("text"):
        raise LessonError(f"{source}: key '{where}.text': expected the step's text")
    check = data.get("check")
    if not isinstance(check, dict) or check.get("kind") not in CHECKS:
        raise LessonError(f"{source}: key '{where}.check.kind': expected one of {', '.join(CHECKS)}")
    _, required, optional = CHECKS[check["kind"]]
    for key, value in check.items():
        if key == "kind":
            continue
        expected = required.get(key) or optional.get(key)
        if expected is None:
            raise LessonError(f"{source}: unknown key '{where}.check.{key}' for kind {check['kind']}")
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise LessonError(f"{source}: key '{where}.check.{key}': expected a {expected.__name__}, got {value!r}")
    for key in required:
        if key not in check:
            raise LessonError(f"{source}: missing key '{where}.check.{key}' for kind {check['kind']}")
    if "pattern" in check:
        try:
            re.compile(check["pattern"])
        except re.error as exc:
            raise LessonError(f"{source}: key '{where}.check.pattern': not a regular expression: {exc}") from None
    return Step(data["text"], dict(check), data.get("command", ""), data.get("hint", ""))
