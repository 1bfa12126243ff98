"""Run a pilot test from a plain (sync) pytest test."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from peersnap.tui.app import PeersnapApp, make_app
from peersnap.tui.widgets.console import Console
from peersnap.tui.widgets.toggle_bar import ToggleBar
from textual.pilot import Pilot


def drive(test: Callable[[PeersnapApp, Pilot], Awaitable[None]], size: tuple[int, int] = (120, 40),
          app: PeersnapApp | None = None) -> PeersnapApp:
    app = app or make_app()

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await test(app, pilot)

    asyncio.run(main())
    return app


def console_text(app: PeersnapApp) -> str:
    return "\n".join(line.plain for line in app.query_one(Console).output.lines)


async def type_line(pilot: Pilot, line: str, watch: bool = False) -> None:
    """Type `line` and Enter. A typed `sim advance` or `sim settle` plays in the dashboard; unless
    `watch`, the typist presses Esc at once, as one who does not want to watch does (its end)."""
    for ch in line:
        await pilot.press("space" if ch == " " else ch)
    await pilot.press("enter")
    await pilot.pause()
    dashboard = getattr(pilot.app, "dashboard", None)
    if not watch and getattr(dashboard, "player", None) is not None:
        await pilot.press("escape")
        await pilot.pause()


async def click_toggle(pilot: Pilot, action: str) -> None:
    """Click the toggle that runs `action` (a region of the one-line toggle bar)."""
    bar = pilot.app.query_one(ToggleBar)
    await pilot.click(bar, offset=bar.offset_of(action))
    await pilot.pause()


def notifications(app: PeersnapApp) -> str:
    """Every toast the app has shown, as one text (Textual offers no public reader of them: `_notifications`)."""
    return " ".join(str(n.message) for n in app._notifications)
