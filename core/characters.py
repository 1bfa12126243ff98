"""The characters a command line or a path may not hold: one check, shared.

A command line is plain text: no C0 control character but the tab, no DEL,
no C1 control (U+0080-U+009F), no lone surrogate (undecodable bytes) and no
non-character (U+FFFE, U+FFFF). A path holds no C0 control character (the tab
included) and no DEL. Each is one compiled character class, searched in C:
the per-character Python loops these replace were a fifth of a command's cost.
"""

from __future__ import annotations

import re

LINE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
PATH = re.compile("[\x00-\x1f\x7f]")


def forbidden(text: str, where: re.Pattern[str] = LINE) -> bool:
    """Whether `text` holds a character that `where` (LINE or PATH) does not allow."""
    return where.search(text) is not None
