"""The dashboard's responsive breakpoints, named once.

The screen carries a class per breakpoint (`narrow`, `tiny`, `short`, `wide`, and
`lesson` when the lesson panel is open) that the stylesheet reads
(`Screen.narrow #events { ... }`); the one-line widgets shorten their labels at the
same widths, read from `Room`.
"""

from __future__ import annotations

from dataclasses import dataclass

NARROW_BELOW = 120  # columns: compact toggle labels; the console takes more of the bottom row
TINY_BELOW = 96  # columns: no event log
SHORT_BELOW = 34  # rows: thinner pane borders, a shorter bottom row
WIDE_FROM = 150  # columns: full clocks and psnap names; the lesson panel and the event log side by side
ROOMY_FROM = 100  # columns: the header's labels and the psnap table's fileset column
ROOMY_WITH_NOTE_FROM = 130  # columns: the header's labels beside a replay's progress


@dataclass(frozen=True, slots=True)
class Room:
    """What a terminal of `width` x `height` cells has room for."""

    width: int
    height: int = 0

    @property
    def narrow(self) -> bool:
        return self.width < NARROW_BELOW

    @property
    def tiny(self) -> bool:
        return self.width < TINY_BELOW

    @property
    def short(self) -> bool:
        return self.height < SHORT_BELOW

    @property
    def wide(self) -> bool:
        return self.width >= WIDE_FROM

    @property
    def roomy(self) -> bool:
        return self.width >= ROOMY_FROM

    def screen_classes(self, lesson: bool) -> dict[str, bool]:
        """The screen's classes for the stylesheet, each on or off."""
        return {"narrow": self.narrow, "tiny": self.tiny, "short": self.short, "lesson": lesson, "wide": self.wide}
