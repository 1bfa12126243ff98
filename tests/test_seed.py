"""The seed's three examples (the product page for mmpsnap), as acceptance tests.

On the default scenario, the commands of the page print the page's output line
for line. One difference is by design: the date part of the psnap name comes
from the simulated cache clock (Thu Oct 27 02:27:28 2016), so the name ends
`-59-16-10-27-02-27-28` where the page shows `-59-12-03-01-02-27-28`.
"""

from __future__ import annotations

import re

from peersnap.core.session import Session

SEED_NAME = "psnap-13882361812785649740-C0A80E85:4F44B305-59-12-03-01-02-27-28"
NAME = "psnap-13882361812785649740-C0A80E85:4F44B305-59-16-10-27-02-27-28"

# The page's output, pasted as printed (whitespace runs do not matter).
SEED_CREATE = f"""\
Writing dirty data to disk.
Quiescing all file system operations.
Writing dirty data to disk again.
Snapshot {SEED_NAME} created with id 8.
Snapshot {SEED_NAME} created at the satellite.
Core snapshot has been queued.
"""
SEED_LIST_CACHE = f"""\
Snapshots in file system fs1:
Directory SnapId Status Created Fileset
{SEED_NAME} 8 Valid Thu Oct 27 02:27:29 2016 sw
"""
SEED_LIST_HOME = f"""\
Snapshots in file system fs1:
Directory SnapId Status Created Fileset
{SEED_NAME} 8 Valid Thu Oct 27 02:23:16 2016
"""


def squeeze(line: str) -> str:
    """A line with runs of whitespace collapsed to one space, ends trimmed."""
    return re.sub(r"\s+", " ", line).strip()


def expected(page: str) -> list[str]:
    """The page's lines, with the name dated by the simulated clock."""
    return [squeeze(line.replace(SEED_NAME, NAME)) for line in page.splitlines()]


def printed(result) -> list[str]:
    return [squeeze(line) for line in result.lines]


def run_seed() -> tuple[Session, list]:
    session = Session()
    results = [
        session.run("mmpsnap fs1 create -j sw"),
        session.run("mmlssnapshot fs1 -j sw"),
        session.run("sim settle"),
        session.run("@home mmlssnapshot fs1"),
    ]
    return session, results


def test_example_1_create_a_peer_snapshot_of_the_sw_fileset():
    session = Session()
    result = session.run("mmpsnap fs1 create -j sw")
    assert result.rc == 0
    assert printed(result) == expected(SEED_CREATE)


def test_example_2_view_the_snapshot_at_the_cache():
    _, (_, listing, _, _) = run_seed()
    assert listing.rc == 0
    assert printed(listing) == expected(SEED_LIST_CACHE)


def test_example_3_view_the_snapshot_at_home():
    _, (_, _, settle, listing) = run_seed()
    assert settle.rc == 0
    assert listing.rc == 0 and listing.cluster == "home"
    assert printed(listing) == expected(SEED_LIST_HOME)


def test_cache_half_is_created_a_second_after_the_name_is_stamped():
    """The name carries the clock before quiescing (02:27:28); the snapshot is
    created once the file system is quiesced, a second later (02:27:29)."""
    session, _ = run_seed()
    cache = session.engine.world.cache.fs.snapshot(NAME, "sw")
    assert cache.id == 8 and cache.fileset == "sw" and cache.peer
    assert session.engine.clock_text("cache", cache.created_us) == "Thu Oct 27 02:27:29 2016"


def test_home_half_has_the_same_name_and_id_and_the_home_clock():
    session, _ = run_seed()
    home = session.engine.world.home.fs.snapshot(NAME)
    assert home.id == 8 and home.fileset is None and home.peer
    assert session.engine.clock_text("home", home.created_us) == "Thu Oct 27 02:23:16 2016"


def test_home_row_has_an_empty_fileset_column():
    _, (_, cache_listing, _, home_listing) = run_seed()
    assert cache_listing.lines[-1].endswith(" sw")
    row = home_listing.lines[-1]
    assert row == row.rstrip()
    assert row.endswith("Thu Oct 27 02:23:16 2016")


def test_both_halves_hold_the_same_copy():
    session, _ = run_seed()
    psnap = session.engine.world.filesets["sw"].psnaps[NAME]
    assert psnap.identical is True
    assert session.run(f"cat /gpfs/fs1/sw/.snapshots/{NAME}/README").lines == [
        "Single-writer cache of home1:/gpfs/fs1/sw"
    ]
    assert session.run(f"@home cat /gpfs/fs1/.snapshots/{NAME}/sw/README").lines == [
        "Single-writer cache of home1:/gpfs/fs1/sw"
    ]


# -- the exact column layout ------------------------------------------------------


def test_listing_columns_are_left_aligned_at_25_10_8_26():
    session = Session()
    session.run("mmcrsnapshot fs1 short -j sw")
    header, row = session.run("mmlssnapshot fs1").lines[1:]
    assert header == f"{'Directory':<25}{'SnapId':<10}{'Status':<8}{'Created':<26}Fileset"
    assert row == f"{'short':<25}{'8':<10}{'Valid':<8}{'Thu Oct 27 02:27:29 2016':<26}sw"


def test_a_long_name_pushes_the_other_columns_right():
    _, (_, listing, _, home_listing) = run_seed()
    assert listing.lines[2] == f"{NAME} {'8':<10}{'Valid':<8}{'Thu Oct 27 02:27:29 2016':<26}sw"
    assert home_listing.lines[2] == f"{NAME} {'8':<10}{'Valid':<8}Thu Oct 27 02:23:16 2016"


def test_the_seed_transcript_of_peersnap_run(capsys):
    """The seed's three commands through the headless runner, byte for byte."""
    import sys

    from peersnap.tui.cli import run_lines

    status = run_lines(
        Session(),
        ["mmpsnap fs1 create -j sw", "mmlssnapshot fs1 -j sw", "sim settle", "@home mmlssnapshot fs1"],
        False,
        sys.stdout,
    )
    out = capsys.readouterr().out.splitlines()
    assert status == 0
    assert out[0] == "[cache]# mmpsnap fs1 create -j sw"
    assert out[7] == "[cache]# mmlssnapshot fs1 -j sw"
    assert "[home]# mmlssnapshot fs1" in out
    assert out[-1] == f"{NAME} {'8':<10}{'Valid':<8}Thu Oct 27 02:23:16 2016"
