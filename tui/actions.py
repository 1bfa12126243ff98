"""Every dashboard action, declared once.

An `Action` holds its keys, its footer text, its palette title, its help line and,
for the actions that run commands (the toggles, Ctrl+S), the command steps it runs.
The key bindings, the footer, the command palette, the help screen and the toggle
bar are all built from `ACTIONS`, so a key shown anywhere is the key that works,
and adding a toggle is one entry here (plus, for the toggle bar, what it shows in
`widgets/toggle_bar.py`).
"""

from __future__ import annotations

from peersnap.core.records import record
from textual.binding import Binding

from .toggles import (
    StepsFor,
    afmconfig_steps,
    link_steps,
    mode_steps,
    protocol_steps,
    psnap_steps,
    state_steps,
)


@record
class Action:
    name: str  # the dashboard's action (`action_NAME`), or the name of a command action
    keys: str  # Textual key names, comma separated; the first is shown ("" for a click-only toggle)
    label: str  # the footer's short text
    title: str  # the palette's title
    help: str  # one sentence for the palette and the help screen
    footer: bool = True
    group: str = "Dashboard"
    steps: StepsFor | None = None  # the command lines it runs (session, fileset) -> steps
    note: str = ""  # what the console says beside the first line a command action runs
    tooltip: str = ""  # the toggle bar's tooltip: the commands it runs, in short
    bar: bool = False  # shown in the toggle bar (in declaration order; the last at the right edge)
    on_app: bool = False  # bound on the app (works on every screen), not on the dashboard
    explains: bool = False  # after its commands, the dashboard opens the fileset's why chain

    @property
    def action(self) -> str:
        """What keys, clicks and the palette run: `run_command('toggle_link')` for a command action."""
        return f"run_command({self.name!r})" if self.steps is not None else self.name

    @property
    def target(self) -> str:
        """The namespace of `action` in a click link: `app` or `screen`."""
        return "app" if self.on_app else "screen"

    def binding(self) -> Binding:
        # priority: the console has focus most of the time and must not eat these keys
        return Binding(self.keys, self.action, self.label, show=self.footer, priority=True, tooltip=self.help,
                       key_display=short_key(self.keys))

    @property
    def key_display(self) -> str:
        if not self.keys:
            return "click"
        return " / ".join(_pretty(k) for k in self.keys.split(","))


def _pretty(key: str, short: bool = False) -> str:
    key = key.strip()
    if key.startswith("f") and key[1:].isdigit():
        return key.upper()
    if key == "question_mark":
        return "?"
    key = key.replace("backslash", "\\")
    if short and key.startswith("ctrl+"):
        return "^" + key[5:].upper()
    return "+".join(part.capitalize() if len(part) > 1 else part.upper() for part in key.split("+"))


ACTIONS: tuple[Action, ...] = (
    Action("help", "f1", "Help", "Help", "Show every key and what it does."),
    Action("psnap", "ctrl+s", "psnap", "Take a peer snapshot",
           "Run mmpsnap fs1 create -j FILESET on the selected fileset.", group="Toggles",
           steps=psnap_steps, note="peer snapshot"),
    Action("toggle_link", "f2", "Link", "Toggle link", "Bring the link to home down or up (sim link down|up).",
           group="Toggles", steps=link_steps, note="link toggle", tooltip="sim link down|up", bar=True),
    Action("toggle_protocol", "f3", "Proto", "Toggle protocol",
           "Switch the fileset's target between NFS and NSD (unlink, mmchfileset -p afmTarget=..., link).",
           group="Toggles", steps=protocol_steps, note="protocol toggle",
           tooltip="mmchfileset -p afmTarget=nfs://|gpfs://", bar=True),
    Action("toggle_afmconfig", "f4", "AFMcfg", "Toggle home mmafmconfig",
           "Enable or disable AFM controls on the home export (@home mmafmconfig enable|disable PATH).",
           group="Toggles", steps=afmconfig_steps, note="mmafmconfig toggle",
           tooltip="@home mmafmconfig enable|disable PATH", bar=True),
    Action("cycle_mode", "f5", "Mode", "Change AFM mode",
           "Change the fileset's AFM mode SW -> RO -> IW -> SW (unlink, mmchfileset -p afmMode=..., link; "
           "LU is left out: it can never change again).",
           group="Toggles", steps=mode_steps, note="mode toggle", tooltip="mmchfileset -p afmMode=sw|ro|iw",
           bar=True),
    Action("next_fileset", "f6", "Fileset", "Next fileset", "Show the next AFM fileset.", footer=False,
           group="Toggles", tooltip="show another AFM fileset", bar=True),
    Action("show_state", "", "State", "Show the cache state",
           "Run mmafmctl fs1 getstate -j FILESET on the selected fileset (click the state at the toggle bar's end).",
           footer=False, group="Toggles", steps=state_steps, note="cache state",
           tooltip="mmafmctl fs1 getstate -j FILESET, then why FILESET", bar=True, explains=True),
    Action("pause", "f7", "Pause", "Pause or resume", "Pause or resume simulated time.", group="Time"),
    Action("step", "f8", "Step", "Step", "Pause and run to the next thing that happens.", group="Time"),
    Action("slower", "f9", "Slow", "Slower", "Slow simulated time down a step (1x, 2x, 5x, 10x ... 1000x).",
           group="Time"),
    Action("faster", "f10", "Fast", "Faster", "Speed simulated time up a step (up to 1000x).", group="Time"),
    Action("travel_back", "ctrl+b", "Back", "Back in time",
           "Show the world one log entry earlier (a command run there starts a branch; the line stays).",
           group="Time"),
    Action("travel_forward", "ctrl+f", "Fwd", "Forward in time",
           "Show the world one log entry later, up to the end of the line.", group="Time"),
    Action("skip_play", "escape", "End", "Jump to the end", "While sim advance or sim settle plays: jump to its end.",
           footer=False, group="Time"),
    Action("undo", "ctrl+z", "Undo", "Undo the last command",
           "Rewind the last command that changed the world (runs undo in the console; again and again, back to "
           "the start)."),
    Action("lesson_hint", "ctrl+g", "Hint", "Lesson hint",
           "Show the current lesson step's hint (the summary counts the hints taken).", footer=False, group="Lesson"),
    Action("lesson_try", "ctrl+y", "Try", "Try the lesson command",
           "Put the lesson step's suggested command in the console, ready to edit or run with Enter.", footer=False,
           group="Lesson"),
    Action("focus_pairs", "ctrl+o", "Pairs", "Focus the pair table",
           "Select a peer snapshot pair from the keyboard: Up/Down choose one (the queue highlights the ops ahead "
           "of it), Enter asks why its home half waits, Esc goes back to the console.", footer=False),
    Action("focus_console", "ctrl+l", "Console", "Focus the console", "Put the cursor in the command console.",
           footer=False),
    # not Ctrl+R (every shell user's history search), nor a key a browser keeps (F5, Ctrl+W/T/N/L)
    Action("reset", "ctrl+backslash", "Reset", "Reset the scenario",
           "Ask, then start the scenario again from its first second (undo brings the world back; the console "
           "history stays).", footer=False),
    Action("quit", "ctrl+q", "Quit", "Quit", "Leave peersnap.", on_app=True),
)

# Keys a desktop Chromium keeps for itself: the page never sees them, so in the classroom they
# could never reach the dashboard (Chromium's BrowserCommandController::IsReservedCommandOrKey:
# close tab/window, new tab/window/incognito window, restore tab, next/previous tab, exit;
# in full screen also F11). Every other key reaches the page first, and xterm.js cancels the
# browser's own action for each key it sends on (F5 and Ctrl+R do not reload, Ctrl+P does not print).
BROWSER_RESERVED = frozenset({
    "ctrl+w", "ctrl+f4", "ctrl+shift+w", "alt+f4",  # close the tab, the window
    "ctrl+t", "ctrl+n", "ctrl+shift+n", "ctrl+shift+t",  # new tab, window, incognito window; restore tab
    "ctrl+tab", "ctrl+shift+tab", "ctrl+pagedown", "ctrl+pageup",  # next, previous tab
    "ctrl+shift+q", "f11",  # exit; full screen
})


def browser_key(action: Action) -> str:
    """The first of an action's keys that a browser lets through to the page ("" for none)."""
    return next((key.strip() for key in action.keys.split(",") if key.strip() and key.strip() not in BROWSER_RESERVED),
                "")


BY_NAME = {action.name: action for action in ACTIONS}
TOGGLE_BAR = tuple(action for action in ACTIONS if action.bar)
HELP_KEYS = Binding("question_mark", "help", "Help", show=False)


def short_key(keys: str) -> str:
    """`F2`, `^S`: the first key as the footer and the toggle bar show it ("" for none)."""
    return _pretty(keys.split(",")[0], short=True) if keys else ""


def key_of(name: str) -> str:
    """The key shown for an action in text (`Ctrl+G`), from its declaration."""
    return _pretty(BY_NAME[name].keys.split(",")[0])


def dashboard_bindings() -> list[Binding]:
    return [action.binding() for action in ACTIONS if action.keys and not action.on_app] + [HELP_KEYS]


def app_bindings() -> list[Binding]:
    return [action.binding() for action in ACTIONS if action.keys and action.on_app]
