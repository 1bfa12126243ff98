"""The characters a command line or a path may not hold: one check, shared.

A command line is plain text: no C0 control character but the tab, no DEL,
no C1 control (U+0080-U+009F), no lone surrogate (undecodable bytes) and no
non-character (U+FFFE, U+FFFF). A path holds no C0 control character (the tab
included) and no DEL. Each is one compiled character class, searched in C:
the per-character Python loops these replace were a fifth of a command's cost.
"""

from __future__ import annotations

import re
from typing import Any

DIGITS = re.compile("[0-9]+")
_SIGNED = re.compile("[+-]?[0-9]+")  # ASCII only: '²' and '٣' are digits to Python, not numbers here
PATH = re.compile("[\x00-\x1f\x7f]")
# Compiled at their first use (`characters.LINE`): a class spanning the surrogates costs ~0.5 ms to
# compile, and neither is needed before the dashboard's first frame
_LATER = {"LINE": "[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]",
          "LINE_LIKE": "[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u2028\u2029]"}


def _later(name: str) -> re.Pattern[str]:
    pattern = globals().get(name)
    if pattern is None:
        pattern = globals()[name] = re.compile(_LATER[name])
    return pattern


def __getattr__(name: str) -> Any:  # (PEP 562: asked only for names not yet in the module)
    if name in _LATER:
        return _later(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def line_pattern() -> re.Pattern[str]:
    """LINE: what a command line may not hold."""
    return _later("LINE")


def forbidden(text: str, where: re.Pattern[str] | None = None) -> bool:
    """Whether `text` holds a character that `where` (LINE, the default, or PATH) does not allow."""
    return (where or line_pattern()).search(text) is not None


def escaped(text: str) -> str:
    """`text` with every character a line may not hold (and U+2028/U+2029, which
    some viewers break lines at) written as an escape (`\\n`, `\\x1c`, `\\u2028`): a refused
    line echoed this way shows as the one line it is."""
    return _later("LINE_LIKE").sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)


def is_number(text: str) -> bool:
    """A whole number written in ASCII digits (`str.isdigit` also takes '²')."""
    return DIGITS.fullmatch(text) is not None


def number_problem(text: str) -> str:
    """': invalid number' when `text` is not a number at all, '' otherwise (for messages)."""
    return "" if _SIGNED.fullmatch(text) else ": invalid number"


_SLASHES = re.compile("/{2,}")


def one_spelling(path: str) -> str:
    """The one way a path is written everywhere: repeated slashes collapsed, no
    trailing slash (`/gpfs/fs1//sw` and `/gpfs/fs1/sw///` are `/gpfs/fs1/sw`)."""
    return _SLASHES.sub("/", path).rstrip("/") or ("/" if path.startswith("/") else "")
