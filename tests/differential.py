"""Run one seeded random script through peersnap and the reference model; list disagreements.

The engine is read only through the command language, as a user reads it, so
the model shares no code and no data structure with it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from peersnap.core.scenario import Scenario, load
from peersnap.core.session import Session
from reference_model import DIR, HOME_SW, PSNAP_NAME, SW, RefFileset, Step, Tree, random_step


def dump(session: Session, prefix: str, root: str) -> Tree:
    """Every file and directory under `root` (relative paths), read with `ls -l`
    and one `cat` of every file, split by the sizes `ls -l` printed (one `cat`
    a file when they do not add up)."""
    tree: Tree = {}
    files: list[tuple[str, int]] = []
    pending = [""]
    while pending:
        rel = pending.pop()
        listing = session.run(f"{prefix}ls -l {root}/{rel}".rstrip("/"))
        if not listing.ok:
            raise AssertionError(f"{prefix}ls -l {root}/{rel}: {listing.lines}")
        for entry in listing.lines:
            mode, _, _, _, size, name = entry.split(maxsplit=5)
            path = f"{rel}/{name}" if rel else name
            if mode.startswith("d"):
                tree[path] = DIR
                pending.append(path)
            else:
                files.append((path, int(size)))
    if not files:
        return tree
    text = session.run(f"{prefix}cat " + " ".join(f"{root}/{path}" for path, _ in files))
    joined = "".join(line + "\n" for line in text.lines) if text.ok else ""
    if text.ok and len(joined) == sum(size for _, size in files):
        at = 0
        for path, size in files:
            tree[path] = joined[at:at + size]
            at += size
        return tree
    for path, _ in files:
        one = session.run(f"{prefix}cat {root}/{path}")
        if not one.ok:
            raise AssertionError(f"{prefix}cat {root}/{path}: {one.lines}")
        tree[path] = "".join(line + "\n" for line in one.lines)
    return tree


def cache_state(session: Session) -> str:
    """The sw fileset's Cache State column, as `mmafmctl getstate -j sw` prints it."""
    result = session.run("mmafmctl fs1 getstate -j sw")
    return result.lines[-1].split()[2] if result.ok else "?"


def psnap_status(session: Session) -> dict[str, str]:
    """psnap name -> its Home column text, from `mmpsnap status`."""
    result = session.run("mmpsnap fs1 status -j sw")
    rows = {}
    for line in result.lines:
        if line.startswith("psnap-"):
            rows[line.split()[0]] = line
    return rows


def show(tree: Tree) -> str:
    return "{" + ", ".join(f"{k}: {v!r}" for k, v in sorted(tree.items())) + "}"


@dataclass
class Report:
    seed: int
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    psnaps: int = 0
    completed_pairs: int = 0

    def fail(self, text: str) -> None:
        self.problems.append(text)

    def script(self) -> str:
        return "\n".join(self.lines)


_SEED_WORLD: list[Scenario] = []


def seed_world() -> Scenario:
    """The default scenario, read once (a Session builds a fresh world from it)."""
    if not _SEED_WORLD:
        _SEED_WORLD.append(load())
    return _SEED_WORLD[0]


def run_script(seed: int, steps: int = 30) -> Report:
    rng = random.Random(seed)
    session = Session(seed_world())
    report = Report(seed)
    model = RefFileset(cache=dump(session, "", SW))

    def run(line: str):  # type: ignore[no-untyped-def]
        report.lines.append(line)
        return session.run(line)

    for _ in range(steps):
        step: Step = random_step(rng, model)
        if step.kind == "psnap":
            allowed = model.psnap_allowed(cache_state(session))
            result = run(step.line)
            # --wait may fail after the cache half was taken (the home half did not come in time)
            names = [m.group(1) for line in result.lines if (m := PSNAP_NAME.match(line))]
            if names:
                report.psnaps += 1
                model.pairs[names[0]] = dict(model.cache)
            elif result.ok:
                report.fail(f"{step.line}: accepted without naming its snapshot: {result.lines}")
            taken = bool(names)
            if allowed is not None and taken != allowed:
                report.fail(f"{step.line}: model says {'allowed' if allowed else 'refused'}, "
                            f"peersnap {'took' if taken else 'refused'} it: {result.lines[-2:]}")
            continue
        if step.kind == "psnap-delete":
            name = rng.choice(sorted(model.pairs)) if model.pairs and rng.random() < 0.8 else "psnap-nosuch"
            result = run(f"mmpsnap fs1 delete -s {name} -j sw")
            if result.ok:
                if name not in model.pairs:
                    report.fail(f"deleting unknown {name} succeeded")
                model.pairs.pop(name, None)
            continue
        result = run(step.line)
        if step.expect_ok is not None and result.ok != step.expect_ok:
            report.fail(f"{step.line}: model expects rc {'0' if step.expect_ok else '!=0'}, "
                        f"peersnap rc {result.rc}: {result.lines[:2]}")
            # follow the product so the rest of the script stays comparable
            if result.ok and step.apply is not None:
                step.apply()
            continue
        if result.ok:
            if step.apply is not None:
                step.apply()
                if model.mode == "lu":
                    model.local_only = True
            if step.kind in ("link-up", "link-down"):
                model.link_up = step.kind == "link-up"
            elif step.kind in ("enable", "disable"):
                enabled = step.kind == "enable"
                if enabled != model.enabled and model.linked:
                    model.seen = False  # a linked cache learns of it only when linked again
                model.enabled = enabled
            elif step.kind == "linking":
                model.linked = step.line.startswith("mmlinkfileset")
                if model.linked:
                    model.seen = model.enabled

    # Repair everything a user can repair, then let the queue drain. Only a script that wrote
    # at home behind the cache's back needs the resync: without one, home must equal the cache
    # by replication alone (a resync would hide an op the queue or a recovery lost).
    home_written = any(line.startswith("@home echo") for line in report.lines)
    repair = ["sim link up", f"@home mmafmconfig enable {HOME_SW}", f"mmlinkfileset fs1 sw -J {SW}",
              "mmafmctl fs1 start -j sw", "sim settle"]
    for line in repair + (["mmafmctl fs1 resync -j sw", "sim settle"] if home_written else []):
        run(line)
    settled = run("sim settle")
    if not settled.ok:
        report.fail(f"sim settle after repair: {settled.lines}")

    cache = dump(session, "", SW)
    if cache != model.cache:
        report.fail(f"cache differs from the model:\n  peersnap {show(cache)}\n  model    {show(model.cache)}")
    state = cache_state(session)
    if state not in ("Active",):
        report.fail(f"after repair and settle the fileset is {state}, not Active")
    home = dump(session, "@home ", HOME_SW)
    if not model.local_only and home != cache:
        report.fail(f"home differs from the cache after settle:\n  home  {show(home)}\n  cache {show(cache)}")

    status = psnap_status(session)
    for name, row in status.items():
        if "DIFFERS" in row:
            report.fail(f"pair {name} completed with halves that differ: {row}")
        if name not in model.pairs:
            report.fail(f"mmpsnap status lists {name}, which the model deleted (or never took)")
    for name, half in model.pairs.items():
        if name not in status:
            report.fail(f"pair {name} is missing from mmpsnap status")
            continue
        cache_half = dump(session, "", f"{SW}/.snapshots/{name}")
        if cache_half != half:
            report.fail(f"cache half of {name} differs from the cache when it was taken:\n"
                        f"  half  {show(cache_half)}\n  model {show(half)}")
        if "identical" in status[name]:
            report.completed_pairs += 1
            home_half = dump(session, "@home ", f"/gpfs/fs1/.snapshots/{name}/sw")
            if home_half != half:
                report.fail(f"home half of {name} is reported identical but differs:\n"
                            f"  home  {show(home_half)}\n  model {show(half)}")
    return report
