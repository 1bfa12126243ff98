"""What the dashboard does with what the user types: keys typed anywhere, pastes,
console lines and the command actions (toggles, Ctrl+S), each run through the session;
the console history kept, and the lesson's hint and try keys.

A mixin of `Dashboard` (tui/dashboard.py), which owns the panes and time; this part
owns the way from a key to a command and its echo. Every line the session runs from
here is a *cause*: its `CommandRan` event is put before the events it caused, so the
event log reads cause first (the engine emits the command's event last, when its
status is known).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from peersnap.core.errors import SimError
from peersnap.core.events import CommandRan, Event
from peersnap.core.model import AfmFileset
from peersnap.core.rules import Refusal
from peersnap.core.scenario import Scenario
from peersnap.core.session import Session
from textual import events
from textual.css.query import NoMatches
from textual.screen import Screen

from . import state as saved_state
from .actions import BY_NAME
from .toggles import run_steps
from .widgets.console import Console, ConsoleInput
from .widgets.event_log import EventLog
from .widgets.psnap_table import PsnapTable
from .widgets.toggle_bar import Toggle

if TYPE_CHECKING:
    from peersnap.core.commands import Result

    from .player import Player
    from .replay import Replay
    from .widgets.lesson_panel import LessonPanel

# The cards, the help screen and the player are imported where they are first shown or played, not
# on the first frame (issue 16: a start imports only what that frame needs).

ANSWER_FIRST = 0.2  # seconds a classroom seat's panes follow a typed command's answer
PASTE_RUNS_AT_ONCE = 5  # a longer paste asks first, saying how many lines it runs
NO_LESSON = "No lesson is running: 'peersnap lessons' lists them, 'peersnap lesson NAME' opens one."


class DashboardInput(Screen[None]):
    """Keys, pastes, console lines and command actions (see the module docstring)."""

    session: Session
    scenario: Scenario
    replay: Replay | None
    player: Player | None
    fileset_name: str
    _pending: list[Event]
    _cause_at: int | None = None  # where the running command's own event goes in `_pending`
    _history_warned = False  # a failure to keep the history is said once
    _answer_first = False  # a typed command in a classroom seat: its answer is drawn before the panes
    _view_due = False  # the panes follow that answer (`_due_view`)
    _typing_on = False  # a key went on to the console, whose focus arrives a turn later (`on_key`)
    autosaved: Path | None  # where the session was last autosaved (the Dashboard sets it)
    seat_link: object | None = None  # a classroom seat's link to `peersnap serve` (the Dashboard attaches it)
    lesson_panel: LessonPanel | None = None  # with a lesson (the Dashboard composes it)

    if TYPE_CHECKING:  # the Dashboard's, used here
        def refresh_view(self) -> None: ...
        def action_help(self) -> None: ...
        def _end_play(self) -> None: ...
        def _catch_up(self) -> None: ...
        def _first_fileset(self) -> str: ...
        @property
        def state(self) -> Path | None: ...
        @property
        def fileset(self) -> AfmFileset: ...

    # -- cause first -----------------------------------------------------------------------
    def _take_event(self, event: Event) -> None:
        """An event for this frame's batch: a command's own event before what it caused."""
        if isinstance(event, CommandRan) and self._cause_at is not None:
            self._pending.insert(self._cause_at, event)
            self._cause_at = len(self._pending)  # the next command of a toggle starts here
        else:
            self._pending.append(event)

    @contextmanager
    def _causes(self) -> Iterator[None]:
        """Commands run inside are causes: each one's event goes before its effects."""
        outer = self._cause_at
        self._cause_at = len(self._pending) if outer is None else outer
        try:
            yield
        finally:
            self._cause_at = outer

    # -- keeping the world ------------------------------------------------------------------
    def changed_commands(self) -> int:
        return sum(1 for entry in self.session.log if getattr(entry, "changed", False))

    def autosave(self) -> str:
        """Write the session to the state folder (atomically); '' or why it is not kept."""
        if self.state is None:
            return (f"{self.changed_commands()} commands changed the world and are not kept here "
                    "(nothing is written in this session)")
        path = self.state / saved_state.AUTOSAVE_FILE
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.session.save(str(path))
        except (OSError, SimError) as exc:
            return f"the session could not be autosaved: {exc}"
        self.autosaved = path
        return ""

    # -- keys typed anywhere, and the dashboard's own keys -------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        """A printable key typed where nothing takes it (a pane, the queue) goes to the
        console; `/` focuses the event filter and `?` opens help."""
        if not event.is_printable or event.character is None or isinstance(self.focused, ConsoleInput):
            return
        node = self.focused
        while node is not None and node is not self:
            if event.key in node._bindings.key_to_bindings:  # (no public reader) the pane's own key: Space on a toggle
                return
            node = node.parent
        event.stop()
        # keys of one burst after the first went on are the line's, `/` and `?` too: the focus
        # moves to the console only in a later turn, after the whole burst has come in here
        if not self._typing_on:
            if event.character == "/" and self.query("#event-filter"):
                self.query_one("#event-filter").focus()
                return
            if event.character == "?":
                self.action_help()
                return
        field = self.query_one(Console).input
        field.focus()
        field.insert_text_at_cursor(event.character)
        self._typing_on = True

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Focus has arrived somewhere: a key typed from now on is judged afresh (`on_key`)."""
        if not isinstance(event.widget, ConsoleInput):
            self._typing_on = False

    def on_paste(self, event: events.Paste) -> None:
        """A paste where nothing takes it goes to the console."""
        if not isinstance(self.focused, ConsoleInput):
            event.stop()
            field = self.query_one(Console).input
            field.focus()
            field.post_message(events.Paste(event.text))

    def on_console_input_help_wanted(self, _message: ConsoleInput.HelpWanted) -> None:
        self.action_help()

    # -- commands ------------------------------------------------------------------------
    def on_console_submitted(self, message: Console.Submitted) -> None:
        self._answer_first = self.seat_link is not None  # a classroom seat, sharing its cores with thirty
        try:
            self.run_line(message.line, play=True)
        finally:
            self._answer_first = False

    def on_console_pasted(self, message: Console.Pasted) -> None:
        lines = [line for line in message.lines if line.strip()]
        if len(lines) <= PASTE_RUNS_AT_ONCE:
            self._run_lines(lines)
            return
        preview = "\n".join(f"  {line}" for line in lines[:3]) + ("\n  ..." if len(lines) > 3 else "")

        def answered(run: bool | None) -> None:
            if run:
                self._run_lines(lines)
            else:
                self.query_one(Console).output.write(
                    f"peersnap: the {len(lines)} pasted lines were not run (Up recalls them from the history)")

        from .screens import Confirm

        self.app.push_screen(Confirm(f"Run {len(lines)} pasted lines?", preview, "Enter runs them all, in order"),
                             answered)

    def _run_lines(self, lines: list[str]) -> None:
        for line in lines:
            self.run_line(line)

    def run_line(self, line: str, explain: bool = True, play: bool = False) -> None:
        """Run a console line through the session and show it like a terminal
        (`explain`: a refused command opens the explanation card). With `play` (a line
        typed in the console), `sim advance` and `sim settle` play (see tui/player.py);
        scripts, shots and replays jump."""
        if line.strip() == "clear":
            self.query_one(Console).output.clear()
            return
        self._end_play()
        self._catch_up()
        from .player import Player, can_play, plays

        if play and plays(line) and self.replay is None and can_play(self.session.engine):
            before, seen = self.session.engine.fork(), len(self._pending)
            with self._causes():
                result = self.session.run(line)
            if result.rc == 0 and self.session.engine.now > before.now:
                # the twin's events show as it plays; of the jump's, only the command itself
                self._pending[seen:] = [e for e in self._pending[seen:] if isinstance(e, CommandRan)]
                self.player = Player.begin(before, self.session.engine, result, self._pending.append)
                self.refresh_view()
                return
            self._echo(result, explain)
            return
        with self._causes():
            result = self.session.run(line)
        self._echo(result, explain)

    def _echo(self, result: Result, explain: bool) -> None:
        console = self.query_one(Console)
        if result.command or result.lines:
            console.echo(result.cluster, result.command, result.lines, result.rc)
        if result.refusal is not None and explain and not self._lesson_expects(result.refusal):
            self._refusal_card(result.command, result.refusal)
        if self.state is not None and result.command:
            self.autosave()  # (a failure is said when quitting)
        if self._answer_first:
            self._refresh_after_answer()
        else:
            self.refresh_view()

    def _refresh_after_answer(self) -> None:
        """In a classroom seat a typed command's answer is drawn first, alone (the console's
        few rows), and the panes `ANSWER_FIRST` later: thirty seats sharing two cores then show
        every student their answer before any of them redraws the whole screen."""
        if not self._view_due:
            self._view_due = True
            self.set_timer(ANSWER_FIRST, self._due_view, name="panes after the answer")

    def _due_view(self) -> None:
        self._view_due = False
        with suppress(NoMatches):  # the app may be closing
            self.refresh_view()

    def _refusal_card(self, command: str, refusal: Refusal) -> None:
        """One card at a time: a refusal while a card shows (lines of a paste) is counted on it."""
        from .screens import RefusalCard

        top = self.app.screen_stack[-1]
        if isinstance(top, RefusalCard):
            top.also_refused(command)
        elif top is self:
            self.app.push_screen(RefusalCard(command, refusal))
        # (over another card, a help screen or a question: the console shows the refusal)

    def _lesson_expects(self, refusal: Refusal) -> bool:
        """The lesson's open step asks for this refusal: the lesson panel shows it (✔ and why),
        not a card that would eat the learner's next Enter."""
        if (panel := self.lesson_panel) is not None:
            step = panel.lesson_run.step
            if step is not None and step.check["kind"] == "refused" \
                    and step.check.get("message_id", refusal.message_id) == refusal.message_id:
                return True
        return False

    def behind_typed(self, act: Callable[[], None]) -> None:
        """Run a priority key's action behind the keys typed before it: its binding fires before the
        console has handled an Enter in the same burst (`echo a > f⏎` then F2 took the link down
        first), so the action waits in the console's queue behind them."""
        try:
            field = self.query_one(Console).input
        except NoMatches:
            act()
            return
        field.post_message(ConsoleInput.After(act))

    def on_console_act(self, message: Console.Act) -> None:
        message.stop()
        if self.app.screen is self:  # a card opened by a line (or key) before it took this key: it does nothing there
            message.act()

    def action_run_command(self, name: str) -> None:
        """A toggle or Ctrl+S, in the order it was typed."""
        self.behind_typed(lambda: self.run_command_now(name))

    def run_command_now(self, name: str) -> None:
        """Run a command action's steps (a toggle, Ctrl+S); a failed step undoes the ones before it."""
        action = BY_NAME[name]
        assert action.steps is not None, name
        self._end_play()
        via = action.key_display if action.keys else f"the {action.label} toggle"
        with self._causes():
            outcome = run_steps(self.session, action.steps(self.session, self.fileset_name), via=via)
        console = self.query_one(Console)
        for i, result in enumerate(outcome.results):
            console.echo(result.cluster, result.command, result.lines, result.rc, action.note if i == 0 else "")
        for result in outcome.undone:
            console.echo(result.cluster, result.command, result.lines, result.rc, "undo: the toggle changes nothing")
        if not outcome.ok:
            failed = outcome.results[-1]
            if outcome.refusal is not None:
                if not self._lesson_expects(outcome.refusal):
                    self._refusal_card(failed.command, outcome.refusal)
            else:
                self.notify("\n".join(outcome.failure[:3]) or "failed", title=f"{action.note} refused",
                            severity="error")
        elif action.explains:
            from peersnap.core.why import explain_fileset

            from .why_card import WhyCard

            self.app.push_screen(WhyCard(explain_fileset(self.session.engine.world, self.fileset,
                                                         self.session.engine.now)))
        self.refresh_view()

    async def on_toggle_pressed(self, message: Toggle.Pressed) -> None:
        await self.run_action(BY_NAME[message.action].action)

    def _save_history(self, lines: list[str]) -> None:
        if self.state is None:
            return
        warning = saved_state.save_history(self.state / saved_state.HISTORY_FILE, lines)
        if warning and not self._history_warned:
            self._history_warned = True  # said once, not on every command
            self.notify(warning, severity="warning")

    def action_next_fileset(self) -> None:
        names = list(self.session.engine.world.filesets)
        if names:
            self.fileset_name = names[(names.index(self.fileset_name) + 1) % len(names)]
        self.refresh_view()

    def action_help(self) -> None:
        from .screens import HelpScreen

        if not isinstance(self.app.screen, HelpScreen):  # (the palette can ask for help while it shows)
            self.app.push_screen(HelpScreen())

    def action_focus_console(self) -> None:
        self.query_one(Console).input.focus()

    def action_focus_pairs(self) -> None:
        """Ctrl+O: the pair table takes the keys (Up/Down, Enter; Esc gives them back to the console)."""
        self.query_one(PsnapTable).focus()

    def action_undo(self) -> None:
        """Ctrl+Z runs `undo` as a line the console sends, behind a line typed before it in the same
        burst (`sim load 3⏎` then Ctrl+Z: the binding is a priority one and fires before the console
        has handled that Enter; it undid the command before, then ran `sim load 3`)."""
        try:
            field = self.query_one(Console).input
        except NoMatches:
            self.run_line("undo")
            return
        field.post_message(ConsoleInput.Then(["undo"]))

    def action_reset(self) -> None:
        """Ask, then start the scenario again (undo brings the world back)."""
        commands = self.changed_commands()

        def answered(yes: bool | None) -> None:
            if yes:
                self.reset_world()

        from .screens import Confirm

        self.app.push_screen(Confirm(f"Start the scenario '{self.scenario.name}' again?",
                                     f"The world goes back to its first second ({commands} changing commands "
                                     "rewound). undo (Ctrl+Z) brings it back.", "Enter resets"), answered)

    def reset_world(self) -> None:
        """Start the scenario again through the session (its listeners stay; the view redraws)."""
        self._pending.clear()
        events = self.query_one(EventLog)
        events.records.clear()
        events.set_filter("")
        self.session.reset()
        self.query_one(Console).output.write(
            f"peersnap: scenario '{self.scenario.name}' started again (undo brings the world back)")
        self.fileset_name = self._first_fileset()
        if self.lesson_panel is not None:
            self.lesson_panel.restart()
        if self.replay is not None:
            self.replay.restart()
        self.refresh_view()

    # -- the lesson ----------------------------------------------------------------------
    def _lesson_panel(self) -> LessonPanel | None:
        if self.lesson_panel is None:
            self.notify(NO_LESSON, title="lesson")
        return self.lesson_panel

    def action_lesson_hint(self) -> None:
        panel = self._lesson_panel()
        if panel is not None:
            panel.reveal_hint()

    def action_lesson_try(self) -> None:
        panel = self._lesson_panel()
        if panel is None:
            return
        if not panel.suggested:
            self.notify("This step suggests no command." if not panel.lesson_run.done else "The lesson is complete.",
                        title="lesson")
            return
        if not panel.lesson_run.answer_shown:
            panel.reveal_hint()  # the hint comes with the answer (and counts as taken)
        field = self.query_one(Console).input
        if field.value.strip() and field.value != panel.suggested:
            field.remember(field.value)  # what the learner typed is not lost: Up brings it back
            self.notify("Your line is in the history: Up brings it back.", title="lesson")
        field.value = panel.suggested
        field.cursor_position = len(field.value)
        field.focus()
