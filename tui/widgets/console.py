"""The command console: a prompt that shows where a command runs, history,
tab completion, and output shown like a terminal."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from peersnap.core.lazy import later
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual
from textual.widgets import Input

from .compact import compact_input
from .frame import Frame
from .history_search import HistorySearch
from .line_log import LineLog

Completer = Callable[[str], list[str]]
MAX_HISTORY = 500
commands = later("peersnap.core.commands")  # (the first frame needs neither: core/lazy.py)
language = later("peersnap.core.language")


def pasted_lines(text: str) -> list[str]:
    """A paste's lines. Terminals send a pasted newline as \r (xterm, and the browser's
    xterm.js), so here \r\n, \n and a lone \r each end a line; the last item is the
    text after the last line end ('' when the paste ends with one)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def is_gpfs(command: str) -> bool:
    """A GPFS command (`mmlssnapshot`, `mmpsnap` ...): its output is what is being taught, so it keeps
    its lines as IBM prints them (never wrapped); peersnap's own commands wrap like a terminal."""
    words = command.split(maxsplit=1)
    found = commands.REGISTRY.get(words[0]) if words else None
    return found is not None and found.family == "gpfs"


def cluster_of(line: str) -> str:
    return (language.cluster_prefix(line).cluster or "cache") if line else "cache"


def prompt_for(cluster: str) -> Content:
    """`[cache]# ` or `[home]# `: where the line will run."""
    style = "bold $secondary" if cluster == "home" else "bold $primary"
    return Content.assemble((f"[{cluster}]", style), "# ")


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


VIRTUAL_STEP = 256  # the console line's virtual width grows in these steps (see validate_virtual_size)


class ConsoleInput(HistorySearch, Input):
    """The command line: Up/Down walk the history, Tab completes, Ctrl+R searches
    the history backwards (as in bash), a paste of several lines runs each line.

    Enter takes the line out of the field at once, in the key's own turn: keys that
    arrive together (a paste without bracketed paste, a laggy link, type-ahead while
    a long command runs) then start the next line, never join the one before."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history(-1)", "Previous command", show=False),
        Binding("down", "history(1)", "Next command", show=False),
        Binding("tab", "complete", "Complete", show=False),
        # Ctrl+J is Enter, as in bash; and a terminal still in line mode (keys typed while peersnap
        # starts) turns Enter into it
        Binding("ctrl+j", "submit", "Run the line", show=False),
        Binding("ctrl+r", "search_history", "Search history", show=False),
        Binding("pageup", "scroll_output(-1)", "Scroll the output up", show=False),
        Binding("pagedown", "scroll_output(1)", "Scroll the output down", show=False),
    ]

    class Completed(Message):
        """The choices Tab found (or, with `typo`, what that word was probably meant to be)."""

        def __init__(self, candidates: list[str], typo: str = "") -> None:
            super().__init__()
            self.candidates = candidates
            self.typo = typo

    class Lines(Message):
        """Whole lines to run, in order (Enter, or a paste); `pasted`: they came in one paste."""

        def __init__(self, lines: list[str], pasted: bool = False) -> None:
            super().__init__()
            self.lines = lines
            self.pasted = pasted

    class Then(Message):
        """Lines to send as `Lines` once the keys already queued here are handled: a priority key's
        command (Ctrl+Z's undo) runs at once, before an Enter typed ahead of it has made its line."""

        def __init__(self, lines: list[str]) -> None:
            super().__init__()
            self.lines = lines

    def on_console_input_then(self, message: ConsoleInput.Then) -> None:
        message.stop()
        self.post_message(self.Lines(message.lines))

    class After(Message):
        """A priority key's action (F2-F5, Ctrl+S, F8, Ctrl+B/F), run behind the keys already queued
        here: handled, it sends `Act` up the route a typed line's `Lines` takes, so it reaches the
        dashboard after that line (`echo a > f⏎` then F2 in one burst writes before the link goes down)."""

        def __init__(self, act: Callable[[], None]) -> None:
            super().__init__()
            self.act = act

    class Act(After):
        """`After`'s action on its way up (ConsoleInput -> Console -> the dashboard)."""

    def on_console_input_after(self, message: ConsoleInput.After) -> None:
        message.stop()
        self.post_message(self.Act(message.act))

    class HelpWanted(Message):
        """`?` on an empty line."""

    def validate_virtual_size(self, size: Size) -> Size:
        """Textual's Input makes its virtual width its text's on every key, and a new virtual
        size asks for a layout of the whole screen; in steps of `VIRTUAL_STEP` columns a key
        (and the Enter that empties the line) costs no layout."""
        return Size(-(-size.width // VIRTUAL_STEP) * VIRTUAL_STEP, size.height)

    def __init__(self, completer: Completer | None = None, typo_guesser: Completer | None = None,
                 **kwargs: object) -> None:
        """`completer`: whole-line candidates for the text so far; `typo_guesser`: for a word nothing
        completes, the words it was probably meant to be (not Input's `suggester`, which is inline)."""
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.typo_guesser = typo_guesser
        self._listed: tuple[str, tuple[str, ...]] | None = None  # the line and the choices Tab last listed
        self.history: list[str] = []
        self._index: int | None = None
        self._draft = ""
        self.completer = completer
        self._prompt = prompt_for("cache")
        self._prompt_strip: tuple[object, Strip] | None = None
        self.styles.padding = (0, 0, 0, self._prompt.cell_length)
        self.on_remember: Callable[[list[str]], None] | None = None  # saves the history (the app's state file)

    # -- Enter, pastes and keys ------------------------------------------------------------
    async def action_submit(self) -> None:
        if self._search is not None:
            self._end_search()
        line = self.value
        self.value = ""  # now, before the next key of a burst is inserted
        self.cursor_position = 0
        self.remember(line)
        self.post_message(self.Lines([line]))

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()
        if self._search is not None:
            self._end_search()
        parts = pasted_lines(event.text)
        if len(parts) == 1:
            self.insert_text_at_cursor(parts[0])
            return
        before, after = self.value[: self.cursor_position], self.value[self.cursor_position:]
        *whole, rest = parts
        whole[0] = before + whole[0]
        self.value = rest + after  # the text after the last line end stays to be edited, as in a terminal
        self.cursor_position = len(rest)
        for line in whole:
            self.remember(line)
        self.post_message(self.Lines(whole, pasted=True))

    async def _on_key(self, event: events.Key) -> None:
        if self._search is not None and self._search_key(event):
            event.stop()
            event.prevent_default()
            return
        if event.character == "?" and not self.value:
            event.stop()
            event.prevent_default()
            self.post_message(self.HelpWanted())
            return
        if not event.is_printable and await self._run_own_binding(event):
            return
        await super()._on_key(event)

    async def _run_own_binding(self, event: events.Key) -> bool:
        """Run the field's own binding for `event` now, in the key's turn.

        Textual runs a widget's (non-priority) bindings when the key has bubbled back
        up to the app, which is after every key already queued behind it: in a burst
        `a⏎b⏎` both Enters would see `ab`. Enter, Backspace, Tab, the arrows run here,
        in order with the characters typed around them."""
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority:
                event.stop()
                event.prevent_default()
                await self.run_action(binding.action)
                return True
        return False

    def _prompt_for_line(self) -> Content:
        """The prompt for the line as it stands (after a history search)."""
        return prompt_for(cluster_of(self.value))

    # The prompt is drawn in the input's left padding: one widget for the whole command
    # line (a row container, a prompt widget and the input cost three on every first frame).
    @property
    def prompt(self) -> Content:
        return self._prompt

    @prompt.setter
    def prompt(self, prompt: Content) -> None:
        if (prompt.plain, prompt.spans) == (self._prompt.plain, self._prompt.spans):
            return
        width = prompt.cell_length
        self._prompt = prompt
        self._prompt_strip = None
        if width != self.styles.padding.left:
            self.styles.padding = (0, 0, 0, width)  # a new width: a layout
        self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        strips = super().render_lines(crop)
        width = self._prompt.cell_length
        if crop.y > 0 or crop.x >= width or not strips:
            return strips
        # the prompt's own colours: the row's panel background, without the input's focus tint
        parent = self.parent
        background = (parent.background_colors[1] if parent is not None else self.background_colors[0]) + \
            self.styles.background
        style = Style(background=background, foreground=self.visual_style.foreground)
        key = (style, self.app.theme)
        if self._prompt_strip is None or self._prompt_strip[0] != key:
            self._prompt_strip = (key, Visual.to_strips(self, self._prompt, width, 1, style)[0])
        prompt = self._prompt_strip[1]
        end = min(width, crop.right)
        strips = list(strips)  # (the styles cache's list: not ours to change)
        strips[0] = Strip.join([prompt.crop(crop.x, end), strips[0].crop(end - crop.x)])
        return strips

    def remember(self, line: str) -> None:
        if line.strip() and (not self.history or self.history[-1] != line):
            self.history.append(line)
            del self.history[:-MAX_HISTORY]
            if self.on_remember is not None:
                self.on_remember(self.history)
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

    def action_cursor_left(self, select: bool = False) -> None:
        """Left on an empty line scrolls the console's output sideways (there is no cursor to move)."""
        if not self.value and not select:
            self._output_sideways(-1)
            return
        super().action_cursor_left(select)

    def action_cursor_right(self, select: bool = False) -> None:
        """Right on an empty line scrolls the console's output sideways (there is no cursor to move)."""
        if not self.value and not select:
            self._output_sideways(1)
            return
        super().action_cursor_right(select)

    def _output_sideways(self, pages: int) -> None:
        parent = self.parent
        output = parent.query_one(LineLog) if parent is not None else None
        if output is not None:
            output.scroll_sideways(pages)

    def action_scroll_output(self, pages: int) -> None:
        """PageUp/PageDown at the prompt scroll the console's output (the cursor stays here)."""
        parent = self.parent
        output = parent.query_one(LineLog) if parent is not None else None
        if output is not None:
            output.scroll_to(y=output.scroll_y + pages * max(output.size.height - 1, 1), animate=False)

    def action_complete(self) -> None:
        if self.completer is None:
            return
        text = self.value[: self.cursor_position]
        try:
            candidates = self.completer(text)
            guesses = self.typo_guesser(text) if not candidates and self.typo_guesser is not None else []
        except Exception:  # noqa: BLE001 - completion must never break typing
            candidates, guesses = [], []
        new, shown = apply_completion(text, candidates)
        if new != text:
            self.value = new + self.value[self.cursor_position:]
            self.cursor_position = len(new)
        listed = (new, tuple(shown or guesses))
        if listed == self._listed:  # Tab again on the same line: the list is already there
            self.app.bell()
            return
        self._listed = listed if shown or guesses else None
        if shown:
            self.post_message(self.Completed(shown))
        elif guesses:
            self.post_message(self.Completed(guesses, typo=text.split()[-1]))
        elif not candidates:
            self.app.bell()


class Console(Frame):
    """Output above, prompt and input below."""

    class Submitted(Message):
        def __init__(self, line: str) -> None:
            super().__init__()
            self.line = line

    class Pasted(Message):
        """Several lines pasted at once: each is run in order (a long paste after one confirmation)."""

        def __init__(self, lines: list[str]) -> None:
            super().__init__()
            self.lines = lines

    def __init__(self, completer: Completer | None = None, *, typo_guesser: Completer | None = None,
                 id: str | None = None, blink: bool = True) -> None:
        super().__init__(id=id, classes="pane")
        self._completer = completer
        self._typo_guesser = typo_guesser
        self._blink = blink
        self._cluster = "cache"

    def compose(self) -> ComposeResult:
        yield LineLog(2000, id="console-output")
        field = compact_input(ConsoleInput, self._completer, self._typo_guesser,
                              placeholder="type a command: mmpsnap fs1 create -j sw · help · Tab completes",
                              id="console-input", select_on_focus=False)
        field.cursor_blink = self._blink
        yield field

    prompt_for = staticmethod(prompt_for)

    @property
    def input(self) -> ConsoleInput:
        return self.query_one(ConsoleInput)

    @property
    def output(self) -> LineLog:
        return self.query_one(LineLog)

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.input.searching:
            return  # the search's prompt stays until the search ends
        cluster = cluster_of(event.value)
        if cluster != self._cluster or self.input.prompt.plain != f"[{cluster}]# ":  # most keystrokes leave the prompt as it is: no redraw, no layout
            self._cluster = cluster
            self.input.prompt = prompt_for(cluster)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()  # (the console's input submits through `ConsoleInput.Lines`)

    def on_console_input_lines(self, event: ConsoleInput.Lines) -> None:
        event.stop()
        self.post_message(self.Submitted(event.lines[0]) if len(event.lines) == 1 and not event.pasted
                          else self.Pasted(event.lines))

    class Act(ConsoleInput.After):
        """A priority key's action, reaching the dashboard behind the lines typed before its key."""

    def on_console_input_act(self, event: ConsoleInput.Act) -> None:
        event.stop()
        self.post_message(self.Act(event.act))

    def on_console_input_completed(self, event: ConsoleInput.Completed) -> None:
        if event.typo:
            self.output.write(Content.assemble((f"{event.typo}: no such word here; did you mean ", "$text-muted"),
                                               (" or ".join(event.candidates), "bold"), ("?", "$text-muted")))
            return
        self.output.write(Content.styled("  ".join(event.candidates), "$text-muted"))

    def echo(self, cluster: str, command: str, lines: list[str], rc: int, note: str = "") -> None:
        """Show a command and its output, as a terminal would."""
        out: list[Content | str] = [Content.assemble(self.prompt_for(cluster), (command, "bold"),
                                                     (f"   # {note}" if note else "", "$text-muted"))]
        style = "$error" if rc else ""
        out.extend(Content.styled(line, style) if style else line for line in lines)
        self.output.write_many(out, keep=is_gpfs(command))  # GPFS output keeps its lines: the console scrolls sideways
