"""mmpsnap, mmlssnapshot, mmcrsnapshot, mmdelsnapshot."""

from __future__ import annotations

from .. import rules
from ..errors import SimError
from ..model import HomeHalf, Snapshot
from ..snapshots import check_snapshot_name
from .base import (
    DEVICE,
    FAILED,
    FILESET,
    PSNAP,
    SNAPSHOT,
    SUBCOMMAND,
    TEXT,
    Command,
    Context,
    UsageError,
    expect_args,
    parse_options,
)

PSNAP_USAGE = (
    "Usage: mmpsnap Device create -j FilesetName [{[--comment Comment] [--uid ClusterUID]} | --rpo] [--wait]\n"
    "   or: mmpsnap Device delete -s SnapshotName -j FilesetName\n"
    "   or: mmpsnap Device status -j FilesetName"
)


def mmpsnap(ctx: Context, args: list[str]) -> list[str]:
    opts = parse_options(args, {"-j", "-s", "--comment", "--uid"}, {"--rpo", "--wait"}, PSNAP_USAGE)
    expect_args(opts, 2, 2, PSNAP_USAGE)
    device, action = opts.args
    if action not in ("create", "delete", "status"):
        raise UsageError(f"Incorrect subcommand: {action} (use create, delete or status).", PSNAP_USAGE)
    if "-j" not in opts.values:
        raise UsageError("Option -j FilesetName is required.", PSNAP_USAGE)
    allowed = {"create": {"-j", "--comment", "--uid", "--rpo", "--wait"}, "delete": {"-j", "-s"}, "status": {"-j"}}[action]
    for given in [*opts.values, *opts.flags]:
        if given not in allowed:
            raise UsageError(f"Option {given} is not valid with {action}.", PSNAP_USAGE)
    ctx.device(device)
    fileset = ctx.fileset(opts.get("-j"))
    engine = ctx.engine
    if action == "status":
        return psnap_status(ctx, fileset.name)
    if action == "delete":
        if "-s" not in opts.values:
            raise UsageError("Option -s SnapshotName is required.", PSNAP_USAGE)
        try:
            return engine.snapshots.delete_psnap(fileset.name, opts.get("-s"))
        except SimError as exc:
            raise ctx.fail(*exc.lines) from None
    if "--rpo" in opts.flags:
        if "--comment" in opts.values or "--uid" in opts.values:
            raise UsageError("--rpo cannot be combined with --comment or --uid.", PSNAP_USAGE)
        raise ctx.fail("mmpsnap: 6027-2286 [E] RPO peer snapshots using mmpsnap are allowed only for primary filesets.")
    try:
        psnap = engine.snapshots.create_psnap(fileset.name, opts.get("--comment"), opts.get("--uid"))
    except SimError as exc:
        raise ctx.fail(*exc.lines) from None
    name = psnap.name
    lines = [
        "Writing dirty data to disk.",
        "Quiescing all file system operations.",
        "Writing dirty data to disk again.",
        f"Snapshot {name} created with id {psnap.cache_snap.id}.",
        f"Snapshot {name} created at the satellite.",
    ]
    if psnap.created_disconnected:
        lines.append(
            "Core snapshot has not been created: home is unreachable. "
            "It will be created when the connection is restored."
        )
    else:
        lines.append("Core snapshot has been queued.")
    if "--wait" in opts.flags:
        done = engine.wait_for_psnap(psnap)
        if psnap.home is HomeHalf.CREATED and psnap.home_snap is not None:
            lines.append(f"Core snapshot {name} created with id {psnap.home_snap.id}.")
        elif psnap.home is HomeHalf.FAILED:
            raise SimError(*lines, f"mmpsnap: Core snapshot {name} failed: {psnap.failure}.", f"mmpsnap: {FAILED}")
        elif not done:
            why = "the link to home is down" if not engine.world.link_up else f"fileset {fileset.name} is {fileset.state.value}"
            raise SimError(
                *lines,
                f"mmpsnap: --wait gave up: the core snapshot cannot be created now because {why}.",
                f"mmpsnap: The cache snapshot {name} exists; the core snapshot stays queued "
                f"({engine.snapshots.home_half_text(psnap)}).",
            )
    return lines


def psnap_status(ctx: Context, fileset_name: str) -> list[str]:
    engine = ctx.engine
    fileset = engine.world.filesets[fileset_name]
    if not fileset.psnaps:
        return [f"No peer snapshots for fileset {fileset_name} in file system fs1."]
    lines = [f"Peer snapshots for fileset {fileset_name} in file system fs1:", f"{'Name':<24} {'SnapId':<9} {'Created':<25} Home"]
    for psnap in fileset.psnaps.values():
        created = engine.clock_text("cache", psnap.cache_snap.created_us)
        snap_id = str(psnap.cache_snap.id) if psnap.cache_snap.name in engine.world.cache.fs.snapshots else "-"
        lines.append(f"{psnap.name:<24} {snap_id:<9} {created:<25} {engine.snapshots.home_half_text(psnap)}")
    return lines


LS_USAGE = "Usage: mmlssnapshot Device [-j FilesetName]"


def mmlssnapshot(ctx: Context, args: list[str]) -> list[str]:
    opts = parse_options(args, {"-j"}, set(), LS_USAGE)
    expect_args(opts, 1, 1, LS_USAGE)
    ctx.device(opts.args[0])
    fs = ctx.engine.world.cluster(ctx.cluster).fs
    snaps = list(fs.snapshots.values())
    if "-j" in opts.values:
        name = opts.get("-j")
        ctx.fileset(name)
        snaps = [s for s in snaps if s.fileset == name]
    if not snaps:
        return [f"No snapshots in file system {fs.name}."]
    return [f"Snapshots in file system {fs.name}:", snapshot_row("Directory", "SnapId", "Status", "Created", "Fileset")] + [
        snapshot_row(s.name, str(s.id), s.status, ctx.engine.clock_text(ctx.cluster, s.created_us), s.fileset or "")
        for s in sorted(snaps, key=lambda s: s.id)
    ]


def snapshot_row(name: str, snap_id: str, status: str, created: str, fileset: str) -> str:
    """mmlssnapshot's columns: left-aligned at 25, 10, 8 and 26; a long name pushes the rest right."""
    return f"{name:<24} {snap_id:<9} {status:<7} {created:<25} {fileset}".rstrip()


CR_USAGE = "Usage: mmcrsnapshot Device SnapshotName [-j FilesetName]"


def mmcrsnapshot(ctx: Context, args: list[str]) -> list[str]:
    opts = parse_options(args, {"-j"}, set(), CR_USAGE)
    expect_args(opts, 2, 2, CR_USAGE)
    device, name = opts.args
    ctx.device(device)
    try:
        check_snapshot_name("mmcrsnapshot", name)
    except SimError as exc:
        raise ctx.fail(*exc.lines) from None
    engine = ctx.engine
    fileset = None
    if "-j" in opts.values:
        fileset = ctx.fileset(opts.get("-j"))
        if not fileset.linked:
            raise ctx.fail(f"mmcrsnapshot: Fileset {fileset.name} is not linked.")
    fs = engine.world.cluster(ctx.cluster).fs
    if name in fs.snapshots:
        raise ctx.fail(f"mmcrsnapshot: Snapshot {name} already exists.")
    engine.quiesce()
    snap = engine.snapshots.take_snapshot(ctx.cluster, name, fileset.name if fileset else None)
    return [
        f"Flushing dirty data for snapshot {name}...",
        "Quiescing all file system operations.",
        f"Snapshot {name} created with id {snap.id}.",
    ]


DEL_USAGE = "Usage: mmdelsnapshot Device SnapshotName [-j FilesetName]"


def mmdelsnapshot(ctx: Context, args: list[str]) -> list[str]:
    opts = parse_options(args, {"-j"}, set(), DEL_USAGE)
    expect_args(opts, 2, 2, DEL_USAGE)
    device, name = opts.args
    ctx.device(device)
    engine = ctx.engine
    fs = engine.world.cluster(ctx.cluster).fs
    fileset_name = opts.get("-j") or None
    if fileset_name is not None:
        ctx.fileset(fileset_name)
    snap: Snapshot | None = fs.snapshots.get(name)
    if snap is None or snap.fileset != fileset_name:
        if snap is not None and snap.fileset is not None and fileset_name is None:
            raise ctx.fail(f"mmdelsnapshot: Snapshot {name} is a snapshot of fileset {snap.fileset}; add -j {snap.fileset}.")
        where = f"Fileset {fileset_name} in file system" if fileset_name else "File system"
        raise ctx.fail(f"mmdelsnapshot: {where} {fs.name} does not contain snapshot {name}, err = 2")
    owner = snap.fileset or _psnap_owner(ctx, name)
    rules.enforce(rules.delete_one_half(snap, owner, ctx.at_home), "mmdelsnapshot", owner, engine.bus, engine.now)
    engine.snapshots.drop_snapshot(ctx.cluster, name)
    return [f"Invalidating snapshot files in {name}...", "Deleting files in snapshot", f"Delete snapshot {name} successful."]


def _psnap_owner(ctx: Context, name: str) -> str:
    for fileset in ctx.engine.world.filesets.values():
        if name in fileset.psnaps:
            return fileset.name
    return "FilesetName"


COMMANDS = [
    Command("mmpsnap", PSNAP_USAGE, "create, delete or list peer snapshots (cache)", mmpsnap,
            ("create", "delete", "status"), ("-j", "-s", "--comment", "--uid", "--rpo", "--wait"), "cache",
            args=(DEVICE, SUBCOMMAND), values={"-j": FILESET, "-s": PSNAP, "--comment": TEXT, "--uid": TEXT},
            elsewhere="Peer snapshots are created at the cache; this is the home cluster (run mmpsnap without @home)."),
    Command("mmlssnapshot", LS_USAGE, "list snapshots", mmlssnapshot, (), ("-j",),
            args=(DEVICE,), values={"-j": FILESET}),
    Command("mmcrsnapshot", CR_USAGE, "create a snapshot (global, or of a fileset with -j)", mmcrsnapshot, (), ("-j",),
            args=(DEVICE, TEXT), values={"-j": FILESET}),
    Command("mmdelsnapshot", DEL_USAGE, "delete a snapshot (not a peer snapshot)", mmdelsnapshot, (), ("-j",),
            args=(DEVICE, SNAPSHOT), values={"-j": FILESET}),
]
