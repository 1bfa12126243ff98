"""A session: one engine, the command language run against it, and its log.

`Session.run(line)` is the single entry point the console, `peersnap run`
and the tests share. It never raises: every bad input comes back as a
`Result` with an error in the command's own voice and a non-zero status.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from .clock import plural
from .commands import REGISTRY, Context, Result, UsageError
from .commands.base import FAILED
from .engine import Engine
from .errors import FsError, SimError
from .events import CommandRan, Event, SessionReset
from .rules import Refused
from .scenario import Scenario, ScenarioError, load
from .scenario import _Reader as _reader

_CLOCK = re.compile(r"^sim advance \d{1,15}us$")

MAX_LINE = 4096
CLUSTERS = ("cache", "home")


@dataclass(frozen=True, slots=True)
class ParsedLine:
    cluster: str
    text: str  # the line without its @cluster prefix and comment
    argv: list[str]


class LineError(Exception):
    """A line that is not a command at all (bad quoting, binary junk...)."""


def parse_line(line: str) -> ParsedLine | None:
    """Split a line into cluster and argv; None for a blank or comment line."""
    if len(line) > MAX_LINE:
        raise LineError(f"peersnap: line too long ({len(line)} characters; at most {MAX_LINE})")
    if any((ord(ch) < 32 and ch != "\t") or 0x7F <= ord(ch) < 0xA0 or 0xD800 <= ord(ch) < 0xE000 or ch in "\ufffe\uffff"
           for ch in line):
        raise LineError("peersnap: the line holds control characters or binary data; commands are plain text")
    text = line.strip()
    cluster = "cache"
    if text.startswith("@"):
        prefix, _, rest = text.partition(" ")
        if prefix[1:] not in CLUSTERS:
            raise LineError(f"peersnap: unknown cluster '{prefix}' (start a line with @cache or @home)")
        cluster, text = prefix[1:], rest.strip()
    try:
        lexer = shlex.shlex(text, posix=True, punctuation_chars=">")
        lexer.whitespace_split = True
        argv = list(lexer)
    except ValueError as exc:
        raise LineError(f"peersnap: syntax error: {exc}") from None
    if not argv:
        return None
    if "#" in text:
        text = text[: _comment_start(text)].rstrip() or text
    return ParsedLine(cluster, text, argv)


def _cluster_prefix(text: str) -> tuple[str, str]:
    """`@home ls` -> ("home", "ls"); anything else runs on the cache."""
    head, _, rest = text.partition(" ")
    if head in ("@cache", "@home"):
        return head[1:], rest.strip()
    return "cache", text


def _comment_start(text: str) -> int:
    """Where an unquoted `#` that starts a word begins (len(text) if none)."""
    quote = ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1].isspace()):
            return i
    return len(text)


@dataclass(frozen=True, slots=True)
class LoggedCommand:
    """One entry of the command log. `clock` entries are the dashboard's timer
    moving simulated time (replayed silently); `changed` says whether the
    command changed the world (what `undo` rewinds)."""

    line: str
    rc: int
    changed: bool = True
    clock: bool = False


class Session:
    """An engine plus the command log of everything run on it.

    Listeners registered with `subscribe` stay attached when the session
    rebuilds its engine (undo); they then receive a `SessionReset` event.
    """

    def __init__(self, scenario: Scenario | None = None, allow_files: bool = True) -> None:
        self.scenario = scenario if scenario is not None else load()
        self.allow_files = allow_files  # `save` may write host files (not in the browser classroom)
        self.log: list[LoggedCommand] = []
        self._listeners: list[Callable[[Event], None]] = []
        self._muted = False
        self.engine: Engine = self._fresh_engine()

    # -- events ----------------------------------------------------------------------
    def _fresh_engine(self) -> Engine:
        engine = self.scenario.build()
        engine.subscribe(self._forward)
        return engine

    def _forward(self, event: Event) -> None:
        if not self._muted:
            for listener in tuple(self._listeners):
                listener(event)

    def subscribe(self, listener: Callable[[Event], None]) -> Callable[[], None]:
        """Receive every event of this session's world, across undo and replay."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    # -- running -----------------------------------------------------------------------
    def run(self, line: str) -> Result:
        """Run one line of the command language; never raises."""
        try:
            parsed = parse_line(line)
        except LineError as exc:
            cluster, text = _cluster_prefix(line.strip())
            result = Result(2, [str(exc)], cluster, text[:200].encode("utf-8", "replace").decode("utf-8"))
            self._record(line, result, changed=False)
            return result
        if parsed is None:
            return Result(0, [], "cache", "")
        if parsed.argv[0] in SESSION_COMMANDS:
            result = self._session_command(parsed)
            self.engine.emit(CommandRan(self.engine.now, result.cluster, result.command, result.rc))
            return result
        before = self.engine.fingerprint()
        result = self._dispatch(parsed)
        self._record(line, result, changed=self.engine.fingerprint() != before)
        return result

    def advance_clock(self, duration: int) -> None:
        """Move simulated time on outside any command (the dashboard's timer)."""
        duration = min(duration, self.engine.time_left())
        if duration <= 0:
            return
        self.engine.advance(duration)
        self._log_clock(duration)

    def step_clock(self) -> bool:
        """Run to the next thing that happens (the dashboard's single step)."""
        before = self.engine.now
        stepped = self.engine.step()
        if stepped:
            self._log_clock(self.engine.now - before)
        return stepped

    def _log_clock(self, duration: int) -> None:
        if self.log and self.log[-1].clock:
            duration += int(self.log[-1].line.split()[-1].removesuffix("us"))
            self.log.pop()
        self.log.append(LoggedCommand(f"sim advance {duration}us", 0, True, clock=True))

    def _record(self, line: str, result: Result, changed: bool) -> None:
        self.log.append(LoggedCommand(line, result.rc, changed))
        self.engine.emit(CommandRan(self.engine.now, result.cluster, result.command, result.rc))
    def _dispatch(self, parsed: ParsedLine) -> Result:
        name, args = parsed.argv[0], parsed.argv[1:]
        command = REGISTRY.get(name)
        cluster, text = parsed.cluster, parsed.text
        if command is None:
            hint = " (GPFS commands start with mm; try 'help')" if not name.startswith("mm") else " (try 'help')"
            return Result(127, [f"{name}: command not found{hint}"], cluster, text)
        if any(arg in (">", ">>") for arg in args) and name != "echo":
            return Result(2, [f"{name}: output redirection is only supported for echo"], cluster, text)
        ctx = Context(self.engine, cluster, name, text)
        try:
            lines = command.run(ctx, args)
            return Result(0, lines, cluster, text)
        except UsageError as exc:
            lines = [line if line.startswith(("Usage:", "   or:", name)) else f"{name}: {line}" for line in exc.lines]
            return Result(1, [ln for chunk in lines for ln in chunk.splitlines()], cluster, text)
        except Refused as exc:
            lines = [*exc.refusal.lines(name), f"{name}: {FAILED}"]
            return Result(1, lines, cluster, text, exc.refusal)
        except SimError as exc:
            return Result(1, exc.lines, cluster, text)
        except FsError as exc:
            return Result(1, [f"{name}: {exc}"], cluster, text)
        except Exception as exc:  # noqa: BLE001 - the console must never show a traceback
            return Result(70, [f"peersnap: internal error in {name}: {type(exc).__name__}: {exc} (please report it)"], cluster, text)

    def transcript(self, result: Result) -> list[str]:
        """The command echoed with its prompt, then its output."""
        return [f"[{result.cluster}]# {result.command}", *result.lines]

    # -- save, replay, undo ----------------------------------------------------------------
    def _session_command(self, parsed: ParsedLine) -> Result:
        name, args = parsed.argv[0], parsed.argv[1:]
        try:
            if name == "save":
                if len(args) != 1:
                    raise SimError("save: give one FILE to write the session to (Usage: save FILE)")
                lines = [self.save(args[0])]
            else:
                if args:
                    raise SimError("undo: takes no arguments")
                lines = [self.undo()]
            return Result(0, lines, parsed.cluster, parsed.text)
        except SimError as exc:
            return Result(1, exc.lines, parsed.cluster, parsed.text)

    def to_toml(self) -> dict[str, object]:
        return {
            "peersnap_session": SESSION_FORMAT,
            "scenario_name": self.scenario.name,
            "scenario": self.scenario.raw,
            "log": [
                {"line": e.line, "rc": e.rc, "changed": e.changed, "clock": e.clock} for e in self.log
            ],
        }

    def save(self, path: str) -> str:
        """Write the scenario and the command log as TOML, atomically."""
        if not self.allow_files:
            raise SimError("save: saving to files is turned off in this session")
        target = Path(path).expanduser()
        try:
            write_atomically(target, tomli_w.dumps(self.to_toml()))
        except OSError as exc:
            raise SimError(f"save: cannot write {path}: {exc.strerror or exc}") from None
        except (UnicodeError, ValueError) as exc:
            raise SimError(f"save: the session cannot be written as TOML text: {exc}") from None
        commands = sum(1 for e in self.log if not e.clock)
        return f"Saved the session ({plural(commands, 'command')}) to {path}."

    def replay(self, entries: list[LoggedCommand], on_result: Callable[[Result], None] | None = None) -> None:
        """Run logged entries again: commands through `run`, clock entries silently."""
        for entry in entries:
            if entry.clock:
                self.advance_clock(int(entry.line.split()[-1].removesuffix("us")))
            else:
                result = self.run(entry.line)
                if on_result is not None:
                    on_result(result)

    def reset(self) -> None:
        """Start the scenario again from its first second; the command log is cleared."""
        self.engine = self._fresh_engine()
        self.log = []
        self._forward(SessionReset(self.engine.now, "reset: the scenario started again"))

    def undo(self) -> str:
        """Rewind the last command that changed the world, by replaying the log up to it."""
        for index in range(len(self.log) - 1, -1, -1):
            entry = self.log[index]
            if entry.changed and not entry.clock:
                break
        else:
            raise SimError("undo: nothing to undo: the world is as the scenario started")
        keep, undone = self.log[:index], self.log[index]
        self._muted = True
        try:
            self.engine = self._fresh_engine()
            self.log = []
            self.replay(keep)
        finally:
            self._muted = False
        self._forward(SessionReset(self.engine.now, f"undo: rewound '{undone.line.strip()}'"))
        return f"Undid: {undone.line.strip()}"


SESSION_FORMAT = 1
SESSION_COMMANDS = ("save", "undo")


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


class SessionFileError(Exception):
    """A saved session that cannot be read; str() says why."""


def load_session(path: str) -> tuple[Session, list[LoggedCommand]]:
    """A fresh session on a saved session's scenario, and the log to replay on it."""
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
    entries = []
    for i, item in enumerate(log):
        if not isinstance(item, dict) or not isinstance(item.get("line"), str):
            raise SessionFileError(f"{path}: key 'log[{i}]': expected a table with a 'line' string")
        if not isinstance(item.get("rc", 0), int):
            raise SessionFileError(f"{path}: key 'log[{i}].rc': expected a whole number, got {item['rc']!r}")
        entries.append(LoggedCommand(item["line"], item.get("rc", 0), bool(item.get("changed", True)), bool(item.get("clock", False))))
        if entries[-1].clock and not _CLOCK.match(item["line"]):
            raise SessionFileError(f"{path}: key 'log[{i}]': a clock entry must read 'sim advance Nus'")
    return Session(scenario), entries
