"""`sim`: the simulator's own controls (link, time, load, status) and `help`."""

from __future__ import annotations

from .. import clock
from ..bulk_load import MAX_LOAD
from ..characters import is_number, number_problem
from ..clock import plural
from ..errors import FsError, SimError
from ..events import Event, GpfsLogged
from ..limits import CapExceeded, usage
from .base import COMMAND, FILESET, SUBCOMMAND, TEXT, Command, Context, UsageError, parse_options

SIM_USAGE = (
    "Usage: sim link {up | down}\n"
    "   or: sim advance DURATION        (30s, 5m, 2h, 250ms)\n"
    "   or: sim step                    (run to the next thing that happens)\n"
    "   or: sim settle                  (run until nothing is queued or pending)\n"
    "   or: sim load N [-j FilesetName] [--size BYTES]\n"
    "   or: sim gateway fail [NODE] | sim home {full | free}   (queues lost; home out of space)\n"
    "   or: sim status"
)
MAX_SIZE = 1024 * 1024


def sim(ctx: Context, args: list[str]) -> list[str]:
    if not args:
        raise UsageError("sim: missing subcommand", SIM_USAGE)
    action, rest = args[0], args[1:]
    handler = _ACTIONS.get(action)
    if handler is None:
        raise UsageError(f"sim: unknown subcommand '{action}'", SIM_USAGE)
    return handler(ctx, rest)


def _no_args(rest: list[str], what: str) -> None:
    if rest:
        raise UsageError(f"sim {what}: unexpected argument '{rest[0]}'", SIM_USAGE)


def _link(ctx: Context, rest: list[str]) -> list[str]:
    if len(rest) != 1 or rest[0] not in ("up", "down"):
        raise UsageError("sim link: say up or down", SIM_USAGE)
    up = rest[0] == "up"
    changed = ctx.engine.set_link(up)
    state = "up" if up else "down"
    return [f"Link to home is {state}." if changed else f"Link to home was already {state}."]


def _advance(ctx: Context, rest: list[str]) -> list[str]:
    if len(rest) == 2 and is_number(rest[0]) and rest[1].isalpha():
        raise SimError(f"sim: invalid duration '{' '.join(rest)}': write the number and its unit together "
                       f"({rest[0]}{rest[1]})")
    if not rest:
        raise UsageError("sim advance: give one DURATION (30s, 5m, 2h)", SIM_USAGE)
    if len(rest) != 1:
        raise SimError(f"sim: advance takes one DURATION, got {len(rest)} words: '{' '.join(rest)}' (30s, 5m, 2h)")
    try:
        duration = clock.parse_duration(rest[0])
    except ValueError as exc:
        raise SimError(f"sim: {exc}") from None
    if duration > ctx.engine.time_left():
        raise SimError(
            f"sim: advance: the simulated clocks stop at the start of the year {clock.LAST_YEAR}; "
            f"{clock.format_duration(ctx.engine.time_left())} are left."
        )
    seen = _watch(ctx, lambda: ctx.engine.advance(duration))
    return [f"Advanced {clock.format_duration(duration)} to {ctx.engine.clock_text('cache')} (cache).", *seen]


def _step(ctx: Context, rest: list[str]) -> list[str]:
    _no_args(rest, "step")
    engine = ctx.engine
    before = engine.now
    stepped: list[bool] = []
    seen = _watch(ctx, lambda: stepped.append(engine.step()))
    if not stepped[0]:
        return ["Nothing is pending: the queue is empty or waiting for the link."]
    return [f"Stepped {clock.format_duration(engine.now - before)} to {engine.clock_text('cache')} (cache).", *seen]


def _settle(ctx: Context, rest: list[str]) -> list[str]:
    _no_args(rest, "settle")
    engine = ctx.engine
    before = engine.now
    settled: list[bool] = []
    _watch(ctx, lambda: settled.append(engine.settle()), keep=False)
    took = clock.format_duration(engine.now - before)
    lines = [f"Settled after {took} at {engine.clock_text('cache')} (cache)."]
    waiting = [f for f in engine.world.filesets.values() if f.queue.length]
    if waiting:
        parts = ", ".join(f"{f.name}: {plural(f.queue.length, 'op')} ({f.state.value})" for f in waiting)
        reason = "the link is down" if not engine.world.link_up else "replication cannot proceed"
        lines.append(f"Still queued because {reason}: {parts}.")
    if not settled[0] and not waiting:
        lines.append("Stopped at the settle bound (366 days of simulated time).")
    return lines


def _load(ctx: Context, rest: list[str]) -> list[str]:
    usage = SIM_USAGE
    opts = parse_options(rest, {"-j", "--size"}, set(), usage)
    if len(opts.args) != 1:
        raise UsageError("sim load: give N, the number of writes", usage)
    text = opts.args[0].replace("_", "").replace(",", "")
    if not is_number(text) or not 1 <= int(text) <= MAX_LOAD:
        raise SimError(f"sim: load: N must be a whole number from 1 to {MAX_LOAD:,} "
                       f"(got '{opts.args[0]}'{number_problem(text)}).")
    size_text = opts.get("--size", "0")
    if not is_number(size_text) or int(size_text) > MAX_SIZE:
        raise SimError(f"sim: load: --size must be a whole number of bytes up to {MAX_SIZE} "
                       f"(got '{size_text}'{number_problem(size_text)}).")
    if ctx.at_home:
        raise SimError("sim: load writes at the cache; run it without @home.")
    name = opts.get("-j", "sw")
    if name not in ctx.engine.world.filesets:
        raise SimError(f"sim: load: fileset {name} does not exist (filesets: {', '.join(ctx.engine.world.filesets)}).")
    count = int(text)
    try:
        first, last = ctx.engine.files.load(name, count, int(size_text))
    except CapExceeded as exc:
        raise SimError(f"sim: load: {count:,} files refused, nothing written: {exc}.") from None
    except FsError as exc:
        raise SimError(f"sim: load: {exc}") from None
    fileset = ctx.engine.world.filesets[name]
    files = f"{count:,} file" if count == 1 else f"{count:,} files"
    ops = f"op #{first}" if first == last else f"ops #{first}..#{last}"
    if fileset.mode.pushes_home and not fileset.queues_changes:
        return [(f"Wrote {files} in {ctx.engine.world.cache.fs.mount}/{name}/load; not queued: fileset {name} "
                 f"is {fileset.state.value} (recovery finds them).")]
    if fileset.mode.pushes_home:
        return [(f"Wrote {files} in {ctx.engine.world.cache.fs.mount}/{name}/load; queued {ops} "
                 f"(queue length {fileset.queue.length:,}).")]
    return [f"Wrote {files} in {ctx.engine.world.cache.fs.mount}/{name}/load (kept local: {fileset.mode.long_name})."]


def _gateway(ctx: Context, rest: list[str]) -> list[str]:
    """`sim gateway fail [NODE]`: the node fails and restarts; each fileset it owns loses
    its in-memory queue and recovers (IBM, "Gateway node failure and recovery")."""
    engine = ctx.engine
    nodes = sorted({f.gateway for f in engine.world.filesets.values()})
    if not rest or rest[0] != "fail" or len(rest) > 2:
        raise UsageError("sim gateway: say fail, optionally with the gateway NODE", SIM_USAGE)
    node = rest[1] if len(rest) == 2 else nodes[0]
    if node not in nodes:
        raise SimError(f"sim: gateway: no gateway node {node} (gateway nodes: {', '.join(nodes)}).")
    owned = [f for f in engine.world.filesets.values() if f.gateway == node and f.mode.pushes_home]
    # every recovery is worked out and checked against the queued-ops cap before any queue is lost
    plans = [(fileset, engine.recovery.plan(fileset)) for fileset in owned if not fileset.stopped]
    try:
        engine.recovery.room_for(plans)
    except CapExceeded as exc:
        raise SimError(f"sim: gateway: {node} did not fail, nothing changed: recovery would requeue too much: "
                       f"{exc}.") from None
    lines = [f"Gateway node {node} failed and restarted; it takes its filesets over again and runs recovery."]
    planned = {fileset.name: plan for fileset, plan in plans}
    for fileset in owned:
        if fileset.stopped:
            lines.append(f"{fileset.name}: Stopped: nothing is queued; mmafmctl start runs its recovery.")
            continue
        lines += engine.recovery.gateway_failed(fileset, node, planned[fileset.name])
    engine.advance(0)
    return lines


def _home(ctx: Context, rest: list[str]) -> list[str]:
    """`sim home full|free`: home's file system runs out of space (writes from the cache
    fail and are requeued), or has space again."""
    if len(rest) != 1 or rest[0] not in ("full", "free"):
        raise UsageError("sim home: say full or free", SIM_USAGE)
    world = ctx.engine.world
    full = rest[0] == "full"
    if world.home_full == full:
        return [f"Home's file system {world.home.fs.name} was already {'full' if full else 'not full'}."]
    world.home_full = full
    ctx.engine.emit(GpfsLogged(ctx.engine.now, "", f"home file system {world.home.fs.name} "
                                                   f"{'is out of space' if full else 'has space again'} (simulated)"))
    if full:
        return [f"Home's file system {world.home.fs.name} is full: writes reaching home fail and are requeued."]
    return [f"Home's file system {world.home.fs.name} has space again.", *ctx.engine.recovery.home_has_space()]


def _status(ctx: Context, rest: list[str]) -> list[str]:
    _no_args(rest, "status")
    engine = ctx.engine
    link = engine.world.link
    lines = [
        (f"Simulated time +{clock.format_duration(engine.now)}: cache {engine.clock_text('cache')}, "
         f"home {engine.clock_text('home')}"),
        (f"Link to home: {'up' if engine.world.link_up else 'down'} (bandwidth {link.bandwidth:,} B/s, "
         f"latency {clock.format_duration(link.latency_us)}, "
         f"disconnect timeout {clock.format_duration(link.disconnect_timeout_us)})"),
        f"Gateway node: {', '.join(sorted({f.gateway for f in engine.world.filesets.values()}))} ({engine.world.gateway_ip})",
        "",
        f"{'Fileset':<8} {'Mode':<4} {'Target':<28} {'State':<12} {'Queue':>9} {'numExec':>9} {'Psnaps':>6}",
    ]
    for f in engine.world.filesets.values():
        lines.append(
            f"{f.name:<8} {f.mode.value:<4} {f.target!s:<28} {f.state.value:<12} {f.queue.length:>9} "
            f"{f.queue.num_exec:>9} {len(f.psnaps):>6}"
        )
    for f in engine.world.filesets.values():
        if f.requeued:
            lines.append(f"{f.name}: op #{f.requeued} requeued: home had no space (mmafmctl fs1 resumeRequeued -j {f.name})")
    lines.append("")
    world = engine.world
    lines.extend(usage(world.limits, (world.cache, world.home), world.queued_ops()))  # the caps (core.limits)
    lines.append("Home exports: " + ", ".join(
        f"{e.path} ({'enabled' if e.afm_enabled else 'not enabled'})" for e in engine.world.exports.values()
    ))
    return lines


def _watch(ctx: Context, action, keep: bool = True) -> list[str]:
    """Run `action`, returning one line per event it caused (at most 20 shown)."""
    events: list[Event] = []
    unsubscribe = ctx.engine.subscribe(events.append)
    try:
        action()
    finally:
        unsubscribe()
    if not keep:
        return []
    lines = [
        f"  {clock.hms(ctx.engine.clock('cache', e.at))}  {e.fileset + ': ' if e.fileset else ''}{e.describe()}"
        for e in events[:20]
    ]
    if len(events) > 20:
        lines.append(f"  ... and {len(events) - 20} more events")
    return lines


_ACTIONS = {
    "link": _link,
    "advance": _advance,
    "step": _step,
    "settle": _settle,
    "load": _load,
    "gateway": _gateway,
    "home": _home,
    "status": _status,
}


def _session_only(ctx: Context, args: list[str]) -> list[str]:
    raise SimError(f"{ctx.name}: only available in a session")


def help_command(ctx: Context, args: list[str]) -> list[str]:
    from . import REGISTRY

    if args:
        command = REGISTRY.get(args[0])
        if command is None:
            raise SimError(f"help: no command named '{args[0]}'")
        return [command.summary, *command.usage.splitlines()]
    lines = ["Commands (prefix a line with @home to run it on the home cluster):"]
    for family, title in (("gpfs", "GPFS"), ("file", "Files"), ("sim", "Simulator"), ("explain", "Explain"),
                          ("session", "Session")):
        lines.append(f"{title}:")
        for command in REGISTRY.values():
            if command.family == family:
                lines.append(f"  {command.name:<16} {command.summary}")
    lines.append("Type 'help COMMAND' for its usage.")
    return lines


COMMANDS = [
    Command("sim", SIM_USAGE, "simulator controls: link, advance, step, settle, load, gateway, home, status", sim,
            tuple(_ACTIONS), ("-j", "--size"), family="sim", args=(SUBCOMMAND,),
            values={"-j": FILESET, "--size": TEXT},
            choices={"link": ("up", "down"), "gateway": ("fail",), "home": ("full", "free")},
            sub_options={"load": ("-j", "--size")}),
    Command("help", "Usage: help [COMMAND]", "list commands, or show one command's usage", help_command, family="sim",
            args=(COMMAND,)),
    Command("save", "Usage: save FILE", "write the scenario and the command log to FILE (TOML)", _session_only,
            family="session"),
    Command("source", "Usage: source FILE", "run each line of a script FILE, in order, as if typed", _session_only,
            family="session"),
    Command("undo", "Usage: undo", "rewind the last command that changed the world", _session_only, family="session"),
    Command("branch", "Usage: branch list\n   or: branch switch NAME",
            "list the lines of history (a command at an earlier moment starts one), or go to the end of one",
            _session_only, subcommands=("list", "switch"), family="session", args=(SUBCOMMAND,)),
    Command("compare", "Usage: compare BRANCH",
            "this line where it stands beside BRANCH at its end: data not yet at home, pending halves, queues",
            _session_only, family="session", args=(TEXT,)),
]
