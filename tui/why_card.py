"""The why card: the causal chain behind a queued op, a pair's home half or a fileset's state.

Opened by Enter or a click on a queue row or a pair row, or a click on the cache
state in the toggle bar. The chain is `core.why`'s, the same as the `why` command's.
"""

from __future__ import annotations

from typing import ClassVar

from peersnap.core.why import Why
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

TONES = {
    "refused": "$error", "link": "$primary", "disconnected": "$error", "stopped": "$error", "unmounted": "$error",
    "home": "$error", "delay": "$warning", "ops": "$warning", "eta": "$success", "done": "$success",
    "filtered": "$text-muted", "gateway": "$primary", "state": "$text-muted", "pending": "$accent",
}


def chain(why: Why) -> Content:
    """The chain as lines: the headline, then `· reason` each in its tone."""
    lines = [Content.styled(why.headline, "bold")]
    for reason in why.reasons:
        lines.append(Content.assemble(("  · ", TONES.get(reason.kind, "")), (reason.text, TONES.get(reason.kind, ""))))
    return Content("\n").join(lines)


class WhyCard(ModalScreen[None]):
    """`why NAME`, as a card over the dashboard."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter,space", "dismiss", "Close", show=True)]

    def __init__(self, why: Why) -> None:
        super().__init__(classes="card-screen")
        self.why = why

    def compose(self) -> ComposeResult:
        with Vertical(id="why-card"):
            yield Static(Content.assemble(("Why: ", "bold $accent"), (self.why.subject, "bold")), id="card-title")
            yield Static(chain(self.why), id="why-chain")
            yield Static(Content.styled("the why command prints the same · times on the cache clock · "
                                        "Esc or Enter closes · typing goes on to the console", "$text-muted"),
                         classes="card-gap")

    def on_click(self) -> None:
        self.dismiss()
