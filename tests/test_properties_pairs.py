"""The central invariant checked from outside the engine (issue 10).

`tests/test_properties.py`'s machines compare the engine's own snapshots with the
engine's own trees. This machine runs the same actions (home writes that make the
cache NeedsResync, resync, `--wait`, two SW filesets and an IW one with different
async delays, stop/start, link flaps landing exactly on, 1 µs before and 1 µs after
the next event) and checks the invariant the way a user would, through the command
language only, sharing nothing with the engine's data structures:

- when a psnap is created, the cache is read (`ls -l`, `cat`) just before it, and its
  cache half (`ls .snapshots/NAME`) must read the same;
- whenever `mmpsnap status` reports a pair's home half Created, the home half read at
  home (`@home ls /gpfs/fs1/.snapshots/NAME/F`) must equal that cache reading: no pair
  is ever reported complete with halves that differ;
- every psnap create, refused or accepted, leaves every existing pair intact: each
  recorded half reads as before and no pair vanishes from `mmpsnap status`.
"""

from __future__ import annotations

from differential import dump
from hypothesis import settings
from hypothesis.stateful import invariant, rule
from test_properties import CACHE_ACTIONS, HOME_ACTIONS, MACHINE_SETTINGS, PAIRED, PeerSnapWorld, weighted

MOUNT = "/gpfs/fs1"


def status_rows(session, fileset: str) -> dict[str, str]:
    """psnap name -> its Home column, as `mmpsnap status` prints it."""
    result = session.run(f"mmpsnap fs1 status -j {fileset}")
    rows = {}
    for line in result.lines:
        if line.startswith("psnap-"):
            rows[line.split()[0]] = line
    return rows


def reported_created(row: str) -> bool:
    return " Created with id " in row


class IndependentPairsMachine(PeerSnapWorld):
    """Home writer machine's actions; the invariant read back through the language."""

    def __init__(self) -> None:
        super().__init__()
        self.expected: dict[str, tuple[str, dict]] = {}  # psnap -> (fileset, the cache as read before it)
        self.home_read: dict[str, dict] = {}  # psnap -> its home half as read once reported Created

    def linked(self, fileset: str) -> bool:
        return self.fileset(fileset).linked

    def psnap_create(self, wait, fileset: str = "sw"):
        reading = dump(self.session, "", f"{MOUNT}/{fileset}") if self.linked(fileset) else None
        before = {f: status_rows(self.session, f) for f in PAIRED}
        super().psnap_create(wait, fileset)
        after = {f: status_rows(self.session, f) for f in PAIRED}
        for f in PAIRED:
            for name in before[f]:
                assert name in after[f], f"pair {name} vanished after a psnap create on {fileset}"
        for name in set(after[fileset]) - set(before[fileset]):
            assert reading is not None
            half = dump(self.session, "", f"{MOUNT}/{fileset}/.snapshots/{name}")
            assert half == reading, f"{name}: the cache half is not the cache as it was"
            self.expected[name] = (fileset, reading)
        self.pairs_read_as_before()

    def pairs_read_as_before(self) -> None:
        """Every recorded half (the last few pairs: reading is not free) reads as recorded."""
        for name in sorted(self.expected)[-4:]:
            fileset, reading = self.expected[name]
            row = status_rows(self.session, fileset).get(name)
            if row is None or "Deleting" in row:
                continue  # deleted (mmpsnap delete; the home half goes when the link allows): no longer a pair
            if self.linked(fileset):
                assert dump(self.session, "", f"{MOUNT}/{fileset}/.snapshots/{name}") == reading, \
                    f"{name}: its cache half changed"
            if name in self.home_read:
                assert dump(self.session, "@home ", f"{MOUNT}/.snapshots/{name}/{fileset}") == self.home_read[name], \
                    f"{name}: its home half changed"

    @invariant()
    def a_pair_reported_complete_reads_the_same_at_home(self):
        for fileset in PAIRED:
            for name, row in status_rows(self.session, fileset).items():
                if name not in self.expected or name in self.home_read or not reported_created(row):
                    continue
                assert "identical" in row, row
                home = dump(self.session, "@home ", f"{MOUNT}/.snapshots/{name}/{fileset}")
                assert home == self.expected[name][1], f"{name} reported Created, but its halves differ"
                self.home_read[name] = home

    @rule(action=weighted(*CACHE_ACTIONS, *HOME_ACTIONS))
    def user_acts(self, action):
        self.act(action)


IndependentPairsMachine.TestCase.settings = settings(MACHINE_SETTINGS, max_examples=40, stateful_step_count=40)
test_pairs_read_back_through_the_language = IndependentPairsMachine.TestCase
