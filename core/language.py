"""The command language's lines: the `@cluster` prefix, `#` comments, and words.

`cluster_prefix` is the one parser of the prefix; the session, the console's
prompt and tab completion all read a line's cluster through it.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable

from .characters import line_pattern
from .records import record

MAX_LINE = 4096
CLUSTERS = ("cache", "home")
DEFAULT_CLUSTER = "cache"


@record
class ClusterPrefix:
    """A line split at its `@cluster` word (`@home  ls -l` -> `@home`, `ls -l`)."""

    word: str  # "@home", "@mars", or "" when the line has no prefix
    head: str  # everything before `rest`: leading blanks, the word and the blanks after it
    rest: str  # the line after the prefix (trailing blanks kept: completion needs them)
    ended: bool = True  # a blank follows the word: it is typed in full

    @property
    def cluster(self) -> str | None:
        """Where the line runs: the cache without a prefix, None for a word naming no cluster."""
        if not self.word:
            return DEFAULT_CLUSTER
        name = self.word[1:]
        return name if name in CLUSTERS else None


def cluster_prefix(line: str) -> ClusterPrefix:
    """Split off a leading `@cluster` word (see `ClusterPrefix`)."""
    body = line.lstrip()
    if not body.startswith("@"):
        return ClusterPrefix("", line[: len(line) - len(body)], body)
    word, blank, rest = body.partition(" ")
    rest = rest.lstrip()
    return ClusterPrefix(word, line[: len(line) - len(rest)], rest, bool(blank))


@record
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
    if (_LINE_SEARCH or _line_search())(line):  # (forbidden(line), without the call: this runs for every line)
        raise LineError("peersnap: the line holds control characters or binary data; commands are plain text")
    text = line.strip()
    cluster: str | None = DEFAULT_CLUSTER
    if text.startswith("@"):
        prefix = cluster_prefix(text)
        cluster = prefix.cluster
        if cluster is None:
            raise LineError(f"peersnap: unknown cluster '{prefix.word}' (start a line with @cache or @home)")
        text = prefix.rest
    argv = plain_words(text)
    if argv is None:
        argv = shell_words(text)
    if not argv:
        return None
    if "#" in text:
        text = text[: comment_start(text)].rstrip() or text
    return ParsedLine(cluster, text, argv)


def plain_words(text: str) -> list[str] | None:
    """The words of a line that needs no shell lexer, or None when it might:
    ASCII (the line check leaves only blanks and tabs as whitespace there, the
    only whitespace shlex knows) with no quote, backslash or `#`, and every `>`
    in a word of its own (`>`, `>>`). Gives what `shell_words` gives. (Four `in` tests in C: one
    search for the four characters took five times as long.)"""
    if (not text.isascii() or "'" in text or '"' in text or "\\" in text or "#" in text
            or (">" in text and _glued(text))):
        return None
    return text.split()


def _glued(text: str) -> bool:
    """Whether a `>` is next to a character of its word that is not one (`a>b`, `>f`: shlex splits
    the punctuation off). The spaced redirections (` > `, ` >> `) are taken out first, in C: only a
    line with a `>` left over is searched (the search costs a microsecond a line)."""
    return ">" in text.replace(" > ", " ").replace(" >> ", " ") and _GLUED(text) is not None


# a `>` beside a character of its word that is not one: one search in C, where a loop over the words
# took a Python step a word
_GLUED = re.compile(r"[^\s>]>|>[^\s>]").search
_LINE_SEARCH = None  # LINE.search, at the first line (characters.LINE compiles then)


def _line_search() -> Callable[[str], re.Match[str] | None]:
    global _LINE_SEARCH
    _LINE_SEARCH = line_pattern().search
    return _LINE_SEARCH


def shell_words(text: str) -> list[str]:
    """The words of a line by POSIX shell rules (quotes, backslashes, `#`
    comments, `>` and `>>` split off as words of their own)."""
    try:
        lexer = shlex.shlex(text, posix=True, punctuation_chars=">")
        lexer.whitespace_split = True
        return list(lexer)
    except ValueError as exc:
        raise LineError(f"peersnap: syntax error: {exc}") from None


def comment_start(text: str) -> int:
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
