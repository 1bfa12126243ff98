"""Running a few lines of Python in a fresh interpreter (what a start imports, compiles or builds
must not depend on what earlier tests loaded). A plain module, as command_runs is."""

from __future__ import annotations

import subprocess
import sys


def probe(code: str, *args: str) -> str:
    """What `python -c code args...` prints (stripped); it must exit 0."""
    done = subprocess.run([sys.executable, "-c", code, *args], check=False, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()
