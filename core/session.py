"""A session: one engine, the command language run against it, and its log.

`Session.run(line)` is the single entry point the console, `peersnap run`
and the tests share. It never raises: every bad input comes back as a
`Result` with an error in the command's own voice and a non-zero status.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from .commands import REGISTRY, Context, Result, UsageError
from .commands.base import FAILED
from .engine import Engine
from .errors import FsError, SimError
from .events import CommandRan
from .rules import Refused
from .scenario import Scenario, load

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
    if any((ord(ch) < 32 and ch != "\t") or 0x7F <= ord(ch) < 0xA0 or ch in "\ufffe\uffff" for ch in line):
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
    line: str
    rc: int


class Session:
    """An engine plus the command log of everything run on it."""

    def __init__(self, scenario: Scenario | None = None) -> None:
        self.scenario = scenario if scenario is not None else load()
        self.engine: Engine = self.scenario.build()
        self.log: list[LoggedCommand] = []

    def run(self, line: str) -> Result:
        """Run one line of the command language; never raises."""
        try:
            parsed = parse_line(line)
        except LineError as exc:
            result = Result(2, [str(exc)], "cache", line.strip()[:200])
            self._record(line, result)
            return result
        if parsed is None:
            return Result(0, [], "cache", "")
        result = self._dispatch(parsed)
        self._record(line, result)
        return result

    def _record(self, line: str, result: Result) -> None:
        self.log.append(LoggedCommand(line, result.rc))
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
