"""The world's one home-directory rule, the gateway's op timing, the one way a
rule refuses, and the engine's typed timers."""

from __future__ import annotations

import pytest
from peersnap.core import gateway, rules
from peersnap.core.events import EventBus, OpsFlushed, RuleRefused
from peersnap.core.session import Session
from peersnap.core.world import home_directory

FAILED = "Command failed. Examine previous error messages to determine cause."


@pytest.mark.parametrize("path, directory", [
    ("/gpfs/fs1/sw", "sw"),
    ("/gpfs/fs1/sw/data", ""),  # AFM exports whole directories directly under the mount
    ("/gpfs/fs1", ""),
    ("/gpfs/fs10/sw", ""),  # another mount that merely starts the same
    ("/elsewhere/sw", ""),
])
def test_home_directory_is_the_name_directly_under_the_mount(path, directory):
    assert home_directory("/gpfs/fs1", path) == directory


def test_a_fileset_mirrors_the_home_directory_its_target_names():
    world = Session().engine.world
    sw = world.filesets["sw"]
    assert world.home_dir(sw) == "sw"
    assert world.home_tree(sw) is world.home.fs.trees["sw"]
    assert world.filesets_on_export("sw") == [sw]


def test_ready_at_skips_the_async_delay_for_markers_and_flushed_ops():
    queue = gateway.GatewayQueue()
    write = queue.push(gateway.WRITE, "a", "x", 1, 100)
    marker = queue.push(gateway.PSNAP, "", "p", 0, 100)
    assert gateway.ready_at(write, 15, flush_through=0) == 115
    assert gateway.ready_at(write, 15, flush_through=write.seq + 1) == 100  # flushPending lifted it
    assert gateway.ready_at(marker, 15, flush_through=0) == 100


def test_done_at_adds_latency_and_bytes_at_the_link_speed_after_the_gateway_is_free():
    link = gateway.LinkSettings(bandwidth=1_000_000, latency_us=500)
    op = gateway.GatewayQueue().push(gateway.WRITE, "a", "x", 2_000, 0)
    assert gateway.transfer_us(2_000, link) == 500 + 2_000
    assert gateway.done_at(op, busy_until=0, async_delay_us=10, flush_through=0, link=link) == 10 + 2_500
    assert gateway.done_at(op, busy_until=50_000, async_delay_us=10, flush_through=0, link=link) == 52_500


def test_the_engine_flushes_an_op_when_gateway_done_at_says():
    session = Session()
    engine = session.engine
    assert session.run("echo hello > /gpfs/fs1/sw/a").ok
    sw = engine.world.filesets["sw"]
    op = next(iter(sw.queue))
    expected = gateway.done_at(op, sw.queue.busy_until, sw.async_delay_us, sw.queue.flush_through, engine.world.link)
    flushed: list[OpsFlushed] = []
    engine.subscribe(lambda e: flushed.append(e) if isinstance(e, OpsFlushed) else None)
    engine.settle()
    assert [e.at for e in flushed] == [expected]


def test_drain_done_counts_every_live_op_back_to_back():
    link = gateway.LinkSettings(bandwidth=1_000_000, latency_us=500)
    queue = gateway.GatewayQueue()
    for i in range(3):
        queue.push(gateway.WRITE, f"f{i}", "x", 1_000, 0)
    # three ops of 1,000 B: 3 x (500 us + 1,000 us), and never before the newest is ready
    assert gateway.drain_done(queue, async_delay_us=0, link=link, now=0) == 4_500
    assert gateway.drain_done(queue, async_delay_us=10_000, link=link, now=0) == 10_500


def test_enforce_announces_one_refusal_and_raises_or_does_nothing():
    bus = EventBus()
    seen: list[object] = []
    bus.subscribe(seen.append)
    rules.enforce(None, "mmpsnap", "sw", bus, 7)
    assert seen == []
    refusal = rules.Refusal("rule", "6027-0000", "text", "hint")
    with pytest.raises(rules.Refused) as raised:
        rules.enforce(refusal, "mmpsnap", "sw", bus, 7)
    assert raised.value.refusal is refusal
    assert seen == [RuleRefused(7, "sw", "mmpsnap", "rule", "6027-0000", "text", "hint")]


def test_a_psnap_of_an_unlinked_fileset_is_a_rule_refusal_that_changes_nothing():
    session = Session()
    assert session.run("mmunlinkfileset fs1 sw").ok
    seen: list[object] = []
    session.subscribe(seen.append)
    before = session.engine.fingerprint()
    result = session.run("mmpsnap fs1 create -j sw")
    assert result.lines == [
        "mmpsnap: Fileset sw is not linked; link it first (mmlinkfileset fs1 sw -J /gpfs/fs1/sw).",
        f"mmpsnap: {FAILED}",
    ]
    assert result.refusal is not None and result.refusal.rule == "fileset must be linked"
    assert [e.rule for e in seen if isinstance(e, RuleRefused)] == ["fileset must be linked"]
    assert session.engine.fingerprint() == before


def test_deleting_one_half_of_a_psnap_is_not_refused_but_breaks_the_pair():
    """Issue 11: IBM's mmdelsnapshot does not refuse a psnap half (the docs only advise
    against it), so neither does peersnap; the pair is marked broken (tests/test_fidelity.py)."""
    session = Session()
    assert session.run("mmpsnap fs1 create -j sw").ok
    name = next(iter(session.engine.world.filesets["sw"].psnaps))
    result = session.run(f"mmdelsnapshot fs1 {name} -j sw")
    assert result.rc == 0 and result.refusal is None
    assert session.engine.world.filesets["sw"].psnaps[name].broken == "cache"


def test_a_link_down_arms_the_disconnect_timeout_and_link_up_cancels_it():
    session = Session()
    engine = session.engine
    assert session.run("sim link down").ok
    assert engine.next_event_time() == engine.now + engine.world.link.disconnect_timeout_us
    assert session.run("sim link up").ok
    assert engine.next_event_time() is None


def test_a_queued_home_half_says_what_it_waits_for_one_way():
    """`mmpsnap status` and the dashboard's pair table read the same `home_wait`."""
    from peersnap.core.model import HomeWait
    from peersnap.core.session import Session

    session = Session()
    engine = session.engine
    session.run("echo a > /gpfs/fs1/sw/a")
    session.run("mmpsnap fs1 create -j sw")
    psnap = next(iter(engine.world.filesets["sw"].psnaps.values()))
    assert engine.snapshots.home_wait(psnap) == (HomeWait.OPS, 1)
    session.run("mmafmctl fs1 stop -j sw")
    assert engine.snapshots.home_wait(psnap)[0] is HomeWait.STOPPED
    session.run("mmafmctl fs1 start -j sw")
    session.run("sim link down")
    assert engine.snapshots.home_wait(psnap)[0] is HomeWait.LINK
    assert engine.snapshots.home_half_text(psnap) == "Pending reconnect"
