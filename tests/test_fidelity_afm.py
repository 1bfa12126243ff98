"""Issue 11 (Fidelity II), second part: mmafmconfig's control file and export maps, the
unlink-and-relink rule, IW-to-SW conversion, and home halves taken as fileset snapshots.
Each test quotes the IBM text it relies on; where IBM is silent the docstring says that
peersnap chooses (docs/simulator.md lists every choice)."""

from __future__ import annotations

import pytest
from command_runs import FAILED, fails, ok
from command_runs import FIRST_PSNAP as PSNAP
from peersnap.core.scenario import ScenarioError, load, parse
from peersnap.core.session import Session


def seed_with(old: str, new: str) -> Session:
    """The seed scenario with one piece of its TOML replaced."""
    text = load().source
    with open(text, encoding="utf-8") as f:
        toml = f.read()
    assert old in toml
    return Session(parse(toml.replace(old, new, 1), "seed-variant.toml"))


# -- mmafmconfig enable/disable: ExportPath/.afm/.afmctl ----------------------------------------------


def test_mmafmconfig_enable_creates_and_disable_removes_the_afm_control_file():
    """IBM Storage Scale 6.0.1, "mmafmconfig command"
    (https://www.ibm.com/docs/en/storage-scale/6.0.1?topic=reference-mmafmconfig-command):
    "Running this command creates the .afm directory that contains the control-enabled,
    directio '.afmctl' file. The mmafmconfig disable command removes the .afm directory from
    the home export or target path". What enable and disable print on success: IBM is
    silent; peersnap prints nothing (a choice). `.afm` is a dot name: `ls -a` shows it,
    plain `ls` does not, and it is AFM's, never replicated or compared."""
    session = Session()
    assert ok(session, "@home ls -a /gpfs/fs1/sw") == [".afm/", "README", "data/"]
    assert ok(session, "@home ls /gpfs/fs1/sw") == ["README", "data/"]
    assert ok(session, "@home ls -a /gpfs/fs1/sw/.afm") == [".afmctl"]
    assert ok(session, "@home mmafmconfig disable /gpfs/fs1/sw") == []
    assert ok(session, "@home ls -a /gpfs/fs1/sw") == ["README", "data/"]
    assert session.run("@home ls -a /gpfs/fs1/sw/.afm").rc == 1
    assert ok(session, "@home mmafmconfig enable /gpfs/fs1/sw") == []
    assert ok(session, "@home ls -a /gpfs/fs1/sw/.afm") == [".afmctl"]
    # AFM's directory is not the user's: writing in it is refused and changes nothing
    assert fails(session, "@home mkdir /gpfs/fs1/sw/.afm/x") == [
        ("mkdir: cannot create directory '/gpfs/fs1/sw/.afm/x': Operation not permitted (.afm is AFM's control "
        "directory: mmafmconfig enable and disable manage it)")]
    # never replicated: a psnap pair of the export is still identical
    ok(session, "mmunlinkfileset fs1 sw")
    ok(session, "mmlinkfileset fs1 sw -J /gpfs/fs1/sw")
    ok(session, "mmpsnap fs1 create -j sw")
    ok(session, "sim settle")
    assert session.engine.world.filesets["sw"].psnaps[PSNAP].identical is True


def test_enabling_after_the_fileset_was_linked_needs_an_unlink_and_relink():
    """IBM Spectrum Scale 5.0.4, "mmafmconfig command": "Ensure that you run mmafmconfig
    enable at home fileset before the cache fileset is linked. As an administrator, if you
    run this command at home after linking fileset at cache, unlink and relink fileset at
    cache." Until then the psnap is refused with IBM's generic psnap failure (6027-2224,
    which the catalogue ties to the AFM target configuration) and a plain line naming the
    cause (the same choice as for a home that never ran enable)."""
    session = Session()
    ok(session, "@home mmafmconfig disable /gpfs/fs1/sw")
    ok(session, "@home mmafmconfig enable /gpfs/fs1/sw")
    assert fails(session, "mmpsnap fs1 create -j sw") == [
        "mmpsnap: 6027-2224 [E] Peer snapshot creation failed. Error code 2.",
        ("mmpsnap: AFM was enabled at home for /gpfs/fs1/sw after fileset sw was linked: unlink and relink fileset sw "
        "at the cache (mmunlinkfileset fs1 sw, then mmlinkfileset fs1 sw -J /gpfs/fs1/sw)."),
        f"mmpsnap: {FAILED}",
    ]
    assert ok(session, "mmunlinkfileset fs1 sw") == ["Fileset sw unlinked."]
    assert ok(session, "mmlinkfileset fs1 sw -J /gpfs/fs1/sw") == ["Fileset sw linked at /gpfs/fs1/sw"]
    assert ok(session, "mmpsnap fs1 create -j sw")[-1] == "Core snapshot has been queued."


def test_a_fileset_linked_while_home_had_afm_enabled_needs_no_relink():
    """The same IBM sentence read the other way: enabled before the link, nothing to do."""
    session = Session()
    assert ok(session, "mmpsnap fs1 create -j sw")[-1] == "Core snapshot has been queued."


# -- mmafmconfig show: the cache's export maps -------------------------------------------------------


def test_mmafmconfig_show_lists_the_export_maps_at_the_cache():
    """IBM Spectrum Scale 5.0.4, "mmafmconfig command": synopsis `mmafmconfig show [-Y]
    [MapName | all]`; "You can also use the mmafmconfig command with add, update, delete, or
    show options on the cache site to manage mapping of gateway node with home NFS servers
    for parallel data transfers." The table's layout and the -Y field names are not in IBM's
    reachable text: peersnap's two columns and `mapName:exportServerMap` are a choice.
    `enable`/`disable` run at home, `show` at the cache: each refused on the other cluster."""
    session = Session()
    assert ok(session, "mmafmconfig show") == [
        "Map name             Export server map",
        "map1                 home1/gw1",
    ]
    assert ok(session, "mmafmconfig show map1") == ok(session, "mmafmconfig show all")
    assert ok(session, "mmafmconfig show -Y") == [
        "mmafmconfig::HEADER:version:reserved:reserved:mapName:exportServerMap:",
        "mmafmconfig::0:1:::map1:home1%2Fgw1:",
    ]
    assert fails(session, "mmafmconfig show nosuch") == [
        "mmafmconfig: Map nosuch does not exist (export maps: map1).", f"mmafmconfig: {FAILED}"]
    assert fails(session, "@home mmafmconfig show") == [
        ("mmafmconfig: show lists the cache's export maps (gateway nodes to home NFS servers); run it at the cache "
        "(mmafmconfig show without @home)."), f"mmafmconfig: {FAILED}"]
    assert fails(session, "mmafmconfig enable /gpfs/fs1/sw") == [
        ("mmafmconfig: This is the cache cluster; mmafmconfig enable and disable run at home, where the exports are "
        "(@home mmafmconfig enable /gpfs/fs1/sw)."), f"mmafmconfig: {FAILED}"]


def test_export_maps_key_is_checked_with_a_one_line_error():
    """A scenario's `cache.export_maps` must be `ExportServer/GatewayNode[,...]` strings."""
    with pytest.raises(ScenarioError) as err:
        seed_with('export_maps = { map1 = "home1/gw1" }', 'export_maps = { map1 = "home1" }')
    assert str(err.value) == ("seed-variant.toml: key 'cache.export_maps.map1': expected "
                              "'ExportServer/GatewayNode[,ExportServer/GatewayNode...]', got 'home1'")


# -- IW to SW -------------------------------------------------------------------------------------------

TWO_IW = """
[[fileset]]
name = "iw2"
id = 64
mode = "iw"
target = "nfs://home1/gpfs/fs1/iw"
"""


def test_iw_to_sw_needs_the_other_iw_caches_of_that_home_converted_first():
    """IBM Storage Scale 5.2.3, "Conversion of mode"
    (https://www.ibm.com/docs/en/storage-scale/5.2.3?topic=concepts-conversion-mode):
    "Before you convert a fileset from the IW mode to the SW mode, ensure that all the
    remaining IW filesets are converted to either RO or LU. This conversion is necessary to
    avoid home conflicts that are caused by writers from other IW filesets." IBM prints no
    message for it: the text is peersnap's (a choice)."""
    session = seed_with('[[fileset]]\nname = "lu"', TWO_IW.lstrip() + '\n[[fileset]]\nname = "lu"')
    ok(session, "mmunlinkfileset fs1 iw")
    assert fails(session, "mmchfileset fs1 iw -p afmMode=sw") == [
        ("mmchfileset: Fileset iw cannot be converted from independent-writer to single-writer while fileset iw2 of "
        "the same home (/gpfs/fs1/iw) is still independent-writer; convert them to ro or lu first."),
        f"mmchfileset: {FAILED}",
    ]
    ok(session, "mmunlinkfileset fs1 iw2")
    assert ok(session, "mmchfileset fs1 iw2 -p afmMode=ro") == ["Fileset iw2 changed."]
    assert ok(session, "mmchfileset fs1 iw -p afmMode=sw") == ["Fileset iw changed."]


# -- the home half as a fileset snapshot ----------------------------------------------------------------


def test_home_half_is_a_fileset_snapshot_when_the_export_is_an_independent_fileset():
    """IBM, "mmpsnap command": the home snapshot "could be fileset level or file system
    level, depending on whether the exported path is an independent fileset or file
    system". The scenario's `[[export]] fileset = true` says the export is an independent
    fileset at home: `@home mmlssnapshot fs1` then shows the home half with its Fileset
    column filled (the seed's sample shows the file-system-level case, an empty column)."""
    session = seed_with('path = "/gpfs/fs1/sw"\nmmafmconfig = true', 'path = "/gpfs/fs1/sw"\nmmafmconfig = true\nfileset = true')
    ok(session, "mmpsnap fs1 create -j sw")
    ok(session, "sim settle")
    assert ok(session, "@home mmlssnapshot fs1") == [
        "Snapshots in file system fs1:",
        "Directory                SnapId    Status  Created                   Fileset",
        f"{PSNAP} 8         Valid   Thu Oct 27 02:23:16 2016  sw",
    ]
    assert ok(session, "@home ls /gpfs/fs1/sw/.snapshots") == [f"{PSNAP}/"]


def test_export_fileset_key_is_checked_with_a_one_line_error():
    with pytest.raises(ScenarioError) as err:
        seed_with('mmafmconfig = true', 'mmafmconfig = true\nfileset = "yes"')
    assert str(err.value) == ("seed-variant.toml: key 'export[0].fileset': expected true (the export is an independent "
                              "fileset at home) or false (a plain directory), got 'yes'")
