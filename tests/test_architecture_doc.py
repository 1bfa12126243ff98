"""docs/architecture.md names files and functions; each must exist, so the page cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
PATHS = sorted(set(re.findall(r"`((?:core|tui|themes|tests|docs|package)/[\w/.]*)`", PAGE)))
# `Class.method` / `function` named beside the file that defines it, in the "where to add" table
HOPS = [
    ("core/snapshots.py", "def complete_home_half"),
    ("core/engine.py", "def _drain"),
    ("core/gateway.py", "def push_write"),
    ("core/gateway.py", "def push_remove"),
    ("core/gateway.py", "def push_rmdir"),
    ("core/gateway.py", "def barrier"),
    ("core/rules.py", "def enforce"),
    ("core/lessons.py", "CHECKS"),
    ("core/language.py", "def parse_line"),
    ("core/session.py", "def run"),
    ("tui/dashboard_input.py", "def run_line"),
    ("tui/dashboard.py", "def refresh_view"),
    ("tui/actions.py", "class Action"),
    ("tui/app.py", "def make_app"),
]


MODULES = sorted(set(re.findall(r"`([a-z_]+\.py)`", PAGE)))


def test_the_page_names_files():
    assert len(PATHS) > 20 and len(MODULES) > 20


def test_every_bare_module_the_page_names_exists_in_core_or_tui():
    missing = [m for m in MODULES if not any((ROOT / d / m).exists() for d in ("core", "core/commands", "tui"))]
    assert not missing, f"docs/architecture.md names modules that do not exist: {missing}"


def test_every_file_the_page_names_exists():
    missing = [p for p in PATHS if not (ROOT / p).exists()]
    assert not missing, f"docs/architecture.md names files that do not exist: {missing}"


def test_every_hop_the_page_promises_is_where_it_says():
    for path, needle in HOPS:
        assert path.rpartition("/")[2] in PAGE, f"{path} is no longer on the page"
        assert needle in (ROOT / path).read_text(encoding="utf-8"), f"{needle} is not in {path}"
