"""The garbage collector held through the dashboard's start, then everything it made set aside.

Starting the dashboard makes several hundred thousand objects (Textual's and
peersnap's modules, the scenario's world, the widgets) and frees almost none of
them, yet the collector ran about 150 times over them before the first frame:
about a tenth of the start's CPU time. The `peersnap` command (tui/startup.py)
holds the collector from its first line until the dashboard's first refresh (for
every other subcommand, until its command line is read), then moves everything
made so far into the permanent generation (`gc.freeze`: long-lived objects that
later collections never scan again) and lets the collector run as usual. In a
terminal that refresh is the frame written (tui/app.py: the app does not wait for
the dashboard's mount); headless, the frame comes one refresh later.

Only the command holds it: importing peersnap (the tests, a script) changes nothing.
"""

from __future__ import annotations

import gc

_held = False


def hold() -> None:
    """Stop the collector until `release` (unless something else already stopped it)."""
    global _held
    if gc.isenabled():
        gc.disable()
        _held = True


def release() -> None:
    """Set aside everything made so far and start the collector again (once, if held). No collection
    first: one walks every object the start made (~90 ms on a loaded machine); the few cycles the start
    left stay frozen with them."""
    global _held
    if _held:
        _held = False
        gc.freeze()
        gc.enable()
