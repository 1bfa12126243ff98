"""What every command shares: its context, its result, option parsing and errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import field
from typing import TYPE_CHECKING

from ..characters import is_number
from ..errors import SimError
from ..model import AfmFileset
from ..records import record
from ..rules import Refusal

if TYPE_CHECKING:
    from ..engine import Engine

FAILED = "Command failed. Examine previous error messages to determine cause."


@record
class Result:
    """What a command printed and its exit status."""

    rc: int
    lines: list[str]
    cluster: str = "cache"
    command: str = ""
    refusal: Refusal | None = None

    @property
    def ok(self) -> bool:
        return self.rc == 0


class UsageError(Exception):
    """Wrong options or arguments: the command prints `lines` and its usage."""

    def __init__(self, *lines: str) -> None:
        super().__init__(lines[0] if lines else "")
        self.lines = list(lines)


@record(frozen=False)
class Context:
    engine: Engine
    cluster: str  # "cache" or "home"
    name: str  # the command's name, for messages
    line: str = ""  # the command line without its @cluster prefix

    @property
    def at_home(self) -> bool:
        return self.cluster == "home"

    def fail(self, *lines: str) -> SimError:
        """A GPFS-style failure: the reason lines, then `<cmd>: Command failed...`."""
        return SimError(*lines, f"{self.name}: {FAILED}")

    def device(self, value: str) -> None:
        fs = self.engine.world.cluster(self.cluster).fs
        if value not in (fs.name, f"/dev/{fs.name}"):
            raise self.fail(f"{self.name}: File system {value} is not known to the GPFS cluster.")

    def fileset(self, name: str) -> AfmFileset:
        """The cache fileset `name` (an error in the command's voice otherwise)."""
        if self.at_home:
            raise self.fail(
                f"{self.name}: Fileset {name} is not an AFM fileset on the home cluster; "
                "AFM filesets live at the cache (run the command without @home)."
            )
        fileset = self.engine.world.filesets.get(name)
        if fileset is None:
            known = ", ".join(self.engine.world.filesets)
            raise self.fail(f"{self.name}: Fileset {name} does not exist in file system fs1 (filesets: {known}).")
        return fileset


@record
class Options:
    values: dict[str, str]
    flags: set[str]
    args: list[str]

    def get(self, key: str, default: str = "") -> str:
        return self.values.get(key, default)


def parse_options(args: list[str], with_value: set[str], flags: set[str], usage: str) -> Options:
    """Split `args` into options and positional arguments (GPFS style: options
    may come anywhere; `--opt=value` and `-jvalue` are not accepted)."""
    values: dict[str, str] = {}
    seen_flags: set[str] = set()
    positional: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("-") and len(arg) > 1 and not _is_number(arg):
            if arg in with_value:
                if i + 1 >= len(args):
                    raise UsageError(f"Option {arg} requires a value.", usage)
                if arg in values:
                    raise UsageError(f"Option {arg} is specified more than once.", usage)
                values[arg] = args[i + 1]
                i += 2
                continue
            if arg in flags:
                seen_flags.add(arg)
                i += 1
                continue
            raise UsageError(f"Incorrect option: {arg}", usage)
        positional.append(arg)
        i += 1
    return Options(values, seen_flags, positional)


def expect_args(opts: Options, least: int, most: int, usage: str) -> list[str]:
    """The positional arguments, when there are `least` to `most` of them."""
    if len(opts.args) < least:
        raise UsageError("Missing arguments.", usage)
    if len(opts.args) > most:
        raise UsageError(f"Unexpected argument: {opts.args[most]}", usage)
    return opts.args


def _is_number(text: str) -> bool:
    return is_number(text[1:])


# What a positional argument or an option's value names, for completion.
DEVICE = "device"  # the file system (fs1)
SUBCOMMAND = "subcommand"  # one of the command's subcommands
FILESET = "fileset"  # a cache fileset
SNAPSHOT = "snapshot"  # a snapshot of the cluster the line runs on
PSNAP = "psnap"  # a peer snapshot (of the fileset given with -j, if any)
EXPORT = "export"  # a home directory (`mmafmconfig enable PATH`)
JUNCTION = "junction"  # where a fileset links (`-J /gpfs/fs1/F`)
ATTRIBUTE = "attribute"  # `-p afmMode=..`
PATHS = "path..."  # every remaining operand is a path
COMMAND = "command"  # a command name (`help COMMAND`)
TEXT = "text"  # anything (a snapshot name to create, a comment)


@record
class Placement:
    """Where a subcommand runs when it differs from its command (`mmafmconfig show`
    runs at the cache, `enable`/`disable` at home), and the reason printed elsewhere."""

    where: str
    elsewhere: str = ""


@record
class Command:
    """One command of the language: how to run it, where, and what its words name.

    `where` ("cache", "home" or "both") is checked once, at dispatch, before
    `run`; `elsewhere` is the reason printed on the other cluster (`{line}` is
    the command line). A subcommand named in `placements` runs where its
    `Placement` says instead (checked at the same place). `args` says what each
    positional names and `values` what each value-taking option names;
    completion reads them."""

    name: str
    usage: str
    summary: str
    run: Callable[[Context, list[str]], list[str]]
    subcommands: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    where: str = "both"
    family: str = "gpfs"  # "gpfs", "file", "sim" or "session"
    args: tuple[str, ...] = ()
    values: Mapping[str, str] = field(default_factory=dict)
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # after a subcommand: its words
    elsewhere: str = ""
    placements: Mapping[str, Placement] = field(default_factory=dict)  # lower-case subcommand -> where it runs
    sub_options: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # subcommand -> the options it takes

    def options_for(self, argv: Sequence[str]) -> tuple[str, ...]:
        """The options this line's subcommand takes (before the subcommand, or for a command
        without a list: all the command's)."""
        sub = self.subcommand_in(argv) if self.sub_options else ""
        return self.sub_options.get(sub, ()) if sub else self.options

    def subcommand_in(self, argv: Sequence[str]) -> str:
        """The subcommand word of `argv` (lower case), or "" when there is none:
        the positional where `args` declares SUBCOMMAND (options and their values skipped)."""
        if SUBCOMMAND not in self.args:
            return ""
        wanted = self.args.index(SUBCOMMAND)
        position = 0
        skip = False
        for arg in argv:
            if skip:
                skip = False
                continue
            if arg in self.values:
                skip = True
                continue
            if arg.startswith("-") and len(arg) > 1:
                continue
            if position == wanted:
                return arg.lower()
            position += 1
        return ""

    def placement(self, argv: Sequence[str] = ()) -> Placement:
        """Where this command line runs: its subcommand's placement, or the command's."""
        sub = self.subcommand_in(argv) if self.placements else ""
        return self.placements.get(sub) or Placement(self.where, self.elsewhere)

    def runs_on(self, cluster: str, argv: Sequence[str] = ()) -> bool:
        if not self.placements:  # most commands: no Placement to make for every line run
            return self.where in ("both", cluster)
        return self.placement(argv).where in ("both", cluster)

    def elsewhere_lines(self, line: str, argv: Sequence[str] = ()) -> list[str]:
        """Why this command (or its subcommand) does not run on the other cluster, GPFS-style."""
        placement = self.placement(argv)
        other = "home" if placement.where == "home" else "cache"
        reason = placement.elsewhere or f"{self.name} runs at the {other} cluster only."
        return [f"{self.name}: {reason.format(line=line)}", f"{self.name}: {FAILED}"]
