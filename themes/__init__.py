"""Colour themes (TOML) and the shared stylesheet, shipped as package data."""

from pathlib import Path

THEMES_DIR = Path(__file__).parent
