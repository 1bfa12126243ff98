"""In the classroom the dashboard runs in a browser tab: a key the browser keeps never reaches it.

Chromium keeps a few shortcuts for itself before the page sees them, in
`BrowserCommandController::IsReservedCommandOrKey`:

    return command_id == IDC_CLOSE_TAB || command_id == IDC_CLOSE_WINDOW ||
           command_id == IDC_NEW_INCOGNITO_WINDOW || command_id == IDC_NEW_TAB ||
           command_id == IDC_NEW_WINDOW || command_id == IDC_RESTORE_TAB ||
           command_id == IDC_SELECT_NEXT_TAB || command_id == IDC_SELECT_PREVIOUS_TAB ||
           command_id == IDC_EXIT;

(and, in full screen, IDC_FULLSCREEN: F11). Their keys are `tui.actions.BROWSER_RESERVED`.
Every other key reaches the page, where xterm.js sends it on and cancels the browser's own
action; tests/test_trainer_browser.py presses each action's key in Chromium and checks both.
"""

from __future__ import annotations

import pytest
from peersnap.tui.actions import ACTIONS, BROWSER_RESERVED, Action, browser_key
from peersnap.tui.widgets.key_bar import key_bar_markup

KEYED = [action for action in ACTIONS if action.keys]


@pytest.mark.parametrize("action", KEYED, ids=lambda a: a.name)
def test_every_action_has_a_key_the_browser_lets_through(action: Action):
    assert browser_key(action), f"{action.name}: every key of {action.keys!r} is kept by the browser"


def test_the_footer_shows_keys_that_work_in_the_classroom():
    footer = key_bar_markup(500).plain
    for action in ACTIONS:
        if action.footer and action.keys:
            shown = action.keys.split(",")[0].strip()
            assert shown not in BROWSER_RESERVED, f"the footer shows {shown} for {action.name}: the browser keeps it"
            assert action.label in footer


def test_a_reserved_key_is_skipped_for_the_next_one():
    """The rule itself: an action bound to Ctrl+W and F12 reaches the page by F12."""
    action = Action("x", "ctrl+w,f12", "X", "X", "x")
    assert browser_key(action) == "f12"
    assert browser_key(Action("y", "ctrl+t,ctrl+n", "Y", "Y", "y")) == ""
