"""Parsed stylesheets kept between starts, as Python keeps compiled bytecode.

Textual parses every stylesheet at each start: peersnap's own (`themes/peersnap.tcss`)
and the `DEFAULT_CSS` of each widget class on screen, about 10 ms before the first
frame, half of it our 5 KB of layout (its tokenizer reads about a kilobyte a
millisecond). What a parse gives depends only on the text, where it was read from, the
arguments Textual parses it with and the theme's variables, so the rules are kept in
`$XDG_CACHE_HOME/peersnap/` (else `~/.cache/peersnap/`), one file per installed Textual
and Python version, and a start that finds them unpickles them instead (under 1 ms).
The style strings of widgets' content (`bold $accent`) are kept the same way: the first
parsed in a start tokenizes every variable of the theme (~1.5 ms of the first frame). So
are the TOML documents the start reads (the scenario, the themes, the settings: by their
text), so that it need not import tomllib (~3 ms with their parses; core/textfile.py).

Anything unusual is a miss, never an error: no file, an unreadable or corrupt one, a
source or theme not seen before (those are parsed and added), CSS with errors (never
kept: Textual reports it as before). The file is written atomically, at the dashboard's
mount (every stylesheet of the first frame parsed by then: the next start finds them
even if this one is killed) and again when the app ends, if something was added or an
entry went unused. Each start reads the whole file (~0.25 ms for 10 KB), so what goes
unused is let go: each entry counts the starts since one used it, and one unused for
MAX_AGE starts is dropped (the stylesheet of an older peersnap, a theme no longer
chosen, a style string no widget names any more). Only the dashboard started from the
command line uses it (tests, screenshots and classroom seats parse as Textual does).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

from textual.css import parse as textual_parse
from textual.css.stylesheet import Stylesheet

Key = tuple[Any, ...]
KEEP = 500  # sources, style strings and TOML documents kept in the file (a start uses about 40 of each)
MAX_AGE = 8  # starts an entry may go unused and still be kept
AGES: Key = ("ages",)  # the file's entry that holds the others' ages (starts since each was last used)
KEEP_TOML = 64 * 1024  # the longest TOML text kept (the bundled scenarios and themes are ~2 KB)


def cache_file() -> Path:
    """One file per Python and per installed Textual: named by the time Textual's parser was
    installed (`textual.__version__` would import importlib.metadata: ~12 ms of the start)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    try:
        installed = os.stat(textual_parse.__file__).st_mtime_ns
    except OSError:
        installed = 0
    return Path(base) / "peersnap" / f"stylesheets-py{sys.version_info.major}.{sys.version_info.minor}-textual-{installed}.pickle"


class StylesheetCache:
    """The rules of each stylesheet source once parsed, by everything that made them; and each
    style string a widget's content names (`Style.parse`), by the theme's variables."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._rules: dict[Key, Any] | None = None  # read at the first parse
        self._ages: dict[Key, int] = {}  # as read: how many starts ago each entry was last used
        self._written: dict[Key, int] | None = None  # the ages this run last wrote
        self._aged = False  # the file held the entries' ages (a file that did not is written again at the end)
        self._used: set[Key] = set()  # this run's entries (what a save keeps, with the others not too old)
        self._added = False
        self._variables: tuple[int, tuple[tuple[str, str], ...]] = (0, ())

    def install(self, stylesheet: Stylesheet) -> None:
        """Parse `stylesheet`'s sources through the cache (its copies, made when the theme changes, parse as usual)."""
        parse = stylesheet._parse_rules  # (private to Textual 8.2.8: the parse of one source)

        def parse_rules(css: str, read_from: Any, is_default_rules: bool = False, tie_breaker: int = 0,
                        scope: str = "") -> Any:
            if (css, read_from, is_default_rules, tie_breaker, scope) in stylesheet._parse_cache:
                return parse(css, read_from, is_default_rules, tie_breaker, scope)  # (its own memo)
            key = (css, read_from, is_default_rules, tie_breaker, scope, self._variables_of(stylesheet))
            self._used.add(key)
            rules = self._kept().get(key)
            if rules is None:
                rules = parse(css, read_from, is_default_rules, tie_breaker, scope)
                if not any(rule.errors for rule in rules):
                    self._kept()[key] = rules
                    self._added = True
                return rules
            stylesheet._parse_cache[key[:5]] = rules
            return rules

        stylesheet._parse_rules = parse_rules  # type: ignore[method-assign]
        parse_style = stylesheet.parse_style

        def cached_style(style_text: Any) -> Any:
            """A widget's style string (`bold $accent`, `@click=...`): the first of a start tokenizes every
            theme variable (~1.5 ms), each one then costs its own parse."""
            if not isinstance(style_text, str) or style_text in stylesheet._style_parse_cache:
                return parse_style(style_text)
            key = ("style", style_text, self._variables_of(stylesheet))
            self._used.add(key)
            style = self._kept().get(key)
            if style is None:
                style = parse_style(style_text)
                with contextlib.suppress(Exception):  # (what would not pickle is not kept: the save stays whole)
                    pickle.dumps(style)
                    self._kept()[key] = style
                    self._added = True
            else:
                stylesheet._style_parse_cache[style_text] = style
            return style

        stylesheet.parse_style = cached_style  # type: ignore[method-assign]

    def recall(self, text: str) -> dict[str, Any] | None:
        """A TOML document parsed in an earlier start (a fresh copy), or None (core/textfile.py's memo)."""
        key = ("toml", text)
        kept = self._kept().get(key)
        if kept is None:
            return None
        self._used.add(key)
        try:
            return pickle.loads(kept)  # noqa: S301 - the user's own cache, as their bytecode is
        except Exception:  # noqa: BLE001 - a corrupt entry is a parse
            return None

    def keep(self, text: str, document: dict[str, Any]) -> None:
        if len(text) > KEEP_TOML:
            return  # (a user's big scenario would make every start unpickle it: parsed each time)
        key = ("toml", text)
        with contextlib.suppress(Exception):  # (what would not pickle is parsed again next time)
            self._kept()[key] = pickle.dumps(document, protocol=pickle.HIGHEST_PROTOCOL)
            self._used.add(key)
            self._added = True

    def _variables_of(self, stylesheet: Stylesheet) -> tuple[tuple[str, str], ...]:
        variables = stylesheet._variables  # (replaced whole when the theme changes)
        if self._variables[0] != id(variables):
            self._variables = (id(variables), tuple(sorted(variables.items())))
        return self._variables[1]

    def _kept(self) -> dict[Key, Any]:
        if self._rules is None:
            self._rules = {}
            try:
                with open(self.path, "rb") as handle:
                    kept = pickle.load(handle)  # noqa: S301 - the user's own cache, as their bytecode is
                if isinstance(kept, dict):
                    ages = kept.pop(AGES, None)
                    if isinstance(ages, dict) and all(type(age) is int for age in ages.values()):
                        self._ages, self._aged = ages, True  # (else every entry counts as just used)
                    self._rules = kept
            except Exception:  # noqa: BLE001 - missing, unreadable, corrupt or from elsewhere: parse instead
                pass
        return self._rules

    def save(self, final: bool = False) -> None:
        """Write what was added since the last save (whole, through a temporary file); quietly
        nothing when the folder cannot be written. Kept: this run's entries, and the others used
        in the last MAX_AGE starts (at most KEEP in all). `final` (the app's end): write also when
        an entry went unused, so that its age counts this start."""
        if self._rules is None or not (self._added or final):
            return
        ages = {key: 0 if key in self._used else self._ages.get(key, 0) + 1 for key in self._rules}
        on_file = self._written if self._written is not None else {key: self._ages.get(key, 0) for key in ages}
        if not self._added and not (final and (ages != on_file or not self._aged)):
            return
        self._added = False
        kept = {k: v for k, v in self._rules.items() if ages[k] <= MAX_AGE}
        if len(kept) > KEEP:
            kept = {k: v for k, v in kept.items() if k in self._used}
        kept[AGES] = {key: ages[key] for key in kept}
        self._written, self._aged = ages, True
        name = ""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("wb", dir=self.path.parent, prefix=".stylesheets-", delete=False) as out:
                name = out.name
                pickle.dump(kept, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(name, self.path)
        except Exception:  # noqa: BLE001 - a cache that cannot be written costs the next start a parse
            if name:
                with contextlib.suppress(OSError):
                    os.unlink(name)
