"""mmpsnap, mmlssnapshot, mmcrsnapshot, mmdelsnapshot."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..clock import format_duration
from ..errors import SimError
from ..fileops import text_size
from ..model import HomeHalf, PeerSnapshot, Snapshot
from ..psnap_wait import WAIT_BOUND, WaitOutcome, wait_for_psnap
from ..snapshots import check_snapshot_name
from .base import (
    DEVICE,
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
from .listing import FILESET_ALLOC_INODES, ROOT_MAX_INODES, y_lines, y_value

if TYPE_CHECKING:
    from ..engine import Engine

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
        lines += wait_lines(ctx, psnap, lines)
    return lines


def wait_lines(ctx: Context, psnap: PeerSnapshot, printed: list[str]) -> list[str]:
    """`--wait`: the line saying the home half exists, or why it is not there
    (raised, after what the create printed, with rc 1: never a made-up success)."""
    engine = ctx.engine
    name, fileset = psnap.name, psnap.fileset
    outcome = wait_for_psnap(engine, psnap)
    if psnap.home is HomeHalf.CREATED and psnap.home_snap is not None:
        return [f"Core snapshot {name} created with id {psnap.home_snap.id}."]
    if psnap.home is HomeHalf.FAILED:
        raise ctx.fail(*printed, f"mmpsnap: Core snapshot {name} failed: {psnap.failure}.")
    why = {
        WaitOutcome.LINK_DOWN: "--wait would wait for the link to home: it is down and no reconnect is scheduled; "
        "the core snapshot is created once the connection is restored (sim link up).",
        WaitOutcome.STOPPED: f"--wait would wait for replication: fileset {fileset} is Stopped; the core snapshot "
        f"is created after mmafmctl fs1 start -j {fileset}.",
        WaitOutcome.HOME_GONE: f"--wait would wait forever: fileset {fileset} cannot reach its home directory.",
    }.get(outcome, f"--wait gave up after {format_duration(WAIT_BOUND)} of simulated time.")
    raise ctx.fail(
        *printed,
        f"mmpsnap: {why}",
        f"mmpsnap: The cache snapshot {name} exists; the core snapshot stays queued "
        f"({engine.snapshots.home_half_text(psnap)}).",
    )


def psnap_status(ctx: Context, fileset_name: str) -> list[str]:
    engine = ctx.engine
    fileset = engine.world.filesets[fileset_name]
    if not fileset.psnaps:
        return [f"No peer snapshots for fileset {fileset_name} in file system fs1."]
    lines = [f"Peer snapshots for fileset {fileset_name} in file system fs1:", f"{'Name':<24} {'SnapId':<9} {'Created':<25} Home"]
    for psnap in fileset.psnaps.values():
        created = engine.clock_text("cache", psnap.cache_snap.created_us)
        held = engine.world.cache.fs.snapshot(psnap.name, fileset_name) is psnap.cache_snap
        snap_id = str(psnap.cache_snap.id) if held else "-"
        lines.append(f"{psnap.name:<24} {snap_id:<9} {created:<25} {engine.snapshots.home_half_text(psnap)}")
    return lines


LS_USAGE = "Usage: mmlssnapshot Device [-d] [-s {all | global | [[Fileset]:]Snapshot[,...]} | -j Fileset[,Fileset...]] [-Y]"
# IBM's mmlssnapshot -Y HEADER, field for field.
LS_Y_FIELDS = ("filesystemName", "directory", "snapID", "status", "created", "quotas", "data", "metadata", "fileset",
               "snapType")


def mmlssnapshot(ctx: Context, args: list[str]) -> list[str]:
    opts = parse_options(args, {"-j", "-s"}, {"-d", "-Y"}, LS_USAGE)
    expect_args(opts, 1, 1, LS_USAGE)
    ctx.device(opts.args[0])
    if "-j" in opts.values and "-s" in opts.values:
        raise UsageError("Options -s and -j are alternatives: give one of them.", LS_USAGE)
    engine = ctx.engine
    fs = engine.world.cluster(ctx.cluster).fs
    snaps = sorted(fs.snapshots.values(), key=lambda s: s.id)
    if "-j" in opts.values:
        names = opts.get("-j").split(",")
        for name in names:
            snapshot_fileset(ctx, name)
        snaps = [s for s in snaps if s.fileset in names]
    elif "-s" in opts.values:
        snaps = _selected(ctx, snaps, opts.get("-s"))
    with_sizes = "-d" in opts.flags
    sizes = {s.id: snapshot_kb(engine, ctx.cluster, s) for s in snaps} if with_sizes else {}
    if "-Y" in opts.flags:
        rows = [
            [fs.name, y_value(s.name), str(s.id), s.status, y_value(engine.clock_text(ctx.cluster, s.created_us)), "",
             *(str(v) for v in sizes.get(s.id, (0, 0))), s.fileset or "", ""]
            for s in snaps
        ]
        return y_lines("mmlssnapshot", LS_Y_FIELDS, rows)
    if not snaps:
        return [f"No snapshots in file system {fs.name}."]
    title = f"Snapshots in file system {fs.name}:" + (" [data and metadata in KB]" if with_sizes else "")
    header = snapshot_row("Directory", "SnapId", "Status", "Created", "Fileset")
    if with_sizes:
        header = f"{'Directory':<24} {'SnapId':<9} {'Status':<7} {'Created':<25} {'Fileset':<16}{'Data':>6}{'Metadata':>10}"
    lines = [title, header]
    for s in snaps:
        created = engine.clock_text(ctx.cluster, s.created_us)
        if with_sizes:
            data, meta = sizes[s.id]
            lines.append(f"{s.name:<24} {s.id!s:<9} {s.status:<7} {created:<25} {s.fileset or '':<16}{data:>6}{meta:>10}")
        else:
            lines.append(snapshot_row(s.name, str(s.id), s.status, created, s.fileset or ""))
    return lines


def _selected(ctx: Context, snaps: list[Snapshot], spec: str) -> list[Snapshot]:
    """`-s all`, `-s global` or `-s [[Fileset]:]Snapshot[,...]`: every named snapshot must exist."""
    if spec == "all":
        return snaps
    if spec == "global":
        return [s for s in snaps if s.fileset is None]
    chosen: list[Snapshot] = []
    fs = ctx.engine.world.cluster(ctx.cluster).fs
    for item in spec.split(","):
        fileset, name = split_snapshot_name(ctx, item)
        snap = fs.snapshot(name, fileset)
        if snap is None:
            raise ctx.fail(not_found(fs.name, fileset, name, ctx.name))
        chosen.append(snap)
    return [s for s in snaps if s in chosen]


def snapshot_kb(engine: Engine, role: str, snap: Snapshot) -> tuple[int, int]:
    """`-d`: the KB of data only this snapshot still holds (what changed or went since it
    was taken; IBM: it takes time proportional to the file system's size), and, as
    IBM's sample of a fresh snapshot shows, 512 KB of metadata."""
    fs = engine.world.cluster(role).fs
    held = 0
    for tree_name, epoch in snap.epochs.items():
        tree = fs.trees.get(tree_name)
        if tree is None:
            continue
        held += sum(text_size(content) for path, content in tree.items_at(epoch) if tree.get(path) != content)
    return (held + 1023) // 1024, 512


def snapshot_row(name: str, snap_id: str, status: str, created: str, fileset: str) -> str:
    """mmlssnapshot's columns: left-aligned at 25, 10, 8 and 26; a long name pushes the rest right."""
    return f"{name:<24} {snap_id:<9} {status:<7} {created:<25} {fileset}".rstrip()


def snapshot_fileset(ctx: Context, name: str) -> str:
    """A fileset that may own snapshots on this cluster: an AFM fileset at the cache,
    an export that is an independent fileset at home."""
    if ctx.at_home:
        if name in ctx.engine.world.home_filesets():
            return name
        raise ctx.fail(f"{ctx.name}: Fileset {name} does not exist in file system fs1 on the home cluster.")
    return ctx.fileset(name).name


def split_snapshot_name(ctx: Context, text: str, fileset: str | None = None) -> tuple[str | None, str]:
    """`[[Fileset]:]Snapshot`: `sw:before` is fileset sw's `before`, `:snap1` the global
    `snap1`. A psnap name has a ':' of its own: the part before the first ':' is a
    fileset only when it names one (or is empty), otherwise the whole text is the name."""
    prefix, colon, rest = text.partition(":")
    known = ctx.engine.world.home_filesets() if ctx.at_home else list(ctx.engine.world.filesets)
    if colon and (prefix == "" or prefix in known):
        if fileset is not None and prefix != fileset:
            raise ctx.fail(f"{ctx.name}: Snapshot {text} names fileset {prefix or 'none (global)'} but -j says {fileset}.")
        if not rest:
            raise ctx.fail(f"{ctx.name}: Invalid snapshot name '{text}': the name after ':' is missing.")
        return (prefix or None), rest
    return fileset, text


def not_found(fs: str, fileset: str | None, name: str, command: str) -> str:
    if fileset is None:
        return f"{command}: 6027-2684 File system {fs} does not contain global snapshot {name}, err = 2"
    return f"{command}: 6027-2683 Fileset {fileset} in file system {fs} does not contain snapshot {name}, err = 2"


CR_USAGE = "Usage: mmcrsnapshot Device [[Fileset]:]Snapshot [-j FilesetName]"


def mmcrsnapshot(ctx: Context, args: list[str]) -> list[str]:
    opts = parse_options(args, {"-j"}, set(), CR_USAGE)
    expect_args(opts, 2, 2, CR_USAGE)
    device, text = opts.args
    ctx.device(device)
    engine = ctx.engine
    fileset = snapshot_fileset(ctx, opts.get("-j")) if "-j" in opts.values else None
    fileset, name = split_snapshot_name(ctx, text, fileset)
    try:
        check_snapshot_name("mmcrsnapshot", name)
    except SimError as exc:
        raise ctx.fail(*exc.lines) from None
    if fileset is not None and not ctx.at_home and not engine.world.filesets[fileset].linked:
        raise ctx.fail(f"mmcrsnapshot: Fileset {fileset} is not linked.")
    fs = engine.world.cluster(ctx.cluster).fs
    label = f"{fileset or ''}:{name}"
    if fs.has_snapshot(name, fileset):
        raise ctx.fail(f"mmcrsnapshot: Snapshot {label} already exists.")
    engine.quiesce()
    snap = engine.snapshots.take_snapshot(ctx.cluster, name, fileset)
    return [
        f"Flushing dirty data for snapshot {label}...",
        "Quiescing all file system operations.",
        f"Snapshot {label} created with id {snap.id}.",
    ]


DEL_USAGE = "Usage: mmdelsnapshot Device [[Fileset]:]Snapshot [-j FilesetName]"


def mmdelsnapshot(ctx: Context, args: list[str]) -> list[str]:
    """Deletes any snapshot, a peer snapshot's half included: IBM only says not to
    ("Do not use the mmdelsnapshot command to delete peer snapshots"); the pair is
    then broken and the other half an orphan (the event log and mmpsnap status say so)."""
    opts = parse_options(args, {"-j"}, set(), DEL_USAGE)
    expect_args(opts, 2, 2, DEL_USAGE)
    device, text = opts.args
    ctx.device(device)
    engine = ctx.engine
    fs = engine.world.cluster(ctx.cluster).fs
    fileset = snapshot_fileset(ctx, opts.get("-j")) if "-j" in opts.values else None
    fileset, name = split_snapshot_name(ctx, text, fileset)
    snap = fs.snapshot(name, fileset)
    if snap is None:
        owners = [s.fileset for s in fs.snapshots.values() if s.name == name and s.fileset] if fileset is None else []
        hint = [f"mmdelsnapshot: Snapshot {name} is a snapshot of fileset {f}: use {f}:{name} or -j {f}." for f in owners[:1]]
        raise ctx.fail(not_found(fs.name, fileset, name, "mmdelsnapshot"), *hint)
    # Choice: the inodes processed are the inode spaces the snapshot covers, as mmlsfileset -L shows them.
    owned = set(engine.world.home_filesets() if ctx.at_home else engine.world.filesets)
    inodes = FILESET_ALLOC_INODES * len(owned & set(snap.epochs)) + (ROOT_MAX_INODES if snap.fileset is None else 0)
    data_mb = snapshot_kb(engine, ctx.cluster, snap)[0] // 1024
    engine.snapshots.delete_snapshot(ctx.cluster, snap)
    when = engine.clock_text(ctx.cluster)
    return [
        f"Invalidating snapshot files in {snap.label}...",
        "Deleting files in snapshot",
        f"  100.00 % complete on {when}  ({inodes} inodes with total {data_mb:>3} MB data processed)",
        f"Invalidating snapshot files in {snap.label}/F/...",
        f"Delete snapshot {snap.label} successful.",
    ]


COMMANDS = [
    Command("mmpsnap", PSNAP_USAGE, "create, delete or list peer snapshots (cache)", mmpsnap,
            ("create", "delete", "status"), ("-j", "-s", "--comment", "--uid", "--rpo", "--wait"), "cache",
            args=(DEVICE, SUBCOMMAND), values={"-j": FILESET, "-s": PSNAP, "--comment": TEXT, "--uid": TEXT},
            # --rpo is accepted but always refused here (AFM-DR primaries only): completion does not offer it
            sub_options={"create": ("-j", "--comment", "--uid", "--wait"), "delete": ("-s", "-j"), "status": ("-j",)},
            elsewhere="Peer snapshots are created at the cache; this is the home cluster (run mmpsnap without @home)."),
    Command("mmlssnapshot", LS_USAGE, "list snapshots", mmlssnapshot, (), ("-d", "-s", "-j", "-Y"),
            args=(DEVICE,), values={"-j": FILESET, "-s": SNAPSHOT}),
    Command("mmcrsnapshot", CR_USAGE, "create a snapshot (global, or of a fileset with -j)", mmcrsnapshot, (), ("-j",),
            args=(DEVICE, TEXT), values={"-j": FILESET}),
    Command("mmdelsnapshot", DEL_USAGE, "delete a snapshot (a peer snapshot: use mmpsnap delete)", mmdelsnapshot, (), ("-j",),
            args=(DEVICE, SNAPSHOT), values={"-j": FILESET}),
]
