"""Parsed stylesheets kept between starts (tui/css_cache.py): a second start parses nothing and
looks the same; a cache that is missing, corrupt, unwritable or of another theme is only a parse."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import textual.css.stylesheet as textual_stylesheet
from helpers import drive
from peersnap.tui.app import make_app
from peersnap.tui.css_cache import StylesheetCache, cache_file
from textual.css.stylesheet import Stylesheet


def _counting_parses(monkeypatch) -> Counter[str]:  # type: ignore[no-untyped-def]
    parsed: Counter[str] = Counter()
    original = textual_stylesheet.parse

    def counting(scope, css, read_from, **kwargs):  # type: ignore[no-untyped-def]
        parsed[str(read_from)] += 1
        return original(scope, css, read_from, **kwargs)

    monkeypatch.setattr(textual_stylesheet, "parse", counting)
    return parsed


def start(cache: StylesheetCache | None, theme: str = "peersnap-dark") -> str:
    """One start of the dashboard (through the cache, if any): its screenshot."""
    app = make_app(theme=theme)
    if cache is not None:
        cache.install(app.stylesheet)
        app.css_cache = cache
    shot: list[str] = []

    async def look(app, pilot):  # type: ignore[no-untyped-def]
        shot.append(app.export_screenshot())

    drive(look, app=app)
    return shot[0]


def test_a_second_start_parses_nothing_and_looks_the_same(tmp_path, monkeypatch):
    parsed = _counting_parses(monkeypatch)
    plain = start(None)
    path = tmp_path / "stylesheets.pickle"
    first = start(StylesheetCache(path))
    assert path.exists()  # written at the dashboard's mount, before the first frame
    assert any("peersnap.tcss" in source for source in parsed)
    parsed.clear()
    second = start(StylesheetCache(path))
    assert sum(parsed.values()) == 0, parsed
    assert plain == first == second


def test_a_second_start_parses_no_style_string_of_the_first_frame(tmp_path, monkeypatch):
    """The widgets' style strings (`bold $accent`, `@click=...`) are kept too, after the first frame:
    the first parsed in a start tokenizes every theme variable."""
    path = tmp_path / "stylesheets.pickle"
    plain = start(None)
    parsed: list[str] = []
    original = textual_stylesheet.parse_style

    def counting(text, *args):  # type: ignore[no-untyped-def]
        parsed.append(text)
        return original(text, *args)

    monkeypatch.setattr(textual_stylesheet, "parse_style", counting)
    first = start(StylesheetCache(path))
    assert any("$accent" in text for text in parsed), parsed  # (the key bar's keys)
    parsed.clear()
    second = start(StylesheetCache(path))
    assert parsed == [] and plain == first == second
    light = start(StylesheetCache(path), theme="peersnap-light")  # other variables: parsed again
    assert any("$accent" in text for text in parsed) and light == start(None, theme="peersnap-light")


def test_another_theme_is_parsed_and_kept_beside_the_first(tmp_path, monkeypatch):
    path = tmp_path / "stylesheets.pickle"
    dark = start(StylesheetCache(path))
    parsed = _counting_parses(monkeypatch)
    light = start(StylesheetCache(path), theme="peersnap-light")
    assert any("peersnap.tcss" in source for source in parsed)  # its variables differ: a miss
    assert light != dark and light == start(None, theme="peersnap-light")
    parsed.clear()
    assert start(StylesheetCache(path)) == dark and start(StylesheetCache(path), theme="peersnap-light") == light
    assert sum(parsed.values()) == 0


def run_start(path, theme: str = "peersnap-dark") -> None:
    """One start as the command line's dashboard makes it: its cache saved again at the end."""
    cache = StylesheetCache(path)
    start(cache, theme)
    cache.save(final=True)


def kept_sources(path) -> set[str]:
    return {str(key[0])[:30] for key in pickle.loads(path.read_bytes()) if key[0] not in ("style", "toml", "ages")}


def test_what_goes_unused_for_max_age_starts_is_let_go_and_what_is_used_stays(tmp_path):
    """Each start reads the whole file: a stale entry (an older peersnap's stylesheet, a style string no
    widget names now) is dropped after MAX_AGE starts without it; what each start uses stays at age 0."""
    from peersnap.tui import css_cache

    path = tmp_path / "stylesheets.pickle"
    run_start(path)
    stale = ("Screen { background: red; }", ("old-peersnap.tcss", ""), False, 0, "", ())
    kept = pickle.loads(path.read_bytes())
    kept[stale] = kept[next(key for key in kept if key[0] not in ("style", "toml", "ages"))]
    path.write_bytes(pickle.dumps(kept))
    for count in range(1, css_cache.MAX_AGE + 2):
        run_start(path)
        on_file = pickle.loads(path.read_bytes())
        ages = on_file[css_cache.AGES]
        assert (stale in on_file) is (count <= css_cache.MAX_AGE), count
        assert stale not in on_file or ages[stale] == count
        assert {age for key, age in ages.items() if key != stale} == {0}
        assert set(ages) == set(on_file) - {css_cache.AGES}


def test_a_theme_chosen_now_and_then_is_kept_with_its_age(tmp_path):
    from peersnap.tui import css_cache

    path = tmp_path / "stylesheets.pickle"
    run_start(path)
    run_start(path, "peersnap-light")
    both = set(pickle.loads(path.read_bytes()))
    for _ in range(3):
        run_start(path)
    on_file = pickle.loads(path.read_bytes())
    ages = on_file[css_cache.AGES]
    assert set(on_file) == both and set(ages.values()) == {0, 3}
    light_only = {key for key, age in ages.items() if age == 3}
    assert any(key[0] not in ("style", "toml") for key in light_only)  # (its stylesheet, with its variables)
    assert start(StylesheetCache(path), theme="peersnap-light") == start(None, theme="peersnap-light")


def test_a_start_that_uses_every_entry_writes_nothing_more(tmp_path):
    path = tmp_path / "stylesheets.pickle"
    run_start(path)
    run_start(path)  # (the ages of what the first start did not read again, once)
    written = path.stat().st_mtime_ns, path.read_bytes()
    run_start(path)
    assert (path.stat().st_mtime_ns, path.read_bytes()) == written


def test_ages_that_are_not_counts_are_read_as_just_used(tmp_path):
    path = tmp_path / "stylesheets.pickle"
    run_start(path)
    kept = pickle.loads(path.read_bytes())
    kept[("ages",)] = {key: "old" for key in kept}
    path.write_bytes(pickle.dumps(kept))
    assert start(StylesheetCache(path)) == start(None)
    cache = StylesheetCache(path)
    start(cache)
    cache.save(final=True)
    assert all(type(age) is int for age in pickle.loads(path.read_bytes())[("ages",)].values())


def test_a_corrupt_or_foreign_cache_is_parsed_as_if_there_were_none_and_replaced(tmp_path):
    plain = start(None)
    path = tmp_path / "stylesheets.pickle"
    for junk in (b"not a pickle", pickle.dumps(["a list"]), b""):
        path.write_bytes(junk)
        assert start(StylesheetCache(path)) == plain
        assert isinstance(pickle.loads(path.read_bytes()), dict)


def test_a_cache_that_cannot_be_written_costs_only_the_parse(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder would be")
    cache = StylesheetCache(blocked / "peersnap" / "stylesheets.pickle")
    assert start(cache) == start(None)
    assert not (blocked / "peersnap").exists() and not list(tmp_path.glob(".stylesheets-*"))


def test_css_with_errors_is_never_kept(tmp_path):
    cache = StylesheetCache(tmp_path / "stylesheets.pickle")
    stylesheet = Stylesheet()
    cache.install(stylesheet)
    stylesheet.add_source("Screen { colour: red; }", read_from=("bad.tcss", ""))
    try:
        stylesheet.parse()
    except Exception:  # noqa: BLE001 - Textual's own error, as without the cache
        pass
    cache.save()
    assert not (tmp_path / "stylesheets.pickle").exists()


def test_only_the_command_lines_dashboard_keeps_a_cache_not_a_classroom_seat(tmp_path):
    probe = ("import sys\n"
             "import peersnap.tui.cli as cli, peersnap.tui.app as app\n"
             "seen = []\n"
             "app.PeersnapApp.run = lambda self: seen.append(self.css_cache)\n"
             "cli.main(['--paused'])\n"
             "print(type(seen[0]).__name__, seen[0].path if seen[0] else '')\n")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_STATE_HOME": str(tmp_path / "state"),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    mine = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert mine.stdout.split() == ["StylesheetCache", str(tmp_path / "cache" / "peersnap" / cache_file().name)]
    seat = subprocess.run([sys.executable, "-c", probe], env={**env, "PEERSNAP_CLASSROOM": "1"},
                          capture_output=True, text=True, timeout=60)
    assert seat.stdout.split() == ["NoneType"], seat.stderr
    assert Path(cache_file().parent.name) == Path("peersnap")


def test_the_toml_a_start_reads_is_kept_and_the_next_start_imports_no_tomllib(tmp_path):
    """The scenario, the themes and the settings a dashboard's start reads: kept by their text in the same
    file, given back as fresh copies, so that a second start never imports tomllib."""
    config = tmp_path / "config.toml"
    config.write_text('theme = "peersnap-light"\nspeed = 10\n', encoding="utf-8")
    probe = ("import sys\n"
             "from pathlib import Path\n"
             "from peersnap.core.textfile import remember_parses\n"
             "from peersnap.tui.css_cache import StylesheetCache\n"
             "cache = StylesheetCache(Path(sys.argv[1]))\n"
             "remember_parses(cache)\n"
             "import peersnap.tui.cli, peersnap.tui.app\n"
             "from peersnap.tui import settings\n"
             "from peersnap.tui.launch import prepare\n"
             "from peersnap.tui.themes import bundled_themes\n"
             "prepare(None, None, None, allow_files=True)\n"
             "themes = bundled_themes()\n"
             "print(settings.load(Path(sys.argv[2])), len(themes), 'tomllib' in sys.modules)\n"
             "cache.save()\n")
    runs = [subprocess.run([sys.executable, "-c", probe, str(tmp_path / "cache.pickle"), str(config)], check=False,
                           capture_output=True, text=True, timeout=60) for _ in range(2)]
    assert [run.returncode for run in runs] == [0, 0], runs[0].stderr + runs[1].stderr
    first, second = (run.stdout.strip() for run in runs)
    assert first.endswith(" 3 True") and second == first.replace(" True", " False")
    assert "theme='peersnap-light', speed=10" in first


def test_a_kept_toml_document_is_a_fresh_copy_and_a_broken_one_is_not_kept(tmp_path):
    from peersnap.core import textfile

    cache = StylesheetCache(tmp_path / "cache.pickle")
    textfile.remember_parses(cache)
    try:
        first = textfile.parse_toml("[a]\nb = [1, 2]\n")
        first["a"]["b"].append(3)
        assert textfile.parse_toml("[a]\nb = [1, 2]\n") == {"a": {"b": [1, 2]}}
        for broken in ("a = ", "a = " + "[" * 5000 + "]" * 5000):
            with pytest.raises(textfile.TextFileError) as raised:
                textfile.parse_toml(broken)
            textfile.remember_parses(None)
            with pytest.raises(textfile.TextFileError) as plain:
                textfile.parse_toml(broken)
            textfile.remember_parses(cache)
            assert str(raised.value) == str(plain.value)
            assert cache.recall(broken) is None
        assert cache.recall("x = 1\n" + "#" * (64 * 1024)) is None
        textfile.parse_toml("x = 1\n" + "#" * (64 * 1024))
        assert cache.recall("x = 1\n" + "#" * (64 * 1024)) is None  # too long to keep
    finally:
        textfile.remember_parses(None)
