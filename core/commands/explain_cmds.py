"""`why` (the causal chain behind a pair, an op or a fileset) and `diff` (halves and paths, file by file)."""

from __future__ import annotations

from ..errors import FsError, SimError
from ..pair_diff import diff_psnap, home_path, path_side, report
from ..why import WhyError, explain, find_psnap
from .base import FILESET, PATHS, PSNAP, Command, Context, UsageError, parse_options

WHY_USAGE = (
    "Usage: why PSNAP-NAME | SEQ | FILESET [-j FilesetName]\n"
    "   (a queued op by its seq: why 12, or why '#12' -- unquoted, # starts a comment)"
)
DIFF_USAGE = (
    "Usage: diff PSNAP-NAME                (the two halves of a peer snapshot)\n"
    "   or: diff PATH                      (a cache fileset's path against the same path at home)\n"
    "   or: diff PATH1 PATH2               (home:PATH or cache:PATH says where a path is)"
)


def why(ctx: Context, args: list[str]) -> list[str]:
    opts = parse_options(args, {"-j"}, set(), WHY_USAGE)
    if len(opts.args) != 1:
        raise UsageError("why: name one peer snapshot, queued op (why 12) or fileset (why sw)", WHY_USAGE)
    engine = ctx.engine
    try:
        return explain(engine.world, opts.args[0], engine.now, opts.get("-j")).lines()
    except WhyError as exc:
        raise SimError(str(exc)) from None


def _where(ctx: Context, text: str) -> tuple[str, str]:
    for role in ("home", "cache"):
        if text.startswith(f"{role}:"):
            return role, text[len(role) + 1:]
    return ctx.cluster, text


def diff(ctx: Context, args: list[str]) -> list[str]:
    if not 1 <= len(args) <= 2:
        raise UsageError("diff: give a peer snapshot's name, one path, or two paths", DIFF_USAGE)
    engine = ctx.engine
    world, files = engine.world, engine.files
    if len(args) == 1 and not args[0].startswith(("/", "home:", "cache:")):
        psnap = find_psnap(world, args[0])
        if psnap is None:
            raise SimError(f"diff: no peer snapshot named '{args[0]}' (give its name, or a path starting with /)")
        return diff_psnap(world, files, psnap)
    try:
        if len(args) == 1:
            role, path = _where(ctx, args[0])
            if role != "cache":
                raise SimError("diff: with one path, give a cache fileset's path; it is compared with home")
            there = home_path(world, files.locate("cache", path).path)
            left, right = path_side(files, "cache", path, "cache", True), path_side(files, "home", there, "home", True)
            if not left.entries and not right.entries:
                raise FsError(f"{path}: No such file or directory at the cache or at home")
            return report(f"diff {path} (cache) and {there} (home)", left, right)
        (role_a, path_a), (role_b, path_b) = _where(ctx, args[0]), _where(ctx, args[1])
        labels = (role_a, role_b) if role_a != role_b else ("left", "right")
        left, right = path_side(files, role_a, path_a, labels[0]), path_side(files, role_b, path_b, labels[1])
    except FsError as exc:
        raise SimError(f"diff: {exc}") from None
    return report(f"diff {args[0]} and {args[1]}", left, right)


COMMANDS = [
    Command("why", WHY_USAGE, "why a peer snapshot's home half, a queued op or a fileset waits (the causal chain)",
            why, options=("-j",), family="explain", args=(PSNAP,), values={"-j": FILESET}),
    Command("diff", DIFF_USAGE, "compare a peer snapshot's halves, or paths at cache and home, file by file", diff,
            family="explain", args=(PATHS,)),
]
