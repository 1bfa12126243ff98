"""Writing a picture or a recording where the user asked, and nowhere else.

The file appears whole or not at all (a temporary file beside it, then a rename), and
only a regular file is ever replaced: `-o` naming a FIFO, a device, a directory or a
symlink to one of them is refused before anything is written.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


class OutputError(Exception):
    """The output cannot be written; str() says why, naming the file."""


def checked_target(path: str) -> Path:
    """The file to replace for `-o path` (a symlink's regular target), or an `OutputError`."""
    if not path:
        raise OutputError("no output file given (-o FILE)")
    target = Path(path)
    try:
        info = os.stat(target)  # follows a symlink: what matters is what it points at
    except FileNotFoundError:
        if target.is_symlink():
            raise OutputError(f"cannot write {path}: it is a symlink to nothing") from None
        if not target.parent.is_dir() and str(target.parent):
            raise OutputError(f"cannot write {path}: no such directory {target.parent}") from None
        return target
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    for test, kind in _KINDS:
        if test(info.st_mode):
            raise OutputError(f"cannot write {path}: it is {kind}, not a regular file (nothing was written)")
    if not stat.S_ISREG(info.st_mode):
        raise OutputError(f"cannot write {path}: not a regular file (nothing was written)")
    return Path(os.path.realpath(target))


def write_output(path: str, text: str) -> None:
    """Write `text` (UTF-8) to `path` whole or not at all; an `OutputError` otherwise."""
    target = checked_target(path)
    try:
        _replace(target, text.encode("utf-8"))
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


def _replace(target: Path, data: bytes) -> None:
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)  # a replaced file keeps its permissions
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        mode = 0o666 & ~mask  # a new file gets what `>` in a shell would give it
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
