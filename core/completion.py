"""Tab completion for the command language.

What a word may be comes from the command's declaration (`Command.args`:
what each positional names; `Command.values`: what each option's value
names); this module only knows how to list the things of each kind.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from .commands import REGISTRY
from .commands.base import (
    ATTRIBUTE,
    COMMAND,
    DEVICE,
    EXPORT,
    FILESET,
    JUNCTION,
    PATHS,
    PSNAP,
    SNAPSHOT,
    SUBCOMMAND,
    Command,
)
from .errors import FsError
from .language import CLUSTERS, DEFAULT_CLUSTER, cluster_prefix

if TYPE_CHECKING:
    from .session import Session

ATTRIBUTES = ("afmMode=", "afmTarget=", "afmAsyncDelay=")
MODES = ("sw", "ro", "iw", "lu")
MAX_CANDIDATES = 200


def complete(session: Session, text: str) -> list[str]:
    """Whole-line candidates for `text` (the line typed so far), sorted."""
    prefix = cluster_prefix(text)
    if prefix.word and not prefix.ended:  # still typing the @cluster word itself
        lead = text[: len(text) - len(prefix.word)]
        return [lead + c for c in (f"@{name} " for name in CLUSTERS) if c.startswith(prefix.word)]
    cluster = prefix.cluster or DEFAULT_CLUSTER
    body = prefix.rest
    words = body.split()
    if body.endswith(" ") or not body:
        words.append("")
    current = words[-1]
    before = body[: len(body) - len(current)]
    options = _candidates(session, cluster, words)
    matches = sorted({w for w in options if w.startswith(current)})[:MAX_CANDIDATES]
    return [prefix.head + before + m + ("" if m.endswith(("/", "=")) else " ") for m in matches]


def _candidates(session: Session, cluster: str, words: list[str]) -> list[str]:
    if len(words) == 1:
        return list(REGISTRY)
    command = REGISTRY.get(words[0])
    if command is None:
        return []
    current, previous = words[-1], words[-2]
    if previous in command.values:
        return _things(session, cluster, command.values[previous], words)
    typed = words[1:-1]
    options = [o for o in command.options_for(typed) if o not in typed]  # each option once
    if current.startswith("-"):
        return options
    positional = [w for i, w in enumerate(words[1:-1], start=1) if not w.startswith("-") and words[i - 1] not in command.values]
    things = _things(session, cluster, _kind_at(command, positional), words)
    # nothing more to name here (`mmpsnap fs1 create `): what may follow is an option
    return things if things or current else options


def did_you_mean(session: Session, text: str) -> list[str]:
    """For the last word of `text` that nothing completes: the words it was probably meant
    to be (a command, subcommand, option or name at that place), closest first."""
    prefix = cluster_prefix(text)
    words = prefix.rest.split()
    if not words or prefix.rest.endswith(" "):
        return []
    cluster = prefix.cluster or DEFAULT_CLUSTER
    current = words[-1]
    command = REGISTRY.get(words[0])
    if len(words) > 1 and command is None:
        return []
    if len(words) > 1 and current.startswith("-"):
        known = list(command.options_for(words[1:-1])) if command is not None else []
    else:
        known = _candidates(session, cluster, [*words[:-1], ""])
    if current in known:
        return []  # no typo: the word is one of them
    return difflib.get_close_matches(current, [k for k in known if not k.endswith("/")], n=3, cutoff=0.6)


def _kind_at(command: Command, positional: list[str]) -> str | tuple[str, ...]:
    """What the next positional names, after `positional` (the ones typed)."""
    index = len(positional)
    after_subcommand = 0 < index <= len(command.args) and command.args[index - 1] == SUBCOMMAND
    if after_subcommand and positional[-1] in command.choices:
        return command.choices[positional[-1]]  # `sim link` -> up, down
    if index < len(command.args):
        return command.args[index]
    return PATHS if command.args[-1:] == (PATHS,) else ""


def _things(session: Session, cluster: str, kind: str | tuple[str, ...], words: list[str]) -> list[str]:
    """Every thing of `kind` there is now (a tuple is a list of literal words)."""
    if isinstance(kind, tuple):
        return list(kind)
    world = session.engine.world
    current = words[-1]
    if kind == DEVICE:
        return [world.cache.fs.name]
    if kind == SUBCOMMAND:
        command = REGISTRY[words[0]]
        return list(command.subcommands)
    if kind == FILESET:
        return list(world.filesets)
    if kind == PSNAP:
        chosen = _option_value(words, "-j")
        return [p for f in world.filesets.values() if chosen in ("", f.name) for p in f.psnaps]
    if kind == SNAPSHOT:
        return [s.name for s in world.cluster(cluster).fs.snapshots.values()]
    if kind == EXPORT:
        return [f"{world.home.fs.mount}/{d}" for d in world.home.fs.trees]
    if kind == JUNCTION:
        return [f"{world.cache.fs.mount}/{f}" for f in world.filesets]
    if kind == ATTRIBUTE:
        return [f"afmMode={m}" for m in MODES] if current.startswith("afmMode=") else list(ATTRIBUTES)
    if kind == COMMAND:
        return list(REGISTRY)
    if kind == PATHS:
        return _paths(session, cluster, current)
    return []


def _option_value(words: list[str], option: str) -> str:
    for i, word in enumerate(words[:-1]):
        if word == option:
            return words[i + 1]
    return ""


def _paths(session: Session, cluster: str, current: str) -> list[str]:
    engine = session.engine
    mount = engine.world.cluster(cluster).fs.mount
    if "/" not in current:
        return [mount + "/"] if mount.startswith(current) or not current else []
    directory = current.rsplit("/", 1)[0] or "/"
    if directory == "/" or not (directory + "/").startswith(mount + "/") and directory != mount:
        return [mount + "/"] if mount.startswith(current) else []
    try:
        entries = engine.files.list_dir(cluster, directory, show_all=True)
    except FsError:
        return []
    base = current.rsplit("/", 1)[0]
    return [f"{base}/{e.name}" + ("/" if e.is_dir else "") for e in entries[:MAX_CANDIDATES * 5]]
