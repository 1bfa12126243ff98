"""A prepared script: the command lines that `shot`, `cast` and `present` play, and
the `#:` directives that dress them.

A script is a `peersnap run` script (one command a line, `#` comments, `@home`), and
`peersnap run` plays it unchanged: every directive is a comment to it. Directives:

- `#: pause 2s` (cast): the recording holds the screen that much longer here;
- `#: spotlight PANE` (present): the step's command is about that pane
  (cache, home, queue, psnaps, console, events, toggles, header, lesson);
- `#: size 100x30`, `#: scenario NAME`, `#: lesson NAME`, `#: theme NAME`: what the picture
  is taken on, so the script alone reproduces it (a command-line option wins);
- any other `#: text`: a caption line for the next command (presenter mode shows it large).

A `Beat` is one command with the directives before it; captions after the last command
make a final beat without a command.
"""

from __future__ import annotations

import re
from dataclasses import field
from pathlib import Path

from peersnap.core import clock
from peersnap.core.records import record
from peersnap.core.session import script_lines

PANES = ("cache", "home", "queue", "psnaps", "console", "events", "toggles", "header", "lesson")
SETTINGS = ("size", "scenario", "lesson", "theme")
_SIZE = re.compile(r"^(\d{1,4})x(\d{1,4})$")
MIN_SIZE, MAX_SIZE = (60, 16), (400, 150)


class ScriptError(Exception):
    """A script that cannot be played; str() names the line and says why."""


@record
class Beat:
    """One step of a prepared script."""

    number: int  # the 1-based line of the command (of the last caption line without one)
    command: str  # the command line as written; "" for a caption-only step
    caption: tuple[str, ...] = ()
    spotlight: str = ""
    pause_us: int = 0  # an extra hold before the command (cast)


@record
class Script:
    path: str
    lines: tuple[str, ...]
    beats: tuple[Beat, ...]
    settings: dict[str, str] = field(default_factory=dict)

    def beats_until(self, line: int) -> tuple[Beat, ...]:
        """The beats whose command comes on or before `line` (1-based)."""
        return tuple(b for b in self.beats if b.number <= line)


def parse_size(text: str) -> tuple[int, int]:
    """`120x40` -> (120, 40), within what the dashboard can draw."""
    match = _SIZE.match(text.strip())
    if not match:
        raise ValueError(f"invalid size '{text}' (expected COLUMNSxROWS, like 120x40)")
    width, height = int(match.group(1)), int(match.group(2))
    if not (MIN_SIZE[0] <= width <= MAX_SIZE[0] and MIN_SIZE[1] <= height <= MAX_SIZE[1]):
        raise ValueError(f"size '{text}' is out of range (from {MIN_SIZE[0]}x{MIN_SIZE[1]} "
                         f"to {MAX_SIZE[0]}x{MAX_SIZE[1]})")
    return width, height


def parse_script(text: str, path: str = "<script>") -> Script:
    lines = tuple(script_lines(text))
    beats: list[Beat] = []
    settings: dict[str, str] = {}
    caption: list[str] = []
    spotlight = ""
    pause = 0
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if line.startswith("#:"):
            directive = line[2:].strip()
            word, _, rest = directive.partition(" ")
            rest = rest.strip()
            where = f"{path}: line {number}"
            if word == "pause":
                try:
                    pause += clock.parse_duration(rest)
                except ValueError as exc:
                    raise ScriptError(f"{where}: #: pause: {exc}") from None
            elif word == "spotlight":
                if rest not in PANES:
                    raise ScriptError(f"{where}: #: spotlight: unknown pane '{rest}' (panes: {', '.join(PANES)})")
                spotlight = rest
            elif word in SETTINGS and rest and " " not in rest:
                if word == "size":
                    try:
                        parse_size(rest)
                    except ValueError as exc:
                        raise ScriptError(f"{where}: #: size: {exc}") from None
                settings[word] = rest
            elif directive:
                caption.append(directive)
            continue
        if not line or line.startswith("#"):
            continue
        beats.append(Beat(number, raw, tuple(caption), spotlight, pause))
        caption, spotlight, pause = [], "", 0
    if caption or spotlight or pause:
        beats.append(Beat(len(lines), "", tuple(caption), spotlight, pause))
    return Script(path, lines, tuple(beats), settings)


def read_script(path: str) -> Script:
    """Read and parse a script file; a `ScriptError` says what is wrong with it."""
    try:
        with open(path, encoding="utf-8", errors="strict") as handle:
            text = handle.read()
    except IsADirectoryError:
        raise ScriptError(f"cannot read script {path}: it is a directory") from None
    except OSError as exc:
        raise ScriptError(f"cannot read script {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ScriptError(f"cannot read script {path}: it is not UTF-8 text") from None
    if "\x00" in text:
        raise ScriptError(f"cannot read script {path}: it holds binary data, not command lines")
    return parse_script(text, str(Path(path)))
