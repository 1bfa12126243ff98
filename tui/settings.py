"""The user's settings: `$XDG_CONFIG_HOME/peersnap/config.toml`, and user themes beside it.

Read with `tomllib`, written with `tomli-w` atomically (a temporary file in the
same directory, then a rename), so a crash never leaves half a file behind.
A missing or broken file means defaults; it is never a reason to fail.
"""

from __future__ import annotations

import os
from pathlib import Path

from peersnap.core.records import record
from peersnap.core.session_file import write_atomically
from peersnap.core.textfile import TomlSyntaxError, toml_loads

SPEEDS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
DEFAULT_THEME = "peersnap-dark"


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "peersnap"


@record
class Settings:
    theme: str = DEFAULT_THEME
    speed: int = 1


def clamp_speed(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        return 1
    return min(SPEEDS, key=lambda s: abs(s - value))


def load(path: Path | None = None) -> tuple[Settings, str]:
    """The settings, and a warning ('' when none) to show the user."""
    path = path or config_dir() / "config.toml"
    try:
        data = toml_loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings(), ""
    except (OSError, UnicodeDecodeError, TomlSyntaxError) as exc:
        return Settings(), f"settings ignored: {path}: {exc}"
    except RecursionError:
        return Settings(), f"settings ignored: {path}: TOML nested too deeply"
    theme = data.get("theme", DEFAULT_THEME)
    return Settings(
        theme=theme if isinstance(theme, str) and theme else DEFAULT_THEME,
        speed=clamp_speed(data.get("speed", 1)),
    ), ""


def save(settings: Settings, path: Path | None = None) -> str:
    """Write atomically; returns '' or a warning (a read-only home is not fatal)."""
    path = path or config_dir() / "config.toml"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        import tomli_w  # (only a save needs it: not imported on the first frame)

        write_atomically(path, tomli_w.dumps({"theme": settings.theme, "speed": settings.speed}))
    except OSError as exc:
        return f"settings not saved: {exc}"
    return ""
