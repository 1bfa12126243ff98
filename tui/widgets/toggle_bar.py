"""The connection toggles: clickable, focusable, each runs a real command."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from core.engine import Engine
from core.model import AfmFileset, Protocol

from ..format import STATE_CLASS


class Toggle(Static, can_focus=True):
    """One toggle: `F2 link up`. Click, Enter or Space runs its action."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,space", "press", "Toggle", show=False),
    ]

    class Pressed(Message):
        def __init__(self, action: str) -> None:
            super().__init__()
            self.action = action

    def __init__(self, action: str, key: str, *, id: str | None = None, tooltip: str = "") -> None:
        super().__init__(id=id, classes="toggle")
        self.action = action
        self.key = key
        self._shown: Content | None = None
        self._tone = ""
        if tooltip:
            self.tooltip = tooltip

    def set(self, label: str, value: str, style: str, tone: str) -> None:
        content = Content.assemble((f"{self.key} ", "$text-muted"), label, (value, style))
        if content != self._shown:
            self._shown = content
            self.update(content)
        if tone != self._tone:
            # class changes restyle the widget: only when the tone really changes
            if self._tone:
                self.remove_class(self._tone)
            self.add_class(tone)
            self._tone = tone

    def action_press(self) -> None:
        self.post_message(self.Pressed(self.action))

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.action_press()


class ToggleBar(Horizontal):
    """Link, protocol, home mmafmconfig, AFM mode, fileset, cache state."""

    def compose(self):  # type: ignore[no-untyped-def]
        yield Toggle("toggle_link", "F2", id="t-link", tooltip="sim link down|up")
        yield Toggle("toggle_protocol", "F3", id="t-proto", tooltip="mmchfileset -p afmTarget=nfs://|gpfs://")
        yield Toggle("toggle_afmconfig", "F4", id="t-afm", tooltip="@home mmafmconfig enable|disable PATH")
        yield Toggle("cycle_mode", "F5", id="t-mode", tooltip="mmchfileset -p afmMode=sw|ro|iw|lu")
        yield Toggle("next_fileset", "F6", id="t-fileset", tooltip="show another AFM fileset")
        yield Toggle("show_state", "", id="t-state", tooltip="mmafmctl fs1 getstate -j FILESET")

    def show(self, engine: Engine, fileset: AfmFileset, compact: bool) -> None:
        link = self.query_one("#t-link", Toggle)
        if engine.link_up:
            link.set("link " if not compact else "", "up" if not compact else "link up", "bold $success", "good")
        else:
            link.set("link " if not compact else "", "DOWN" if not compact else "link DOWN", "bold $error", "bad")
        nfs = fileset.target.protocol is Protocol.NFS
        self.query_one("#t-proto", Toggle).set(
            "" if compact else "protocol ", "NFS" if nfs else "NSD", "bold" if nfs else "bold $warning",
            "good" if nfs else "busy")
        export = engine.export_for(fileset)
        enabled = export is not None and export.afm_enabled
        value = ("on" if enabled else "off") if compact else ("enabled" if enabled else "disabled")
        self.query_one("#t-afm", Toggle).set(
            "home AFM " if compact else "home mmafmconfig ", value,
            "bold $success" if enabled else "bold $error", "good" if enabled else "bad")
        sw = fileset.mode.value == "sw"
        self.query_one("#t-mode", Toggle).set(
            "" if compact else "mode ", fileset.mode.value.upper(), "bold" if sw else "bold $warning",
            "good" if sw else "busy")
        self.query_one("#t-fileset", Toggle).set("" if compact else "fileset ", fileset.name, "bold", "idle")
        tone = STATE_CLASS.get(fileset.state, "idle")
        style = {"good": "bold $success", "busy": "bold $warning", "bad": "bold $error"}.get(tone, "bold")
        linked = "" if fileset.linked else " (unlinked)"
        self.query_one("#t-state", Toggle).set("" if compact else "state ", fileset.state.value + linked, style, tone)
