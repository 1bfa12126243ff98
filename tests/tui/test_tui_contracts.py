"""The TUI's import contracts bite: a widget that imports the app breaks them.

tests/test_layers.py runs the contracts on this tree; this test runs them on a copy
with one forbidden import added, so a contract that would pass on anything fails here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_widget_importing_the_app_breaks_the_contracts(tmp_path):
    exe = Path(sys.executable).with_name("lint-imports")
    exe = exe if exe.exists() else Path(shutil.which("lint-imports") or "lint-imports")
    package = tmp_path / "peersnap"
    shutil.copytree(ROOT / "package", package)
    for folder in ("core", "tui", "themes"):
        shutil.copytree(ROOT / folder, package / folder, ignore=shutil.ignore_patterns("__pycache__"))
    widget = package / "tui" / "widgets" / "key_bar.py"
    widget.write_text(widget.read_text(encoding="utf-8") + "\nfrom ..app import PeersnapApp  # noqa: E402,F401\n",
                      encoding="utf-8")
    done = subprocess.run([str(exe), str(ROOT / "pyproject.toml")], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(tmp_path)}, check=False)
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert "widgets never import the app, the dashboard screen or the command line BROKEN" in out
    assert "peersnap.tui.widgets.key_bar -> peersnap.tui.app" in out
    assert "no import cycles inside tui BROKEN" in out  # app -> dashboard -> key bar -> app
    assert "core never reaches the UI: no textual, rich or peersnap.tui KEPT" in out
