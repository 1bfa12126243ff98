"""What the dashboard's start does not load (issue 16, first frame: each of these cost a few
milliseconds of a start and serves something later, if ever), and the shortcut that spares one."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from peersnap.core.clock import parse_epoch
from probes import probe

LATER = ["json", "_strptime", "calendar", "importlib.resources", "zipfile", "mmap",
         "importlib.metadata", "email",  # (textual.__version__ imports importlib.metadata: ~12 ms)
         "tomli_w", "peersnap.tui.screens", "peersnap.tui.why_card", "peersnap.tui.replay", "peersnap.tui.player",
         "peersnap.core.lessons", "peersnap.tui.widgets.lesson_panel", "peersnap.tui.authoring"]


def test_the_dashboards_start_loads_none_of_what_only_later_needs():
    """Everything the first frame needs: the modules, the scenario's world, the themes."""
    code = ("import sys\n"
             "import peersnap.tui.cli, peersnap.tui.app\n"
             "from peersnap.tui.launch import prepare\n"
             "from peersnap.tui.themes import bundled_themes\n"
             "from peersnap.tui.css_cache import cache_file\n"
             "prepare(None, None, None, allow_files=True)\n"
             "bundled_themes()\n"
             "cache_file()\n"
             f"print(sorted(m for m in {LATER!r} if m in sys.modules))\n")
    assert probe(code) == "[]"


def test_the_start_compiles_no_regex_it_does_not_need():
    """Python's tokenizer compiles its regexes at its first use (~2 ms): `inspect.signature` of a class
    with object's own `__init__` uses it, which is what dataclasses does to document such a class.
    The command line's character checks (~0.5 ms each) compile at the first line checked."""
    code = ("import tokenize\n"
             "import peersnap.tui.cli, peersnap.tui.app\n"
             "from peersnap.core import characters\n"
             "from peersnap.tui.launch import prepare\n"
             "prepare(None, None, None, allow_files=True)\n"
             "print(tokenize._compile.cache_info().currsize, sorted(set(characters._LATER) & set(vars(characters))))\n"
             "from peersnap.core.session import Session\n"
             "Session().run('echo x > /gpfs/fs1/sw/a\\x01')\n"
             "print(sorted(set(characters._LATER) & set(vars(characters))))\n")
    assert probe(code).split("\n")[:2] == ["0 []", "['LINE', 'LINE_LIKE']"]


def reference(text: str) -> int | str:
    """parse_epoch as it was: strptime for every text."""
    try:
        moment = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return "refused"
    return int((moment - datetime(1970, 1, 1)).total_seconds())


def ours(text: str) -> int | str:
    try:
        return parse_epoch(text)
    except ValueError:
        return "refused"


DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=4)


@given(st.tuples(DIGITS, DIGITS, DIGITS, DIGITS, DIGITS, DIGITS), st.sampled_from(["", " ", "\t", "\n"]))
def test_parse_epoch_reads_what_strptime_reads(parts, padding):
    text = padding + "{}-{}-{} {}:{}:{}".format(*parts) + padding
    assert ours(text) == reference(text)


@pytest.mark.parametrize("text", ["2016-10-27 02:27:28", "2016-02-29 00:00:00", "2015-02-29 00:00:00",
                                  "2016-10-27T02:27:28", "2016-10-27 02:27:28+00:00", "2016-10-27 02:27:28.5",
                                  "2016-10-27", "2016-1-7 2:27:28", "٢٠١٦-10-27 02:27:28", "2016-10-27 24:00:00",
                                  " 2016-10-27 02:27:28 ", ""])
def test_parse_epoch_on_the_edges(text):
    assert ours(text) == reference(text)


@given(st.text(max_size=30))
def test_parse_epoch_refuses_what_strptime_refuses(text):
    assert ours(text) == reference(text)
