"""File operations on the simulated namespaces: ls, cat, echo, touch, mkdir, rm, rmdir, mv.

Errors read like coreutils': `rm: cannot remove '/gpfs/fs1/sw/x': No such file or directory`.
"""

from __future__ import annotations

from ..errors import FsError, SimError
from .base import PATHS, Command, Context, UsageError


def _split(ctx: Context, args: list[str], letters: str, usage: str) -> tuple[set[str], list[str]]:
    """Short flags (`-rf`) and operands; `--` ends the flags."""
    flags: set[str] = set()
    operands: list[str] = []
    only_operands = False
    for arg in args:
        if not only_operands and arg == "--":
            only_operands = True
        elif not only_operands and arg.startswith("-") and len(arg) > 1:
            for letter in arg[1:]:
                if letter not in letters:
                    raise UsageError(f"{ctx.name}: invalid option -- '{letter}'", usage)
                flags.add(letter)
        else:
            operands.append(arg)
    return flags, operands


def _each(ctx: Context, paths: list[str], verb: str, action) -> list[str]:
    """Run `action(path)` for each path; report each failure, fail if any did."""
    errors: list[str] = []
    lines: list[str] = []
    for path in paths:
        try:
            lines.extend(action(path) or [])
        except FsError as exc:
            errors.append(f"{ctx.name}: {verb} '{path}': {exc}")
    if errors:
        raise SimError(*lines, *errors)
    return lines


def ls(ctx: Context, args: list[str]) -> list[str]:
    """As coreutils' ls (one name a line, as when piped): file operands first, by the name they
    were given; then each directory's entries, under a `DIR:` header when there are several."""
    usage = "Usage: ls [-l] [-a] [PATH...]"
    flags, paths = _split(ctx, args, "la1", usage)
    paths = paths or [ctx.engine.world.cluster(ctx.cluster).fs.mount]
    files = ctx.engine.files

    def shown(entry, name: str) -> str:
        if "l" in flags:
            return f"{'drwxr-xr-x' if entry.is_dir else '-rw-r--r--'} 1 root root {entry.size:>8} {name}"
        return name + ("/" if entry.is_dir else "")

    file_operands = sorted(p for p in paths if files.is_file(ctx.cluster, p))
    dir_operands = sorted(p for p in paths if p not in file_operands)
    headed = len(paths) > 1
    lines = [shown(files.list_dir(ctx.cluster, p)[0], p) for p in file_operands]

    def one(path: str) -> list[str]:
        body = [shown(e, e.name) for e in files.list_dir(ctx.cluster, path, show_all="a" in flags)]
        gap = [""] if lines or listed else []
        listed.append(path)
        return gap + ([f"{path}:"] if headed else []) + body

    listed: list[str] = []
    try:
        return lines + _each(ctx, dir_operands, "cannot access", one)
    except SimError as exc:
        raise SimError(*lines, *exc.lines) from None


def cat(ctx: Context, args: list[str]) -> list[str]:
    _, paths = _split(ctx, args, "", "Usage: cat PATH...")
    if not paths:
        raise UsageError("cat: missing file operand", "Usage: cat PATH...")

    def one(path: str) -> list[str]:
        text = ctx.engine.files.read_file(ctx.cluster, path)
        # a file's lines end at \n only: U+2028 and friends are characters of a line
        return text.removesuffix("\n").split("\n") if text else []

    return _each(ctx, paths, "cannot read", one)


ECHO_USAGE = "Usage: echo [-n] TEXT... [> PATH | >> PATH]"


def echo(ctx: Context, args: list[str]) -> list[str]:
    words = list(args)
    newline = True
    if words and words[0] == "-n":
        newline = False
        words = words[1:]
    target = append = None
    for i, word in enumerate(words):
        if word in (">", ">>"):
            if i + 2 != len(words):
                raise UsageError("echo: expected exactly one PATH after " + word, ECHO_USAGE)
            target, append = words[i + 1], word == ">>"
            words = words[:i]
            break
        if word.startswith(">"):
            raise UsageError("echo: put a space after > or >>", ECHO_USAGE)
    text = " ".join(words) + ("\n" if newline else "")
    if target is None:
        return [" ".join(words)]
    try:
        ctx.engine.files.write_file(ctx.cluster, target, text, append=bool(append))
    except FsError as exc:
        raise SimError(f"echo: {target}: {exc}") from None
    return []


def touch(ctx: Context, args: list[str]) -> list[str]:
    _, paths = _split(ctx, args, "", "Usage: touch PATH...")
    if not paths:
        raise UsageError("touch: missing file operand", "Usage: touch PATH...")
    return _each(ctx, paths, "cannot touch", lambda p: ctx.engine.files.touch(ctx.cluster, p))


def mkdir(ctx: Context, args: list[str]) -> list[str]:
    usage = "Usage: mkdir [-p] DIRECTORY..."
    flags, paths = _split(ctx, args, "p", usage)
    if not paths:
        raise UsageError("mkdir: missing operand", usage)
    return _each(ctx, paths, "cannot create directory", lambda p: ctx.engine.files.mkdir(ctx.cluster, p, parents="p" in flags))


def rm(ctx: Context, args: list[str]) -> list[str]:
    usage = "Usage: rm [-r] [-f] PATH..."
    flags, paths = _split(ctx, args, "rRf", usage)
    if not paths:
        raise UsageError("rm: missing operand", usage)
    recursive = bool(flags & {"r", "R"})

    def one(path: str) -> None:
        if "f" in flags and not ctx.engine.files.exists(ctx.cluster, path):
            ctx.engine.files.locate(ctx.cluster, path)  # still refuse paths outside the file system
            return
        ctx.engine.files.remove(ctx.cluster, path, recursive=recursive)

    return _each(ctx, paths, "cannot remove", one)


def rmdir(ctx: Context, args: list[str]) -> list[str]:
    _, paths = _split(ctx, args, "", "Usage: rmdir DIRECTORY...")
    if not paths:
        raise UsageError("rmdir: missing operand", "Usage: rmdir DIRECTORY...")
    return _each(ctx, paths, "failed to remove", lambda p: ctx.engine.files.remove(ctx.cluster, p, directory=True))


def mv(ctx: Context, args: list[str]) -> list[str]:
    usage = "Usage: mv SOURCE DEST"
    _, paths = _split(ctx, args, "", usage)
    if len(paths) != 2:
        raise UsageError("mv: missing destination file operand" if len(paths) < 2 else "mv: extra operand", usage)
    src, dst = paths
    try:
        ctx.engine.files.rename(ctx.cluster, src, dst)
    except FsError as exc:
        raise SimError(f"mv: cannot move '{src}' to '{dst}': {exc}") from None
    return []


COMMANDS = [
    Command("ls", "Usage: ls [-l] [-a] [PATH...]", "list a directory", ls, (), ("-l", "-a"), family="file", args=(PATHS,)),
    Command("cat", "Usage: cat PATH...", "print a file", cat, family="file", args=(PATHS,)),
    Command("echo", ECHO_USAGE, "print text, or write it to a file with > or >>", echo, family="file", args=(PATHS,)),
    Command("touch", "Usage: touch PATH...", "create an empty file", touch, family="file", args=(PATHS,)),
    Command("mkdir", "Usage: mkdir [-p] DIRECTORY...", "create a directory", mkdir, (), ("-p",), family="file", args=(PATHS,)),
    Command("rm", "Usage: rm [-r] [-f] PATH...", "remove files (and trees with -r)", rm, (), ("-r", "-f"), family="file", args=(PATHS,)),
    Command("rmdir", "Usage: rmdir DIRECTORY...", "remove an empty directory", rmdir, family="file", args=(PATHS,)),
    Command("mv", "Usage: mv SOURCE DEST", "rename within a fileset", mv, family="file", args=(PATHS,)),
]
