"""Modal screens: the refusal explanation card, and help built from the action declarations."""

from __future__ import annotations

import textwrap
from typing import ClassVar

from peersnap.core.rules import Refusal
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from .actions import ACTIONS

HELP_CARD_WIDTH = 128  # columns, as #help in the stylesheet
KEY_AND_TITLE = 38  # 12 key + 26 title: where the help text's own column starts


class Card(ModalScreen[None]):
    """A card over the dashboard, which stays live behind it (its clock runs on, seen); the
    dashboard's keys do not act under it (they are its screen's)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter,space", "dismiss", "Close", show=True)]


class RefusalCard(Card):
    """Why a command was refused: the rule, the IBM message id, and how to fix it. One card
    at a time: more refusals while it shows (a pasted script) are counted on it."""

    def __init__(self, command: str, refusal: Refusal) -> None:
        super().__init__(classes="card-screen")
        self.command = command
        self.refusal = refusal
        self.more: list[str] = []  # commands refused while this card showed (the console has each)

    def also_refused(self, command: str) -> None:
        self.more.append(command)
        if self.is_mounted:  # (else on_mount says it: a paste's lines run before the card is drawn)
            self._show_more()

    def on_mount(self) -> None:
        self._show_more()

    def _show_more(self) -> None:
        n = len(self.more)
        if not n:
            return
        more = self.query_one("#card-more", Static)
        more.display = True
        more.update(Content.styled(
            f"and {n} more refused command{'s' if n > 1 else ''} (the console shows each): {self.more[-1]}",
            "bold $warning"))

    def compose(self) -> ComposeResult:
        r = self.refusal
        with Vertical(id="card"):
            yield Static(Content.assemble(("✘ Refused: ", "bold $error"), (r.rule, "bold")), id="card-title")
            yield Static(Content.assemble(("command   ", "$text-muted"), (self.command, "bold")))
            # IBM's message id where the product prints one; where it prints none, just the text
            ident = ((r.message_id, "bold $warning"), "  ") if r.message_id else ()
            yield Static(Content.assemble(("message   ", "$text-muted"), *ident, r.text))
            yield Static(Content.assemble(("how to fix", "bold $success")), classes="card-gap")
            yield Static(r.hint, id="card-hint")
            yield Static("", id="card-more")
            yield Static(Content.styled("Esc or Enter closes this card · typing goes on to the console", "$text-muted"),
                         classes="card-gap")

    def on_click(self) -> None:
        self.dismiss()


class Confirm(ModalScreen[bool]):
    """One question before something big (a reset, a long paste): Enter or y says yes,
    Esc or n says no. The dashboard stays visible (and its time runs) behind it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,y", "answer(True)", "Yes", show=True),
        Binding("escape,n", "answer(False)", "No", show=True),
    ]

    def __init__(self, question: str, detail: str, yes: str) -> None:
        super().__init__(classes="card-screen")
        self.question, self.detail, self.yes = question, detail, yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(Content.styled(self.question, "bold"), id="confirm-question")
            yield Static(self.detail, id="confirm-detail")
            yield Static(Content.styled(f"{self.yes} · Esc (or n) does nothing", "$text-muted"), classes="card-gap")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class HelpScreen(ModalScreen[None]):
    """Every key, from the same declarations that make the bindings and the footer; laid out
    for the terminal's width (help text beside the titles when there is room, under them when
    not), so it fits any size without a ragged wrap."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q,question_mark", "dismiss", "Close", show=True)]
    _width = 0

    def text_width(self) -> int:
        """The help card's text columns: 128 wide, at most 95% of the screen, less border (2),
        padding (4) and the scrollbar (2)."""
        return max(min(HELP_CARD_WIDTH, int(self.app.size.width * 0.95)) - 8, 8)

    def on_resize(self) -> None:
        if self.app.size.width != self._width:
            self.call_later(self.recompose)

    def compose(self) -> ComposeResult:
        self._width = self.app.size.width
        room = self.text_width()
        beside = room - KEY_AND_TITLE >= 24  # the text in its own column beside key and title
        key_w = 12 if room >= 36 else 0

        def entry(key: str, title: str, text: str) -> Content:
            if beside:
                lines = textwrap.wrap(text, room - KEY_AND_TITLE) or [""]
                return Content.assemble((f"{key:>10}  ", "bold $primary"), (f"{title:<26}", "bold"),
                                        ("\n" + " " * KEY_AND_TITLE).join(lines))
            lines = textwrap.wrap(text, room - key_w) or [""]
            head = Content.assemble((f"{key:>10}  " if key_w else f"{key}  ", "bold $primary"), (title, "bold"))
            return Content("\n").join([head, *(Content(" " * key_w + line) for line in lines)])

        with VerticalScroll(id="help"):
            yield Static(Content.styled("peersnap: AFM peer snapshots, simulated", "bold $accent"))
            yield Static(
                "Left: the cache fileset. Right: its home. Middle: the gateway queue of changes owed to home; "
                "a ◆ PSNAP marker is a peer snapshot's home half waiting for everything queued before it. "
                "Marks: + not yet at home, ~ differs, - removed at the cache but still at home."
            )
            groups: dict[str, list[Content]] = {}
            for action in ACTIONS:
                groups.setdefault(action.group, []).append(entry(action.key_display, action.title, action.help))
            for group, lines in groups.items():
                yield Static(Content.styled(group, "bold underline"), classes="help-group")
                yield Static(Content("\n").join(lines))
            yield Static(Content.styled("Console", "bold underline"), classes="help-group")
            console = [
                ("Enter", "run the command (try: help, mmpsnap fs1 create -j sw)"),
                ("Up/Down", "walk the command history"),
                ("Tab", "complete command names, options, filesets and snapshot names"),
                ("PgUp/PgDn", "scroll the console's output"),
                ("Left/Right", ("on an empty line: scroll the output sideways (command output keeps its lines; "
                                "› marks a line that goes on; Shift+wheel too)")),
                ("@home", "start a line with @home to run it on the home cluster"),
                ("?", "this help, when the console is not focused"),
            ]
            yield Static(Content("\n").join([
                Content.assemble((f"{key:>10}  " if key_w else f"{key}  ", "bold $primary"),
                                 ("\n" + " " * key_w).join(textwrap.wrap(text, room - key_w) or [""]))
                for key, text in console]))
            yield Static(Content.styled("Esc closes help · Ctrl+P lists every action", "$text-muted"),
                         classes="help-group")
