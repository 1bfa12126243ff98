"""What peersnap keeps between runs: the console history and the autosaved session,
in the XDG state directory (`$XDG_STATE_HOME/peersnap`, else `~/.local/state/peersnap`).

Both are written atomically (a temporary file, then a rename), so a crash never
leaves half a file. A missing or unreadable history is an empty one: never a reason
to fail. In the browser classroom (`PEERSNAP_CLASSROOM=1`) nothing here is used:
no host file is written.
"""

from __future__ import annotations

import os
from pathlib import Path

from peersnap.core.session_file import write_atomically

HISTORY_FILE = "history"
AUTOSAVE_FILE = "session.toml"
MAX_HISTORY_LINES = 500


def state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "peersnap"


def load_history(path: Path | None) -> list[str]:
    """The saved console history, oldest first ([] when there is none or it cannot be read)."""
    if path is None:
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [line for line in text.split("\n") if line.strip()][-MAX_HISTORY_LINES:]


def save_history(path: Path | None, lines: list[str]) -> str:
    """Write the history (one command a line); '' or a warning to show once."""
    if path is None:
        return ""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, "".join(f"{line}\n" for line in lines[-MAX_HISTORY_LINES:]))
    except OSError as exc:
        return f"history not saved: {exc.strerror or exc}"
    return ""
