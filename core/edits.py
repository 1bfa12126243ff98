"""One world's count of its edits: "did this command change anything" in O(1).

Every tree, gateway queue and fileset of a world shares its `Edits`, and bumps it
whenever it changes something `World.fingerprint` reads: a tree's content, a
queue's counters, a fileset's settings or state. The session reads the count
before and after each command (with the few world-wide settings, which it reads
directly): equal exactly when the fingerprints are, since a command never undoes
its own change. A fork (a checkpoint, a branch) gives its twin an `Edits` of its
own, so neither twin's edits count in the other.
"""

from __future__ import annotations


class Edits:
    """A counter shared by a world's parts (a bare slotted class: bumped on every write)."""

    __slots__ = ("count",)

    def __init__(self, count: int = 0) -> None:
        self.count = count
