"""Ctrl+R in the console: reverse history search, as in bash.

A mixin of the console's input (`ConsoleInput`, tui/widgets/console.py): while a search
runs, typed characters extend the query and the newest history line holding it fills
the field; Ctrl+R again goes to an older match, Enter runs the match, Esc gives back the
line as it was, any other key ends the search and edits the match.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.content import Content

SEARCH_PROMPT = "(reverse-i-search)"


class HistorySearch:
    """The search's state and keys (the input supplies `value`, `history`, `prompt` and the cursor)."""

    _search: str | None = None  # the Ctrl+R query while searching
    _search_from = 0  # search older than this history index
    _search_draft = ""  # the line as it was before the search

    if TYPE_CHECKING:  # the input's, used here
        value: str
        cursor_position: int
        history: list[str]
        prompt: Content

        def _prompt_for_line(self) -> Content: ...

    @property
    def searching(self) -> bool:
        return self._search is not None

    def action_search_history(self) -> None:
        if self._search is None:
            self._search, self._search_from, self._search_draft = "", len(self.history), self.value
        else:  # Ctrl+R again: the next older match
            self._search_from = max(self._history_match_index(), 0)
        self._show_search()

    def _history_match_index(self) -> int:
        """The index of the newest history line older than `_search_from` holding the query (-1: none)."""
        query = self._search or ""
        for index in range(self._search_from - 1, -1, -1):
            if query in self.history[index]:
                return index
        return -1

    def _show_search(self) -> None:
        index = self._history_match_index()
        found = index >= 0
        if found and self._search:
            self.value = self.history[index]
        elif not self._search:
            self.value = self._search_draft if index < 0 or self._search_from == len(self.history) \
                else self.history[index]
        label = SEARCH_PROMPT if found or not self._search else "(failed reverse-i-search)"
        self.prompt = Content.assemble((label, "bold $warning"), f"'{self._search}': ")
        self.cursor_position = len(self.value)

    def _search_key(self, event: events.Key) -> bool:
        """A key while searching; True when the search used it."""
        if event.key == "escape":
            self.value = self._search_draft
            self._end_search()
            return True
        if event.key == "backspace":
            self._search = (self._search or "")[:-1]
            self._search_from = len(self.history)
            self._show_search()
            return True
        if event.is_printable and event.character is not None:
            self._search = (self._search or "") + event.character
            self._search_from = len(self.history)
            self._show_search()
            return True
        if event.key in ("enter", "ctrl+r"):
            return False  # its binding runs (submit / older match)
        self._end_search()  # any other key (arrows, Home, End) edits the match found
        return False

    def _end_search(self) -> None:
        self._search = None
        self.prompt = self._prompt_for_line()
        self.cursor_position = len(self.value)

