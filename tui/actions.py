"""Every dashboard action, declared once.

The key bindings, the footer, the command palette and the help screen are all
built from `ACTIONS`, so a key shown anywhere is the key that works.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True, slots=True)
class Action:
    action: str  # the App's action name (without `action_`)
    keys: str  # Textual key names, comma separated; the first is shown
    label: str  # the footer's short text
    title: str  # the palette's title
    help: str  # one sentence for the palette and the help screen
    footer: bool = True
    group: str = "Dashboard"

    def binding(self) -> Binding:
        # priority: the console has focus most of the time and must not eat these keys
        return Binding(self.keys, self.action, self.label, show=self.footer, priority=True, tooltip=self.help,
                       key_display=_pretty(self.keys.split(",")[0], short=True))

    @property
    def key_display(self) -> str:
        return " / ".join(_pretty(k) for k in self.keys.split(","))


def _pretty(key: str, short: bool = False) -> str:
    key = key.strip()
    if key.startswith("f") and key[1:].isdigit():
        return key.upper()
    if key == "question_mark":
        return "?"
    if short and key.startswith("ctrl+"):
        return "^" + key[5:].upper()
    return "+".join(part.capitalize() if len(part) > 1 else part.upper() for part in key.split("+"))


ACTIONS: tuple[Action, ...] = (
    Action("help", "f1", "Help", "Help", "Show every key and what it does."),
    Action("psnap", "ctrl+s", "psnap", "Take a peer snapshot",
           "Run mmpsnap fs1 create -j FILESET on the selected fileset.", group="Toggles"),
    Action("toggle_link", "f2", "Link", "Toggle link", "Bring the link to home down or up (sim link down|up).", group="Toggles"),
    Action("toggle_protocol", "f3", "Proto", "Toggle protocol",
           "Switch the fileset's target between NFS and NSD (unlink, mmchfileset -p afmTarget=..., link).",
           group="Toggles"),
    Action("toggle_afmconfig", "f4", "AFMcfg", "Toggle home mmafmconfig",
           "Enable or disable AFM controls on the home export (@home mmafmconfig enable|disable PATH).",
           group="Toggles"),
    Action("cycle_mode", "f5", "Mode", "Change AFM mode",
           "Change the fileset's AFM mode SW -> RO -> IW -> LU (unlink, mmchfileset -p afmMode=..., link).",
           group="Toggles"),
    Action("next_fileset", "f6", "Fileset", "Next fileset", "Show the next AFM fileset.", footer=False, group="Toggles"),
    Action("pause", "f7", "Pause", "Pause or resume", "Pause or resume simulated time.", group="Time"),
    Action("step", "f8", "Step", "Step", "Pause and run to the next thing that happens.", group="Time"),
    Action("slower", "f9", "Slow", "Slower", "Slow simulated time down a step (1x, 2x, 5x, 10x ... 1000x).", group="Time"),
    Action("faster", "f10", "Fast", "Faster", "Speed simulated time up a step (up to 1000x).", group="Time"),
    Action("undo", "ctrl+z", "Undo", "Undo the last command",
           "Rewind the last command that changed the world (runs undo in the console; again and again, back to "
           "the start)."),
    Action("lesson_hint", "ctrl+g", "Hint", "Lesson hint",
           "Show the current lesson step's hint (the summary counts the hints taken).", footer=False, group="Lesson"),
    Action("lesson_try", "ctrl+y", "Try", "Try the lesson command",
           "Put the lesson step's suggested command in the console, ready to edit or run with Enter.", footer=False,
           group="Lesson"),
    Action("focus_console", "ctrl+l", "Console", "Focus the console", "Put the cursor in the command console.",
           footer=False),
    Action("reset", "ctrl+r", "Reset", "Reset the scenario",
           "Start the scenario again from its first second (the console history stays).", footer=False),
    Action("quit", "ctrl+q", "Quit", "Quit", "Leave peersnap."),
)

HELP_KEYS = Binding("question_mark", "help", "Help", show=False)


def short_key(keys: str) -> str:
    return _pretty(keys.split(",")[0], short=True)


def key_of(action: str) -> str:
    """The key shown for an action in text (`Ctrl+G`), from its declaration."""
    return next(_pretty(a.keys.split(",")[0]) for a in ACTIONS if a.action == action)


def bindings() -> list[Binding]:
    return [action.binding() for action in ACTIONS]
