"""The command console: a prompt that shows where a command runs, history,
tab completion, and output shown like a terminal."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from .line_log import LineLog

Completer = Callable[[str], list[str]]
MAX_HISTORY = 500


def cluster_of(line: str) -> str:
    word = line.lstrip().split(" ", 1)[0]
    return word[1:] if word in ("@home", "@cache") else "cache"


def common_prefix(words: list[str]) -> str:
    if not words:
        return ""
    first, last = min(words), max(words)
    i = 0
    while i < len(first) and i < len(last) and first[i] == last[i]:
        i += 1
    return first[:i]


def apply_completion(text: str, candidates: list[str]) -> tuple[str, list[str]]:
    """The new input text, and the choices to list when still ambiguous.

    Candidates are whole lines (what the engine's completer returns)."""
    lines = [c for c in candidates if c.startswith(text)]
    if not lines:
        return text, []
    if len(lines) == 1:
        return lines[0], []
    shared = common_prefix(lines)
    shown = [line.rstrip().rsplit(" ", 1)[-1] or line for line in lines]
    return (shared if len(shared) > len(text) else text), shown


class ConsoleInput(Input):
    """The command line: Up/Down walk the history, Tab completes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history(-1)", "Previous command", show=False),
        Binding("down", "history(1)", "Next command", show=False),
        Binding("tab", "complete", "Complete", show=False),
    ]

    class Completed(Message):
        def __init__(self, candidates: list[str]) -> None:
            super().__init__()
            self.candidates = candidates

    def __init__(self, completer: Completer | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.history: list[str] = []
        self._index: int | None = None
        self._draft = ""
        self.completer = completer

    def remember(self, line: str) -> None:
        if line.strip() and (not self.history or self.history[-1] != line):
            self.history.append(line)
            del self.history[:-MAX_HISTORY]
        self._index = None
        self._draft = ""

    def action_history(self, delta: int) -> None:
        if not self.history:
            return
        if self._index is None:
            if delta > 0:
                return
            self._draft = self.value
            index = len(self.history) - 1
        else:
            index = self._index + delta
        if index >= len(self.history):
            self._index = None
            self.value = self._draft
        else:
            self._index = max(index, 0)
            self.value = self.history[self._index]
        self.cursor_position = len(self.value)

    def action_complete(self) -> None:
        if self.completer is None:
            return
        text = self.value[: self.cursor_position]
        try:
            candidates = self.completer(text)
        except Exception:  # noqa: BLE001 - completion must never break typing
            candidates = []
        new, shown = apply_completion(text, candidates)
        if new != text:
            self.value = new + self.value[self.cursor_position:]
            self.cursor_position = len(new)
        if shown:
            self.post_message(self.Completed(shown))
        elif not candidates:
            self.app.bell()


class Console(Vertical):
    """Output above, prompt and input below."""

    class Submitted(Message):
        def __init__(self, line: str) -> None:
            super().__init__()
            self.line = line

    def __init__(self, completer: Completer | None = None, *, id: str | None = None, blink: bool = True) -> None:
        super().__init__(id=id, classes="pane")
        self._completer = completer
        self._blink = blink

    def compose(self) -> ComposeResult:
        yield LineLog(2000, id="console-output")
        with Horizontal(id="console-line"):
            yield Static(self.prompt_for("cache"), id="prompt")
            field = ConsoleInput(self._completer, placeholder="type a command: mmpsnap fs1 create -j sw · help · Tab completes",
                                 id="console-input", compact=True, select_on_focus=False)
            field.cursor_blink = self._blink
            yield field

    @staticmethod
    def prompt_for(cluster: str) -> Content:
        style = "bold $secondary" if cluster == "home" else "bold $primary"
        return Content.assemble((f"[{cluster}]", style), "# ")

    @property
    def input(self) -> ConsoleInput:
        return self.query_one(ConsoleInput)

    @property
    def output(self) -> LineLog:
        return self.query_one(LineLog)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#prompt", Static).update(self.prompt_for(cluster_of(event.value)))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        line = event.value
        self.input.remember(line)
        self.input.value = ""
        self.post_message(self.Submitted(line))

    def on_console_input_completed(self, event: ConsoleInput.Completed) -> None:
        self.output.write(Content.styled("  ".join(event.candidates), "$text-muted"))

    def echo(self, cluster: str, command: str, lines: list[str], rc: int, note: str = "") -> None:
        """Show a command and its output, as a terminal would."""
        out: list[Content | str] = [Content.assemble(self.prompt_for(cluster), (command, "bold"),
                                                     (f"   # {note}" if note else "", "$text-muted"))]
        style = "$error" if rc else ""
        out.extend(Content.styled(line, style) if style else line for line in lines)
        self.output.write_many(out)
