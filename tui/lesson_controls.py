"""The lesson panel's keys: a hint for the current step, and its suggested command
put in the console. A mixin of `PeersnapApp` (its methods are the app's)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .widgets.console import Console
from .widgets.lesson_panel import LessonPanel

if TYPE_CHECKING:
    from .app import PeersnapApp

NO_LESSON = "No lesson is running: 'peersnap lessons' lists them, 'peersnap lesson NAME' opens one."


class LessonControls:
    def _lesson_panel(self: PeersnapApp) -> LessonPanel | None:
        panels = self.query(LessonPanel)
        if not panels:
            self.notify(NO_LESSON, title="lesson")
            return None
        return panels.first()

    def action_lesson_hint(self: PeersnapApp) -> None:
        panel = self._lesson_panel()
        if panel is not None:
            panel.reveal_hint()

    def action_lesson_try(self: PeersnapApp) -> None:
        panel = self._lesson_panel()
        if panel is None:
            return
        if not panel.suggested:
            self.notify("This step suggests no command." if not panel.lesson_run.done else "The lesson is complete.",
                        title="lesson")
            return
        field = self.query_one(Console).input
        field.value = panel.suggested
        field.cursor_position = len(field.value)
        field.focus()
