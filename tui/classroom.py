"""One classroom seat: the dashboard as `peersnap serve` runs it for one browser tab.

Each seat is a child process of the server, started as `python -m peersnap.tui.classroom
[--scenario S] [lesson L]`. It runs the ordinary dashboard with PEERSNAP_CLASSROOM=1,
which turns off everything that writes host files (`save FILE`, the settings file),
and it dies with the server: on Linux the kernel sends it SIGTERM when the server
goes (even on SIGKILL), elsewhere it notices the server's pipe closing.

This module imports nothing heavy, so a seat costs one dashboard and no web server.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence

CLASSROOM_ENV = "PEERSNAP_CLASSROOM"
PARENT_ENV = "PEERSNAP_CLASSROOM_PARENT"

# Two cores run ~16 dashboards ticking at full speed with room for the web server and
# for students typing; memory (~60 MiB a seat) is no limit at 24 GiB. See README "Classroom".
DEFAULT_MAX_SESSIONS = 16


def seat_command(scenario: str | None = None, lesson: str | None = None) -> list[str]:
    """The argv of one seat's dashboard (one import name, so no stray folder can shadow it)."""
    argv = [sys.executable, "-m", "peersnap.tui.classroom"]
    if scenario:
        argv += ["--scenario", scenario]
    if lesson:
        argv += ["lesson", lesson]
    return argv


def seat_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env[CLASSROOM_ENV] = "1"
    env[PARENT_ENV] = str(os.getpid())
    return env


def _die_with_parent() -> None:
    """Ask Linux to SIGTERM this process when its parent (the server) exits."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):
        return
    # The server may have gone before prctl took effect.
    if os.environ.get(PARENT_ENV) and str(os.getppid()) != os.environ[PARENT_ENV]:
        sys.exit(0)


def main(argv: Sequence[str] | None = None) -> int:
    os.environ[CLASSROOM_ENV] = "1"
    _die_with_parent()
    from peersnap.tui.cli import main as cli_main

    return cli_main(list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
