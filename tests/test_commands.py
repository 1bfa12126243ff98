"""Every command and option of the language, as a user types them.

GPFS commands print the real commands' formats (afm-reference.md); file
commands read like coreutils; `sim` drives the simulator. The last part feeds
every kind of bad input and checks the answer is a short error in the
command's own voice, a non-zero status, and an unchanged world.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from command_runs import FAILED, fails, ok
from peersnap.core.commands import REGISTRY
from peersnap.core.events import OpsFlushed
from peersnap.core.model import CacheState
from peersnap.core.scenario import parse
from peersnap.core.session import Session
from peersnap.core.tree import DIR

SEED_TOML = (Path(__file__).resolve().parent.parent / "core" / "scenarios" / "seed.toml").read_text(encoding="utf-8")
SW = "/gpfs/fs1/sw"


def live_ops(session: Session, fileset: str = "sw") -> list[tuple[str, str]]:
    """The live queued ops of a fileset, as (kind, path)."""
    return [(op.kind, op.path) for op in session.engine.world.filesets[fileset].queue]


def tree_items(tree) -> dict:
    return {path: ("DIR" if content is DIR else content) for path, content in tree.items()}


# -- mmlssnapshot, mmcrsnapshot, mmdelsnapshot -------------------------------------------


def test_mmlssnapshot_with_no_snapshots():
    assert ok(Session(), "mmlssnapshot fs1") == ["No snapshots in file system fs1."]


def test_mmcrsnapshot_of_a_fileset_prints_the_real_format():
    session = Session()
    assert ok(session, "mmcrsnapshot fs1 sw:before -j sw") == [
        "Flushing dirty data for snapshot sw:before...",
        "Quiescing all file system operations.",
        "Snapshot sw:before created with id 8.",
    ]


def test_mmdelsnapshot_of_a_fileset_snapshot_prints_the_real_format():
    session = Session()
    ok(session, "mmcrsnapshot fs1 sw:before -j sw")
    assert ok(session, "mmdelsnapshot fs1 sw:before -j sw") == [
        "Invalidating snapshot files in sw:before...",
        "Deleting files in snapshot",
        "  100.00 % complete on Thu Oct 27 02:27:29 2016  (65920 inodes with total   0 MB data processed)",
        "Invalidating snapshot files in sw:before/F/...",
        "Delete snapshot sw:before successful.",
    ]
    assert ok(session, "mmlssnapshot fs1") == ["No snapshots in file system fs1."]


def test_snapshot_ids_count_up_per_cluster_and_quiescing_takes_a_second():
    session = Session()
    ok(session, "mmcrsnapshot fs1 a -j sw")
    ok(session, "mmcrsnapshot fs1 b")
    assert ok(session, "@home mmcrsnapshot fs1 h")[-1] == "Snapshot :h created with id 8."
    assert session.engine.now == 3_000_000
    rows = ok(session, "mmlssnapshot fs1")[2:]
    assert [row.split()[:2] for row in rows] == [["a", "8"], ["b", "9"]]
    assert rows[0].endswith(" sw") and rows[1].endswith("2016")


def test_mmlssnapshot_dash_j_lists_one_fileset():
    session = Session()
    ok(session, "mmcrsnapshot fs1 a -j sw")
    ok(session, "mmcrsnapshot fs1 b -j iw")
    assert [row.split()[0] for row in ok(session, "mmlssnapshot fs1 -j iw")[2:]] == ["b"]
    assert [row.split()[0] for row in ok(session, "mmlssnapshot /dev/fs1")[2:]] == ["a", "b"]


def test_a_global_snapshot_needs_no_dash_j_to_delete_but_a_fileset_snapshot_does():
    session = Session()
    ok(session, "mmcrsnapshot fs1 a -j sw")
    assert fails(session, "mmdelsnapshot fs1 a") == [
        "mmdelsnapshot: 6027-2684 File system fs1 does not contain global snapshot a, err = 2",
        "mmdelsnapshot: Snapshot a is a snapshot of fileset sw: use sw:a or -j sw.",
        f"mmdelsnapshot: {FAILED}",
    ]
    ok(session, "mmcrsnapshot fs1 g")
    ok(session, "mmdelsnapshot fs1 g")


def test_mmcrsnapshot_refuses_a_duplicate_name_and_an_unlinked_fileset():
    session = Session()
    ok(session, "mmcrsnapshot fs1 a -j sw")
    assert fails(session, "mmcrsnapshot fs1 a -j sw")[0] == "mmcrsnapshot: Snapshot sw:a already exists."
    ok(session, "mmunlinkfileset fs1 iw")
    assert fails(session, "mmcrsnapshot fs1 b -j iw")[0] == "mmcrsnapshot: Fileset iw is not linked."


# -- snapshot directories ----------------------------------------------------------------


def test_fileset_snapshots_are_readable_under_the_filesets_snapshots_dir():
    session = Session()
    ok(session, "mmcrsnapshot fs1 before -j sw")
    ok(session, f"echo changed > {SW}/README")
    ok(session, f"rm {SW}/data/report.txt")
    assert ok(session, f"ls {SW}/.snapshots") == ["before/"]
    assert ok(session, f"ls {SW}/.snapshots/before") == ["README", "data/"]
    assert ok(session, f"cat {SW}/.snapshots/before/README") == ["Single-writer cache of home1:/gpfs/fs1/sw"]
    assert ok(session, f"cat {SW}/.snapshots/before/data/report.txt") == ["Q3 numbers"]
    assert ok(session, f"cat {SW}/README") == ["changed"]


def test_global_snapshots_are_under_the_mount_with_one_directory_per_tree():
    session = Session()
    ok(session, "@home mmcrsnapshot fs1 nightly")
    ok(session, "@home echo gone > /gpfs/fs1/iw/README")
    assert ok(session, "@home ls /gpfs/fs1/.snapshots") == ["nightly/"]
    assert ok(session, "@home ls /gpfs/fs1/.snapshots/nightly") == ["iw/", "lu/", "ro/", "sw/", "swnsd/"]
    assert ok(session, "@home cat /gpfs/fs1/.snapshots/nightly/iw/README") == ["Independent-writer cache"]


@pytest.mark.parametrize("line", [
    f"echo x > {SW}/.snapshots/s/new",
    f"echo x >> {SW}/.snapshots/s/README",
    f"rm {SW}/.snapshots/s/README",
    f"rm -r {SW}/.snapshots/s/data",
    f"mkdir {SW}/.snapshots/s/d",
    f"touch {SW}/.snapshots/s/t",
    f"mv {SW}/.snapshots/s/README {SW}/.snapshots/s/R2",
    f"mv {SW}/.snapshots/s/README {SW}/README2",
    "echo x > /gpfs/fs1/.snapshots/g/sw/README",
    "rmdir /gpfs/fs1/.snapshots/g/sw/data",
])
def test_snapshot_directories_are_read_only(line):
    session = Session()
    ok(session, "mmcrsnapshot fs1 s -j sw")
    ok(session, "mmcrsnapshot fs1 g")
    lines = fails(session, line)
    assert len(lines) == 1 and "Read-only file system" in lines[0]


def test_the_snapshots_dir_shows_with_ls_dash_a():
    session = Session()
    assert ok(session, f"ls {SW}") == ["README", "data/"]
    assert ok(session, f"ls -a {SW}") == [".snapshots/", "README", "data/"]
    assert ok(session, "ls -a /gpfs/fs1")[0] == ".snapshots/"
    assert ok(session, "@home ls -a /gpfs/fs1")[0] == ".snapshots/"


# -- mmafmctl -------------------------------------------------------------------------------------


def getstate(session: Session, fileset: str = "sw") -> list[str]:
    """getstate's row for `fileset`, as cells (the target has no spaces)."""
    row = ok(session, f"mmafmctl fs1 getstate -j {fileset}")[2]
    return row.split()


def test_getstate_prints_the_six_columns_aligned():
    lines = ok(Session(), "mmafmctl fs1 getstate")
    assert lines[0] == (
        "Fileset Name    Fileset Target                                Cache State          Gateway Node    "
        "Queue Length   Queue numExec"
    )
    assert lines[1] == (
        "------------    --------------                                -------------        ------------    "
        "------------   -------------"
    )
    assert lines[2] == (
        "sw              nfs://home1/gpfs/fs1/sw                       Active               gw1             0              0"
    )
    assert [line.split()[0] for line in lines[2:]] == ["sw", "ro", "iw", "lu", "swnsd"]
    for line in lines[2:]:
        assert line[16:62].rstrip() == line.split()[1]  # the Target column starts at 16, 46 wide
        assert line[62:83].rstrip() == line.split()[2]  # then Cache State, 21 wide


def test_getstate_active_then_dirty_then_active_again():
    session = Session()
    assert getstate(session) == ["sw", "nfs://home1/gpfs/fs1/sw", "Active", "gw1", "0", "0"]
    ok(session, f"echo x > {SW}/a")
    ok(session, f"echo y > {SW}/b")
    assert getstate(session)[2:] == ["Dirty", "gw1", "2", "0"]
    ok(session, "sim settle")
    assert getstate(session)[2:] == ["Active", "gw1", "0", "2"]


def test_getstate_disconnected_only_after_the_60_second_timeout():
    session = Session()
    ok(session, f"echo x > {SW}/a")
    ok(session, "sim link down")
    ok(session, "sim advance 59s")
    assert getstate(session)[2] == "Dirty"
    ok(session, "sim advance 1s")
    assert getstate(session)[2] == "Disconnected"
    assert getstate(session, "iw")[2] == "Disconnected"
    ok(session, "sim link up")
    assert getstate(session)[2] == "Dirty"


def test_getstate_an_nsd_fileset_goes_unmounted_at_once():
    session = Session()
    ok(session, "sim link down")
    assert getstate(session, "swnsd")[2] == "Unmounted"
    ok(session, "sim advance 5m")
    assert getstate(session, "swnsd")[2] == "Unmounted"
    ok(session, "sim link up")
    assert getstate(session, "swnsd")[2] == "Active"


def test_getstate_stopped_drops_the_queue_and_start_recovers():
    # issue 11: nothing is synchronised while Stopped; start's recovery finds the change
    # again (it was "Stopped holds the queue": 1 queued op)
    session = Session()
    ok(session, f"echo x > {SW}/a")
    assert ok(session, "mmafmctl fs1 stop -j sw") == []
    assert getstate(session)[2:5] == ["Stopped", "gw1", "0"]
    assert fails(session, "mmafmctl fs1 stop -j sw")[0] == "mmafmctl: Fileset sw is already in Stopped state."
    ok(session, "sim advance 1m")
    assert session.engine.world.home.fs.trees["sw"].get("a") is None
    assert ok(session, "mmafmctl fs1 start -j sw") == []
    assert fails(session, "mmafmctl fs1 start -j sw")[0] == "mmafmctl: Fileset sw is not in Stopped state."
    ok(session, "sim settle")
    assert session.engine.world.home.fs.trees["sw"].get("a") == "x\n"


def test_getstate_inactive_in_a_scenario_that_starts_so():
    text = SEED_TOML.replace('mode = "iw"', 'mode = "iw"\nstate = "Inactive"', 1)
    session = Session(parse(text))
    assert getstate(session, "iw")[2] == "Inactive"
    ok(session, "cat /gpfs/fs1/iw/README")
    assert getstate(session, "iw")[2] == "Active"


def test_getstate_needs_resync_once_a_flush_finds_a_home_write():
    session = Session()
    ok(session, "@home touch /gpfs/fs1/sw/x")
    assert getstate(session)[2] == "Active"  # the cache cannot see home until it flushes
    ok(session, "touch /gpfs/fs1/sw/y")
    ok(session, "sim settle")
    assert getstate(session)[2] == "NeedsResync"


def test_mmafmctl_runs_at_the_cache_only():
    lines = fails(Session(), "@home mmafmctl fs1 getstate")
    assert lines[-1] == f"mmafmctl: {FAILED}"


def test_resync_of_a_non_sw_fileset_is_refused():
    lines = fails(Session(), "mmafmctl fs1 resync -j iw")
    assert lines == [
        "mmafmctl: Resync is allowed only for single-writer filesets; iw is independent-writer.",
        f"mmafmctl: {FAILED}",
    ]


def test_flush_pending_on_a_disconnected_fileset_is_refused():
    session = Session()
    ok(session, f"echo x > {SW}/a")
    ok(session, "sim link down")
    ok(session, "sim advance 61s")
    assert fails(session, "mmafmctl fs1 flushPending -j sw")[0] == (
        "mmafmctl: Cannot flush fileset sw: it is in Disconnected state."
    )


def test_a_shorter_async_delay_flushes_now_not_in_the_past():
    session = Session()
    flushed = []
    session.engine.subscribe(lambda e: flushed.append(e) if isinstance(e, OpsFlushed) else None)
    ok(session, f"echo x > {SW}/a")
    ok(session, "sim advance 10s")
    assert ok(session, "mmchfileset fs1 sw -p afmAsyncDelay=1") == ["Fileset sw changed."]
    ok(session, "sim step")
    assert [e.at >= 10_000_000 for e in flushed] == [True]


# -- mmafmconfig ------------------------------------------------------------------------------------


def test_mmafmconfig_enable_and_disable_print_nothing_and_leave_their_control_file():
    # issue 11: `show` lists the cache's export maps now (tests/test_fidelity_afm.py); an
    # export's state shows as its .afm directory at home
    session = Session()
    assert ok(session, "@home mmafmconfig disable /gpfs/fs1/sw") == []
    assert ".afm/" not in ok(session, "@home ls -a /gpfs/fs1/sw")
    assert ".afm/" in ok(session, "@home ls -a /gpfs/fs1/ro")
    assert ok(session, "@home mmafmconfig enable /gpfs/fs1/sw/") == []
    assert ok(session, "@home ls -a /gpfs/fs1/sw")[0] == ".afm/"
    assert ok(session, "@home mmafmconfig enable /gpfs/fs1/sw") == []  # enabling twice is harmless


def test_mmafmconfig_disable_of_a_disabled_export_fails():
    session = Session()
    ok(session, "@home mmafmconfig disable /gpfs/fs1/sw")
    assert fails(session, "@home mmafmconfig disable /gpfs/fs1/sw") == [
        "mmafmconfig: AFM is not enabled for /gpfs/fs1/sw.",
        f"mmafmconfig: {FAILED}",
    ]


def test_mmafmconfig_enable_of_a_new_home_directory_adds_an_export():
    session = Session()
    ok(session, "@home mkdir /gpfs/fs1/projects")
    ok(session, "@home mmafmconfig enable /gpfs/fs1/projects")
    assert session.engine.world.exports["/gpfs/fs1/projects"].afm_enabled
    assert ok(session, "@home ls -a /gpfs/fs1/projects") == [".afm/"]


@pytest.mark.parametrize("line", [
    "mmafmconfig enable /gpfs/fs1/sw",
    "mmafmconfig disable /gpfs/fs1/sw",
])
def test_mmafmconfig_enable_and_disable_run_at_home(line):
    # issue 11: `show` (the export maps) runs at the cache: tests/test_fidelity_afm.py
    lines = fails(Session(), line)
    assert lines == [
        (f"mmafmconfig: This is the cache cluster; mmafmconfig enable and disable run at home, where the exports are "
        f"(@home {line})."),
        f"mmafmconfig: {FAILED}",
    ]


@pytest.mark.parametrize("name", [n for n, c in REGISTRY.items() if c.where != "both"])
def test_where_a_command_runs_is_checked_once_before_anything_else(name):
    """A command declared for one cluster fails on the other with its own reason,
    before its arguments are even looked at, and changes nothing."""
    command = REGISTRY[name]
    other = "cache" if command.where == "home" else "home"
    session = Session()
    before = session.engine.fingerprint()
    result = session.run(f"@{other} {name} --no-such-option")
    assert result.rc == 1 and result.cluster == other
    assert result.lines == command.elsewhere_lines(f"{name} --no-such-option")
    assert result.lines[0].startswith(f"{name}: ") and result.lines[-1] == f"{name}: {FAILED}"
    assert session.engine.fingerprint() == before


# -- mmlsfileset, link, unlink ----------------------------------------------------------------------


def test_mmlsfileset_lists_root_and_every_fileset():
    lines = ok(Session(), "mmlsfileset fs1")
    assert lines[:3] == [
        "Filesets in file system 'fs1':",
        "Name                     Status    Path",
        "root                     Linked    /gpfs/fs1",
    ]
    assert lines[3] == "sw                       Linked    /gpfs/fs1/sw"
    assert all(line == line.rstrip() for line in lines)


def test_mmlsfileset_dash_capital_l_drops_status_and_path_for_the_long_columns():
    lines = ok(Session(), "mmlsfileset fs1 -L")
    assert lines[1].split() == ["Name", "Id", "RootInode", "ParentId", "Created", "InodeSpace", "MaxInodes",
                                "AllocInodes", "Comment"]
    assert lines[3].split()[:4] == ["sw", "59", "131075", "0"]


def test_mmlsfileset_afm_adds_the_target():
    lines = ok(Session(), "mmlsfileset fs1 --afm")
    assert lines[2].split() == ["root", "Linked", "/gpfs/fs1", "-"]
    assert lines[-1].split() == ["swnsd", "Linked", "/gpfs/fs1/swnsd", "gpfs:///gpfs/fs1/swnsd"]


def test_mmlsfileset_one_fileset_with_dash_capital_l_and_afm_prints_its_attributes():
    session = Session()
    ok(session, "mmpsnap fs1 create -j sw")
    lines = ok(session, "mmlsfileset fs1 sw -L --afm")
    assert lines[:4] == ["Filesets in file system 'fs1':", "", "Attributes for fileset sw:", "=========================="]
    attributes = {line[:40].strip(): line[40:] for line in lines[4:] if line}
    assert attributes["Target"] == "nfs://home1/gpfs/fs1/sw"
    assert attributes["Mode"] == "single-writer"
    assert attributes["Async Delay"] == "15 (default)"
    assert attributes["Last pSnapId"] == "8"


def test_mmlsfileset_at_home_shows_only_root():
    assert ok(Session(), "@home mmlsfileset fs1")[2:] == ["root                     Linked    /gpfs/fs1"]


def test_unlink_hides_the_fileset_and_link_brings_it_back():
    session = Session()
    assert ok(session, "mmunlinkfileset fs1 sw") == ["Fileset sw unlinked."]
    assert ok(session, "mmlsfileset fs1 sw")[2].split() == ["sw", "Unlinked", "--"]
    assert "sw/" not in ok(session, "ls /gpfs/fs1")
    assert fails(session, f"ls {SW}") == [f"ls: cannot access '{SW}': No such file or directory (fileset is not linked)"]
    assert fails(session, "mmunlinkfileset fs1 sw")[0] == "mmunlinkfileset: Fileset sw is not linked."
    assert fails(session, "mmlinkfileset fs1 sw -J /gpfs/fs1/elsewhere")[0] == (
        "mmlinkfileset: peersnap links fileset sw at /gpfs/fs1/sw only (got /gpfs/fs1/elsewhere)."
    )
    assert ok(session, f"mmlinkfileset fs1 sw -J {SW}") == ["Fileset sw linked at /gpfs/fs1/sw"]
    assert ok(session, f"ls {SW}") == ["README", "data/"]


def test_mmchfileset_changes_the_target_protocol_of_an_unlinked_fileset():
    session = Session()
    ok(session, "mmunlinkfileset fs1 swnsd")
    assert ok(session, "mmchfileset fs1 swnsd -p afmTarget=nfs://home1/gpfs/fs1/swnsd,afmAsyncDelay=30") == [
        "Fileset swnsd changed."
    ]
    fileset = session.engine.world.filesets["swnsd"]
    assert str(fileset.target) == "nfs://home1/gpfs/fs1/swnsd" and fileset.async_delay_us == 30_000_000
    assert fails(session, "mmchfileset fs1 swnsd -p afmTarget=nfs://home1/gpfs/fs1/nowhere")[0] == (
        "mmchfileset: Target path /gpfs/fs1/nowhere is not a directory directly under /gpfs/fs1 at home."
    )
    assert fails(session, "mmchfileset fs1 swnsd -p afmTarget=ftp://x/y")[0].startswith(
        "mmchfileset: Incorrect value for afmTarget:"
    )


def test_mmchfileset_is_all_or_nothing():
    session = Session()
    ok(session, "mmunlinkfileset fs1 iw")
    fails(session, "mmchfileset fs1 iw -p afmAsyncDelay=30,afmMode=bogus")
    assert session.engine.world.filesets["iw"].async_delay_us == 15_000_000


# -- file operations -----------------------------------------------------------------------------------


def test_ls_lists_sorted_with_slashes_on_directories():
    assert ok(Session(), "ls /gpfs/fs1") == ["iw/", "lu/", "ro/", "sw/", "swnsd/"]
    assert ok(Session(), "ls") == ["iw/", "lu/", "ro/", "sw/", "swnsd/"]


def test_ls_dash_l_shows_modes_and_sizes():
    assert ok(Session(), f"ls -l {SW}") == [
        "-rw-r--r-- 1 root root       42 README",
        "drwxr-xr-x 1 root root        0 data",
    ]


def test_ls_of_a_file_and_of_several_paths():
    """As coreutils' ls: a file operand is listed by the name it was given, files before
    directories, and each directory of several under a `DIR:` header after a blank line
    (`ls README data` prints `README`, a blank line, `data:`, `report.txt`), operands sorted. This was
    `/gpfs/fs1/sw/README:` then `README`, a file shown as if it were a directory."""
    session = Session()
    assert ok(session, f"ls {SW}/README") == [f"{SW}/README"]
    assert ok(session, "ls sw/README") == ["sw/README"]
    assert ok(session, f"ls -l {SW}/README") == [f"-rw-r--r-- 1 root root       42 {SW}/README"]
    assert ok(session, f"ls {SW}/data {SW}/README") == [f"{SW}/README", "", f"{SW}/data:", "report.txt"]
    # operands sorted by name, as coreutils sorts them
    assert ok(session, f"ls {SW}/data {SW}") == [f"{SW}:", "README", "data/", "", f"{SW}/data:", "report.txt"]
    assert ok(session, f"ls {SW}/data/report.txt {SW}/README") == [f"{SW}/README", f"{SW}/data/report.txt"]
    assert fails(session, f"ls {SW}/nope {SW}/README") == [f"{SW}/README", f"ls: cannot access '{SW}/nope': No such file or directory"]


def test_ls_hides_dot_files_unless_dash_a():
    session = Session()
    ok(session, f"echo x > {SW}/.hidden")
    assert ok(session, f"ls {SW}") == ["README", "data/"]
    assert ok(session, f"ls -a {SW}") == [".snapshots/", ".hidden", "README", "data/"]
    assert ok(session, f"ls -la {SW}")[1] == "-rw-r--r-- 1 root root        2 .hidden"


def test_relative_paths_start_at_the_mount():
    assert ok(Session(), "cat sw/data/report.txt") == ["Q3 numbers"]
    assert ok(Session(), f"cat {SW}/data/../README") == ["Single-writer cache of home1:/gpfs/fs1/sw"]


def test_echo_writes_and_appends():
    session = Session()
    assert ok(session, "echo hello   world") == ["hello world"]
    assert ok(session, f"echo 'two  spaces' > {SW}/a") == []
    assert ok(session, f"echo more >> {SW}/a") == []
    assert session.engine.world.cache.fs.trees["sw"].get("a") == "two  spaces\nmore\n"
    ok(session, f"echo -n bare > {SW}/b")
    assert session.engine.world.cache.fs.trees["sw"].get("b") == "bare"
    ok(session, f"echo new >> {SW}/c")  # >> creates a missing file
    assert ok(session, f"cat {SW}/c") == ["new"]
    ok(session, f"echo replaced > {SW}/a")
    assert ok(session, f"cat {SW}/a") == ["replaced"]


def test_echo_redirection_without_a_space():
    session = Session()
    ok(session, f"echo x >{SW}/a")
    ok(session, f"echo y >>{SW}/a")
    assert ok(session, f"cat {SW}/a") == ["x", "y"]


def test_touch_creates_an_empty_file_and_leaves_an_existing_one_alone():
    session = Session()
    ok(session, f"touch {SW}/empty")
    assert ok(session, f"ls -l {SW}/empty") == [f"-rw-r--r-- 1 root root        0 {SW}/empty"]
    before = session.engine.fingerprint()
    ok(session, f"touch {SW}/README")
    assert session.engine.fingerprint() == before


def test_mkdir_p_rm_r_and_rmdir():
    session = Session()
    ok(session, f"mkdir -p {SW}/x/y/z")
    ok(session, f"mkdir -p {SW}/x/y")  # exists: fine with -p
    assert fails(session, f"mkdir {SW}/x") == [f"mkdir: cannot create directory '{SW}/x': File exists"]
    assert fails(session, f"mkdir {SW}/p/q") == [f"mkdir: cannot create directory '{SW}/p/q': No such file or directory"]
    assert fails(session, f"rmdir {SW}/x") == [f"rmdir: failed to remove '{SW}/x': Directory not empty"]
    assert fails(session, f"rm {SW}/x") == [f"rm: cannot remove '{SW}/x': Is a directory"]
    ok(session, f"rmdir {SW}/x/y/z")
    ok(session, f"rm -r {SW}/x")
    assert ok(session, f"ls {SW}") == ["README", "data/"]


def test_rm_f_ignores_a_missing_file():
    session = Session()
    assert ok(session, f"rm -f {SW}/nothing") == []
    assert fails(session, "rm -f /etc/passwd") == ["rm: cannot remove '/etc/passwd': outside the simulated file system /gpfs/fs1"]


def test_mv_renames_files_and_directories_within_a_fileset():
    session = Session()
    ok(session, f"mv {SW}/README {SW}/README.txt")
    ok(session, f"mv {SW}/README.txt {SW}/data")  # into a directory
    ok(session, f"mv {SW}/data {SW}/archive")
    assert ok(session, f"ls {SW}/archive") == ["README.txt", "report.txt"]
    assert fails(session, f"mv {SW}/archive {SW}/archive/inner")[0].endswith("cannot move a directory into itself)")
    assert fails(session, f"mv {SW}/archive/report.txt /gpfs/fs1/iw/report.txt") == [
        f"mv: cannot move '{SW}/archive/report.txt' to '/gpfs/fs1/iw/report.txt': "
        + "Invalid cross-device link (a rename cannot leave its fileset)"
    ]


def test_writes_in_each_mode():
    session = Session()
    assert fails(session, "echo x > /gpfs/fs1/ro/a") == ["echo: /gpfs/fs1/ro/a: Read-only file system (read-only AFM fileset)"]
    ok(session, "echo x > /gpfs/fs1/lu/a")
    assert live_ops(session, "lu") == []  # local updates stay local
    ok(session, "echo x > /gpfs/fs1/iw/a")
    assert live_ops(session, "iw") == [("create", "a")]


def test_file_changes_go_home_after_the_async_delay():
    session = Session()
    ok(session, f"mkdir {SW}/d")
    ok(session, f"echo x > {SW}/d/f")
    ok(session, f"mv {SW}/README {SW}/d/README")
    ok(session, "sim advance 14s")
    assert session.engine.world.home.fs.trees["sw"].get("d") is None
    ok(session, "sim advance 2s")
    engine = session.engine
    assert tree_items(engine.world.home.fs.trees["sw"]) == tree_items(engine.world.cache.fs.trees["sw"])


# -- queue filtering --------------------------------------------------------------------------------------


def test_a_write_then_remove_of_a_new_file_drops_both():
    session = Session()
    ok(session, f"echo x > {SW}/tmp")
    ok(session, f"rm {SW}/tmp")
    assert live_ops(session) == []
    assert getstate(session)[2] == "Active"


def test_a_write_then_remove_of_an_existing_file_keeps_only_the_remove():
    session = Session()
    ok(session, f"echo x > {SW}/README")
    ok(session, f"rm {SW}/README")
    assert live_ops(session) == [("remove", "README")]


def test_mkdir_then_rmdir_drops_both():
    session = Session()
    ok(session, f"mkdir {SW}/d")
    ok(session, f"rmdir {SW}/d")
    assert live_ops(session) == []


def test_mkdir_p_then_rm_r_of_a_whole_new_tree_drops_everything():
    session = Session()
    ok(session, f"mkdir -p {SW}/a/b")
    ok(session, f"echo x > {SW}/a/b/f")
    ok(session, f"rm -r {SW}/a")
    assert live_ops(session) == []


def test_repeated_writes_coalesce_into_one_with_the_latest_data():
    session = Session()
    for word in ("one", "two", "three"):
        ok(session, f"echo {word} >> {SW}/log")
    ops = list(session.engine.world.filesets["sw"].queue)
    assert [(op.kind, op.path, op.data) for op in ops] == [("create", "log", "one\ntwo\nthree\n")]
    ok(session, "sim settle")
    assert session.engine.world.home.fs.trees["sw"].get("log") == "one\ntwo\nthree\n"


def test_nothing_is_filtered_across_a_psnap_marker():
    session = Session()
    ok(session, f"echo one > {SW}/f")
    ok(session, f"mkdir {SW}/d")
    ok(session, "mmpsnap fs1 create -j sw")
    ok(session, f"echo two > {SW}/f")
    ok(session, f"rm {SW}/f")
    ok(session, f"rmdir {SW}/d")
    # after the marker, "two" is dropped by the remove as usual; before it, nothing is touched
    assert live_ops(session) == [("create", "f"), ("mkdir", "d"), ("psnap", ""), ("remove", "f"), ("rmdir", "d")]
    ok(session, "sim settle")
    name = next(iter(session.engine.world.filesets["sw"].psnaps))
    assert ok(session, f"@home cat /gpfs/fs1/.snapshots/{name}/sw/f") == ["one"]
    assert ok(session, f"@home ls /gpfs/fs1/.snapshots/{name}/sw/d") == []


def test_filtering_is_announced():
    session = Session()
    seen = []
    session.engine.subscribe(lambda e: seen.append(e.describe()) if type(e).__name__ == "OpDropped" else None)
    ok(session, f"echo x > {SW}/tmp")
    ok(session, f"rm {SW}/tmp")
    assert seen == ["filtered #1 create tmp: write undone by remove"]


# -- sim ---------------------------------------------------------------------------------------------------


def test_sim_link_down_and_up():
    session = Session()
    assert ok(session, "sim link down") == ["Link to home is down."]
    assert ok(session, "sim link down") == ["Link to home was already down."]
    assert ok(session, "sim link up") == ["Link to home is up."]
    assert ok(session, "sim link up") == ["Link to home was already up."]


def test_sim_advance_reports_what_happened():
    session = Session()
    ok(session, f"echo x > {SW}/a")
    lines = ok(session, "sim advance 30s")
    assert lines == [
        "Advanced 30s to Thu Oct 27 02:27:58 2016 (cache).",
        "  02:27:43  sw: flushed #1 to home (2 B)",
        "  02:27:43  sw: cache state Dirty -> Active",
    ]
    assert ok(session, "sim advance 250ms")[0] == "Advanced 250ms to Thu Oct 27 02:27:58 2016 (cache)."
    assert ok(session, "sim advance 2h")[0] == "Advanced 2h00m to Thu Oct 27 04:27:58 2016 (cache)."
    assert ok(session, "sim advance 5")[0] == "Advanced 5s to Thu Oct 27 04:28:03 2016 (cache)."


def test_sim_step_runs_to_the_next_thing_that_happens():
    session = Session()
    assert ok(session, "sim step") == ["Nothing is pending: the queue is empty or waiting for the link."]
    ok(session, f"echo x > {SW}/a")
    assert ok(session, "sim step") == [
        "Stepped 15s to Thu Oct 27 02:27:43 2016 (cache).",
        "  02:27:43  sw: flushed #1 to home (2 B)",
        "  02:27:43  sw: cache state Dirty -> Active",
    ]


def test_sim_settle_runs_until_nothing_is_pending():
    session = Session()
    ok(session, f"echo x > {SW}/a")
    assert ok(session, "sim settle") == ["Settled after 15s at Thu Oct 27 02:27:43 2016 (cache)."]
    assert ok(session, "sim settle") == ["Settled after 0s at Thu Oct 27 02:27:43 2016 (cache)."]


def test_sim_settle_with_the_link_down_says_what_is_still_queued():
    session = Session()
    ok(session, f"echo x > {SW}/a")
    ok(session, "sim link down")
    lines = ok(session, "sim settle")
    assert lines[-1] == "Still queued because the link is down: sw: 1 op (Disconnected)."
    assert session.engine.now == 60_000_000  # it ran to the disconnect timeout and stopped


def test_sim_load_writes_n_files_and_queues_them():
    session = Session()
    assert ok(session, "sim load 1,000") == [
        "Wrote 1,000 files in /gpfs/fs1/sw/load; queued ops #2..#1001 (queue length 1,001)."
    ]
    assert ok(session, "sim load 3 -j lu") == ["Wrote 3 files in /gpfs/fs1/lu/load (kept local: local-updates)."]
    ok(session, "sim settle")
    assert session.engine.world.home.fs.trees["sw"].get("load/f0001000") == "load      1000\n"


def test_sim_load_of_one_file_says_file_and_op():
    session = Session()
    ok(session, "sim load 2")
    assert ok(session, "sim load 1") == ["Wrote 1 file in /gpfs/fs1/sw/load; queued op #4 (queue length 4)."]
    assert ok(session, "sim load 1 -j lu") == ["Wrote 1 file in /gpfs/fs1/lu/load (kept local: local-updates)."]


def test_sim_load_size_sets_each_files_size():
    session = Session()
    ok(session, "sim load 2 --size 100")
    assert ok(session, f"ls -l {SW}/load") == [
        "-rw-r--r-- 1 root root      100 f0000001",
        "-rw-r--r-- 1 root root      100 f0000002",
    ]


def test_sim_load_continues_numbering():
    session = Session()
    ok(session, "sim load 2")
    ok(session, "sim load 2")
    assert ok(session, f"ls {SW}/load") == ["f0000001", "f0000002", "f0000003", "f0000004"]


def test_sim_status_summarises_the_world():
    session = Session()
    ok(session, f"echo x > {SW}/a")
    lines = ok(session, "sim status")
    assert lines[0] == "Simulated time +0s: cache Thu Oct 27 02:27:28 2016, home Thu Oct 27 02:23:15 2016"
    assert lines[1].startswith("Link to home: up (bandwidth 104,857,600 B/s, latency 500us, disconnect timeout 1m00s)")
    assert lines[2] == "Gateway node: gw1 (192.168.14.133)"
    assert lines[4].split() == ["Fileset", "Mode", "Target", "State", "Queue", "numExec", "Psnaps"]
    assert lines[5].split() == ["sw", "sw", "nfs://home1/gpfs/fs1/sw", "Dirty", "1", "0", "0"]
    assert lines[-1].startswith("Home exports: /gpfs/fs1/sw (enabled), ")


def test_help_lists_every_command_and_shows_one_commands_usage():
    from peersnap.core.commands import REGISTRY

    lines = ok(Session(), "help")
    for name in REGISTRY:
        assert any(line.split()[:1] == [name] for line in lines), name
    assert ok(Session(), "help mmpsnap")[1].startswith("Usage: mmpsnap Device create -j FilesetName")
    assert fails(Session(), "help nosuch") == ["help: no command named 'nosuch'"]


def test_blank_lines_and_comments_do_nothing():
    session = Session()
    for line in ("", "   ", "# a comment", "   # indented comment"):
        result = session.run(line)
        assert (result.rc, result.lines) == (0, [])
    assert ok(session, "echo kept # not kept") == ["kept"]
    assert ok(session, "echo 'a # inside quotes'") == ["a # inside quotes"]


def test_at_cache_and_at_home_choose_the_cluster():
    session = Session()
    assert session.run("@cache mmlsfileset fs1").cluster == "cache"
    assert session.run("@home mmlsfileset fs1").cluster == "home"
    assert session.run("  @home   ls").cluster == "home"


# -- bad input ---------------------------------------------------------------------------------------------

BAD_INPUT = [
    # unknown commands
    ("frobnicate", "frobnicate: command not found"),
    ("mmfoo fs1", "mmfoo: command not found"),
    ("MMPSNAP fs1 create -j sw", "MMPSNAP: command not found"),
    # wrong options and missing arguments
    ("mmpsnap", "mmpsnap: Missing arguments."),
    ("mmpsnap fs1 create", "mmpsnap: Option -j FilesetName is required."),
    ("mmpsnap fs1 create -j", "mmpsnap: Option -j requires a value."),
    ("mmpsnap fs1 create -j sw -j sw", "mmpsnap: Option -j is specified more than once."),
    ("mmpsnap fs1 create -j sw -x", "mmpsnap: Incorrect option: -x"),
    ("mmpsnap fs1 create -j sw --j=sw", "mmpsnap: Incorrect option: --j=sw"),
    ("mmpsnap fs1 create -j sw -s name", "mmpsnap: Option -s is not valid with create."),
    ("mmpsnap fs1 status -j sw --wait", "mmpsnap: Option --wait is not valid with status."),
    ("mmpsnap fs1 explode -j sw", "mmpsnap: Incorrect subcommand: explode"),
    ("mmpsnap fs1 create -j sw extra", "mmpsnap: Unexpected argument: extra"),
    ("mmpsnap fs1 delete -j sw", "mmpsnap: Option -s SnapshotName is required."),
    ("mmpsnap fs2 create -j sw", "mmpsnap: File system fs2 is not known to the GPFS cluster."),
    ("mmpsnap fs1 create -j nosuch", "mmpsnap: Fileset nosuch does not exist in file system fs1"),
    ("mmpsnap fs1 create -j sw --rpo", "mmpsnap: 6027-2286 [E] RPO peer snapshots using mmpsnap are allowed only for primary filesets."),
    ("mmpsnap fs1 create -j sw --rpo --uid 1", "mmpsnap: --rpo cannot be combined with --comment or --uid."),
    ("mmpsnap fs1 create -j sw --comment 'two words'", "mmpsnap: Incorrect comment 'two words'"),
    ("mmpsnap fs1 create -j sw --uid a/b", "mmpsnap: Invalid cluster UID 'a/b'"),
    ("@home mmpsnap fs1 create -j sw", "mmpsnap: Peer snapshots are created at the cache"),
    ("mmlssnapshot", "mmlssnapshot: Missing arguments."),
    ("mmlssnapshot fs1 extra", "mmlssnapshot: Unexpected argument: extra"),
    ("mmlssnapshot fs1 -j nosuch", "mmlssnapshot: Fileset nosuch does not exist"),
    ("mmlssnapshot fs1 -j", "mmlssnapshot: Option -j requires a value."),
    ("mmcrsnapshot fs1", "mmcrsnapshot: Missing arguments."),
    ("mmcrsnapshot fs1 'bad name'", "mmcrsnapshot: Invalid snapshot name 'bad name'"),
    ("mmcrsnapshot fs1 .", "mmcrsnapshot: Invalid snapshot name '.'"),
    ("mmcrsnapshot fs1 " + "n" * 256, "mmcrsnapshot: Invalid snapshot name"),
    ("mmdelsnapshot fs1 nosuch", "mmdelsnapshot: 6027-2684 File system fs1 does not contain global snapshot nosuch, err = 2"),
    ("mmdelsnapshot fs1 nosuch -j sw", "mmdelsnapshot: 6027-2683 Fileset sw in file system fs1 does not contain snapshot nosuch"),
    ("mmafmctl", "mmafmctl: Missing arguments."),
    ("mmafmctl fs1 dance", "mmafmctl: Incorrect subcommand: dance"),
    ("mmafmctl fs1 stop", "mmafmctl: Option -j FilesetName is required for stop."),
    ("mmafmctl fs1 getstate -j nosuch", "mmafmctl: Fileset nosuch does not exist"),
    ("mmafmctl fs9 getstate", "mmafmctl: File system fs9 is not known to the GPFS cluster."),
    ("@home mmafmconfig", "mmafmconfig: Missing arguments."),
    ("@home mmafmconfig frob", "mmafmconfig: Incorrect subcommand: frob"),
    ("@home mmafmconfig enable", "mmafmconfig: Missing ExportPath."),
    ("@home mmafmconfig enable /gpfs/fs1/nosuch", "mmafmconfig: /gpfs/fs1/nosuch: No such directory"),
    ("@home mmafmconfig enable /etc", "mmafmconfig: /etc: No such directory"),
    ("@home mmafmconfig enable /gpfs/fs1/sw/data", "mmafmconfig: /gpfs/fs1/sw/data: No such directory"),
    ("mmafmconfig show map1 extra", "mmafmconfig: Unexpected argument: extra"),
    ("mmchfileset fs1 sw", "mmchfileset: Option -p Attribute=Value is required."),
    ("mmchfileset fs1 sw -p afmMode", "mmchfileset: Incorrect value for -p: 'afmMode'"),
    ("mmchfileset fs1 sw -p =sw", "mmchfileset: Incorrect value for -p: '=sw'"),
    ("mmchfileset fs1 sw -p afmMode=zz", "mmchfileset: Incorrect value for afmMode: 'zz'"),
    ("mmchfileset fs1 sw -p colour=blue", "mmchfileset: Attribute colour is not supported"),
    ("mmchfileset fs1 sw -p afmMode=iw", "mmchfileset: Fileset sw must be unlinked to change afmMode."),
    ("@home mmchfileset fs1 sw -p afmMode=iw", "mmchfileset: The AFM filesets live at the cache; this is the home cluster"),
    ("mmlsfileset", "mmlsfileset: Missing arguments."),
    ("mmlsfileset fs1 nosuch", "mmlsfileset: Fileset nosuch does not exist"),
    ("mmlsfileset fs1 sw extra", "mmlsfileset: Unexpected argument: extra"),
    ("mmlsfileset fs1 -X", "mmlsfileset: Incorrect option: -X"),
    ("@home mmlsfileset fs1 sw", "mmlsfileset: Fileset sw does not exist in file system fs1 on the home cluster."),
    ("mmlinkfileset fs1 sw", "mmlinkfileset: Option -J JunctionPath is required."),
    ("mmlinkfileset fs1 sw -J /gpfs/fs1/sw", "mmlinkfileset: Fileset sw is already linked."),
    ("mmunlinkfileset fs1", "mmunlinkfileset: Missing arguments."),
    ("mmunlinkfileset fs1 nosuch", "mmunlinkfileset: Fileset nosuch does not exist"),
    # file commands
    ("ls -z", "ls: invalid option -- 'z'"),
    ("ls /gpfs/fs1/sw/nosuch", "ls: cannot access '/gpfs/fs1/sw/nosuch': No such file or directory"),
    ("ls /gpfs/fs1/.snapshots/nosuch", "ls: cannot access '/gpfs/fs1/.snapshots/nosuch': No such file or directory"),
    ("ls /gpfs/fs1/sw/.snapshots/nosuch", "ls: cannot access '/gpfs/fs1/sw/.snapshots/nosuch': No such file or directory"),
    ("cat", "cat: missing file operand"),
    ("cat /gpfs/fs1/sw", "cat: cannot read '/gpfs/fs1/sw': Is a directory"),
    ("cat /gpfs/fs1/sw/README/x", "cat: cannot read '/gpfs/fs1/sw/README/x': No such file or directory"),
    ("cat ''", "cat: cannot read '': No such file or directory"),
    ("touch", "touch: missing file operand"),
    ("touch /gpfs/fs1/sw/nodir/f", "touch: cannot touch '/gpfs/fs1/sw/nodir/f': No such file or directory"),
    ("mkdir", "mkdir: missing operand"),
    ("mkdir /gpfs/fs1/sw/README/d", "mkdir: cannot create directory '/gpfs/fs1/sw/README/d': Not a directory"),
    ("mkdir -q /gpfs/fs1/sw/d", "mkdir: invalid option -- 'q'"),
    ("rm", "rm: missing operand"),
    ("rm /gpfs/fs1/sw/nosuch", "rm: cannot remove '/gpfs/fs1/sw/nosuch': No such file or directory"),
    ("rm -r /gpfs/fs1/sw", "rm: cannot remove '/gpfs/fs1/sw': Device or resource busy"),
    ("rm -r /gpfs/fs1", "rm: cannot remove '/gpfs/fs1': Permission denied"),
    ("rmdir", "rmdir: missing operand"),
    ("rmdir /gpfs/fs1/sw/README", "rmdir: failed to remove '/gpfs/fs1/sw/README': Not a directory"),
    ("mv /gpfs/fs1/sw/README", "mv: missing destination file operand"),
    ("mv a b c", "mv: extra operand"),
    ("mv /gpfs/fs1/sw/nosuch /gpfs/fs1/sw/x", "mv: cannot move '/gpfs/fs1/sw/nosuch' to '/gpfs/fs1/sw/x': No such file"),
    ("echo x >", "echo: expected exactly one PATH after >"),
    ("echo x > a b", "echo: expected exactly one PATH after >"),
    ("echo x > /gpfs/fs1/sw", "echo: /gpfs/fs1/sw: Is a directory"),
    ("echo x > /gpfs/fs1/sw/data", "echo: /gpfs/fs1/sw/data: Is a directory"),
    ("echo x > /gpfs/fs1/sw/nodir/f", "echo: /gpfs/fs1/sw/nodir/f: No such file or directory"),
    ("ls > /tmp/out", "ls: output redirection is only supported for echo"),
    # paths escaping /gpfs/fs1
    ("ls /etc", "ls: cannot access '/etc': outside the simulated file system /gpfs/fs1"),
    ("cat /gpfs/fs1/../../etc/passwd", "cat: cannot read '/gpfs/fs1/../../etc/passwd': outside the simulated file system"),
    ("cat ../../etc/passwd", "cat: cannot read '../../etc/passwd': outside the simulated file system"),
    ("echo x > /tmp/owned", "echo: /tmp/owned: outside the simulated file system /gpfs/fs1"),
    ("echo x > /gpfs/fs10/x", "echo: /gpfs/fs10/x: outside the simulated file system /gpfs/fs1"),
    ("mkdir /gpfs", "mkdir: cannot create directory '/gpfs': outside the simulated file system /gpfs/fs1"),
    ("rm -rf /", "rm: cannot remove '/': outside the simulated file system /gpfs/fs1"),
    ("mv /gpfs/fs1/sw/README /tmp/README", "mv: cannot move '/gpfs/fs1/sw/README' to '/tmp/README': outside"),
    ("cat /gpfs/fs1/sw/" + "x" * 300, "cat: cannot read '/gpfs/fs1/sw/xxx"),
    ("cat /gpfs/fs1/" + "a/" * 600, "cat: cannot read '/gpfs/fs1/a/a/"),
    # absurd numbers
    ("sim advance 99999999999999999999s", "sim: invalid duration '99999999999999999999s'"),
    ("sim advance 367d", "sim: duration '367d' is too long (at most 366d)"),
    ("sim advance -5s", "sim: invalid duration '-5s'"),
    ("sim advance 1.5s", "sim: invalid duration '1.5s'"),
    ("sim advance 1e9", "sim: invalid duration '1e9'"),
    ("sim advance 10x", "sim: invalid duration '10x'"),
    ("sim load 0", "sim: load: N must be a whole number from 1 to 10,000,000 (got '0')."),
    ("sim load -1", "sim: load: N must be a whole number from 1 to 10,000,000 (got '-1')."),
    ("sim load 10000001", "sim: load: N must be a whole number from 1 to 10,000,000"),
    ("sim load 99999999999999999999999999", "sim: load: N must be a whole number"),
    ("sim load 1e3", "sim: load: N must be a whole number"),
    ("sim load 5 --size 99999999999", "sim: load: --size must be a whole number of bytes up to 1048576"),
    ("sim load 5 --size -1", "sim: load: --size must be a whole number of bytes"),
    ("sim load 5 -j nosuch", "sim: load: fileset nosuch does not exist"),
    ("sim load 5 -j ro", "sim: load: Read-only file system (read-only AFM fileset)"),
    ("@home sim load 5", "sim: load writes at the cache; run it without @home."),
    ("mmchfileset fs1 sw -p afmAsyncDelay=99999999999999", "mmchfileset: Incorrect value for afmAsyncDelay"),
    ("mmchfileset fs1 sw -p afmAsyncDelay=-1", "mmchfileset: Incorrect value for afmAsyncDelay: '-1'"),
    ("mmchfileset fs1 sw -p afmAsyncDelay=0", "mmchfileset: Incorrect value for afmAsyncDelay: '0'"),
    # sim and help
    ("sim", "sim: missing subcommand"),
    ("sim bogus", "sim: unknown subcommand 'bogus'"),
    ("sim link sideways", "sim link: say up or down"),
    ("sim link", "sim link: say up or down"),
    ("sim advance", "sim advance: give one DURATION"),
    ("sim step now", "sim step: unexpected argument 'now'"),
    ("sim settle 5", "sim settle: unexpected argument '5'"),
    ("sim status x", "sim status: unexpected argument 'x'"),
    ("help nosuch", "help: no command named 'nosuch'"),
    # binary junk, unbalanced quotes, unknown cluster
    ("echo \x00\x01\x02", "peersnap: the line holds control characters or binary data"),
    ("ls \x1b[31m", "peersnap: the line holds control characters or binary data"),
    ("\x7fELF\x02\x01", "peersnap: the line holds control characters or binary data"),
    ("cat /gpfs/fs1/sw/\x85", "peersnap: the line holds control characters or binary data"),
    ("echo 'unbalanced", "peersnap: syntax error: No closing quotation"),
    ('echo "x > /gpfs/fs1/sw/q', "peersnap: syntax error: No closing quotation"),
    ("echo x\\", "peersnap: syntax error: No escaped character"),
    ("@nowhere ls", "peersnap: unknown cluster '@nowhere' (start a line with @cache or @home)"),
    ("@ ls", "peersnap: unknown cluster '@'"),
    ("@HOME ls", "peersnap: unknown cluster '@HOME'"),
    ("x" * 5000, "peersnap: line too long (5000 characters; at most 4096)"),
]


@pytest.mark.parametrize("line,first", BAD_INPUT, ids=[repr(line[:40]) for line, _ in BAD_INPUT])
def test_bad_input_gets_a_short_error_in_the_commands_voice_and_changes_nothing(line, first):
    session = Session()
    ok(session, "echo warm up > /gpfs/fs1/sw/warm")  # a world with something queued
    before = session.engine.fingerprint()
    result = session.run(line)
    assert result.rc != 0
    assert result.rc != 70, result.lines  # never an internal error
    assert result.lines and result.lines[0].startswith(first), result.lines
    assert len(result.lines) <= 8  # a reason, perhaps a usage, never a traceback
    assert not any("Traceback" in text for text in result.lines)
    assert session.engine.fingerprint() == before


def test_exit_statuses_say_what_kind_of_failure_it_was():
    session = Session()
    assert session.run("frobnicate").rc == 127
    assert session.run("echo 'x").rc == 2
    assert session.run("@mars ls").rc == 2
    assert session.run("ls > x").rc == 2
    assert session.run("mmpsnap fs1 create -j ro").rc == 1
    assert session.run("mmpsnap").rc == 1


def test_a_failing_path_among_several_reports_each_and_fails():
    session = Session()
    result = session.run(f"cat {SW}/README {SW}/nosuch")
    assert result.rc == 1
    assert result.lines == ["Single-writer cache of home1:/gpfs/fs1/sw", f"cat: cannot read '{SW}/nosuch': No such file or directory"]


def test_the_world_after_errors_still_works():
    session = Session()
    for line, _ in BAD_INPUT:
        session.run(line)
    ok(session, "mmpsnap fs1 create -j sw --wait")
    assert session.engine.world.filesets["sw"].state is CacheState.ACTIVE


def test_advancing_towards_the_end_of_the_calendar_is_refused_in_the_commands_voice():
    session = Session(allow_files=False)
    results = [session.run("sim advance 366d") for _ in range(8000)]  # about 8,000 years
    assert all(result.rc != 70 for result in results)
    refused = [result for result in results if result.rc != 0]
    assert refused and refused[0].lines[0].startswith("sim: ")
    assert session.run("sim status").rc == 0
    assert session.run("mmpsnap fs1 create -j sw").rc == 0


# -- mmpsnap options and status ------------------------------------------------------------------------------

PSNAP = "psnap-13882361812785649740-C0A80E85:4F44B305-59-16-10-27-{}"


def test_psnap_comment_is_prepended_to_the_name_and_uid_replaces_the_cluster_id():
    session = Session(allow_files=False)
    lines = ok(session, "mmpsnap fs1 create -j sw --comment nightly")
    assert lines[3] == f"Snapshot nightly-{PSNAP.format('02-27-28')} created with id 8."
    lines = ok(session, "mmpsnap fs1 create -j sw --uid 42:AB")
    assert lines[3] == "Snapshot psnap-42:AB-C0A80E85:4F44B305-59-16-10-27-02-27-29 created with id 9."
    lines = ok(session, "mmpsnap fs1 create -j sw --comment x1Y2 --uid 7")
    assert lines[3] == "Snapshot x1Y2-psnap-7-C0A80E85:4F44B305-59-16-10-27-02-27-30 created with id 10."
    ok(session, "sim settle")
    assert all(p.identical for p in session.engine.world.filesets["sw"].psnaps.values())


def test_psnap_names_carry_the_second_so_a_clash_is_refused_with_a_hint():
    session = Session(allow_files=False)
    ok(session, f"mmcrsnapshot fs1 {PSNAP.format('02-27-29')} -j sw")  # takes the name the next psnap would get
    lines = fails(session, "mmpsnap fs1 create -j sw")
    assert lines == [
        f"mmpsnap: Snapshot {PSNAP.format('02-27-29')} already exists.",
        "mmpsnap: Peer snapshot names carry the time to the second; wait a second and try again.",
        f"mmpsnap: {FAILED}",
    ]


def test_a_home_snapshot_taken_meanwhile_under_the_psnap_name_fails_the_home_half():
    session = Session(allow_files=False)
    ok(session, "sim link down")
    ok(session, "mmpsnap fs1 create -j sw")
    ok(session, f"@home mmcrsnapshot fs1 {PSNAP.format('02-27-28')}")
    ok(session, "sim link up")
    ok(session, "sim settle")
    status = ok(session, "mmpsnap fs1 status -j sw")[-1]
    assert status.endswith(f"Failed: a snapshot named {PSNAP.format('02-27-28')} already exists at home")
    assert not session.engine.world.home.fs.snapshot(PSNAP.format("02-27-28")).peer  # home's own snapshot is untouched


def test_psnap_status_shows_where_each_home_half_stands():
    session = Session(allow_files=False)
    assert ok(session, "mmpsnap fs1 status -j sw") == ["No peer snapshots for fileset sw in file system fs1."]
    ok(session, "mmpsnap fs1 create -j sw")  # 02-27-28: nothing ahead
    assert ok(session, "mmpsnap fs1 status -j sw")[-1].endswith("Queued (next)")
    ok(session, "sim settle")
    ok(session, f"echo x > {SW}/a")
    ok(session, "mmpsnap fs1 create -j sw")  # 02-27-29: behind one write
    ok(session, "mmafmctl fs1 stop -j sw")
    status = ok(session, "mmpsnap fs1 status -j sw")
    assert status[1].split() == ["Name", "SnapId", "Created", "Home"]
    assert status[2].startswith(f"{PSNAP.format('02-27-28')} 8         Thu Oct 27 02:27:29 2016  Created with id 8 at ")
    assert status[2].endswith(", identical")
    assert status[3].endswith("Queued (replication stopped)")
    ok(session, "mmafmctl fs1 start -j sw")
    assert ok(session, "mmpsnap fs1 status -j sw")[3].endswith("Queued behind 1 op")
    ok(session, "sim link down")
    assert ok(session, "mmpsnap fs1 status -j sw")[3].endswith("Pending reconnect")
    ok(session, f"mmpsnap fs1 delete -s {PSNAP.format('02-27-28')} -j sw")
    assert ok(session, "mmpsnap fs1 status -j sw")[2].endswith("Deleting (pending reconnect)")
    assert ok(session, "mmpsnap fs1 status -j sw")[2].split()[1] == "-"  # its cache half is gone already
