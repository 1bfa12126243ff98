"""mmafmctl (cache), mmafmconfig (home), and the fileset commands."""

from __future__ import annotations

from ..errors import SimError
from ..model import AfmFileset
from . import fileset_listing
from .base import (
    ATTRIBUTE,
    DEVICE,
    EXPORT,
    FILESET,
    JUNCTION,
    SUBCOMMAND,
    Command,
    Context,
    Placement,
    UsageError,
    expect_args,
    parse_options,
)
from .listing import FilesetFacts, afm_facts, root_facts, y_lines, y_value

AFMCTL_USAGE = (
    "Usage: mmafmctl Device getstate [-j FilesetName] [-Y]\n"
    "   or: mmafmctl Device flushPending [-j FilesetName]\n"
    "   or: mmafmctl Device {stop | start | resync | resumeRequeued} -j FilesetName\n"
    "   or: mmafmctl Device failover -j FilesetName --new-target NewAfmTarget"
)
# (label, column width, dash run): columns start at 0, 16, 62, 83, 99 and 114; each dash run is as
# long as its label, except Cache State's, which is 13 dashes in IBM's 5.2.3/6.0.1 pages and real captures.
GETSTATE_COLUMNS = (
    ("Fileset Name", 16, 12),
    ("Fileset Target", 46, 14),
    ("Cache State", 21, 13),
    ("Gateway Node", 16, 12),
    ("Queue Length", 15, 12),
    ("Queue numExec", 0, 13),
)
# Choice (IBM shows no getstate -Y): the GPFS -Y layout, fields named as IBM's REST API names them.
GETSTATE_Y_FIELDS = ("filesetName", "filesetTarget", "cacheState", "gatewayNodeName", "queueLength", "queueNumExec")


def mmafmctl(ctx: Context, args: list[str]) -> list[str]:
    # IBM's own failover example writes --new-target=VALUE; the synopsis --new-target VALUE.
    args = [part for arg in args for part in (arg.split("=", 1) if arg.startswith("--new-target=") else [arg])]
    opts = parse_options(args, {"-j", "--new-target"}, {"-Y"}, AFMCTL_USAGE)
    expect_args(opts, 2, 2, AFMCTL_USAGE)
    device, action = opts.args
    actions = {"getstate", "stop", "start", "flushpending", "resync", "failover", "resumerequeued"}
    if action.lower() not in actions:
        raise UsageError(f"Incorrect subcommand: {action} (peersnap knows getstate, stop, start, flushPending, resync, "
                         "failover, resumeRequeued).", AFMCTL_USAGE)
    action = action.lower()
    ctx.device(device)
    engine = ctx.engine
    if action == "getstate":
        filesets = [ctx.fileset(opts.get("-j"))] if "-j" in opts.values else list(engine.world.filesets.values())
        return getstate_y(filesets) if "-Y" in opts.flags else getstate_table(filesets)
    if "-Y" in opts.flags:
        raise UsageError(f"Option -Y is not valid with {opts.args[1]}.", AFMCTL_USAGE)
    if "--new-target" in opts.values and action != "failover":
        raise UsageError(f"Option --new-target is not valid with {opts.args[1]}.", AFMCTL_USAGE)
    if action == "flushpending" and "-j" not in opts.values:
        # IBM: without -j, flushPending works on every AFM fileset of the file system.
        try:
            for each in engine.world.filesets.values():
                if each.mode.pushes_home and each.queue.length:
                    engine.admin.flush_pending(each.name)
        except SimError as exc:
            raise ctx.fail(*exc.lines) from None
        return []
    if "-j" not in opts.values:
        raise UsageError(f"Option -j FilesetName is required for {opts.args[1]}.", AFMCTL_USAGE)
    fileset = ctx.fileset(opts.get("-j"))
    try:
        if action == "failover":
            if "--new-target" not in opts.values:
                raise UsageError("Option --new-target NewAfmTarget is required for failover.", AFMCTL_USAGE)
            target = engine.admin.failover(fileset.name, opts.get("--new-target"))
            return [
                f"mmafmctl: Performing failover to {target}",
                f"Fileset {fileset.name} changed.",
                "mmafmctl: Failover in progress. This may take while...",
                " Check fileset state or register for callback to know the completion status.",
            ]
        if action == "stop":
            engine.admin.stop_fileset(fileset.name)
            return []
        if action == "start":
            engine.admin.start_fileset(fileset.name)
            return []
        if action == "flushpending":
            engine.admin.flush_pending(fileset.name)
            return []
        if action == "resumerequeued":
            engine.admin.resume_requeued(fileset.name)  # IBM shows no output: peersnap prints none
            return []
        engine.admin.resync(fileset.name)
        return [f"mmafmctl: Performing resync of fileset: {fileset.name}"]
    except SimError as exc:
        raise ctx.fail(*exc.lines) from None


def getstate_rows(filesets: list[AfmFileset]) -> list[tuple[str, ...]]:
    return [(f.name, str(f.target), f.state.value, f.gateway, str(f.queue.length), str(f.queue.num_exec)) for f in filesets]


def getstate_table(filesets: list[AfmFileset]) -> list[str]:
    """A value wider than its column pushes the rest of its row right by one space."""
    def line(cells: tuple[str, ...]) -> str:
        return "".join(c.ljust(w - 1) + " " if w else c for c, (_, w, _) in zip(cells, GETSTATE_COLUMNS)).rstrip()

    return [
        line(tuple(label for label, _, _ in GETSTATE_COLUMNS)),
        line(tuple("-" * dashes for _, _, dashes in GETSTATE_COLUMNS)),
        *(line(row) for row in getstate_rows(filesets)),
    ]


def getstate_y(filesets: list[AfmFileset]) -> list[str]:
    return y_lines("mmafmctl", GETSTATE_Y_FIELDS, [[y_value(v) for v in row] for row in getstate_rows(filesets)])


AFMCONFIG_USAGE = (
    "Usage: mmafmconfig {enable | disable} ExportPath     (at home)\n"
    "   or: mmafmconfig show [-Y] [MapName | all]         (at the cache)"
)
# Choice (IBM shows no sample of `mmafmconfig show`): a two-column table, and the GPFS -Y layout.
MAP_COLUMN = 21
MAP_Y_FIELDS = ("mapName", "exportServerMap")


def mmafmconfig(ctx: Context, args: list[str]) -> list[str]:
    opts = parse_options(args, set(), {"-Y"}, AFMCONFIG_USAGE)
    if not opts.args:
        raise UsageError("Missing arguments.", AFMCONFIG_USAGE)
    action = opts.args[0]
    if action not in ("enable", "disable", "show"):
        known = "add, update, delete" if action in ("add", "update", "delete") else ""
        why = f" (peersnap models enable, disable and show; {known} manage export maps and are not modelled)" if known else (
            " (use enable, disable or show)")
        raise UsageError(f"Incorrect subcommand: {action}{why}.", AFMCONFIG_USAGE)
    engine = ctx.engine
    if action == "show":
        expect_args(opts, 1, 2, AFMCONFIG_USAGE)
        return show_export_maps(ctx, opts.args[1] if len(opts.args) == 2 else "all", "-Y" in opts.flags)
    if "-Y" in opts.flags:
        raise UsageError(f"Option -Y is not valid with {action}.", AFMCONFIG_USAGE)
    if len(opts.args) != 2:
        raise UsageError("Missing ExportPath." if len(opts.args) < 2 else f"Unexpected argument: {opts.args[2]}",
                         AFMCONFIG_USAGE)
    try:
        engine.admin.set_afm_enabled(opts.args[1], action == "enable")
    except SimError as exc:
        raise ctx.fail(*exc.lines) from None
    return []


def show_export_maps(ctx: Context, which: str, machine: bool) -> list[str]:
    """`mmafmconfig show [-Y] [MapName | all]` at the cache: the export maps
    (gateway nodes to home NFS servers, for parallel data transfers)."""
    maps = ctx.engine.world.export_maps
    if which != "all":
        if which not in maps:
            known = ", ".join(maps) or "none are defined"
            raise ctx.fail(f"mmafmconfig: Map {which} does not exist (export maps: {known}).")
        maps = {which: maps[which]}
    if machine:
        return y_lines("mmafmconfig", MAP_Y_FIELDS, [[y_value(n), y_value(m, path=True)] for n, m in maps.items()])
    cells = [("Map name", "Export server map"), *maps.items()]
    return [f"{name.ljust(MAP_COLUMN - 1)} {servers}" for name, servers in cells]


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


LSFILESET_USAGE = "Usage: mmlsfileset Device [FilesetName] [-L] [--afm] [-Y]"


def mmlsfileset(ctx: Context, args: list[str]) -> list[str]:
    opts = parse_options(args, set(), {"-L", "--afm", "-Y"}, LSFILESET_USAGE)
    expect_args(opts, 1, 2, LSFILESET_USAGE)
    ctx.device(opts.args[0])
    engine = ctx.engine
    fs = engine.world.cluster(ctx.cluster).fs
    facts = [root_facts(fs.mount)]
    if not ctx.at_home:
        facts += afm_facts(fs.mount, engine.world.filesets.values())
    if len(opts.args) == 2:
        wanted = opts.args[1]
        facts = [f for f in facts if f.name == wanted]
        if not facts:
            if ctx.at_home:
                raise ctx.fail(f"mmlsfileset: Fileset {wanted} does not exist in file system fs1 on the home cluster.")
            ctx.fileset(wanted)

    def created(_facts: FilesetFacts) -> str:
        # Choice: every fileset of the scenario was created when its world begins.
        return engine.clock_text(ctx.cluster, 0)

    if "-Y" in opts.flags:
        return fileset_listing.y_table(fs.name, facts, created)
    if "-L" in opts.flags and "--afm" in opts.flags:
        return fileset_listing.afm_block(fs.name, facts, created)
    if "-L" in opts.flags:
        return fileset_listing.long_table(fs.name, facts, created)
    return fileset_listing.plain_table(fs.name, facts, "--afm" in opts.flags)


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
            ("getstate", "stop", "start", "flushPending", "resync", "failover", "resumeRequeued"),
            ("-j", "-Y", "--new-target"), "cache",
            args=(DEVICE, SUBCOMMAND), values={"-j": FILESET},
            sub_options={"getstate": ("-j", "-Y"), "stop": ("-j",), "start": ("-j",), "flushpending": ("-j",),
                         "resync": ("-j",), "failover": ("-j", "--new-target")},
            elsewhere="There are no AFM filesets in file system fs1 on the home cluster; run mmafmctl at the cache."),
    Command("mmafmconfig", AFMCONFIG_USAGE, "enable AFM controls on a home export (home); list export maps (cache)",
            mmafmconfig, ("enable", "disable", "show"), ("-Y",), "home", args=(SUBCOMMAND, EXPORT),
            elsewhere="This is the cache cluster; mmafmconfig enable and disable run at home, where the exports are "
                      "(@home {line}).",
            placements={"show": Placement(
                "cache", "show lists the cache's export maps (gateway nodes to home NFS servers); "
                         "run it at the cache ({line} without @home).")}),
    Command("mmchfileset", CHFILESET_USAGE, "change afmMode, afmTarget or afmAsyncDelay", mmchfileset, (), ("-p",), "cache",
            args=(DEVICE, FILESET), values={"-p": ATTRIBUTE}, elsewhere=AT_THE_CACHE),
    Command("mmlsfileset", LSFILESET_USAGE, "list filesets", mmlsfileset, (), ("-L", "--afm", "-Y"),
            args=(DEVICE, FILESET)),
    Command("mmlinkfileset", LINK_USAGE, "link a fileset into the namespace", mmlinkfileset, (), ("-J",), "cache",
            args=(DEVICE, FILESET), values={"-J": JUNCTION}, elsewhere=AT_THE_CACHE),
    Command("mmunlinkfileset", UNLINK_USAGE, "unlink a fileset", mmunlinkfileset, (), ("-f",), "cache",
            args=(DEVICE, FILESET), elsewhere=AT_THE_CACHE),
]
