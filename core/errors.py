"""The exceptions the engine raises for commands to print."""

from __future__ import annotations


class SimError(Exception):
    """A command could not be carried out; `lines` are what it prints."""

    def __init__(self, *lines: str) -> None:
        super().__init__(lines[0] if lines else "")
        self.lines = list(lines)


class FsError(Exception):
    """A file operation failed; str() is the reason (`No such file or directory`)."""
