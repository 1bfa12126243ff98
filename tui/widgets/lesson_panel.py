"""The guided lesson beside the console: the current step, its suggested command, a
hint on request, and the summary at the end.

The panel owns the `LessonRun`; the app calls `check()` once a frame when events
arrived, so a step completes when its check holds however the world got there
(typed command, toggle, time passing). After `undo`, `rewind()` reopens the steps
that the undone commands had completed.
"""

from __future__ import annotations

from peersnap.core.lessons import Lesson, LessonRun
from peersnap.core.session import Session
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from ..actions import key_of

BAR_CELLS = 12


def progress_bar(done: int, total: int, cells: int = BAR_CELLS) -> Content:
    filled = cells * done // max(total, 1)
    return Content.assemble(("━" * filled, "bold $success"), ("━" * (cells - filled), "$text-muted 40%"))


class LessonPanel(VerticalScroll):
    """Lesson title (border), step k of N, the step's text, the command to try, the hint."""

    def __init__(self, lesson: Lesson, session: Session, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pane")
        self.lesson = lesson
        self.lesson_run = LessonRun(lesson, session)
        self.hint_text = ""
        self._session = session
        self._marks: list[int] = []  # the session log's length when each step completed
        self._body = Static(id="lesson-body")

    def compose(self) -> ComposeResult:
        yield self._body

    def on_mount(self) -> None:
        self.border_title = f"Lesson: {self.lesson.title}"
        self.check()
        self.redraw()

    def restart(self, session: Session) -> None:
        """Start the lesson again on a new session (the scenario was reset)."""
        self.lesson_run.close()
        self.lesson_run = LessonRun(self.lesson, session)
        self.hint_text = ""
        self._session = session
        self._marks.clear()
        self.redraw()

    def rewind(self) -> None:
        """After undo: a step completed by a command no longer in the log is open again
        (the commands and hints counted so far still count)."""
        length = len(self._session.log)
        keep = next((k for k, mark in enumerate(self._marks) if mark > length), len(self._marks))
        if keep == len(self._marks):
            return
        old = self.lesson_run
        old.close()
        self.lesson_run = LessonRun(self.lesson, self._session, index=keep, hints_taken=old.hints_taken,
                                    commands_used=old.commands_used, hinted=set(old.hinted))
        del self._marks[keep:]
        self.hint_text = ""
        self.redraw()

    def on_unmount(self) -> None:
        self.lesson_run.close()

    @property
    def suggested(self) -> str:
        step = self.lesson_run.step
        return step.command if step is not None else ""

    def check(self) -> bool:
        """Complete the steps whose checks hold now; True when the panel moved on."""
        completed = self.lesson_run.check()
        if not completed:
            return False
        self._marks += [len(self._session.log)] * completed
        self.hint_text = ""
        self.redraw()
        self.scroll_home(animate=False)
        return True

    def reveal_hint(self) -> None:
        """Show the current step's hint; the run counts it (once a step) for the summary."""
        text = self.lesson_run.hint()
        step = self.lesson_run.step
        self.hint_text = step.hint if step is not None and step.hint else text
        self.redraw()

    def redraw(self) -> None:
        progress = self.lesson_run
        total = len(self.lesson.steps)
        done = min(progress.index, total)
        self._body.update(self._summary() if progress.done else self._step_text(done, total))

    def _step_text(self, done: int, total: int) -> Content:
        step = self.lesson_run.step
        assert step is not None
        parts: list[Content | str | tuple[str, str]] = [
            progress_bar(done, total), (f" step {done + 1} of {total}\n", "bold"),
            step.text, "\n",
        ]
        if step.command:
            parts += [
                ("\nTry ", "$text-muted"),
                Content.from_markup("[@click=app.lesson_try][bold $accent]$cmd[/][/]", cmd=step.command),
                ("\n", ""),
                (f"{key_of('lesson_try')} puts it in the console\n", "$text-muted"),
            ]
        if self.hint_text:
            parts += [("\nHint ", "bold $warning"), self.hint_text]
        else:
            parts += [("\n" if not step.command else "", ""),
                      Content.from_markup("[@click=app.lesson_hint][$text-muted]$key hint[/][/]",
                                          key=key_of("lesson_hint"))]
        return Content.assemble(*parts)

    def _summary(self) -> Content:
        title, *counts = self.lesson_run.summary()
        total = len(self.lesson.steps)
        lines: list[Content | str | tuple[str, str]] = [
            progress_bar(total, total), ("\n✔ ", "bold $success"), (title, "bold"), "\n",
        ]
        for line in counts:
            label, _, value = line.partition(": ")
            lines += [(f"{label}: ", "$text-muted"), (value, "bold"), "\n"]
        lines.append((f"\n{key_of('reset')} starts it again", "$text-muted"))
        return Content.assemble(*lines)
