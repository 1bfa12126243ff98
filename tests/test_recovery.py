"""Issue 11 (Fidelity II), third part: stop and start, a failed gateway and its recovery,
a dropped queue, and operations home refused that the gateway requeued. Each test quotes
the IBM text it relies on; where IBM is silent the docstring says that peersnap chooses
(docs/simulator.md lists every choice)."""

from __future__ import annotations

from command_runs import FAILED, fails, ok
from command_runs import FIRST_PSNAP as PSNAP
from peersnap.core.scenario import load, parse
from peersnap.core.session import Session

HEAD = [
    ("Fileset Name    Fileset Target                                Cache State          Gateway Node    Queue Length   "
    "Queue numExec"),
    ("------------    --------------                                -------------        ------------    ------------   "
    "-------------"),
]


def state(session: Session, fileset: str = "sw") -> str:
    """The getstate row of `fileset`, after IBM's two header lines."""
    lines = ok(session, f"mmafmctl fs1 getstate -j {fileset}")
    assert lines[:2] == HEAD
    return lines[2]


def row(cache_state: str, length: int, num_exec: int) -> str:
    return f"sw              nfs://home1/gpfs/fs1/sw                       {cache_state:<21}gw1             {length:<15}{num_exec}"


def test_nothing_is_synchronised_while_stopped_and_start_recovers():
    """IBM Spectrum Scale 5.0.4, "Stop and start replication on a fileset"
    (https://www.ibm.com/support/knowledgecenter/STXKQY_5.0.4/com.ibm.spectrum.scale.v5r04.doc/bl1ins_startandstopreplication.htm):
    "When the fileset state is 'Stopped', any data modification at the cache or the home is
    not synchronized." ... "The start operation first triggers the 'recovery' phase on the
    fileset, which determines the local changes and prepares the changed list for the
    replication." ... "After the recovery phase is complete and all changes are synchronized
    to the home, the AFM fileset state changes to 'Active'." Choices (IBM is silent): stop
    and start print nothing; stop drops the queue (start's recovery finds the changes); the
    policy scan takes 10 s plus 10 µs per cache entry, then the requeued ops flush without
    the async delay (IBM's priority queue)."""
    session = Session()
    ok(session, "echo before > /gpfs/fs1/sw/a")
    assert ok(session, "mmafmctl fs1 stop -j sw") == []
    assert state(session) == row("Stopped", 0, 0)
    ok(session, "echo during > /gpfs/fs1/sw/b")
    assert state(session) == row("Stopped", 0, 0)  # not queued: not synchronized
    ok(session, "sim advance 5m")
    assert ok(session, "@home ls /gpfs/fs1/sw") == ["README", "data/"]
    assert ok(session, "mmafmctl fs1 start -j sw") == []
    assert state(session) == row("QueueOnly", 2, 0)  # a and b, found by comparing the cache with home
    ok(session, "sim advance 9s")
    assert state(session) == row("QueueOnly", 2, 0)  # the policy scan is still running
    ok(session, "sim advance 2s")
    assert state(session) == row("Active", 0, 2)
    assert ok(session, "@home cat /gpfs/fs1/sw/a") == ["before"]
    assert ok(session, "@home cat /gpfs/fs1/sw/b") == ["during"]


def test_a_failed_gateway_loses_its_queue_and_recovery_requeues_a_queued_psnap_in_place():
    """IBM Spectrum Scale 5.0.5, "Gateway node failure and recovery"
    (https://www.ibm.com/support/knowledgecenter/STXKQY_5.0.5/com.ibm.spectrum.scale.v5r05.doc/bl1ins_gatewaynodefailureafm.html):
    "When a gateway node fails, the in-memory queue is lost. The queue is rebuilt in memory
    by the node taking over for the failed gateway. The process of rebuilding the queue is
    called recovery." ... "After the priority queue is flushed to home, the cache and home
    become synchronized and recovery is said to be completed and the cache returns to an
    Active state." State table (5.2.3, "Monitoring fileset states for AFM"): Recovery, "A new
    gateway is taking over a fileset as primary gateway after the old primary gateway failed".
    What becomes of a psnap whose home half was queued: IBM is silent. peersnap's choice,
    which never makes a pair with differing halves: recovery requeues what brings home to the
    cache half's contents, then the psnap marker, then the changes made after it."""
    session = Session()
    ok(session, "echo one > /gpfs/fs1/sw/a")
    ok(session, "mmpsnap fs1 create -j sw")
    ok(session, "echo two > /gpfs/fs1/sw/a")
    assert ok(session, "sim gateway fail") == [
        "Gateway node gw1 failed and restarted; it takes its filesets over again and runs recovery.",
        ("sw: in-memory queue lost (2 ops and 1 psnap marker); Recovery compared the cache with home and requeued "
         "2 ops and 1 psnap marker, to flush after the 10 s policy scan."),
        ("iw: in-memory queue lost (0 ops); Recovery compared the cache with home and requeued 0 ops, to flush "
         "after the 10 s policy scan."),
        ("swnsd: in-memory queue lost (0 ops); Recovery compared the cache with home and requeued 0 ops, to flush "
         "after the 10 s policy scan."),
    ]
    assert state(session) == row("QueueOnly", 3, 0)
    assert ok(session, "mmpsnap fs1 status -j sw")[-1].endswith("Queued behind 1 op")
    ok(session, "sim settle")
    assert state(session) == row("Active", 0, 3)
    psnap = session.engine.world.filesets["sw"].psnaps[PSNAP]
    assert psnap.identical is True
    assert ok(session, f"@home cat /gpfs/fs1/.snapshots/{PSNAP}/sw/a") == ["one"]
    assert ok(session, "@home cat /gpfs/fs1/sw/a") == ["two"]


def test_recovery_without_home_drops_the_queue_and_runs_again_when_home_answers():
    """IBM, AFM events (5.0.2, https://www.ibm.com/support/knowledgecenter/STXKQY_5.0.2/com.ibm.spectrum.scale.v5r02.doc/bl1pdg_rasevents_afm.htm):
    afm_cache_dropped "Fileset {0} is in Dropped state. ... An AFM cache fileset state moves
    to dropped due to different reasons like recovery failures". Recovery compares the cache
    with home, so without home it fails: peersnap's choice is Dropped until home is
    reachable again (or the fileset is accessed then), when recovery runs by itself."""
    session = Session()
    ok(session, "echo x > /gpfs/fs1/sw/a")
    ok(session, "sim link down")
    ok(session, "sim advance 61s")
    assert state(session) == row("Disconnected", 1, 0)
    lines = ok(session, "sim gateway fail")
    assert lines[1] == ("sw: in-memory queue lost (1 op); recovery needs home, which is unreachable: Dropped until "
                        "home is reachable again.")
    assert state(session) == row("Dropped", 0, 0)
    assert fails(session, "mmpsnap fs1 create -j sw")[0] == (
        "mmpsnap: 6027-2293 [E] The peer snapshot creation failed because fileset sw is in Dropped state.")
    assert any("Recovery of fileset sw in file system fs1 failed" in line for line in session.engine.world.gpfs_log)
    assert ok(session, "why sw") == [
        "sw is Dropped since 02:28:29 (`sim gateway fail`): its queue was dropped and recovery waits for home",
        "  · mode sw, target nfs://home1/gpfs/fs1/sw",
        "  · link down since 02:27:28 (`sim link down`)",
        "  · mmpsnap now: refused: 6027-2293, state Dropped (`sim link down` set it at 02:27:28)",
        "  · home export /gpfs/fs1/sw AFM enabled since the scenario started",
    ]
    ok(session, "sim link up")
    assert state(session) == row("QueueOnly", 1, 0)
    ok(session, "sim settle")
    assert state(session) == row("Active", 0, 1)
    assert ok(session, "@home cat /gpfs/fs1/sw/a") == ["x"]


def test_a_write_home_has_no_space_for_is_requeued_until_resume_requeued():
    """IBM Storage Scale 5.2.3, "Messages requeuing in AFM"
    (https://www.ibm.com/docs/en/storage-scale/5.2.3?topic=issues-messages-requeuing-in-afm):
    "if there is no space at home to perform a new write, a write message that is queued is
    not successful and gets requeued. ... The administrator has to resolve the issue by
    adding more space at home and running the mmafmctl resumeRequeued command, so that the
    requeued messages are executed at home again. If mmafmctl resumeRequeued is not run by an
    administrator, AFM would still execute the message in the regular order". Message
    6027-3232 (4.2.3): "For asynchronous operations that are requeued, run the mmafmctl
    command with the resumeRequeued option after fixing the problem at the home cluster."
    Choices: `sim home full|free` stands for home's space; the requeued op stays at the head
    (nothing overtakes it); without resumeRequeued the gateway retries it 2 minutes after
    home has space; resumeRequeued prints nothing (IBM shows no output); peersnap models no
    inode numbers, so 6027-3232's file IDs print as -1."""
    session = Session()
    ok(session, "sim home full")
    ok(session, "echo x > /gpfs/fs1/sw/a")
    ok(session, "sim advance 20s")
    assert state(session) == row("Dirty", 1, 0)
    assert session.engine.world.gpfs_log[-1] == (
        "6027-3232 [E] AFM: Create file system fs1 fileset sw file IDs [-1.-1.-1.-1,N] name a remote error 28")
    assert "sw: op #1 requeued: home had no space (mmafmctl fs1 resumeRequeued -j sw)" in ok(session, "sim status")
    ok(session, "sim advance 10m")
    assert session.run("@home cat /gpfs/fs1/sw/a").rc == 1  # still no space: still requeued
    assert ok(session, "sim home free")[1] == (
        "sw: requeued op #1 is retried in 2 minutes, or now with mmafmctl fs1 resumeRequeued -j sw.")
    assert ok(session, "mmafmctl fs1 resumeRequeued -j sw") == []
    ok(session, "sim advance 1s")
    assert state(session) == row("Active", 0, 1)
    assert ok(session, "@home cat /gpfs/fs1/sw/a") == ["x"]


def test_without_resume_requeued_the_gateway_retries_by_itself():
    """The same IBM page: "If mmafmctl resumeRequeued is not run by an administrator, AFM
    would still execute the message in the regular order" (peersnap: 2 minutes after home
    has space, a choice)."""
    session = Session()
    ok(session, "sim home full")
    ok(session, "echo x > /gpfs/fs1/sw/a")
    ok(session, "sim advance 20s")
    ok(session, "sim home free")
    ok(session, "sim advance 119s")
    assert state(session) == row("Dirty", 1, 0)
    ok(session, "sim advance 2s")
    assert state(session) == row("Active", 0, 1)


def test_a_stopped_fileset_keeps_its_mode_until_its_changes_are_home():
    """IBM, "Conversion of mode" (5.2.3): "A single-writer (SW) or independent-writer (IW)
    fileset with pending requests in the queue cannot be converted." A Stopped fileset's
    changes are pending though no longer queued (start's recovery queues them): peersnap
    refuses the conversion until they are at home (its message is peersnap's)."""
    session = Session()
    ok(session, "echo x > /gpfs/fs1/sw/a")
    ok(session, "mmafmctl fs1 stop -j sw")
    ok(session, "mmunlinkfileset fs1 sw")
    assert fails(session, "mmchfileset fs1 sw -p afmMode=ro") == [
        ("mmchfileset: Fileset sw is Stopped: its changes are not all at home yet; afmMode cannot be changed until "
         "they are."),
        f"mmchfileset: {FAILED}",
    ]
    ok(session, "mmafmctl fs1 start -j sw")
    ok(session, "sim settle")
    assert ok(session, "mmchfileset fs1 sw -p afmMode=ro") == ["Fileset sw changed."]


def test_queue_only_while_the_policy_scan_runs_then_recovery_while_the_priority_queue_flushes():
    """IBM Storage Scale 5.2.3, "Monitoring fileset states for AFM"
    (https://www.ibm.com/docs/en/storage-scale/5.2.3?topic=dr-monitoring-fileset-states-afm):
    "QueueOnly | The cache is running some operation. | Operations such as recovery, resync,
    failover are being executed, and operations are being queued and not flushed. | Healthy |
    This is a temporary state." and "Recovery | The cache is accessed after primary gateway
    failure | A new gateway is taking over a fileset as primary gateway after the old primary
    gateway failed." "Gateway node failure and recovery" (5.0.5): "AFM collects the pending
    operations by running a policy scan in the fileset. ... After the priority queue is
    flushed to home, the cache and home become synchronized and recovery is said to be
    completed and the cache returns to an Active state." IBM does not say which of the two
    names getstate prints when; peersnap's reading: QueueOnly while the scan runs (its result
    queued, nothing flushed), Recovery while the priority queue flushes, then Active. The
    scan of 101 entries (the 100 loaded files and their directory) takes 10 s + 1,010 µs."""
    session = Session()
    ok(session, "mmafmctl fs1 stop -j sw")
    ok(session, "sim load 100 -j sw --size 1048576")
    ok(session, "mmafmctl fs1 start -j sw")
    assert state(session) == row("QueueOnly", 101, 0)
    ok(session, "sim advance 10s")
    assert state(session) == row("QueueOnly", 101, 0)  # nothing flushed while the scan runs
    assert fails(session, "mmpsnap fs1 create -j sw")[0] == (
        "mmpsnap: 6027-2293 [E] The peer snapshot creation failed because fileset sw is in QueueOnly state.")
    ok(session, "sim advance 10ms")
    assert state(session) == row("Recovery", 100, 1)
    ok(session, "sim advance 1s")
    assert state(session) == row("Recovery", 4, 97)
    assert ok(session, "why sw")[0] == "sw is Recovery since 02:27:28 (recovery: mmafmctl start), 4 ops queued (#98..#101)"
    assert fails(session, "mmpsnap fs1 create -j sw")[0] == (
        "mmpsnap: 6027-2293 [E] The peer snapshot creation failed because fileset sw is in Recovery state.")
    ok(session, "sim advance 1s")
    assert state(session) == row("Active", 0, 101)
    ok(session, "mmpsnap fs1 create -j sw")


TWO_IW = '\n[[fileset]]\nname = "iw2"\nid = 64\nmode = "iw"\ntarget = "nfs://home1/gpfs/fs1/iw"\n'


def two_iw_caches() -> Session:
    """The seed scenario with a second IW cache, iw2, of iw's home /gpfs/fs1/iw."""
    scenario = load()
    with open(scenario.source, encoding="utf-8") as f:
        toml = f.read()
    marker = '[[fileset]]\nname = "lu"'
    assert marker in toml
    return Session(parse(toml.replace(marker, TWO_IW.lstrip() + "\n" + marker, 1), "two-iw.toml"))


def test_an_iw_cache_recovers_only_its_own_changes_at_a_home_other_iw_caches_write():
    """IBM Spectrum Scale 5.0.5, "Gateway node failure and recovery": "Gateway node failures
    are not catastrophic and do not result in the loss of data". IBM Storage Scale 5.2.3,
    "Conversion of mode": "home conflicts that are caused by writers from other IW filesets":
    an IW home has other writers. How recovery tells their changes from the cache's own, IBM
    does not say ("AFM collects the pending operations by running a policy scan in the
    fileset"); peersnap's choice: an IW cache's recovery queues only the paths of the queue it
    lost and what changed at the cache since (while Stopped or Dropped, nothing is queued), so
    what the other caches wrote at home stays (before this, iw2's recovery emptied the home)."""
    session = two_iw_caches()
    ok(session, "echo from2 > /gpfs/fs1/iw2/x")
    ok(session, "sim settle")
    ok(session, "echo mine > /gpfs/fs1/iw/y")  # queued at the gateway, lost with it
    ok(session, "sim gateway fail")
    ok(session, "sim settle")
    assert ok(session, "@home ls /gpfs/fs1/iw") == ["README", "x", "y"]
    assert ok(session, "@home cat /gpfs/fs1/iw/y") == ["mine"]
    ok(session, "mmafmctl fs1 stop -j iw")
    ok(session, "echo later > /gpfs/fs1/iw/z")  # not queued while Stopped: start's recovery finds them
    ok(session, "rm /gpfs/fs1/iw/y")
    ok(session, "mkdir -p /gpfs/fs1/iw/d/e")
    ok(session, "echo deep > /gpfs/fs1/iw/d/e/f")
    ok(session, "echo again > /gpfs/fs1/iw2/x2")  # iw2 still replicates
    ok(session, "sim settle")
    assert ok(session, "@home ls /gpfs/fs1/iw") == ["README", "x", "x2", "y"]
    ok(session, "mmafmctl fs1 start -j iw")
    assert state(session, "iw").split()[2] == "QueueOnly"
    ok(session, "sim settle")
    assert ok(session, "@home ls /gpfs/fs1/iw") == ["README", "d/", "x", "x2", "z"]
    assert ok(session, "@home cat /gpfs/fs1/iw/d/e/f") == ["deep"]
    assert session.engine.world.filesets["iw"].unsent_pin == -1  # the cache's pin is released
