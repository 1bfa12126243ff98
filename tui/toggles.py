"""What each command action (a connection toggle, Ctrl+S) runs: real command lines,
through the session. `actions.py` names, for each action, the builder here.

A toggle is a short script of commands. When a step fails, the steps already
done are undone in reverse, so a refused toggle changes nothing; every line
run (undo included) is returned so the console can show it, and people learn
the CLI by watching.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field
from typing import TYPE_CHECKING

from peersnap.core.model import AfmMode, Protocol
from peersnap.core.records import record
from peersnap.core.rules import Refusal
from peersnap.core.session import Session

if TYPE_CHECKING:
    from peersnap.core.commands import Result

# LU is left out: IBM, "Conversion of mode": an LU fileset can never be converted again, so a
# cycle through it would end there. (`mmchfileset ... -p afmMode=lu` typed still makes one.)
MODE_CYCLE = {AfmMode.SW: AfmMode.RO, AfmMode.RO: AfmMode.IW, AfmMode.IW: AfmMode.SW, AfmMode.LU: AfmMode.SW}


@record
class Step:
    line: str
    undo: str = ""


StepsFor = Callable[[Session, str], list[Step]]  # (session, the selected fileset) -> the lines to run


@record(frozen=False)
class ToggleOutcome:
    results: list[Result] = field(default_factory=list)  # the steps run, the failing one last
    undone: list[Result] = field(default_factory=list)  # the undo commands run after a failure
    ok: bool = True
    refusal: Refusal | None = None
    failure: list[str] = field(default_factory=list)  # the failing command's output, when not a rule


def run_steps(session: Session, steps: list[Step], via: str = "") -> ToggleOutcome:
    """Run the steps in order (`via`: the key that ran them, which `why` cites). Every line
    after the first is logged as joined to it, the undo lines of a failure too: one Ctrl+Z
    rewinds the whole toggle, and never leaves the fileset unlinked."""
    outcome = ToggleOutcome()
    done: list[Step] = []
    for step in steps:
        result = session.run(step.line, via, joined=bool(outcome.results))
        outcome.results.append(result)
        if result.rc != 0:
            outcome.ok = False
            outcome.refusal = result.refusal
            outcome.failure = list(result.lines)
            for earlier in reversed(done):
                if earlier.undo:
                    outcome.undone.append(session.run(earlier.undo, via, joined=True))
            break
        done.append(step)
    return outcome


def _relink(device: str, name: str, mount: str, change: str) -> list[Step]:
    return [
        Step(f"mmunlinkfileset {device} {name}", f"mmlinkfileset {device} {name} -J {mount}/{name}"),
        Step(change),
        Step(f"mmlinkfileset {device} {name} -J {mount}/{name}"),
    ]


def link_steps(session: Session, fileset_name: str) -> list[Step]:
    return [Step("sim link up" if not session.engine.world.link_up else "sim link down")]


def protocol_steps(session: Session, fileset_name: str) -> list[Step]:
    engine = session.engine
    fileset = engine.world.filesets[fileset_name]
    fs = engine.world.cache.fs
    new = Protocol.NFS if fileset.target.protocol is Protocol.NSD else Protocol.NSD
    target = fileset.target.with_protocol(new, engine.world.nfs_host)
    change = f"mmchfileset {fs.name} {fileset_name} -p afmTarget={target}"
    steps = _relink(fs.name, fileset_name, fs.mount, change)
    return steps if fileset.linked else steps[1:2]


def afmconfig_steps(session: Session, fileset_name: str) -> list[Step]:
    engine = session.engine
    fileset = engine.world.filesets[fileset_name]
    export = engine.world.export_for(fileset)
    verb = "disable" if export is not None and export.afm_enabled else "enable"
    return [Step(f"@home mmafmconfig {verb} {fileset.target.path}")]


def mode_steps(session: Session, fileset_name: str) -> list[Step]:
    engine = session.engine
    fileset = engine.world.filesets[fileset_name]
    fs = engine.world.cache.fs
    change = f"mmchfileset {fs.name} {fileset_name} -p afmMode={MODE_CYCLE[fileset.mode].value}"
    steps = _relink(fs.name, fileset_name, fs.mount, change)
    # an LU fileset's change is refused whatever its link: try it as it is, nothing unlinked
    return steps if fileset.linked and fileset.mode is not AfmMode.LU else steps[1:2]


def psnap_steps(session: Session, fileset_name: str) -> list[Step]:
    return [Step(f"mmpsnap {session.engine.world.cache.fs.name} create -j {fileset_name}")]


def state_steps(session: Session, fileset_name: str) -> list[Step]:
    return [Step(f"mmafmctl {session.engine.world.cache.fs.name} getstate -j {fileset_name}")]
