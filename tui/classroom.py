"""One classroom seat: the dashboard as `peersnap serve` runs it for one student.

Each seat is a child process of the server, started as `python -m peersnap.tui.classroom
[--scenario S] [lesson L]`. It runs the ordinary dashboard with PEERSNAP_CLASSROOM=1,
which turns off everything that writes host files (`save FILE`, the settings file), under
a memory limit (RLIMIT_AS, so one student's huge `sim load` cannot take the machine down),
with a side channel to the server (tui/seat_link.py), and it dies with the server: on
Linux the kernel sends it SIGTERM when the server goes (even on SIGKILL), elsewhere it
notices the server's pipe closing.

This module imports nothing heavy: the server and the CLI import it for the seat's
command line and the `serve` options, and a seat costs one dashboard and no web server.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

CLASSROOM_ENV = "PEERSNAP_CLASSROOM"
PARENT_ENV = "PEERSNAP_CLASSROOM_PARENT"
MEMORY_ENV = "PEERSNAP_SEAT_MEMORY"  # the seat's address-space limit, bytes
LINK_ENV = "PEERSNAP_SEAT_FD"  # the seat's end of its socket to the server (tui/seat_link.py)
WARM_ENV = "PEERSNAP_SEAT_WARM"  # "1": started before its student, time held until the server says `start`

MIB = 1024 * 1024
# A seat's dashboard maps ~120 MiB of address space at rest (Python, Textual, thread stacks);
# 512 MiB leaves room for a world of about two million queued ops, far beyond any lesson.
DEFAULT_SEAT_MEMORY_MIB = 512
DEFAULT_GRACE_SECONDS = 120.0
SEATS_PER_CORE = 15  # an idle seat costs <= 1% of a core; a student typing a few % on average
MEMORY_PER_SEAT_MIB = 80  # a seat's RSS is ~45 MiB; the rest is room for worlds grown by `sim load`


def default_max_sessions(cores: int | None = None, memory_bytes: int | None = None) -> int:
    """Seats this machine holds: min(15 x cores, 3/4 of memory / 80 MiB), at least 1 (README "Classroom")."""
    cores = cores if cores is not None else (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                                             else os.cpu_count() or 1)
    if memory_bytes is None:
        try:
            memory_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):
            memory_bytes = 4096 * MIB
    by_memory = memory_bytes * 3 // 4 // (MEMORY_PER_SEAT_MIB * MIB)
    return max(1, min(SEATS_PER_CORE * max(cores, 1), by_memory))


# A seat's world under its memory limit (measured: at 512 MiB a seat loads and settles 1,000,000
# files, 2,000,000 entries with home's copies, and fails at 1,400,000): the engine's caps, so a
# huge `sim load` is refused in the engine's own words long before the seat runs out of memory.
SEAT_BASE_BYTES = 192 * MIB  # the dashboard itself (Python, Textual, thread stacks) and headroom
SEAT_BYTES_PER_ENTRY = 512  # a file at the cache, its queued op, its copy at home, checkpoints


def seat_limits(memory_bytes: int, given):  # type: ignore[no-untyped-def]
    """The caps of a seat's world (`core.limits.Limits`) for its memory limit, no higher than
    `given` (the scenario's); a scenario with its own [limits] table keeps them (the trainer's choice)."""
    from dataclasses import replace

    from peersnap.core.limits import DEFAULT_LIMITS

    if given != DEFAULT_LIMITS:
        return given
    room = max(memory_bytes - SEAT_BASE_BYTES, 16 * MIB)
    entries = room // SEAT_BYTES_PER_ENTRY
    return replace(given, files=min(given.files, entries), queued_ops=min(given.queued_ops, entries),
                   data_bytes=min(given.data_bytes, room // 4), file_size=min(given.file_size, room // 16))


def seat_command(scenario: str | None = None, lesson: str | None = None) -> list[str]:
    """The argv of one seat's dashboard (one import name, so no stray folder can shadow it)."""
    argv = [sys.executable, "-m", "peersnap.tui.classroom"]
    if scenario:
        argv += ["--scenario", scenario]
    if lesson:
        argv += ["lesson", lesson]
    return argv


def seat_environment(base: dict[str, str] | None = None, link_fd: int | None = None,
                     memory_bytes: int | None = None, warm: bool = False) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env[WARM_ENV] = "1" if warm else "0"
    env[CLASSROOM_ENV] = "1"
    env[PARENT_ENV] = str(os.getpid())
    if link_fd is not None:
        env[LINK_ENV] = str(link_fd)
    if memory_bytes:
        env[MEMORY_ENV] = str(memory_bytes)
    return env


def add_serve_arguments(serve: argparse.ArgumentParser, positive, port) -> None:  # type: ignore[no-untyped-def]
    """The options of `peersnap serve` (kept beside the seat they configure)."""
    seats = default_max_sessions()
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this computer only; 0.0.0.0 opens it to the "
                            "network)")
    serve.add_argument("--port", type=port, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument("--scenario", metavar="NAME|FILE", dest="serve_scenario",
                       help="every session starts from this bundled scenario or scenario file (default: seed)")
    serve.add_argument("--lesson", metavar="NAME|FILE", help="every session opens this guided lesson")
    serve.add_argument("--max-sessions", metavar="N", type=positive, default=seats,
                       help="at most N seats at once; the next visitor is told the classroom is full (default on "
                            f"this machine: {seats} = min(15 x cores, 3/4 of memory / 80 MiB))")
    serve.add_argument("--trainer-token", metavar="TOKEN",
                       help="the token that opens /trainer (default: a random one, printed at start)")
    serve.add_argument("--grace", metavar="SECONDS", type=positive, default=int(DEFAULT_GRACE_SECONDS),
                       help="a seat whose page went away (reload, closed tab, network blip) is kept this long for "
                            f"it to come back (default: {int(DEFAULT_GRACE_SECONDS)})")
    serve.add_argument("--warm", metavar="N", type=int, default=None,
                       help="keep N seats started before their students come, so a whole class opening at once "
                            "gets a first frame in a second or two (default: every seat of --max-sessions; 0 "
                            "starts each seat when its student comes)")
    serve.add_argument("--seat-memory", metavar="MIB", type=positive, default=DEFAULT_SEAT_MEMORY_MIB,
                       help="each seat's memory limit (address space) in MiB; a seat that exceeds it is replaced "
                            f"by a fresh one (default: {DEFAULT_SEAT_MEMORY_MIB})")


def _limit_memory() -> None:
    limit = os.environ.get(MEMORY_ENV, "")
    if not limit.isdigit():
        return
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (int(limit), int(limit)))
    except (ImportError, ValueError, OSError):
        return


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
    _limit_memory()
    from peersnap.tui.startup import main as start

    return start(list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
