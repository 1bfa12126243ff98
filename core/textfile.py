"""Reading the files a user hands peersnap (scenarios, session files, lessons):
one way, so every reader refuses the same things with one line.

- only a regular file is read (a symlink is followed): a FIFO would block for
  ever, a device could be endless, a directory is no file (`peersnap run -`
  reads stdin as a stream; that is the one exception, and not read here);
- at most `MAX_TEXT_FILE` bytes; UTF-8, a leading byte-order mark dropped;
- TOML that nests too deeply (Python's parser recurses) is a clear error,
  not a RecursionError.

A TOML document may come from a memo of earlier parses instead (`remember_parses`: the
dashboard started from the command line keeps them between starts, with its stylesheets),
and `tomllib` is imported at the first parse that is not in it (~2 ms of a start).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, Protocol

MAX_TEXT_FILE = 16 * 1024 * 1024
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class TextFileError(Exception):
    """A file that cannot be read as text; str() is the reason (without the path)."""


def kind_of(mode: int) -> str:
    """'a FIFO (named pipe)', 'a directory', ... for a file that is not regular."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_text(path: str | Path) -> str:
    """The text of the regular file at `path` (symlinks followed)."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then tells what was opened
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError:
        raise TextFileError("cannot read: it is a directory") from None
    except OSError as exc:
        raise TextFileError(f"cannot read: {exc.strerror or exc}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = kind_of(mode)
        raise TextFileError(f"cannot read: it is {kind}" + ("" if kind == "a directory" else ", not a regular file"))
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(MAX_TEXT_FILE + 1)
        except OSError as exc:
            raise TextFileError(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_TEXT_FILE:
        raise TextFileError(f"too large (more than {MAX_TEXT_FILE // (1024 * 1024)} MiB)")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise TextFileError(f"not a text file (UTF-8 expected; byte {exc.start} is not)") from None


class TomlSyntaxError(ValueError):
    """tomllib's TOMLDecodeError, by its message (so a reader need not import tomllib to catch it)."""


class ParseMemo(Protocol):
    """Documents parsed before, by their text (a copy each time: a reader may change what it gets)."""

    def recall(self, text: str) -> dict[str, Any] | None: ...

    def keep(self, text: str, document: dict[str, Any]) -> None: ...


_memo: ParseMemo | None = None


def remember_parses(memo: ParseMemo | None) -> None:
    """Parse TOML through `memo` from now on (None: parse every time, as at import)."""
    global _memo
    _memo = memo


def toml_loads(text: str) -> dict[str, Any]:
    """`tomllib.loads(text)`, or the memo's copy of it; TomlSyntaxError for what tomllib refuses."""
    memo = _memo
    if memo is not None and (document := memo.recall(text)) is not None:
        return document
    import tomllib

    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlSyntaxError(str(exc)) from None
    if memo is not None:
        memo.keep(text, document)
    return document


def parse_toml(text: str) -> dict[str, Any]:
    """A TOML document; TextFileError names a syntax error or too deep nesting."""
    try:
        return toml_loads(text.removeprefix("\ufeff"))
    except TomlSyntaxError as exc:
        raise TextFileError(f"TOML syntax error: {exc}") from None
    except RecursionError:
        raise TextFileError("TOML nested too deeply (arrays or tables inside one another hundreds of levels down)") \
            from None


def read_toml(path: str | Path) -> dict[str, Any]:
    """`read_text` then `parse_toml`."""
    return parse_toml(read_text(path))
