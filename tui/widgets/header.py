"""The one-line header: clusters, fileset, both clocks (skew visible), run state and speed."""

from __future__ import annotations

from peersnap.core import clock
from peersnap.core.engine import Engine
from peersnap.core.invariants import Verdict
from peersnap.core.model import AfmFileset
from textual.content import Content
from textual.widgets import Static

from ..layout import ROOMY_WITH_NOTE_FROM, Room


def skew_text(engine: Engine) -> str:
    skew = engine.world.home.epoch_s - engine.world.cache.epoch_s
    if skew == 0:
        return "no skew"
    sign = "-" if skew < 0 else "+"
    return f"home {sign}{clock.format_duration(abs(skew) * clock.SECOND)}"


class ClockHeader(Static):
    """`cache1 ⇄ home1 │ sw │ cache Thu Oct 27 02:27:28 2016 │ home ... │ ▶ running 10x`.

    One row at full width: redrawn only when its text changes, and never laid out again."""

    _shown: tuple[str, list] | None = None

    def show(self, engine: Engine, fileset: AfmFileset, running: bool, speed: int, behind: bool, room: Room,
             note: str = "", badge: Verdict | None = None) -> None:
        """`note` (e.g. `replay 3/12`) comes right after the name; `badge`, the invariant
        checker's verdict, at the end (right after the name when it is red, so it is never cut)."""
        wide = room.wide
        mid = room.roomy
        roomy = mid and (not note or room.width >= ROOMY_WITH_NOTE_FROM)  # a replay's progress takes the labels' room
        cache_time = engine.clock_text("cache") if wide else clock.hms(engine.clock("cache"))
        home_time = engine.clock_text("home") if wide else clock.hms(engine.clock("home"))
        link = ("⇄", "bold $success") if engine.world.link_up else ("⇸", "bold $error")
        parts: list[Content | str | tuple[str, str]] = [
            (" peersnap ", "bold reverse $primary") if mid else (" ", ""),
            " ",
            (engine.world.cache.name, "bold $primary"),
            " ", link, " ",
            (engine.world.home.name, "bold $secondary"),
            ("  │ ", "$text-muted"),
            ("fileset " if roomy else "", "$text-muted"),
            (fileset.name, "bold"),
            ("  │ ", "$text-muted"),
            ("cache " if mid else "C ", "$text-muted"),
            (cache_time, "bold"),
            ("  home " if mid else " H ", "$text-muted"),
            (home_time, "bold"),
            (f" ({skew_text(engine)})" if roomy else "", "$text-muted"),
            ("  │ ", "$text-muted"),
            ("▶ running" if running else "■ paused", "bold $success" if running else "bold $warning"),
            f" {speed}x",
        ]
        if note:  # first, so a narrow terminal cuts the clocks rather than the replay's progress
            parts[2:2] = [(note, "bold $accent"), ("  │ ", "$text-muted")]
        if behind:
            parts.append(("  (cannot keep up)", "$error"))
        if badge is not None and badge.ok:
            pairs = "1 pair" if badge.pairs == 1 else f"{badge.pairs} pairs"
            parts += [("  │ ", "$text-muted"), (f"✓ {pairs} ok" if roomy or not mid else "✓", "bold $success")]
        elif badge is not None:
            parts[2:2] = [(badge.text(), "bold $error"), ("  │ ", "$text-muted")]
        content = Content.assemble(*parts)
        shown = (content.plain, content.spans)  # Content's == compares the text only
        if shown != self._shown:
            self._shown = shown
            self.update(content, layout=False)
