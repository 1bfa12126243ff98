"""A session: one engine, the command language run against it, and its log.

`Session.run(line)` is the single entry point the console, `peersnap run`
and the tests share. It never raises: every bad input comes back as a
`Result` with an error in the command's own voice and a non-zero status.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from .characters import escaped
from .clock import plural
from .engine import Engine
from .errors import FsError, SimError
from .events import CommandRan, Event, SessionReset
from .lazy import later
from .rules import Refused
from .scenario import Scenario, load
from .session_file import (
    ClockEntry,
    LogEntry,
    LoggedCommand,
    SavedBranch,
    SessionFileError,
    read_session,
    session_document,
    write_atomically,
)
from .textfile import TextFileError, read_text
from .time_travel import TimeTravel
from .timeline import Timeline

if TYPE_CHECKING:
    from .commands import Result
    from .language import ParsedLine

# the commands and the line reader: loaded at the first line run, not at the start (core/lazy.py)
commands = later("peersnap.core.commands")
language = later("peersnap.core.language")

SESSION_COMMANDS = ("save", "undo", "source", "branch", "compare")
_SESSION_WORDS = frozenset(SESSION_COMMANDS)  # (asked of every line)
MAX_SOURCE_DEPTH = 8  # a script that sources itself stops here, with an error
OUT_OF_MEMORY = ("Cannot allocate memory (the machine running the simulator ran out of memory part way "
                 "through; it was undone, the world is as it was before: try something smaller, or set lower "
                 "caps with peersnap --limit)")


class Session(TimeTravel):
    """An engine plus the command log of everything run on it.

    Listeners registered with `subscribe` stay attached when the session
    rebuilds its engine (undo); they then receive a `SessionReset` event.
    """

    def __init__(self, scenario: Scenario | None = None, allow_files: bool = True) -> None:
        self.scenario = scenario if scenario is not None else load()
        self.allow_files = allow_files  # `save` may write host files (not in the browser classroom)
        self._listeners: list[Callable[[Event], None]] = []
        self._unfollow: Callable[[], None] | None = None  # the engine's events come through _forward (see _follow)
        self._muted = False
        self._sourcing: list[str] = []  # the files `source` is reading (innermost last)
        self._before_resets: list[Timeline] = []  # each reset's history, so undo can bring the world back
        self.timeline = Timeline(self.scenario.build, self._apply)
        self.log: list[LogEntry] = self.timeline.current.log  # the current line's log (the same list)
        self.engine: Engine = self._fresh_engine()

    # -- events ----------------------------------------------------------------------
    def _fresh_engine(self) -> Engine:
        engine = self.scenario.build()
        self._follow(engine)
        return engine

    def _follow(self, engine: Engine) -> None:
        """Forward `engine`'s events to the listeners: subscribed to it only while there are any (with
        none, each event of each command, a write's two, would make a call that does nothing)."""
        self._unfollow = engine.subscribe(self._forward) if self._listeners else None

    def _forward(self, event: Event) -> None:
        if self._listeners and not self._muted:
            for listener in tuple(self._listeners):
                listener(event)

    def subscribe(self, listener: Callable[[Event], None]) -> Callable[[], None]:
        """Receive every event of this session's world, across undo and replay."""
        self._listeners.append(listener)
        if self._unfollow is None:
            self._follow(self.engine)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)
                if not self._listeners and self._unfollow is not None:
                    self._unfollow()
                    self._unfollow = None

        return unsubscribe

    # -- running -----------------------------------------------------------------------
    def run(self, line: str, via: str = "", joined: bool = False) -> Result:
        """Run one line of the command language; never raises. `via` names what
        ran it when not typed (a dashboard key such as "F3"): `why` cites it.
        `joined`: the line is a later step of the one run before it (a toggle's
        unlink, change and link), so one undo rewinds them all."""
        try:
            parsed = language.parse_line(line)
        except language.LineError as exc:
            prefix = language.cluster_prefix(line.strip())
            cluster, text = (prefix.cluster, prefix.rest) if prefix.cluster else (language.DEFAULT_CLUSTER, line.strip())
            # echoed with its control characters escaped: a refused line shows as the one line it was
            result = commands.Result(2, [str(exc)], cluster, escaped(text[:200]))
            if self.timeline.at is None:
                self._record(line, result, changed=False, via=via, joined=joined)
            return result
        except MemoryError:  # reading the line: nothing has changed yet
            return commands.Result(1, [f"peersnap: {OUT_OF_MEMORY}"], language.DEFAULT_CLUSTER, escaped(line.strip()[:200]))
        if parsed is None:
            return commands.Result(0, [], "cache", "")
        if parsed.argv[0] in _SESSION_WORDS:
            result = self._session_command(parsed)
            self.engine.emit(CommandRan(self.engine.now, result.cluster, result.command, result.rc))
            return result
        engine = self.engine
        before = engine.change_key()  # (O(1): core.edits)
        try:
            result = self._execute(engine, parsed, via)
        except MemoryError:
            # handled once out of the except block: its traceback holds the half-changed world
            result = None
        if result is None:
            del engine
            return self._out_of_memory(parsed)
        after = engine.change_key()
        changed = after != before
        if self.timeline.at is not None:
            if not changed:  # a look at the past (ls, why, a refused command) starts nothing
                self.engine.emit(CommandRan(self.engine.now, result.cluster, result.command, result.rc))
                return result
            self._branch()
        self._record(line, result, changed, via, joined)
        return result

    def _execute(self, engine: Engine, parsed: ParsedLine, via: str) -> Result:
        # engine.caused_by, spelled out: a context manager's frames are a tenth of a command's cost
        recorder = engine.changes
        outer = recorder.cause
        recorder.cause = via or (f"`@home {parsed.text}`" if parsed.cluster == "home" else f"`{parsed.text}`")
        try:
            return self._dispatch(parsed, engine)
        finally:
            recorder.cause = outer

    def _apply(self, engine: Engine, entry: LogEntry) -> None:
        """Run one logged entry on `engine`, silently (replaying a line of history)."""
        if isinstance(entry, ClockEntry):
            engine.advance(min(entry.duration_us, engine.time_left()))
            return
        try:
            parsed = language.parse_line(entry.line)
        except language.LineError:
            return
        if parsed is not None and parsed.argv[0] not in SESSION_COMMANDS:
            self._execute(engine, parsed, entry.via)

    def advance_clock(self, duration: int) -> None:
        """Move simulated time on outside any command (the dashboard's timer). Out of memory
        part way, the world is put back as it was and SimError says so (the dashboard pauses)."""
        duration = min(duration, self.engine.time_left())
        if duration <= 0:
            return
        if self.timeline.at is not None:
            self._branch()
        try:
            self.engine.advance(duration)
        except MemoryError:
            ran_out = True  # (the rebuild waits for the except block to let go of the half-changed world)
        else:
            ran_out = False
        if ran_out:
            self._rebuild("out of memory: the time that passed was undone")
            raise SimError(f"time: {OUT_OF_MEMORY}")
        self._log_clock(duration)

    def step_clock(self) -> bool:
        """Run to the next thing that happens (the dashboard's single step)."""
        if self.timeline.at is not None and self.engine.next_event_time() is not None:
            self._branch()
        before = self.engine.now
        try:
            stepped = self.engine.step()
        except MemoryError:
            stepped = None
        if stepped is None:
            self._rebuild("out of memory: the step was undone")
            raise SimError(f"time: {OUT_OF_MEMORY}")
        if stepped:
            self._log_clock(self.engine.now - before)
        return stepped

    def _log_clock(self, duration: int) -> None:
        last = self.log[-1] if self.log else None
        merged = isinstance(last, ClockEntry)
        if merged:  # consecutive frames of the timer make one entry
            duration += last.duration_us
            self.log.pop()
        self.log.append(ClockEntry(duration))
        self.timeline.recorded(self.engine, merged)

    def _record(self, line: str, result: Result, changed: bool, via: str = "", joined: bool = False) -> None:
        self.log.append(LoggedCommand(line, result.rc, changed, via, joined))
        engine = self.engine
        if not engine.bus.unheard(CommandRan):  # built only for a listener (none in most sessions' engines)
            engine.bus.emit(CommandRan(engine.time.now, result.cluster, result.command, result.rc))
        self.timeline.recorded(engine)

    def _dispatch(self, parsed: ParsedLine, engine: Engine) -> Result:
        name, args = parsed.argv[0], parsed.argv[1:]
        command = commands.REGISTRY.get(name)
        cluster, text = parsed.cluster, parsed.text
        if command is None:
            close = difflib.get_close_matches(name, list(commands.REGISTRY), n=1, cutoff=0.75) or \
                [c for c in commands.REGISTRY if c.lower() == name.lower()]
            hint = f" (did you mean {close[0]}?)" if close else \
                " (GPFS commands start with mm; try 'help')" if not name.startswith("mm") else " (try 'help')"
            return commands.Result(127, [f"{name}: command not found{hint}"], cluster, text)
        if name != "echo" and (">" in args or ">>" in args):
            return commands.Result(2, [f"{name}: output redirection is only supported for echo"], cluster, text)
        if not command.runs_on(cluster, args):
            return commands.Result(1, command.elsewhere_lines(text, args), cluster, text)
        ctx = commands.Context(engine, cluster, name, text)
        try:
            lines = command.run(ctx, args)
            return commands.Result(0, lines, cluster, text)
        except commands.UsageError as exc:
            lines = [line if line.startswith(("Usage:", "   or:", name)) else f"{name}: {line}" for line in exc.lines]
            return commands.Result(1, [ln for chunk in lines for ln in chunk.splitlines()], cluster, text)
        except Refused as exc:
            lines = [*exc.refusal.lines(name), f"{name}: {commands.base.FAILED}"]
            return commands.Result(1, lines, cluster, text, exc.refusal)
        except SimError as exc:
            return commands.Result(1, exc.lines, cluster, text)
        except FsError as exc:
            return commands.Result(1, [f"{name}: {exc}"], cluster, text)
        except MemoryError:
            raise  # `run` puts the world back as it was
        except Exception as exc:  # noqa: BLE001 - the console must never show a traceback
            return commands.Result(70, [f"peersnap: internal error in {name}: {type(exc).__name__}: {exc} (please report it)"], cluster, text)

    def _out_of_memory(self, parsed: ParsedLine) -> Result:
        """The host ran out of memory part way through a command. The world it left half
        changed is dropped, and the world as it stood before the command is built again the
        way undo builds it (the nearest checkpoint, then the log replayed): the refused
        command changes nothing. It is not logged: on a machine with more memory it would
        not fail, and a replay must give the world this session shows."""
        self._rebuild("out of memory: the command was undone")
        name = parsed.argv[0]
        if name == "sim" and len(parsed.argv) > 1:
            name = f"sim: {parsed.argv[1]}"
        lines = [f"{name}: {OUT_OF_MEMORY}"]
        if name.startswith("mm"):
            lines.append(f"{name}: {commands.base.FAILED}")
        self.engine.emit(CommandRan(self.engine.now, parsed.cluster, parsed.text, 1))
        return commands.Result(1, lines, parsed.cluster, parsed.text)

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
            elif name == "source":
                if len(args) != 1:
                    raise SimError("source: give one FILE of commands to run (Usage: source FILE)")
                return self.source(args[0], parsed)
            elif name == "branch":
                lines = self._branch_command(args)
            elif name == "compare":
                if len(args) != 1:
                    raise SimError("compare: name one branch to compare with this one (Usage: compare BRANCH)")
                lines = self.compare(args[0])
            else:
                if args:
                    raise SimError("undo: takes no arguments")
                lines = [self.undo()]
            return commands.Result(0, lines, parsed.cluster, parsed.text)
        except SimError as exc:
            return commands.Result(1, exc.lines, parsed.cluster, parsed.text)
        except MemoryError:  # building a world to go back to: the one in use is untouched
            return commands.Result(1, [f"{name}: {OUT_OF_MEMORY}"], parsed.cluster, parsed.text)

    def to_toml(self) -> dict[str, object]:
        timeline = self.timeline
        others = []
        for line in timeline.branches.values():
            if line is timeline.current:
                continue
            parent = timeline.branches.get(line.parent)
            if parent is not None and parent.log[: line.fork_at] == line.log[: line.fork_at]:
                others.append(SavedBranch(line.name, line.parent, line.fork_at, line.own_entries()))
            else:  # its parent was undone below the fork since: keep the whole line
                others.append(SavedBranch(line.name, "", 0, line.log))
        current = timeline.current
        parent = timeline.branches.get(current.parent)
        shared = parent is not None and parent.log[: current.fork_at] == current.log[: current.fork_at]
        return session_document(self.scenario, self.log, current.name, others,
                                current.parent if shared else "", current.fork_at if shared else 0)

    def save(self, path: str) -> str:
        """Write the scenario and the command log as TOML, atomically."""
        if not self.allow_files:
            raise SimError("save: saving to files is turned off in this session")
        target = os.path.expanduser(path)  # a str: a trailing '/' must reach write_atomically
        try:
            import tomli_w  # (only a save needs it: not imported on the first frame)

            write_atomically(target, tomli_w.dumps(self.to_toml()))
        except OSError as exc:
            raise SimError(f"save: cannot write {path}: {exc.strerror or exc}") from None
        except (UnicodeError, ValueError) as exc:
            raise SimError(f"save: the session cannot be written as TOML text: {exc}") from None
        commands = sum(1 for e in self.log if isinstance(e, LoggedCommand))
        return f"Saved the session ({plural(commands, 'command')}) to {path}."

    def source(self, path: str, parsed: ParsedLine) -> Result:
        """Run each line of a script file, in order, as if typed; the result's lines are
        the transcript (each command echoed with its prompt), its status the worst one.
        Each command is logged on its own (undo rewinds them one by one)."""
        if not self.allow_files:
            raise SimError("source: reading files is turned off in this session")
        if len(self._sourcing) >= MAX_SOURCE_DEPTH:
            raise SimError(f"source: {path}: scripts nested more than {MAX_SOURCE_DEPTH} deep (does it source itself?)")
        try:
            text = read_text(os.path.expanduser(path))
        except TextFileError as exc:
            raise SimError(f"source: cannot read {path}: {str(exc).removeprefix('cannot read: ')}") from None
        lines: list[str] = []
        rc = 0
        self._sourcing.append(path)
        try:
            for line in script_lines(text):
                result = self.run(line)
                if result.command or result.lines:
                    lines.extend(self.transcript(result))
                rc = max(rc, result.rc)
        finally:
            self._sourcing.pop()
        return commands.Result(1 if rc else 0, lines, parsed.cluster, parsed.text)

    def replay(self, entries: list[LogEntry], on_result: Callable[[Result], None] | None = None) -> None:
        """Run logged entries again: commands through `run`, clock entries silently."""
        for entry in entries:
            if isinstance(entry, ClockEntry):
                self.advance_clock(entry.duration_us)
            else:
                result = self.run(entry.line, entry.via, entry.joined)
                if on_result is not None:
                    on_result(result)

    def reset(self) -> None:
        """Start the scenario again from its first second; the command log and branches are
        cleared (and kept, so that undo can bring them back)."""
        if self.log or len(self.timeline.branches) > 1:
            self._before_resets.append(self.timeline)
        self.timeline = Timeline(self.scenario.build, self._apply)
        self.log = self.timeline.current.log
        self.engine = self._fresh_engine()
        self._forward(SessionReset(self.engine.now, "reset: the scenario started again"))


def script_lines(text: str) -> list[str]:
    """A script's lines: they end at \n or \r\n only (a lone \r is part of its line,
    and refused there; U+2028, U+2029, U+0085, \v, \f and \x1c-\x1e never end a line,
    unlike `str.splitlines`). A UTF-8 byte-order mark at the start is dropped."""
    lines = text.removeprefix("\ufeff").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def load_session(path: str) -> tuple[Session, list[LogEntry]]:
    """A fresh session on a saved session's scenario (with its other branches), and the
    current line's log to replay on it."""
    saved = read_session(path)
    session = Session(saved.scenario)
    if saved.branches or saved.branch:
        session.adopt_branches(saved.branch, saved.branches, saved.entries, saved.parent, saved.fork_at)
    return session, saved.entries


__all__ = ["SESSION_COMMANDS", "ClockEntry", "LogEntry", "LoggedCommand", "Session", "SessionFileError", "load_session"]
