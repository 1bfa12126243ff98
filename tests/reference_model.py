"""A small reference model of one SW cache fileset, written apart from the engine.

It knows nothing of peersnap's code: a dict tree (path -> text, or DIR), the
fileset's settings, and the peer snapshot pairs as frozen dicts. It predicts,
from bash and AFM semantics alone, whether each generated command succeeds and
what the cache holds afterwards; the engine is then read back only through the
command language (`ls`, `cat`, `mmpsnap status`, `mmafmctl getstate`), the way
a user would read it. `tests/test_differential.py` runs seeded random scripts
through both; `benchmarks/soak_differential.py` runs many more.

What the model checks (the differential):
- every file command's exit status and the cache's contents, at the end;
- every peer snapshot's cache half equals the cache at the moment it was taken,
  for as long as the pair exists, whatever came after;
- a home half reported complete holds exactly the cache half's contents (no pair
  is ever complete with halves that differ), refused or accepted psnaps alike;
- after the link is back, replication restarted, home repaired and the queue
  settled, home equals the cache: nothing queued was lost or reordered, also when
  the gateway failed and recovery rebuilt its queue (`sim gateway fail`).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

DIR = "<DIR>"
SW = "/gpfs/fs1/sw"
HOME_SW = "/gpfs/fs1/sw"
FILES = ("a", "b", "d/a", "d/x/a", "e/a", "data/n")
DIRS = ("d", "e", "d/x", "data")
PSNAP_NAME = re.compile(r"^Snapshot (\S+) created with id \d+\.$")

Tree = dict[str, str]


def parent(path: str) -> str:
    return path.rpartition("/")[0]


def below(tree: Tree, path: str) -> list[str]:
    return [p for p in tree if p.startswith(path + "/")]


@dataclass
class RefFileset:
    """The model's view of the sw fileset and its home export."""

    cache: Tree
    mode: str = "sw"
    linked: bool = True
    nfs: bool = True
    enabled: bool = True
    seen: bool = True  # the cache saw home's AFM controls when it was last linked (IBM: relink after enable)
    link_up: bool = True
    pairs: dict[str, dict[str, str]] = field(default_factory=dict)  # psnap name -> frozen cache half
    counter: int = 0
    local_only: bool = False  # cache changed while nothing pushed home (lu): home may rightly differ

    # -- file commands: (line, predicted rc), applied to the model when they succeed ----------------
    def writable(self) -> bool:
        return self.linked and self.mode != "ro"

    def echo(self, path: str, append: bool) -> tuple[str, bool, Callable[[], None]]:
        self.counter += 1
        text = f"t{self.counter}"
        line = f"echo {text} {'>>' if append else '>'} {SW}/{path}"
        ok = self.writable() and self.cache.get(parent(path), DIR if "/" not in path else None) == DIR \
            and self.cache.get(path) != DIR

        def apply() -> None:
            old = self.cache.get(path, "")
            self.cache[path] = (old if append else "") + text + "\n"
        return line, ok, apply

    def touch(self, path: str) -> tuple[str, bool, Callable[[], None]]:
        ok = self.writable() and (path in self.cache or self.cache.get(parent(path), DIR if "/" not in path
                                                                         else None) == DIR)

        def apply() -> None:
            self.cache.setdefault(path, "")
        return f"touch {SW}/{path}", ok, apply

    def rm(self, path: str, recursive: bool) -> tuple[str, bool, Callable[[], None]]:
        content = self.cache.get(path)
        ok = self.writable() and content is not None and (recursive or content != DIR)

        def apply() -> None:
            for p in [*below(self.cache, path), path]:
                self.cache.pop(p, None)
        return f"rm {'-r ' if recursive else ''}{SW}/{path}", ok, apply

    def rmdir(self, path: str) -> tuple[str, bool, Callable[[], None]]:
        ok = self.writable() and self.cache.get(path) == DIR and not below(self.cache, path)

        def apply() -> None:
            del self.cache[path]
        return f"rmdir {SW}/{path}", ok, apply

    def mkdir(self, path: str, parents: bool) -> tuple[str, bool, Callable[[], None]]:
        chain = []
        p = path
        while p:
            chain.append(p)
            p = parent(p)
        existing = self.cache.get(path)
        if not self.writable():
            ok = False
        elif existing is not None:
            ok = parents and existing == DIR
        elif parents:
            ok = all(self.cache.get(c) in (None, DIR) for c in chain)
        else:
            ok = self.cache.get(parent(path), DIR if "/" not in path else None) == DIR

        def apply() -> None:
            for c in chain:
                self.cache.setdefault(c, DIR)
        return f"mkdir {'-p ' if parents else ''}{SW}/{path}", ok, apply

    def mv(self, src: str, dst: str) -> tuple[str, bool, Callable[[], None]]:
        line = f"mv {SW}/{src} {SW}/{dst}"
        content = self.cache.get(src)
        target = dst
        if self.cache.get(dst) == DIR:
            target = f"{dst}/{src.rsplit('/', 1)[-1]}"
        ok = self.writable() and content is not None
        if ok and target != src:
            existing = self.cache.get(target)
            if content == DIR and (target + "/").startswith(src + "/") or existing == DIR or existing is not None and content == DIR or self.cache.get(parent(target), DIR if "/" not in target else None) != DIR:
                ok = False

        def apply() -> None:
            if target == src:
                return
            moved = {p: self.cache[p] for p in [src, *below(self.cache, src)]}
            for p in moved:
                del self.cache[p]
            self.cache.pop(target, None)
            for p, c in moved.items():
                self.cache[target + p[len(src):]] = c
        return line, ok, apply

    # -- peer snapshots ---------------------------------------------------------------------------
    def psnap_allowed(self, state: str) -> bool | None:
        """True/False when the rules decide; None when either answer is right (see below)."""
        if not self.linked or self.mode != "sw" or not self.nfs:
            return False
        if state not in ("Active", "Dirty", "Disconnected"):
            return False
        if state == "Disconnected":
            # the seed: the cache half is taken, the home half waits for the reconnect; a
            # cache that also needs a resync may rightly refuse instead. Either way the
            # pair must never complete with halves that differ (checked at the end).
            return None
        if not self.link_up and not self.enabled:
            # with the link down the cache cannot ask home; the home half finds out on reconnect
            return None
        if not self.link_up:
            return True  # enabled; whether the cache saw it is found out by the home half
        return self.enabled and self.seen


@dataclass(frozen=True, slots=True)
class Step:
    line: str
    expect_ok: bool | None  # None: the model accepts either exit status
    apply: Callable[[], None] | None = None
    kind: str = "other"


def random_step(rng: random.Random, model: RefFileset) -> Step:
    """One command a user (or an adversary) might type next."""
    roll = rng.random()
    if roll < 0.45:
        kind = rng.choice(["echo", "echo", "append", "touch", "rm", "rm -r", "rmdir", "mkdir", "mkdir -p", "mv"])
        if kind in ("echo", "append"):
            line, ok, apply = model.echo(rng.choice(FILES), kind == "append")
        elif kind == "touch":
            line, ok, apply = model.touch(rng.choice(FILES))
        elif kind in ("rm", "rm -r"):
            line, ok, apply = model.rm(rng.choice(FILES + DIRS), kind == "rm -r")
        elif kind == "rmdir":
            line, ok, apply = model.rmdir(rng.choice(DIRS))
        elif kind in ("mkdir", "mkdir -p"):
            line, ok, apply = model.mkdir(rng.choice(DIRS + ("d/x/y",)), kind == "mkdir -p")
        else:
            line, ok, apply = model.mv(rng.choice(FILES + DIRS), rng.choice(FILES + DIRS))
        return Step(line, ok, apply, "file")
    if roll < 0.60:
        return Step(f"mmpsnap fs1 create -j sw{' --wait' if rng.random() < 0.2 else ''}", None, kind="psnap")
    if roll < 0.75:
        return Step(f"sim advance {rng.choice(['1s', '5s', '15s', '16s', '61s'])}", True)
    if roll < 0.78:
        return Step("sim step", None)
    if roll < 0.84:
        up = rng.random() < 0.5
        return Step(f"sim link {'up' if up else 'down'}", True, kind="link-up" if up else "link-down")
    if roll < 0.87:
        return Step("psnap-delete", None, kind="psnap-delete")
    if roll < 0.90:
        path = rng.choice(FILES[:3])
        return Step(f"@home echo rogue{rng.randrange(99)} > {HOME_SW}/{path}", None, kind="home-write")
    if roll < 0.92:
        return Step("mmafmctl fs1 resync -j sw", None, kind="resync")
    if roll < 0.94:
        # a failed gateway loses the queue and recovers (or is Dropped without home): the cache
        # is untouched, psnaps are refused until recovery is done, and nothing reaches home lost
        return Step(rng.choice(["mmafmctl fs1 stop -j sw", "mmafmctl fs1 start -j sw", "sim gateway fail"]), None,
                    kind="stopstart")
    if roll < 0.96:
        return Step("mmafmctl fs1 flushPending -j sw", None)
    if roll < 0.98:
        on = rng.random() < 0.6
        # enabling twice (or disabling twice) may be refused: either answer is right
        return Step(f"@home mmafmconfig {'enable' if on else 'disable'} {HOME_SW}", None,
                    kind="enable" if on else "disable")
    return Step(rng.choice(["mmunlinkfileset fs1 sw", f"mmlinkfileset fs1 sw -J {SW}"]), None, kind="linking")
