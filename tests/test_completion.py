"""Tab completion reads what each word names from the command declarations
(`Command.args`, `Command.values`, `Command.choices`)."""

from __future__ import annotations

import pytest
from peersnap.core.commands import REGISTRY
from peersnap.core.completion import complete, did_you_mean
from peersnap.core.session import Session

FILESETS = ["iw", "lu", "ro", "sw", "swnsd"]


@pytest.fixture(scope="module")
def session() -> Session:
    session = Session(allow_files=False)
    assert session.run("mmpsnap fs1 create -j sw").ok
    assert session.run("@home mmcrsnapshot fs1 nightly").ok
    return session


def psnap_name(session: Session) -> str:
    return next(iter(session.engine.world.filesets["sw"].psnaps))


@pytest.mark.parametrize("typed, expected", [
    ("@h", ["@home "]),
    ("  @c", ["  @cache "]),
    ("mmpsnap ", ["mmpsnap fs1 "]),  # a device
    ("mmpsnap fs1 ", ["mmpsnap fs1 create ", "mmpsnap fs1 delete ", "mmpsnap fs1 status "]),  # a subcommand
    ("mmpsnap fs1 create -j ", [f"mmpsnap fs1 create -j {f} " for f in FILESETS]),  # -j names a fileset
    ("mmpsnap fs1 create --comment ", []),  # free text
    # nothing more is positional: the options the subcommand takes, each once (changed on purpose, issue 12:
    # this listed nothing; `mmpsnap fs1 create ` + Tab must list create's options)
    ("mmpsnap fs1 create -j sw ", ["mmpsnap fs1 create -j sw --comment ", "mmpsnap fs1 create -j sw --uid ",
                                   "mmpsnap fs1 create -j sw --wait "]),
    ("mmpsnap fs1 create ", ["mmpsnap fs1 create --comment ", "mmpsnap fs1 create --uid ",
                             "mmpsnap fs1 create --wait ", "mmpsnap fs1 create -j "]),
    # the subcommand's own options: -s is delete's, --rpo (always refused here) is never offered
    ("mmpsnap fs1 create -", ["mmpsnap fs1 create --comment ", "mmpsnap fs1 create --uid ",
                              "mmpsnap fs1 create --wait ", "mmpsnap fs1 create -j "]),
    ("mmpsnap fs1 delete -", ["mmpsnap fs1 delete -j ", "mmpsnap fs1 delete -s "]),
    ("mmpsnap fs1 status ", ["mmpsnap fs1 status -j "]),
    ("mmafmctl fs1 getstate -", ["mmafmctl fs1 getstate -Y ", "mmafmctl fs1 getstate -j "]),
    ("mmafmctl fs1 stop -", ["mmafmctl fs1 stop -j "]),
    ("sim load 5 ", ["sim load 5 --size ", "sim load 5 -j "]),
    ("sim advance 5s ", []),
    ("mmchfileset fs1 ", [f"mmchfileset fs1 {f} " for f in FILESETS]),
    ("mmchfileset fs1 sw -p ", ["mmchfileset fs1 sw -p afmAsyncDelay=", "mmchfileset fs1 sw -p afmMode=",
                                "mmchfileset fs1 sw -p afmTarget="]),
    ("mmchfileset fs1 sw -p afmMode=i", ["mmchfileset fs1 sw -p afmMode=iw "]),
    ("mmlinkfileset fs1 sw -J /gpfs/fs1/s", ["mmlinkfileset fs1 sw -J /gpfs/fs1/sw ",
                                            "mmlinkfileset fs1 sw -J /gpfs/fs1/swnsd "]),
    ("@home mmafmconfig enable /gpfs/fs1/s", ["@home mmafmconfig enable /gpfs/fs1/sw ",
                                             "@home mmafmconfig enable /gpfs/fs1/swnsd "]),
    ("sim link ", ["sim link down ", "sim link up "]),  # a subcommand's own choices
    ("sim load 5 --size ", []),
    ("help mmp", ["help mmpsnap "]),
    ("ls -l /gpfs/fs1/s", ["ls -l /gpfs/fs1/sw/", "ls -l /gpfs/fs1/swnsd/"]),
    ("cat /gpfs/fs1/sw/", ["cat /gpfs/fs1/sw/.snapshots/", "cat /gpfs/fs1/sw/README ", "cat /gpfs/fs1/sw/data/"]),
    ("@home  ls /gpfs/fs1/s", ["@home  ls /gpfs/fs1/sw/", "@home  ls /gpfs/fs1/swnsd/"]),
    ("nosuch ", []),
])
def test_each_word_completes_to_what_the_declaration_says_it_names(session, typed, expected):
    assert complete(session, typed) == expected


def test_snapshot_names_come_from_the_cluster_the_line_runs_on(session):
    name = psnap_name(session)
    assert complete(session, "mmdelsnapshot fs1 ") == [f"mmdelsnapshot fs1 {name} "]
    assert complete(session, "@home mmdelsnapshot fs1 ") == [f"@home mmdelsnapshot fs1 {n} " for n in ("nightly", name)]


def test_psnap_names_follow_the_fileset_given_with_j(session):
    name = psnap_name(session)
    assert complete(session, "mmpsnap fs1 delete -j sw -s ") == [f"mmpsnap fs1 delete -j sw -s {name} "]
    assert complete(session, "mmpsnap fs1 delete -j iw -s ") == []


def test_every_value_taking_option_that_parse_options_knows_is_declared():
    """What completion skips as an option's value is what the command takes as one."""
    for command in REGISTRY.values():
        assert set(command.values) <= set(command.options), command.name


@pytest.mark.parametrize("typed, meant", [
    ("mmpsanp", ["mmpsnap"]),
    ("mmpsnap fs1 crate", ["create"]),
    ("mmpsnap fs1 create --wiat", ["--wait"]),
    ("sim lod", ["load"]),
    ("@home mmafmconfg", ["mmafmconfig", "mmafmctl"]),
    ("mmpsnap fs1 create -j sww", ["sw"]),
    ("mmpsnap", []),  # a known word is no typo
    ("zzzz", []),
])
def test_a_typo_gets_a_did_you_mean(session, typed, meant):
    assert did_you_mean(session, typed) == meant


def test_a_mistyped_command_says_what_it_probably_was(session):
    assert session.run("mmpsanp fs1 create -j sw").lines == ["mmpsanp: command not found (did you mean mmpsnap?)"]
