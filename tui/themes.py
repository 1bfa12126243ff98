"""Colour themes as TOML files: the bundled ones in `themes/`, the user's in
`$XDG_CONFIG_HOME/peersnap/themes/`.

A theme file holds the fields of `textual.theme.Theme` (name, primary,
secondary, accent, foreground, background, surface, panel, success, warning,
error, dark) and an optional `[variables]` table. A broken user theme is
skipped with a warning; it never stops the dashboard.
"""

from __future__ import annotations

from pathlib import Path

import peersnap.themes as theme_files
from peersnap.core.textfile import TomlSyntaxError, toml_loads
from textual.color import Color, ColorParseError
from textual.theme import Theme

COLOUR_FIELDS = ("primary", "secondary", "accent", "foreground", "background", "surface", "panel", "boost",
                 "success", "warning", "error")


class ThemeError(Exception):
    pass


def parse_theme(text: str, source: str) -> Theme:
    try:
        data = toml_loads(text)
    except TomlSyntaxError as exc:
        raise ThemeError(f"{source}: {exc}") from None
    except RecursionError:
        raise ThemeError(f"{source}: TOML nested too deeply") from None
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ThemeError(f"{source}: 'name' must be a non-empty string")
    if not isinstance(data.get("primary"), str):
        raise ThemeError(f"{source}: 'primary' colour is required")
    fields: dict[str, object] = {"name": name.strip()}
    for key, value in data.items():
        if key in COLOUR_FIELDS:
            if not isinstance(value, str):
                raise ThemeError(f"{source}: '{key}' must be a colour string like '#1e88e5'")
            try:
                Color.parse(value)
            except ColorParseError:
                raise ThemeError(f"{source}: '{key}' = {value!r} is not a colour") from None
            fields[key] = value
        elif key == "dark":
            if not isinstance(value, bool):
                raise ThemeError(f"{source}: 'dark' must be true or false")
            fields[key] = value
        elif key == "variables":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise ThemeError(f"{source}: [variables] must map names to strings")
            fields[key] = dict(value)
        elif key not in ("name", "description"):
            raise ThemeError(f"{source}: unknown key '{key}'")
    return Theme(**fields)  # type: ignore[arg-type]


def bundled_themes() -> list[Theme]:
    themes = []
    for entry in sorted(theme_files.THEMES_DIR.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            themes.append(parse_theme(entry.read_text(encoding="utf-8"), f"themes/{entry.name}"))
    return themes


def user_themes(directory: Path) -> tuple[list[Theme], list[str]]:
    themes: list[Theme] = []
    warnings: list[str] = []
    try:
        files = sorted(directory.glob("*.toml"))
    except OSError:
        return themes, warnings
    for path in files:
        try:
            themes.append(parse_theme(path.read_text(encoding="utf-8"), str(path)))
        except (OSError, UnicodeDecodeError, ThemeError) as exc:
            warnings.append(f"theme skipped: {exc}")
    return themes, warnings
