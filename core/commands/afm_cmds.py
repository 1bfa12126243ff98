"""mmafmctl (cache), mmafmconfig (home), and the fileset commands."""

from __future__ import annotations

from .. import clock
from ..errors import SimError
from ..model import AfmFileset
from .base import (
    ATTRIBUTE,
    DEVICE,
    EXPORT,
    FILESET,
    JUNCTION,
    SUBCOMMAND,
    Command,
    Context,
    UsageError,
    expect_args,
    parse_options,
)

AFMCTL_USAGE = (
    "Usage: mmafmctl Device getstate [-j FilesetName]\n"
    "   or: mmafmctl Device {stop | start | flushPending | resync} -j FilesetName"
)
GETSTATE_HEADERS = ("Fileset Name", "Fileset Target", "Cache State", "Gateway Node", "Queue Length", "Queue numExec")
GETSTATE_WIDTHS = (12, 32, 12, 12, 12, 13)


def mmafmctl(ctx: Context, args: list[str]) -> list[str]:
    opts = parse_options(args, {"-j"}, set(), AFMCTL_USAGE)
    expect_args(opts, 2, 2, AFMCTL_USAGE)
    device, action = opts.args
    actions = {"getstate", "stop", "start", "flushpending", "resync"}
    if action.lower() not in actions:
        raise UsageError(f"Incorrect subcommand: {action} (peersnap knows getstate, stop, start, flushPending, resync).", AFMCTL_USAGE)
    action = action.lower()
    ctx.device(device)
    engine = ctx.engine
    if action == "getstate":
        filesets = [ctx.fileset(opts.get("-j"))] if "-j" in opts.values else list(engine.world.filesets.values())
        return getstate_table(filesets)
    if "-j" not in opts.values:
        raise UsageError(f"Option -j FilesetName is required for {opts.args[1]}.", AFMCTL_USAGE)
    fileset = ctx.fileset(opts.get("-j"))
    try:
        if action == "stop":
            engine.admin.stop_fileset(fileset.name)
            return []
        if action == "start":
            engine.admin.start_fileset(fileset.name)
            return []
        if action == "flushpending":
            engine.admin.flush_pending(fileset.name)
            return []
        engine.admin.resync(fileset.name)
        return [f"mmafmctl: Performing resync of fileset: {fileset.name}"]
    except SimError as exc:
        raise ctx.fail(*exc.lines) from None


def getstate_table(filesets: list[AfmFileset]) -> list[str]:
    rows = [
        (f.name, str(f.target), f.state.value, f.gateway, str(f.queue.length), str(f.queue.num_exec)) for f in filesets
    ]
    widths = [max([w, len(h)] + [len(r[i]) for r in rows]) for i, (h, w) in enumerate(zip(GETSTATE_HEADERS, GETSTATE_WIDTHS))]

    def line(cells: tuple[str, ...]) -> str:
        return " ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

    return [line(GETSTATE_HEADERS), " ".join("-" * w for w in widths)] + [line(r) for r in rows]


AFMCONFIG_USAGE = "Usage: mmafmconfig {enable | disable} ExportPath\n   or: mmafmconfig show"


def mmafmconfig(ctx: Context, args: list[str]) -> list[str]:
    if not args:
        raise UsageError("Missing arguments.", AFMCONFIG_USAGE)
    action = args[0]
    if action not in ("enable", "disable", "show"):
        raise UsageError(f"Incorrect subcommand: {action} (use enable, disable or show).", AFMCONFIG_USAGE)
    engine = ctx.engine
    if action == "show":
        if len(args) > 1:
            raise UsageError(f"Unexpected argument: {args[1]}", AFMCONFIG_USAGE)
        width = max([len("Export path")] + [len(p) for p in engine.world.exports])
        lines = [f"{'Export path':<{width}}  AFM (mmafmconfig)"]
        lines += [f"{e.path:<{width}}  {'enabled' if e.afm_enabled else 'disabled'}" for e in engine.world.exports.values()]
        return lines
    if len(args) != 2:
        raise UsageError("Missing ExportPath." if len(args) < 2 else f"Unexpected argument: {args[2]}", AFMCONFIG_USAGE)
    try:
        engine.admin.set_afm_enabled(args[1], action == "enable")
    except SimError as exc:
        raise ctx.fail(*exc.lines) from None
    return []


CHFILESET_USAGE = "Usage: mmchfileset Device FilesetName -p Attribute=Value[,Attribute=Value...]"


def mmchfileset(ctx: Context, args: list[str]) -> list[str]:
    opts = parse_options(args, {"-p"}, set(), CHFILESET_USAGE)
    expect_args(opts, 2, 2, CHFILESET_USAGE)
    if "-p" not in opts.values:
        raise UsageError("Option -p Attribute=Value is required.", CHFILESET_USAGE)
    ctx.device(opts.args[0])
    fileset = ctx.fileset(opts.args[1])
    attributes: dict[str, str] = {}
    for pair in opts.get("-p").split(","):
        key, eq, value = pair.partition("=")
        if not eq or not key or not value:
            raise UsageError(f"Incorrect value for -p: '{pair}' (expected Attribute=Value).", CHFILESET_USAGE)
        attributes[key] = value
    try:
        ctx.engine.admin.change_fileset(fileset.name, attributes)
    except SimError as exc:
        raise ctx.fail(*exc.lines) from None
    return [f"Fileset {fileset.name} changed."]


LSFILESET_USAGE = "Usage: mmlsfileset Device [FilesetName] [-L] [--afm]"


def mmlsfileset(ctx: Context, args: list[str]) -> list[str]:
    opts = parse_options(args, set(), {"-L", "--afm"}, LSFILESET_USAGE)
    expect_args(opts, 1, 2, LSFILESET_USAGE)
    ctx.device(opts.args[0])
    engine = ctx.engine
    mount = engine.world.cache.fs.mount
    if ctx.at_home:
        if len(opts.args) == 2 and opts.args[1] != "root":
            raise ctx.fail(f"mmlsfileset: Fileset {opts.args[1]} does not exist in file system fs1 on the home cluster.")
        return ["Filesets in file system 'fs1':", f"{'Name':<24} {'Status':<9} Path", f"{'root':<24} {'Linked':<9} {mount}"]
    filesets = [ctx.fileset(opts.args[1])] if len(opts.args) == 2 else list(engine.world.filesets.values())
    if "-L" in opts.flags and "--afm" in opts.flags:
        lines: list[str] = []
        for f in filesets:
            lines += afm_attributes(ctx, f)
        return lines
    afm = "--afm" in opts.flags
    long = "-L" in opts.flags
    header = f"{'Name':<24} {'Status':<9} {'Path':<32}" + (" Id" if long else "") + (" afmTarget" if afm else "")
    lines = ["Filesets in file system 'fs1':", header.rstrip()]
    if len(opts.args) == 1:
        lines.append((f"{'root':<24} {'Linked':<9} {mount:<32}" + (" 0" if long else "") + (" -" if afm else "")).rstrip())
    for f in filesets:
        status, path = ("Linked", f"{mount}/{f.name}") if f.linked else ("Unlinked", "--")
        row = f"{f.name:<24} {status:<9} {path:<32}" + (f" {f.id}" if long else "") + (f" {f.target}" if afm else "")
        lines.append(row.rstrip())
    return lines


def afm_attributes(ctx: Context, f: AfmFileset) -> list[str]:
    mount = ctx.engine.world.cache.fs.mount
    psnap_ids = [p.cache_snap.id for p in f.psnaps.values()]
    delay = f.async_delay_us // clock.SECOND
    rows = [
        ("Status", "Linked" if f.linked else "Unlinked"),
        ("Path", f"{mount}/{f.name}" if f.linked else "--"),
        ("Id", str(f.id)),
        ("afm-associated", "Yes"),
        ("Target", str(f.target)),
        ("Mode", f.mode.long_name),
        ("Async Delay", f"{delay}" + (" (default)" if delay == 15 else "")),
        ("Last pSnapId", str(max(psnap_ids, default=0))),
        ("Display Home Snapshots", "no"),
        ("Number of Gateway Flush Threads", "1 (simulated)"),
    ]
    title = f"Attributes for fileset {f.name}:"
    return [title, "=" * len(title)] + [f"{k:<40}{v}" for k, v in rows] + [""]


LINK_USAGE = "Usage: mmlinkfileset Device FilesetName -J JunctionPath"
UNLINK_USAGE = "Usage: mmunlinkfileset Device FilesetName [-f]"


def mmlinkfileset(ctx: Context, args: list[str]) -> list[str]:
    opts = parse_options(args, {"-J"}, set(), LINK_USAGE)
    expect_args(opts, 2, 2, LINK_USAGE)
    if "-J" not in opts.values:
        raise UsageError("Option -J JunctionPath is required.", LINK_USAGE)
    ctx.device(opts.args[0])
    fileset = ctx.fileset(opts.args[1])
    try:
        ctx.engine.admin.link_fileset(fileset.name, opts.get("-J"))
    except SimError as exc:
        raise ctx.fail(*exc.lines) from None
    return [f"Fileset {fileset.name} linked at {ctx.engine.world.cache.fs.mount}/{fileset.name}"]


def mmunlinkfileset(ctx: Context, args: list[str]) -> list[str]:
    opts = parse_options(args, set(), {"-f"}, UNLINK_USAGE)
    expect_args(opts, 2, 2, UNLINK_USAGE)
    ctx.device(opts.args[0])
    fileset = ctx.fileset(opts.args[1])
    try:
        ctx.engine.admin.unlink_fileset(fileset.name)
    except SimError as exc:
        raise ctx.fail(*exc.lines) from None
    return [f"Fileset {fileset.name} unlinked."]


AT_THE_CACHE = "The AFM filesets live at the cache; this is the home cluster (run {line} without @home)."

COMMANDS = [
    Command("mmafmctl", AFMCTL_USAGE, "AFM fileset state and control (cache)", mmafmctl,
            ("getstate", "stop", "start", "flushPending", "resync"), ("-j",), "cache",
            args=(DEVICE, SUBCOMMAND), values={"-j": FILESET},
            elsewhere="There are no AFM filesets in file system fs1 on the home cluster; run mmafmctl at the cache."),
    Command("mmafmconfig", AFMCONFIG_USAGE, "enable AFM controls on a home export (home)", mmafmconfig,
            ("enable", "disable", "show"), (), "home", args=(SUBCOMMAND, EXPORT),
            elsewhere="This is the cache cluster; mmafmconfig runs at home, where the exports are (@home {line})."),
    Command("mmchfileset", CHFILESET_USAGE, "change afmMode, afmTarget or afmAsyncDelay", mmchfileset, (), ("-p",), "cache",
            args=(DEVICE, FILESET), values={"-p": ATTRIBUTE}, elsewhere=AT_THE_CACHE),
    Command("mmlsfileset", LSFILESET_USAGE, "list filesets", mmlsfileset, (), ("-L", "--afm"), args=(DEVICE, FILESET)),
    Command("mmlinkfileset", LINK_USAGE, "link a fileset into the namespace", mmlinkfileset, (), ("-J",), "cache",
            args=(DEVICE, FILESET), values={"-J": JUNCTION}, elsewhere=AT_THE_CACHE),
    Command("mmunlinkfileset", UNLINK_USAGE, "unlink a fileset", mmunlinkfileset, (), ("-f",), "cache",
            args=(DEVICE, FILESET), elsewhere=AT_THE_CACHE),
]
