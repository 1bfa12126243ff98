"""The command log's entries and the saved-session file (`save FILE`, `--replay FILE`).

A session file is TOML: the scenario it started from and its command log.
Files are replaced whole or not at all (`write_atomically`, which the
dashboard's settings use too).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from dataclasses import field
from pathlib import Path
from typing import Any

from .records import record
from .scenario import Scenario, ScenarioError, from_document
from .textfile import TextFileError, kind_of, read_toml

SESSION_FORMAT = 1
# In the file a clock entry keeps the command that would replay it, so a saved
# log reads as a script; in memory it is a `ClockEntry` holding microseconds.
_CLOCK_LINE = re.compile(r"^sim advance ([0-9]{1,15})us$")


@record
class LoggedCommand:
    """A command the session ran; `changed` says whether it changed the world (what `undo` rewinds)."""

    line: str
    rc: int
    changed: bool = True
    via: str = ""  # what ran it when it was not typed (a dashboard key): `why` cites it
    joined: bool = False  # a later step of the command before it (one toggle's lines): undo rewinds them together


@record
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


@record
class SavedBranch:
    """Another line of history: it shares `fork_at` entries of `parent`'s log, then has its own."""

    name: str
    parent: str
    fork_at: int
    entries: list[LogEntry]


@record
class SavedSession:
    scenario: Scenario
    entries: list[LogEntry]  # the current line, from the start
    branch: str = ""  # its name ("" in files from before branches: main)
    branches: list[SavedBranch] = field(default_factory=list)
    parent: str = ""  # the branch the current line forked from ("" for none), and after how many entries
    fork_at: int = 0


def session_document(scenario: Scenario, log: list[LogEntry], branch: str = "main",
                     branches: list[SavedBranch] | None = None, parent: str = "", fork_at: int = 0) -> dict[str, Any]:
    """The TOML document of a session: its scenario, its current line's log and, when it has
    any, its other branches and where the current line forked from (a file without them reads
    as before: one line called main)."""
    document: dict[str, Any] = {
        "peersnap_session": SESSION_FORMAT,
        "scenario_name": scenario.name,
        "scenario": scenario.raw,
        "log": [_row(entry) for entry in log],
    }
    if branches:
        document["branch"] = branch
        if parent:
            document["branch_parent"] = parent
            document["branch_fork_at"] = fork_at
        document["branches"] = [{"name": b.name, "parent": b.parent, "fork_at": b.fork_at,
                                 "log": [_row(entry) for entry in b.entries]} for b in branches]
    return document


def _row(entry: LogEntry) -> dict[str, Any]:
    if isinstance(entry, ClockEntry):
        return {"line": entry.line, "rc": 0, "changed": True, "clock": True}
    row = {"line": entry.line, "rc": entry.rc, "changed": entry.changed, "clock": False}
    if entry.via:
        row["via"] = entry.via
    if entry.joined:
        row["joined"] = True
    return row


def read_session(path: str) -> SavedSession:
    """The scenario and log of a saved session file, checked entry by entry."""
    try:
        data = read_toml(path)
    except TextFileError as exc:
        raise SessionFileError(f"{path}: {exc}") from None
    if data.get("peersnap_session") != SESSION_FORMAT:
        raise SessionFileError(f"{path}: not a peersnap session file (key 'peersnap_session' = {SESSION_FORMAT} expected)")
    raw = data.get("scenario")
    log = data.get("log", [])
    if not isinstance(raw, dict) or not isinstance(log, list):
        raise SessionFileError(f"{path}: expected a [scenario] table and a 'log' array")
    try:
        scenario = from_document(raw, path, str(data.get("scenario_name", "saved")))
    except ScenarioError as exc:
        raise SessionFileError(str(exc)) from None
    entries = [_entry(path, i, item) for i, item in enumerate(log)]
    branch, branches = _branches(path, data, len(entries))
    parent, fork_at = _origin(path, data, branch or "main", len(entries), branches)
    return SavedSession(scenario, entries, branch, branches, parent, fork_at)


def _origin(path: str, data: dict[str, Any], branch: str, length: int, branches: list[SavedBranch]) -> tuple[str, int]:
    """Where the current line forked from (`branch_parent`, `branch_fork_at`): one of the other
    branches, at a point inside both lines."""
    parent, fork_at = data.get("branch_parent", ""), data.get("branch_fork_at", 0)
    if not isinstance(parent, str) or isinstance(fork_at, bool) or not isinstance(fork_at, int):
        raise SessionFileError(f"{path}: keys 'branch_parent' and 'branch_fork_at' must be a name and a whole number")
    if not parent:
        return "", 0
    lengths = {b.name: b.fork_at + len(b.entries) for b in branches}
    if parent == branch or parent not in lengths:
        raise SessionFileError(f"{path}: key 'branch_parent': '{parent}' is not another branch of the file")
    if not 0 <= fork_at <= min(length, lengths[parent]):
        raise SessionFileError(f"{path}: key 'branch_fork_at': {fork_at} is not inside {branch} and {parent}")
    return parent, fork_at


def _branches(path: str, data: dict[str, Any], current_length: int) -> tuple[str, list[SavedBranch]]:
    """The `branch` name and `[[branches]]` of a file, each checked: a known parent, and a fork
    point inside the parent's line."""
    branch = data.get("branch", "")
    rows = data.get("branches", [])
    if not isinstance(branch, str) or not isinstance(rows, list):
        raise SessionFileError(f"{path}: key 'branch' must be a name and 'branches' an array of tables")
    lengths = {branch or "main": current_length}
    found: list[SavedBranch] = []
    for i, row in enumerate(rows):
        where = f"branches[{i}]"
        if not isinstance(row, dict) or not isinstance(row.get("name"), str) or not isinstance(row.get("log", []), list):
            raise SessionFileError(f"{path}: key '{where}': expected a table with a 'name' and a 'log' array")
        name, parent, fork_at = row["name"], row.get("parent", ""), row.get("fork_at", 0)
        if not name or name in lengths:
            raise SessionFileError(f"{path}: key '{where}.name': '{name}' is empty or used twice")
        if not isinstance(parent, str) or not isinstance(fork_at, int) or (parent and parent not in lengths):
            raise SessionFileError(f"{path}: key '{where}.parent': a branch's parent must come before it")
        if not 0 <= fork_at <= lengths.get(parent, 0):
            raise SessionFileError(f"{path}: key '{where}.fork_at': {fork_at} is not inside {parent or 'the start'}")
        own = [_entry(path, j, item) for j, item in enumerate(row.get("log", []))]
        lengths[name] = fork_at + len(own)
        found.append(SavedBranch(name, parent, fork_at, own))
    return branch, found


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
    via = item.get("via", "")
    if not isinstance(via, str) or len(via) > 64:
        raise SessionFileError(f"{path}: key 'log[{i}].via': expected a short text, got {via!r}")
    joined = item.get("joined", False)
    if not isinstance(joined, bool):
        raise SessionFileError(f"{path}: key 'log[{i}].joined': expected true or false, got {joined!r}")
    return LoggedCommand(item["line"], item.get("rc", 0), bool(item.get("changed", True)), via, joined)


class TargetError(OSError):
    """A save target that is no place for a file (its reason is the message)."""


def write_atomically(target: str | Path, text: str) -> None:
    """Replace the regular file `target` whole or not at all: write a temporary
    file beside it, then rename. A symlink is followed (its target is replaced,
    the link stays); anything else that is not a regular file (a directory, a
    FIFO, a device, a socket) is refused, as is a name ending in '/' (bash: Not
    a directory). A new file gets 0666 less the umask; a replaced one keeps its mode."""
    raw = str(target)
    path = Path(raw)
    if raw.endswith("/"):
        raise TargetError(errno.EISDIR if path.is_dir() or not path.exists() else errno.ENOTDIR,
                          "Is a directory" if path.is_dir() or not path.exists() else "Not a directory")
    path = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        mode: int | None = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        kind = kind_of(mode)
        raise TargetError(errno.EISDIR if stat.S_ISDIR(mode) else errno.EINVAL,
                          "Is a directory" if stat.S_ISDIR(mode) else f"it is {kind}; only a regular file is written")
    keep = stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask()
    folder = path.parent if str(path.parent) else Path(".")
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed (and removed on failure) below
        "w", encoding="utf-8", dir=folder, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fchmod(handle.fileno(), keep)
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise


def _umask() -> int:
    """The process umask (reading it means setting it: put straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
