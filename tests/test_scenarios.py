"""Scenario files: every bundled one loads and builds; a broken one is refused
with one clear message naming the file and the key (or line)."""

import pytest
from peersnap.core import scenario as scenarios
from peersnap.core.scenario import ScenarioError, bundled, parse
from peersnap.core.session import Session
from peersnap.tui.cli import main

GOOD = """
title = "t"
[cache]
cluster_id = "1"
clock = "2016-10-27 02:27:28"
[home]
[filesystem]
[[fileset]]
name = "sw"
id = 59
mode = "sw"
target = "nfs://home1/gpfs/fs1/sw"
[[export]]
path = "/gpfs/fs1/sw"
"""


def test_the_bundled_scenarios_include_the_seed_and_four_more():
    assert {"seed", "rules-tour", "disconnect-drill", "busy-gateway", "clock-skew"} <= set(bundled())


@pytest.mark.parametrize("name", sorted(bundled()))
def test_each_bundled_scenario_has_a_title_and_description_and_runs(name):
    loaded = scenarios.load(name)
    assert loaded.title and loaded.description
    session = Session(loaded)
    assert session.run("mmafmctl fs1 getstate").rc == 0
    assert session.run("mmpsnap fs1 create -j sw").rc == 0
    assert session.run("sim settle").rc == 0


def test_the_default_scenario_is_the_seed_file():
    assert scenarios.load().source.endswith("seed.toml")


def test_a_minimal_scenario_builds():
    session = Session(parse(GOOD, "good.toml"))
    assert session.run("mmpsnap fs1 create -j sw").rc == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title = ", "good.toml: TOML syntax error"),
        ("colour = 1\n" + GOOD, "unknown key 'colour'"),
        (GOOD + "colour = 1\n", "unknown key 'export[0].colour'"),
        (GOOD.replace('id = 59', 'id = "59"'), "key 'fileset[0].id': expected an integer fileset id"),
        (GOOD.replace('mode = "sw"', 'mode = "xx"'), "key 'fileset[0].mode': expected one of sw, ro, iw, lu"),
        (GOOD.replace("nfs://home1/gpfs/fs1/sw", "ftp://x"), "key 'fileset[0].target'"),
        (GOOD.replace('path = "/gpfs/fs1/sw"', 'path = "/gpfs/fs1/other"'), "key 'export[0].path'"),
        (GOOD.replace('clock = "2016-10-27 02:27:28"', 'clock = "yesterday"'), "key 'cache.clock'"),
        (GOOD.replace("[home]", "[home]\nskew_seconds = true"), "key 'home.skew_seconds'"),
        (GOOD.replace("[home]", "[homes]\n[home]"), "unknown key 'homes'"),
        ("home = 3\n" + GOOD.replace("[home]\n", ""), "key 'home': expected a table"),
        (GOOD + '[[fault]]\nat = "1m"\nlink = "sideways"\n', "key 'fault[0].link': expected 'up' or 'down'"),
        (GOOD.replace('target = "nfs://home1/gpfs/fs1/sw"', 'target = "nfs://home1/gpfs/fs1/a/b"'), "directly under /gpfs/fs1"),
    ],
)
def test_broken_scenarios_name_the_file_and_key(text, message):
    with pytest.raises(ScenarioError) as info:
        parse(text, "good.toml")
    assert str(info.value).startswith("good.toml")
    assert message in str(info.value)


def test_a_broken_scenario_file_exits_2_from_the_cli_and_runs_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace('mode = "sw"', "mode = 3"))
    script = tmp_path / "s.txt"
    script.write_text("mmpsnap fs1 create -j sw\n")
    assert main(["run", str(script), "--scenario", str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "bad.toml" in captured.err and "fileset[0].mode" in captured.err


def test_an_unknown_scenario_name_lists_the_bundled_ones(capsys):
    assert main(["run", "-", "--scenario", "nosuch"]) == 2
    assert "seed" in capsys.readouterr().err


def test_fault_schedule_flaps_the_link():
    session = Session(scenarios.load("disconnect-drill"))
    session.run("sim advance 70s")
    assert not session.engine.world.link_up
    session.run("sim advance 2m")
    assert session.engine.world.link_up
