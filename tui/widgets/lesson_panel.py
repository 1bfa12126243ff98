"""The guided lesson beside the console: the current step, its suggested command, a
hint on request, and the summary at the end.

The lesson's progress (which step, what was counted, and which steps reopen when
`undo` rewinds the session) is `core.lessons.LessonRun`; the panel shows it. The
dashboard calls `check()` once a frame when events arrived, so a step completes
when its check holds however the world got there (typed command, toggle, time
passing).
"""

from __future__ import annotations

from peersnap.core.lessons import Lesson, LessonRun, next_lesson
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
        self._shown_step = 0  # the step the panel shows (the run may have moved on, or back after undo)
        self._just_done: list[int] = []  # the steps completed since the panel last moved on (shown with ✔ and why)
        self._answer_shown = False
        self._body = Static(id="lesson-body")

    def compose(self) -> ComposeResult:
        yield self._body

    def on_mount(self) -> None:
        self.border_title = f"Lesson: {self.lesson.title}"
        self.check()
        self.redraw()

    def restart(self) -> None:
        """Start the lesson again (the scenario was reset)."""
        self.lesson_run.restart()
        self._just_done = []
        self._shown_step = -1  # draw the first step again, without the hint shown before
        self.check()

    def on_unmount(self) -> None:
        self.lesson_run.close()

    @property
    def suggested(self) -> str:
        step = self.lesson_run.step
        return step.command if step is not None else ""

    def check(self) -> bool:
        """Complete the steps whose checks hold now; True when the panel shows another step."""
        self.lesson_run.check()
        if self.lesson_run.index == self._shown_step:
            if self.lesson_run.answer_shown != self._answer_shown:  # a wrong attempt: now show the command
                self.redraw()
            return False
        self._just_done = list(range(max(self._shown_step, 0), self.lesson_run.index))
        self._shown_step = self.lesson_run.index
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
        self._answer_shown = progress.answer_shown
        self._body.update(self._summary() if progress.done else self._step_text(done, total))

    def _step_text(self, done: int, total: int) -> Content:
        step = self.lesson_run.step
        assert step is not None
        parts: list[Content | str | tuple[str, str]] = [progress_bar(done, total),
                                                        (f" step {done + 1} of {total}\n", "bold")]
        parts += self._completed_lines()
        parts += [step.text, "\n"]
        if step.command and self.lesson_run.answer_shown:
            parts += [
                ("\nTry ", "$text-muted"),
                Content.from_markup("[@click=screen.lesson_try][bold $accent]$cmd[/][/]", cmd=step.command),
                ("\n", ""),
                (f"{key_of('lesson_try')} puts it in the console\n", "$text-muted"),
            ]
        if self.hint_text:
            parts += [("\nHint ", "bold $warning"), self.hint_text]
        else:
            parts += [("\n" if not (step.command and self.lesson_run.answer_shown) else "", ""),
                      Content.from_markup("[@click=screen.lesson_hint][$text-muted]$key hint[/][/]",
                                          key=key_of("lesson_hint"))]
        return Content.assemble(*parts)

    def _completed_lines(self) -> list[Content | str | tuple[str, str]]:
        """✔ and one line of why for each step completed since the panel last moved on."""
        parts: list[Content | str | tuple[str, str]] = []
        reasons = self.lesson_run.reasons
        for index in self._just_done:
            if index < len(reasons):
                parts += [("✔ ", "bold $success"), (f"step {index + 1}: ", "bold"), (reasons[index], "$text-muted"), "\n"]
        return parts

    def _summary(self) -> Content:
        total = len(self.lesson.steps)
        lines: list[Content | str | tuple[str, str]] = [progress_bar(total, total), "\n", *self._completed_lines(),
                                                        ("✔ ", "bold $success"), (self.lesson_run.heading, "bold"), "\n"]
        for label, value in self.lesson_run.tally():
            lines += [(f"{label}: ", "$text-muted"), (value, "bold"), "\n"]
        following = next_lesson(self.lesson.name)
        if following is not None:
            lines += [("\nNext: ", "$text-muted"), (f"peersnap lesson {following}", "bold $accent")]
        lines.append((f"\n{key_of('reset')} starts it again", "$text-muted"))
        return Content.assemble(*lines)
