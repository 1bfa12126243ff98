"""The command log's entries and the saved-session file (`save FILE`, `--replay FILE`).

A session file is TOML: the scenario it started from and its command log.
Files are replaced whole or not at all (`write_atomically`, which the
dashboard's settings use too).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .scenario import Scenario, ScenarioError
from .scenario import _Reader as _reader

SESSION_FORMAT = 1
# In the file a clock entry keeps the command that would replay it, so a saved
# log reads as a script; in memory it is a `ClockEntry` holding microseconds.
_CLOCK_LINE = re.compile(r"^sim advance (\d{1,15})us$")


@dataclass(frozen=True, slots=True)
class LoggedCommand:
    """A command the session ran; `changed` says whether it changed the world (what `undo` rewinds)."""

    line: str
    rc: int
    changed: bool = True


@dataclass(frozen=True, slots=True)
class ClockEntry:
    """Simulated time the dashboard's timer moved outside any command (replayed silently)."""

    duration_us: int

    @property
    def line(self) -> str:
        """The command that replays it, as the file keeps it."""
        return f"sim advance {self.duration_us}us"


LogEntry = LoggedCommand | ClockEntry


class SessionFileError(Exception):
    """A saved session that cannot be read; str() says why."""


@dataclass(frozen=True, slots=True)
class SavedSession:
    scenario: Scenario
    entries: list[LogEntry]


def session_document(scenario: Scenario, log: list[LogEntry]) -> dict[str, Any]:
    """The TOML document of a session: its scenario and its log."""
    return {
        "peersnap_session": SESSION_FORMAT,
        "scenario_name": scenario.name,
        "scenario": scenario.raw,
        "log": [_row(entry) for entry in log],
    }


def _row(entry: LogEntry) -> dict[str, Any]:
    if isinstance(entry, ClockEntry):
        return {"line": entry.line, "rc": 0, "changed": True, "clock": True}
    return {"line": entry.line, "rc": entry.rc, "changed": entry.changed, "clock": False}


def read_session(path: str) -> SavedSession:
    """The scenario and log of a saved session file, checked entry by entry."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionFileError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SessionFileError(f"{path}: TOML syntax error: {exc}") from None
    if data.get("peersnap_session") != SESSION_FORMAT:
        raise SessionFileError(f"{path}: not a peersnap session file (key 'peersnap_session' = {SESSION_FORMAT} expected)")
    raw = data.get("scenario")
    log = data.get("log", [])
    if not isinstance(raw, dict) or not isinstance(log, list):
        raise SessionFileError(f"{path}: expected a [scenario] table and a 'log' array")
    try:
        scenario = _reader(path).scenario(raw, str(data.get("scenario_name", "saved")))
    except ScenarioError as exc:
        raise SessionFileError(str(exc)) from None
    return SavedSession(scenario, [_entry(path, i, item) for i, item in enumerate(log)])


def _entry(path: str, i: int, item: object) -> LogEntry:
    if not isinstance(item, dict) or not isinstance(item.get("line"), str):
        raise SessionFileError(f"{path}: key 'log[{i}]': expected a table with a 'line' string")
    if not isinstance(item.get("rc", 0), int):
        raise SessionFileError(f"{path}: key 'log[{i}].rc': expected a whole number, got {item['rc']!r}")
    if bool(item.get("clock", False)):
        match = _CLOCK_LINE.match(item["line"])
        if match is None:
            raise SessionFileError(f"{path}: key 'log[{i}]': a clock entry must read 'sim advance Nus'")
        return ClockEntry(int(match.group(1)))
    return LoggedCommand(item["line"], item.get("rc", 0), bool(item.get("changed", True)))


def write_atomically(target: Path, text: str) -> None:
    """Replace `target` whole or not at all: write a temporary file beside it, then rename."""
    folder = target.parent if str(target.parent) else Path(".")
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed (and removed on failure) below
        "w", encoding="utf-8", dir=folder, prefix=f".{target.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise
