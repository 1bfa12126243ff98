"""Tab completion for the command language: command names, subcommands,
options, filesets, snapshot names, attributes and paths."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .commands import REGISTRY
from .errors import FsError

if TYPE_CHECKING:
    from .session import Session

DEVICE_COMMANDS = {
    "mmpsnap", "mmlssnapshot", "mmcrsnapshot", "mmdelsnapshot", "mmafmctl",
    "mmchfileset", "mmlsfileset", "mmlinkfileset", "mmunlinkfileset",
}
FILESET_SECOND = {"mmchfileset", "mmlsfileset", "mmlinkfileset", "mmunlinkfileset"}
ATTRIBUTES = ("afmMode=", "afmTarget=", "afmAsyncDelay=")
MAX_CANDIDATES = 200


def complete(session: Session, text: str) -> list[str]:
    """Whole-line candidates for `text` (the line typed so far), sorted."""
    prefix = ""
    body = text
    if text.startswith("@"):
        if " " not in text:
            return [c for c in ("@cache ", "@home ") if c.startswith(text)]
        head, _, body = text.partition(" ")
        prefix = head + " "
        body = body.lstrip()
        prefix = text[: len(text) - len(body)]
    cluster = "home" if prefix.startswith("@home") else "cache"
    words = body.split()
    if body.endswith(" ") or not body:
        words.append("")
    current = words[-1]
    before = body[: len(body) - len(current)]
    options = _candidates(session, cluster, words)
    matches = sorted({w for w in options if w.startswith(current)})[:MAX_CANDIDATES]
    return [prefix + before + m + ("" if m.endswith(("/", "=")) else " ") for m in matches]


def _candidates(session: Session, cluster: str, words: list[str]) -> list[str]:
    if len(words) == 1:
        return list(REGISTRY)
    name, current = words[0], words[-1]
    command = REGISTRY.get(name)
    if command is None:
        return []
    engine = session.engine
    previous = words[-2]
    filesets = list(engine.world.filesets)
    if previous == "-j":
        return filesets
    if previous == "-s":
        chosen = _option_value(words, "-j")
        return [p for f in engine.world.filesets.values() if chosen in ("", f.name) for p in f.psnaps]
    if previous == "-J":
        return [f"{engine.world.cache.fs.mount}/{f}" for f in filesets]
    if current.startswith("afmMode="):
        return [f"afmMode={m}" for m in ("sw", "ro", "iw", "lu")]
    if previous == "-p":
        return list(ATTRIBUTES)
    if current.startswith("-"):
        return list(command.options)
    positional = [w for i, w in enumerate(words[1:-1], start=1) if not w.startswith("-") and words[i - 1] not in ("-j", "-s", "-J", "-p", "--comment", "--uid", "--size")]
    index = len(positional)
    if name in DEVICE_COMMANDS and index == 0:
        return [engine.world.cache.fs.name]
    if command.subcommands and index == (1 if name in DEVICE_COMMANDS else 0):
        return list(command.subcommands)
    if name == "sim" and positional[:1] == ["link"]:
        return ["up", "down"]
    if name in FILESET_SECOND and index == 1:
        return filesets
    if name == "mmdelsnapshot" and index == 1:
        return [s.name for s in engine.world.cluster(cluster).fs.snapshots.values()]
    if name == "mmafmconfig" and index == 1:
        return [f"{engine.world.home.fs.mount}/{d}" for d in engine.world.home.fs.trees]
    if command.family == "file" or name == "help":
        return list(REGISTRY) if name == "help" else _paths(session, cluster, current)
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
