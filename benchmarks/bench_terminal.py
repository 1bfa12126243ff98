"""The dashboard in a real terminal (a pty), against a bare Textual app with a 1 s clock.

    python benchmarks/bench_terminal.py              # 15 starts each, 10 s idle windows
    python benchmarks/bench_terminal.py --quick      # 3 starts, 4 s windows

1. Time to first frame: from starting the process (interpreter, imports, the
   scenario, mount) until the frame's last pane title reaches the terminal.
   Median of 15 starts, interleaved (one start here varies by a third: with 5, the
   median moved 0.2x between runs). Target: <= 1.3x the bare app. Both
   start with their modules byte-compiled, as installed (`compile_bytecode`), after
   one start each that is not timed (as every start after a user's first).
2. Idle CPU (of one core), nothing queued, after the first frame has settled:
   the dashboard at 1x (as `peersnap` starts) and paused (`peersnap --paused`).
   Targets: 1x <= 2x the bare app's, paused <= 1.2x. Each process reports its
   own CPU time (time.process_time) when signalled, so other processes on a
   shared machine do not count; the terminal's output is read all along.

The console's cursor no longer blinks (a blink redraws twice a second, about as
much as everything else idle): the `blinking cursor` rows show what it would cost.
Nothing is kept: the state folder is a fresh temporary one. It reports; the exit
status is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

FIRST_FRAME_TARGET = 1.3
IDLE_TARGET = 2.0
PAUSED_TARGET = 1.2
ROWS, COLS = 40, 120

# The child: the bare app or the dashboard, answering SIGUSR1 with its CPU seconds so far.
_CHILD = r"""
import signal, sys, time

def report(signum, frame):
    with open(sys.argv[1], "a") as f:
        f.write(f"{time.process_time()}\n")

signal.signal(signal.SIGUSR1, report)
if sys.argv[2] == "bare":
    from textual.app import App
    from textual.widgets import Footer, Static

    class BareClock(App[None]):
        def compose(self):
            self.clock = Static("bare clock " + time.strftime("%H:%M:%S"))
            yield self.clock
            yield Footer()

        def on_mount(self):
            self.set_interval(1.0, lambda: self.clock.update("bare clock " + time.strftime("%H:%M:%S")))

    BareClock().run()
else:
    if sys.argv[3] == "blink":
        from functools import partialmethod
        from peersnap.tui.dashboard import Dashboard
        Dashboard.__init__ = partialmethod(Dashboard.__init__, blink=True)  # a blinking console cursor
    from peersnap.tui.startup import main  # what the `peersnap` command runs
    sys.exit(main(sys.argv[4:]))
"""
MARKERS = {"bare": b"bare clock", "dashboard": b"Events"}  # the dashboard's last pane title
# peersnap's caches (tui/css_cache.py) for this run alone, written by warm_up(): what a user's second start
# finds, without what older builds or other checkouts left in ~/.cache (a user's file lets those go by itself)
CACHE_HOME = tempfile.mkdtemp(prefix="peersnap-bench-cache-")


def loadavg() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


class Child:
    """One app in its own pty; its output drained so it never waits on the terminal."""

    def __init__(self, kind: str, args: list[str], blink: bool = False, code: str = _CHILD,
                 wrapper: tuple[str, ...] = ()) -> None:
        """`code`: the child's program (argv: report file, kind, blink, args); `wrapper`: what runs it
        (valgrind, for bench_first_frame_instructions.py)."""
        self.report = Path(tempfile.mkdtemp(prefix="peersnap-bench-")) / "cpu"
        env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(COLS), LINES=str(ROWS),
                   XDG_STATE_HOME=str(self.report.parent / "state"), XDG_CONFIG_HOME=str(self.report.parent / "cfg"),
                   XDG_CACHE_HOME=CACHE_HOME)
        argv = [*wrapper, sys.executable, "-c", code, str(self.report), kind, "blink" if blink else "no-blink", *args]
        self.marker = MARKERS[kind]
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # pragma: no cover - the child
            os.execve(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.seen = b""

    def drain(self, seconds: float, until: bytes | None = None) -> float | None:
        """Read the terminal for `seconds` (or until `until` appears: the time since the start)."""
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self.fd, 1 << 16)
                except OSError:
                    return None
                self.seen = (self.seen + chunk)[-4096:]
                if until is not None and until in self.seen:
                    return time.perf_counter() - self.started
        return None

    def cpu(self) -> float:
        """The child's CPU seconds so far (it writes them when signalled)."""
        count = len(self.report.read_text().splitlines()) if self.report.exists() else 0
        os.kill(self.pid, signal.SIGUSR1)
        for _ in range(200):
            self.drain(0.01)
            lines = self.report.read_text().splitlines() if self.report.exists() else []
            if len(lines) > count:
                return float(lines[-1])
        raise RuntimeError("the app did not report its CPU time")

    def close(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def first_frame(kind: str, args: list[str], timeout: float = 60.0) -> float:
    child = Child(kind, args)
    try:
        elapsed = child.drain(timeout, until=child.marker)
    finally:
        child.close()
    if elapsed is None:
        raise RuntimeError(f"{kind}: no first frame within {timeout:g} s")
    return elapsed


def idle_cpu(kind: str, args: list[str], seconds: float, blink: bool = False) -> float:
    """CPU share of one core over `seconds`, after the first frame and a settling second."""
    child = Child(kind, args, blink)
    try:
        if child.drain(60.0, until=child.marker) is None:
            raise RuntimeError(f"{kind}: no first frame")
        child.drain(1.5)
        c0, t0 = child.cpu(), time.perf_counter()
        child.drain(seconds)
        return (child.cpu() - c0) / (time.perf_counter() - t0)
    finally:
        child.close()


Row = tuple[str, str, str, str, str, str]


def _verdict(ratio: float, target: float) -> str:
    return "PASS" if ratio <= target else "FAIL"


def compile_bytecode() -> str:
    """Byte-compile peersnap's modules where Python caches them, as `pip install` does for a wheel.
    Textual's modules were compiled when it was installed; an editable checkout's are not, and with
    PYTHONDONTWRITEBYTECODE set (as on the build machines) every start compiled peersnap's ~90
    modules from source again: about 100 ms of its first frame that no installed copy pays."""
    import compileall

    import peersnap.core
    import peersnap.themes
    import peersnap.tui

    folders = [Path(package.__file__).parent for package in (peersnap.core, peersnap.themes, peersnap.tui)]
    ok = all(compileall.compile_dir(str(folder), quiet=1) for folder in folders)
    return f"peersnap's bytecode compiled ({', '.join(str(f) for f in folders)})" if ok else "bytecode NOT compiled"


def warm_up() -> None:
    """One start of each app, not timed: as after a user's first, the files are in the page cache and
    peersnap's caches are written (its parsed stylesheets, style strings and TOML: tui/css_cache.py)."""
    for kind, args in (("bare", []), ("dashboard", ["--paused"])):
        warm = Child(kind, args)
        try:
            warm.drain(2.0)
        finally:
            warm.close()


def section_first_frame(starts: int) -> list[Row]:
    print(f"[first frame] in a {COLS}x{ROWS} pty, median of {starts} starts (interleaved)", flush=True)
    print(f"    {compile_bytecode()}", flush=True)
    warm_up()
    bare, dash = [], []
    for _ in range(starts):
        bare.append(first_frame("bare", []))
        dash.append(first_frame("dashboard", ["--paused"]))
    b, d = statistics.median(bare), statistics.median(dash)
    print(f"    bare app  {b * 1000:7.0f} ms  ({', '.join(f'{x * 1000:.0f}' for x in bare)})")
    print(f"    peersnap  {d * 1000:7.0f} ms  ({', '.join(f'{x * 1000:.0f}' for x in dash)})")
    print(f"    ratio     {d / b:7.2f}x  target <= {FIRST_FRAME_TARGET:g}x  {_verdict(d / b, FIRST_FRAME_TARGET)}", flush=True)
    return [("first frame in a terminal", f"{b * 1000:.0f} ms", f"{d * 1000:.0f} ms", f"{d / b:.2f}x",
             f"<= {FIRST_FRAME_TARGET:g}x", _verdict(d / b, FIRST_FRAME_TARGET))]


def section_idle(seconds: float) -> list[Row]:
    print(f"[idle CPU] of one core over {seconds:g} s, nothing queued", flush=True)
    bare = idle_cpu("bare", [], seconds)
    cases = [("1x", [], False, IDLE_TARGET), ("paused", ["--paused"], False, PAUSED_TARGET),
             ("1x, blinking cursor", [], True, IDLE_TARGET), ("paused, blinking cursor", ["--paused"], True, PAUSED_TARGET)]
    rows: list[Row] = []
    print(f"    bare app with a 1 s clock: {bare * 100:.2f}%")
    for label, args, blink, target in cases:
        share = idle_cpu("dashboard", args, seconds, blink)
        ratio = share / bare if bare > 0 else float("inf")
        print(f"    peersnap {label:<18}: {share * 100:.2f}%  {ratio:.2f}x  target <= {target:g}x  {_verdict(ratio, target)}",
              flush=True)
        info = "blinking" in label  # what a blinking cursor would cost: not the target
        rows.append((f"idle dashboard, {label}", f"{bare * 100:.2f}%", f"{share * 100:.2f}%", f"{ratio:.2f}x",
                     "info" if info else f"<= {target:g}x", f"({_verdict(ratio, target)})" if info else _verdict(ratio, target)))
    return rows


def print_table(rows: list[Row]) -> None:
    header = ("measure", "baseline", "peersnap", "ratio", "target", "verdict")
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    print("\nsummary")
    for row in (header, *rows):
        print(" | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 starts, 4 s idle windows")
    parser.add_argument("--starts", type=int, help="starts per app for the first frame (default 15)")
    parser.add_argument("--seconds", type=float, help="idle window (default 10 s)")
    args = parser.parse_args(argv)
    starts = args.starts or (3 if args.quick else 15)
    seconds = args.seconds or (4.0 if args.quick else 10.0)
    print(f"peersnap terminal benchmark: Python {sys.version.split()[0]}, {os.cpu_count()} cores, "
          f"load average {loadavg()} at start", flush=True)
    rows = section_first_frame(starts) + section_idle(seconds)
    print_table(rows)
    print(f"load average {loadavg()} at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
