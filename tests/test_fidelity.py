"""Issue 11 (Fidelity II): held against IBM's documentation and real captures, one test a
point, each quoting what it relies on. Where IBM is silent the docstring says that
peersnap chooses (docs/simulator.md lists every choice)."""

from __future__ import annotations

from command_runs import FAILED, fails, ok
from command_runs import FIRST_PSNAP as PSNAP
from peersnap.core.model import Protocol
from peersnap.core.session import Session

# -- getstate -------------------------------------------------------------------------------------


def test_getstate_columns_start_at_0_16_62_83_99_114_with_ibms_dash_runs():
    """IBM Storage Scale 5.2.3 and 6.0.1, "Changing target protocol of SW/IW filesets"
    (https://www.ibm.com/docs/en/storage-scale/6.0.1?topic=afm-changing-target-protocol-swiw-filesets):

        Fileset Name    Fileset Target                                Cache State          Gateway Node    Queue Length   Queue numExec
        ------------    --------------                                -------------        ------------    ------------   -------------
        sw1             gpfs:///gpfs/remotefs1/sw1                    Active               c25m4n04        0              2

    Every dash run is as long as its label except Cache State's: 13 dashes on both IBM
    pages and in a real cluster's capture (an older 5.0.2 example has 11; the newer pages
    and the capture agree on 13). IBM's sample row ends with one space, the real capture's
    without: peersnap prints none (a choice)."""
    session = Session()
    ok(session, "echo x > /gpfs/fs1/sw/a")
    lines = ok(session, "mmafmctl fs1 getstate -j sw")
    assert lines == [
        ("Fileset Name    Fileset Target                                Cache State          Gateway Node    "
        "Queue Length   Queue numExec"),
        ("------------    --------------                                -------------        ------------    "
        "------------   -------------"),
        "sw              nfs://home1/gpfs/fs1/sw                       Dirty                gw1             1              0",
    ]
    for line in lines:
        starts = [0, 16, 62, 83, 99, 114]
        assert all(line[i] != " " and (i == 0 or line[i - 1] == " ") for i in starts)


def test_getstate_without_j_lists_every_afm_fileset_and_dash_y_is_machine_readable():
    """"To view the current cache state, run the mmafmctl filesystem getstate command, or the
    mmafmctl filesystem getstate -j cache_fileset command" (IBM 5.2.3, "Monitoring fileset
    states for AFM"). IBM publishes no getstate -Y sample: peersnap's is a choice that
    follows the GPFS -Y conventions (`cmd::HEADER:version:reserved:reserved:...:`, rows
    `cmd::0:1:::...:`, `:` as `%3A`, as IBM's mmlsfileset/mmlssnapshot -Y captures show),
    with the fields named as IBM's REST API `GET filesystems/{fs}/afm/state` names them."""
    session = Session()
    assert [line.split()[0] for line in ok(session, "mmafmctl fs1 getstate")[2:]] == ["sw", "ro", "iw", "lu", "swnsd"]
    assert ok(session, "mmafmctl fs1 getstate -j sw -Y") == [
        ("mmafmctl::HEADER:version:reserved:reserved:filesetName:filesetTarget:cacheState:gatewayNodeName:"
        "queueLength:queueNumExec:"),
        "mmafmctl::0:1:::sw:nfs%3A//home1/gpfs/fs1/sw:Active:gw1:0:0:",
    ]


# -- mmlsfileset --------------------------------------------------------------------------------------


def test_mmlsfileset_dash_l_shows_ibms_long_columns_not_status_and_path():
    """IBM 6.0.1 "mmlsfileset command" (https://www.ibm.com/docs/en/storage-scale/6.0.1?topic=reference-mmlsfileset-command):
    "The operation of the -L flag omits the attributes listed without it, namely status and
    junction path." A real capture:

        Name                            Id      RootInode  ParentId Created                      InodeSpace      MaxInodes    AllocInodes Comment
        root                             0              3        -- Thu Apr  4 21:00:16 2019        0                65792          65792 root fileset
        dir1                             1         131075        -- Fri Apr  5 00:14:34 2019        1               200000          65920

    (dir1 was not linked yet: ParentId `--`; a linked one shows 0.) Root inodes, inode counts
    and creation times are peersnap's choices (docs/simulator.md)."""
    lines = ok(Session(), "mmlsfileset fs1 -L")
    assert lines[:4] == [
        "Filesets in file system 'fs1':",
        ("Name                            Id      RootInode  ParentId Created                      InodeSpace      "
        "MaxInodes    AllocInodes Comment"),
        ("root                             0              3        -- Thu Oct 27 02:27:28 2016        0                "
        "65792          65792 root fileset"),
        ("sw                              59         131075         0 Thu Oct 27 02:27:28 2016        1               "
        "200000          65920"),
    ]


def test_the_ls_dash_l_layout_reproduces_ibms_capture():
    """The same format, fed the values of IBM's capture, prints the capture byte for byte."""
    from peersnap.core.commands.fileset_listing import long_table
    from peersnap.core.commands.listing import FilesetFacts

    facts = [FilesetFacts("root", 0, 3, "--", True, "/test", 0, 65792, 65792, "root fileset"),
             FilesetFacts("dir1", 1, 131075, "--", False, "--", 1, 200000, 65920, "")]
    created = {"root": "Thu Apr  4 21:00:16 2019", "dir1": "Fri Apr  5 00:14:34 2019"}
    assert long_table("gpfs.test1", facts, lambda f: created[f.name])[2:] == [
        ("root                             0              3        -- Thu Apr  4 21:00:16 2019        0                "
        "65792          65792 root fileset"),
        ("dir1                             1         131075        -- Fri Apr  5 00:14:34 2019        1               "
        "200000          65920"),
    ]


def test_mmlsfileset_afm_dash_l_lists_every_afm_attribute_and_last_psnapid_follows_the_psnaps():
    """IBM's mmlsfileset -Y HEADER (real captures) carries, for AFM, afmTarget, afmMode, the
    four refresh intervals, afmAsyncDelay, afmLastPSnapId, afmShowHomeSnapshots,
    afmNumReadThreads, afmNumFlushThreads, afmPrefetchThreshold, afmEnableAutoEviction and
    afmIOFlags. IBM publishes no `--afm -L` sample peersnap could read: the labels and their
    layout are a choice; no row says it is simulated."""
    session = Session()
    before = ok(session, "mmlsfileset fs1 sw --afm -L")
    assert not any("simulated" in line for line in before)
    assert before[:4] == ["Filesets in file system 'fs1':", "", "Attributes for fileset sw:", "=========================="]
    rows = {line[:40].rstrip(): line[40:] for line in before[4:]}
    assert list(rows)[11:] == [
        "afm-associated", "Target", "Mode", "File Lookup Refresh Interval", "File Open Refresh Interval",
        "Dir Lookup Refresh Interval", "Dir Open Refresh Interval", "Async Delay", "Last pSnapId",
        "Display Home Snapshots", "Number of Read Threads per Gateway", "Number of Gateway Flush Threads",
        "Prefetch Threshold", "Eviction Enabled", "IO Flags",
    ]
    assert rows["Last pSnapId"] == "0"
    ok(session, "mmpsnap fs1 create -j sw")
    ok(session, "mmcrsnapshot fs1 sw:plain")
    ok(session, "mmpsnap fs1 create -j sw")
    rows = {line[:40].rstrip(): line[40:] for line in ok(session, "mmlsfileset fs1 sw --afm -L")[4:]}
    assert rows["Last pSnapId"] == "10"


def test_mmlsfileset_dash_y_prints_ibms_header_and_encodes_values():
    """treydock/gpfs_exporter's fixture of a real `mmlsfileset project -Y` (GPFS 5.0):
    `mmlsfileset::HEADER:version:reserved:reserved:filesystemName:filesetName:id:rootInode:status:path:...`
    and `mmlsfileset::0:1:::project:root:0:3:Linked:%2Ffs%2Fproject:--:Wed May 18 10%3A41%3A35 2016:-:-:root fileset:off:-:...`;
    an unlinked fileset's path is `%2D%2D`."""
    session = Session()
    ok(session, "mmunlinkfileset fs1 iw")
    lines = ok(session, "mmlsfileset fs1 -Y")
    header = lines[0].split(":")
    assert lines[0].startswith("mmlsfileset::HEADER:version:reserved:reserved:filesystemName:filesetName:id:rootInode:")
    assert len(header) == 2 + 4 + 53 + 1 and lines[0].endswith(":afmGatewayNode:afmIOFlags:")
    rows = [dict(zip(header, line.split(":"))) for line in lines[1:]]
    assert all(len(line.split(":")) == len(header) for line in lines[1:])
    root, sw, iw = rows[0], rows[1], rows[3]
    assert lines[1].startswith("mmlsfileset::0:1:::fs1:root:0:3:Linked:%2Fgpfs%2Ffs1:--:Thu Oct 27 02%3A27%3A28 2016:-:-:"
                               "root fileset:off:-:-:-:")
    assert (sw["afmTarget"], sw["afmMode"], sw["afmAsyncDelay"], sw["afmState"]) == (
        "nfs%3A//home1/gpfs/fs1/sw", "single-writer", "15", "Active")
    assert (iw["status"], iw["path"]) == ("Unlinked", "%2D%2D")
    assert root["afmTarget"] == "-"


# -- snapshot names -----------------------------------------------------------------------------------


def test_fileset_colon_snapshot_names_and_global_colon_names_in_output():
    """IBM 5.2.0 "mmcrsnapshot command": `mmcrsnapshot Device [[Fileset]:]Snapshot...`. A real
    capture (IBM Redbook figure) of a global snapshot:

        Flushing dirty data for snapshot :backup_snap...
        Quiescing all file system operations.
        Snapshot :backup_snap created with id 9.

    The fileset form `sw:before` in these lines is peersnap's reading of the same pattern
    (IBM shows no capture of it)."""
    session = Session()
    assert ok(session, "mmcrsnapshot fs1 sw:before") == [
        "Flushing dirty data for snapshot sw:before...",
        "Quiescing all file system operations.",
        "Snapshot sw:before created with id 8.",
    ]
    assert ok(session, "mmcrsnapshot fs1 snap1")[-1] == "Snapshot :snap1 created with id 9."
    assert ok(session, "mmcrsnapshot fs1 :snap2")[-1] == "Snapshot :snap2 created with id 10."
    assert ok(session, "ls /gpfs/fs1/sw/.snapshots") == ["before/"]
    assert ok(session, "ls /gpfs/fs1/.snapshots") == ["snap1/", "snap2/"]


def test_fileset_snapshot_names_need_not_be_unique_across_filesets():
    """IBM 4.2.1 "Fileset-level snapshots": "Fileset snapshot names need not be unique across
    different filesets, so it is valid to use the same name for fileset snapshots of two
    different filesets because they will appear under .snapshots in two different fileset
    root directories." """
    session = Session()
    ok(session, "mmcrsnapshot fs1 sw:daily")
    ok(session, "mmcrsnapshot fs1 daily -j iw")
    ok(session, "mmcrsnapshot fs1 daily")
    assert [line.split()[0] for line in ok(session, "mmlssnapshot fs1")[2:]] == ["daily", "daily", "daily"]
    assert [line[69:] for line in ok(session, "mmlssnapshot fs1")[2:]] == ["sw", "iw", ""]
    assert fails(session, "mmcrsnapshot fs1 iw:daily")[0] == "mmcrsnapshot: Snapshot iw:daily already exists."
    assert ok(session, "mmdelsnapshot fs1 iw:daily")[-1] == "Delete snapshot iw:daily successful."
    assert ok(session, "ls /gpfs/fs1/sw/.snapshots") == ["daily/"]


def test_psnap_names_with_a_colon_still_work_everywhere():
    """A psnap name carries the file system UID `C0A80E85:4F44B305` (the seed's name). Read as
    `[[Fileset]:]Snapshot`, `psnap-13882361812785649740-C0A80E85` names no fileset, so the
    whole word is the snapshot name (a choice: IBM does not say how it splits such names)."""
    session = Session()
    ok(session, "mmpsnap fs1 create -j sw")
    ok(session, "sim settle")
    assert ok(session, f"ls /gpfs/fs1/sw/.snapshots/{PSNAP}") == ["README", "data/"]
    assert ok(session, f"mmlssnapshot fs1 -s sw:{PSNAP}")[2].startswith(PSNAP)
    assert ok(session, f"@home mmlssnapshot fs1 -s {PSNAP}")[2].startswith(PSNAP)
    assert fails(session, f"mmdelsnapshot fs1 {PSNAP}") == [
        f"mmdelsnapshot: 6027-2684 File system fs1 does not contain global snapshot {PSNAP}, err = 2",
        f"mmdelsnapshot: Snapshot {PSNAP} is a snapshot of fileset sw: use sw:{PSNAP} or -j sw.",
        f"mmdelsnapshot: {FAILED}",
    ]
    assert ok(session, f"mmdelsnapshot fs1 sw:{PSNAP}")[-1] == f"Delete snapshot sw:{PSNAP} successful."


def test_mmdelsnapshot_prints_the_real_progress_block():
    """A real capture (IBM Redbook figure, OCR fixed):

        Invalidating snapshot files in :backup_snap...
        Deleting files in snapshot
          100.00 % complete on Tue Aug  6 21:23:35 2019  (655360 inodes with total  28 MB data processed)
        Invalidating snapshot files in :backup_snap/F/...
        Delete snapshot :backup_snap successful.

    The inode and MB figures are peersnap's choices (docs/simulator.md)."""
    session = Session()
    ok(session, "mmcrsnapshot fs1 snap1")
    assert ok(session, "mmdelsnapshot fs1 snap1") == [
        "Invalidating snapshot files in :snap1...",
        "Deleting files in snapshot",
        "  100.00 % complete on Thu Oct 27 02:27:29 2016  (395392 inodes with total   0 MB data processed)",
        "Invalidating snapshot files in :snap1/F/...",
        "Delete snapshot :snap1 successful.",
    ]


# -- mmlssnapshot -d, -s, -Y ----------------------------------------------------------------------------


def test_mmlssnapshot_dash_d_adds_data_and_metadata_in_kb():
    """IBM 6.0.1 "Listing snapshots": `mmlssnapshot fs1 -d` prints
    `Snapshots in file system fs1: [data and metadata in KB]` and Data/Metadata columns
    (`snap1 ... 0 512` for a fresh snapshot). A real capture places them after Fileset:
    `Directory                SnapId    Status  Created                   Fileset           Data  Metadata`."""
    session = Session()
    ok(session, "echo " + "x" * 3000 + " > /gpfs/fs1/sw/big")
    ok(session, "mmcrsnapshot fs1 sw:before")
    ok(session, "rm /gpfs/fs1/sw/big")
    assert ok(session, "mmlssnapshot fs1 -d") == [
        "Snapshots in file system fs1: [data and metadata in KB]",
        "Directory                SnapId    Status  Created                   Fileset           Data  Metadata",
        "before                   8         Valid   Thu Oct 27 02:27:29 2016  sw                   3       512",
    ]


def test_mmlssnapshot_dash_s_selects_and_dash_y_prints_ibms_header():
    """IBM 6.0.1 "mmlssnapshot command": `mmlssnapshot Device [-d] [-s {all | global |
    [[Fileset]:]Snapshot[,...]} | -j Fileset[,Fileset...]] [-Y]` (-s and -j are alternatives).
    treydock/gpfs_exporter's real fixture:
    `mmlssnapshot::HEADER:version:reserved:reserved:filesystemName:directory:snapID:status:created:quotas:data:metadata:fileset:snapType:`
    and `mmlssnapshot::0:1:::ess:20201115_PAS1736:16337:Valid:Sun Nov 15 02%3A47%3A48 2020::0:0:PAS1736::`."""
    session = Session()
    ok(session, "mmcrsnapshot fs1 sw:a")
    ok(session, "mmcrsnapshot fs1 g")
    assert [line.split()[0] for line in ok(session, "mmlssnapshot fs1 -s global")[2:]] == ["g"]
    assert [line.split()[0] for line in ok(session, "mmlssnapshot fs1 -s sw:a,:g")[2:]] == ["a", "g"]
    assert [line.split()[0] for line in ok(session, "mmlssnapshot fs1 -s all")[2:]] == ["a", "g"]
    assert fails(session, "mmlssnapshot fs1 -s iw:a")[0] == (
        "mmlssnapshot: 6027-2683 Fileset iw in file system fs1 does not contain snapshot a, err = 2")
    assert fails(session, "mmlssnapshot fs1 -s all -j sw")[0] == "mmlssnapshot: Options -s and -j are alternatives: give one of them."
    assert ok(session, "mmlssnapshot fs1 -Y") == [
        ("mmlssnapshot::HEADER:version:reserved:reserved:filesystemName:directory:snapID:status:created:quotas:data:"
        "metadata:fileset:snapType:"),
        "mmlssnapshot::0:1:::fs1:a:8:Valid:Thu Oct 27 02%3A27%3A29 2016::0:0:sw::",
        "mmlssnapshot::0:1:::fs1:g:9:Valid:Thu Oct 27 02%3A27%3A30 2016::0:0:::",
    ]


# -- messages ---------------------------------------------------------------------------------------------


def test_6027_2683_carries_no_severity_tag():
    """IBM 5.2.3 message catalogue (https://www.ibm.com/docs/en/storage-scale/5.2.3?topic=messages-6027-2683):
    "6027-2683 Fileset filesetName in file system fileSystem does not contain snapshot
    snapshotName, err = number" — no [E], unlike its neighbours."""
    assert fails(Session(), "mmpsnap fs1 delete -s nosuch -j sw") == [
        "mmpsnap: 6027-2683 Fileset sw in file system fs1 does not contain snapshot nosuch, err = 2",
        f"mmpsnap: {FAILED}",
    ]


def test_psnap_comment_is_alphanumeric_only():
    """IBM 6.0.1 "mmpsnap command", --comment: "specifies user-defined text to be prepended to
    the snapshot name ... Note: You must use alphanumeric characters when you customize the
    snapshot name." """
    session = Session()
    assert fails(session, "mmpsnap fs1 create -j sw --comment before-upgrade")[0] == (
        "mmpsnap: Incorrect comment 'before-upgrade': the comment becomes part of the snapshot name and must be "
        "alphanumeric (up to 64 letters and digits).")
    assert ok(session, "mmpsnap fs1 create -j sw --comment BeforeUpgrade2")[3] == (
        f"Snapshot BeforeUpgrade2-{PSNAP} created with id 8.")


# -- mmdelsnapshot on a psnap half --------------------------------------------------------------------------


def test_mmdelsnapshot_on_a_psnap_half_breaks_the_pair():
    """IBM's "Peer snapshot -psnap" page: "Use the mmpsnap command to ensure that both the cache
    and home snapshots are removed. ... Note: Do not use the mmdelsnapshot command to delete
    peer snapshots." — advice, not a refusal: the real mmdelsnapshot deletes it. The pair is
    then broken and the other half an orphan; mmpsnap status and the event log say so, and
    `mmpsnap delete` still removes what is left."""
    session = Session()
    events = []
    session.engine.subscribe(events.append)
    ok(session, "mmpsnap fs1 create -j sw")
    ok(session, "sim settle")
    assert ok(session, f"mmdelsnapshot fs1 {PSNAP} -j sw")[-1] == f"Delete snapshot sw:{PSNAP} successful."
    status = ok(session, "mmpsnap fs1 status -j sw")[2]
    assert status == (f"{PSNAP} -         Thu Oct 27 02:27:29 2016  Created with id 8 at Thu Oct 27 02:23:16 2016, "
                      "identical; BROKEN: cache half deleted with mmdelsnapshot, use mmpsnap delete")
    broken = [e.describe() for e in events if type(e).__name__ == "PeerSnapshotBroken"]
    assert broken == [(f"psnap {PSNAP}: pair BROKEN: its cache half was deleted with mmdelsnapshot, the home half is "
                      f"an orphan; remove it with mmpsnap fs1 delete -s {PSNAP} -j sw")]
    assert ok(session, f"mmpsnap fs1 delete -s {PSNAP} -j sw") == [f"Core snapshot {PSNAP} deleted at home."]
    assert ok(session, "@home mmlssnapshot fs1") == ["No snapshots in file system fs1."]


def test_mmdelsnapshot_of_the_home_half_leaves_the_cache_half_an_orphan():
    session = Session()
    ok(session, "mmpsnap fs1 create -j sw")
    ok(session, "sim settle")
    ok(session, f"@home mmdelsnapshot fs1 {PSNAP}")
    assert ok(session, "mmpsnap fs1 status -j sw")[2].endswith(
        "BROKEN: home half deleted with mmdelsnapshot, use mmpsnap delete")
    assert ok(session, f"mmpsnap fs1 delete -s {PSNAP} -j sw")[-1] == f"Delete snapshot {PSNAP} successful."
    assert ok(session, "mmlssnapshot fs1") == ["No snapshots in file system fs1."]
    assert ok(session, "mmpsnap fs1 status -j sw") == ["No peer snapshots for fileset sw in file system fs1."]


# -- flushPending, failover, mmchfileset afmTarget --------------------------------------------------------


def test_flush_pending_without_j_flushes_every_afm_fileset():
    """The AFM reference (IBM's mmafmctl synopsis 4.2.0: `mmafmctl Device ... [-j FilesetName]`):
    flushPending without -j works on every AFM fileset of the file system."""
    session = Session()
    ok(session, "echo x > /gpfs/fs1/sw/a")
    ok(session, "echo y > /gpfs/fs1/iw/a")
    assert ok(session, "mmafmctl fs1 flushPending") == []
    ok(session, "sim advance 1s")
    rows = {line.split()[0]: line.split()[2:] for line in ok(session, "mmafmctl fs1 getstate")[2:]}
    assert rows["sw"] == ["Active", "gw1", "0", "1"] and rows["iw"] == ["Active", "gw1", "0", "1"]


def test_flush_pending_without_j_is_refused_while_a_psnap_is_queued():
    """IBM 5.2.3 catalogue: "6027-2757 [E] The peer snapshot is in progress. Queue cannot be flushed now." """
    session = Session()
    ok(session, "echo x > /gpfs/fs1/sw/a")
    ok(session, "mmpsnap fs1 create -j sw")
    assert fails(session, "mmafmctl fs1 flushPending") == [
        "mmafmctl: 6027-2757 [E] The peer snapshot is in progress. Queue cannot be flushed now.",
        f"mmafmctl: {FAILED}",
    ]


def test_failover_prints_ibms_lines_and_resynchronises_the_new_home():
    """IBM 5.2.3/6.0.1 "Changing target protocol of SW/IW filesets":

        # mmafmctl fs1 failover -j sw1 --new-target=c2m3n06:/gpfs/fs1/sw1
        mmafmctl: Performing failover to nfs://c2m3n06/gpfs/fs1/sw1
        Fileset sw1 changed.
        mmafmctl: Failover in progress. This may take while...
         Check fileset state or register for callback to know the completion status.

    (the last line starts with a space; `host:/path` is echoed as an nfs:// URL). The GPFS
    log then shows a resync of the fileset: peersnap queues one."""
    session = Session()
    ok(session, "@home mkdir /gpfs/fs1/sw2")
    assert ok(session, "mmafmctl fs1 failover -j sw --new-target=home1:/gpfs/fs1/sw2") == [
        "mmafmctl: Performing failover to nfs://home1/gpfs/fs1/sw2",
        "Fileset sw changed.",
        "mmafmctl: Failover in progress. This may take while...",
        " Check fileset state or register for callback to know the completion status.",
    ]
    ok(session, "sim settle")
    assert ok(session, "@home ls /gpfs/fs1/sw2") == ["README", "data/"]
    assert ok(session, "mmafmctl fs1 getstate -j sw")[2].split()[1:3] == ["nfs://home1/gpfs/fs1/sw2", "Active"]
    assert fails(session, "mmafmctl fs1 failover -j ro --new-target nfs://home1/gpfs/fs1/sw2")[0] == (
        "mmafmctl: Failover is allowed only for single-writer and independent-writer filesets; ro is read-only.")


def test_failover_takes_a_target_url_as_well_as_host_colon_path():
    """IBM's synopsis: `--new-target NewAfmTarget`, the same form as afmTarget (`nfs://host/path`
    or `gpfs:///path`); its example writes `host:/path`. peersnap's own advice (mmchfileset's
    refusal below) says `--new-target nfs://home1/gpfs/fs1/iw`. A URL was read as `host:/path`:
    `nfs://home1/gpfs/fs1/iw` was refused ("Target path /home1/gpfs/fs1/iw ...") and
    `gpfs:///gpfs/fs1/iw` became `nfs://gpfs/gpfs/fs1/iw`, an NFS target from an NSD URL."""
    session = Session()
    assert ok(session, "mmafmctl fs1 failover -j sw --new-target nfs://home1/gpfs/fs1/iw")[0] == (
        "mmafmctl: Performing failover to nfs://home1/gpfs/fs1/iw")
    assert ok(session, "mmafmctl fs1 getstate -j sw")[2].split()[1] == "nfs://home1/gpfs/fs1/iw"
    assert ok(session, "mmafmctl fs1 failover -j sw --new-target gpfs:///gpfs/fs1/sw")[0] == (
        "mmafmctl: Performing failover to gpfs:///gpfs/fs1/sw")
    assert session.engine.world.filesets["sw"].target.protocol is Protocol.NSD


def test_mmchfileset_afm_target_keeps_the_home_path_of_an_sw_cache():
    """IBM documents failover as the way to change an SW/IW cache's target; what
    `mmchfileset -p afmTarget=` may change is not in IBM's reachable text. peersnap's
    choice: on an unlinked fileset with an empty queue, the NFS server or the protocol,
    never the home path of an SW/IW cache (that is failover)."""
    session = Session()
    ok(session, "mmunlinkfileset fs1 sw")
    assert fails(session, "mmchfileset fs1 sw -p afmTarget=nfs://home1/gpfs/fs1/iw")[0] == (
        "mmchfileset: afmTarget of single-writer fileset sw can change only its NFS server or protocol here; to point "
        "it at another home path run mmafmctl fs1 failover -j sw --new-target nfs://home1/gpfs/fs1/iw.")
    assert ok(session, "mmchfileset fs1 sw -p afmTarget=gpfs:///gpfs/fs1/sw") == ["Fileset sw changed."]
