"""The dashboard's responsive breakpoints, named once.

The screen carries a class per breakpoint (`narrow`, `tiny`, `short`, `wide`, and
`lesson` when the lesson panel is open) that the stylesheet reads
(`Screen.narrow #events { ... }`); the one-line widgets shorten their labels at the
same widths, read from `Room`.
"""

from __future__ import annotations

from peersnap.core.records import record

NARROW_BELOW = 120  # columns: compact toggle labels; the console takes more of the bottom row
TINY_BELOW = 96  # columns: no event log
SHORT_BELOW = 34  # rows: thinner pane borders, a shorter bottom row
WIDE_FROM = 150  # columns: full clocks and psnap names; the lesson panel and the event log side by side
ROOMY_FROM = 100  # columns: the header's labels and the psnap table's fileset column
ROOMY_WITH_NOTE_FROM = 130  # columns: the header's labels beside a replay's progress


# The rows of the stacked regions (the stylesheet's heights, for the first frame); `share_rows` then
# gives the console what the panes above it do not need.
PAIRS_ROWS, PAIRS_ROWS_SHORT = 6, 4
CONSOLE_ROWS, CONSOLE_ROWS_SHORT = 12, 9
LESSON_ROWS, LESSON_ROWS_SHORT = 14, 10
TIMELINE_ROWS = 3  # (hidden when short)
ONE_LINERS = 3  # the header, the toggle bar and the footer


@record
class Rows:
    """The heights of the stacked regions: the file panes and the queue, the pair table, the console's row."""

    main: int
    pairs: int
    bottom: int


@record
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

    def share_rows(self, *, lesson: bool, main: int, pairs: int) -> Rows:
        """Heights by content: the file panes and the queue (`main` content rows, the most any of
        them has) and the pair table (`pairs` rows) get what they need up to their share in the
        stylesheet's layout, and the console's row gets the rest, never less than its share. A pane
        that fills takes its rows back from the console, up to that share; a pair table with more
        pairs than its share shows may also take half of the rows the console has beyond its own."""
        border = 1 if self.short else 2  # a short terminal draws only the panes' top borders
        fixed = ONE_LINERS + (0 if self.short else TIMELINE_ROWS)
        room = max(self.height - fixed, 0)
        pairs_share = PAIRS_ROWS_SHORT if self.short else PAIRS_ROWS
        if lesson:
            bottom_share = LESSON_ROWS_SHORT if self.short else LESSON_ROWS
        else:
            bottom_share = CONSOLE_ROWS_SHORT if self.short else CONSOLE_ROWS
        main_share = max(room - pairs_share - bottom_share, 0)
        main_rows = min(main + border, main_share)
        pairs_need = max(pairs, 1) + border
        pair_rows = min(pairs_need, pairs_share)
        spare = room - main_rows - pair_rows - bottom_share
        if spare > 1 and pairs_need > pair_rows:  # many pairs on a tall screen: half the spare rows, at most
            pair_rows += min(pairs_need - pair_rows, spare // 2)
        return Rows(main_rows, pair_rows, max(room - main_rows - pair_rows, 0))
