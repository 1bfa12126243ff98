"""The first frame in instructions: what `bench_terminal.py` times, counted by valgrind instead.

    python benchmarks/bench_first_frame_instructions.py      # about a minute; needs valgrind

On a shared virtual machine one start's wall time varies by a third (the machine moves
between a fast and a slow state), so a change of a few milliseconds hides in the noise of
`bench_terminal.py`'s medians. Valgrind's callgrind counts the instructions each app runs
from its exec to the moment its first frame is handed to the terminal: the same count, to
0.2%, on every run. It is a guide, not the issue's measure: instructions are not time (a
cache miss costs more than an add), but peersnap's ratio in instructions has stayed within
a few hundredths of its ratio in wall time. Both apps run in a 120x40 pty, their modules
byte-compiled, after one untimed start each (peersnap's caches written). It reports; the
exit status is 0 whatever the figures, and 0 with a note when valgrind is missing.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_terminal  # noqa: E402  (its pty, its warm-up and its bare app)

# The child: bench_terminal's own (the bare app or the dashboard), leaving as soon as the frame holding
# its marker has been handed to the terminal, so that callgrind writes its count.
_LEAVE_AT_FIRST_FRAME = r"""
import os, sys
from textual.drivers import linux_driver
marker = {markers!r}[sys.argv[2]]  # (argv: the report file, the kind, the blink, the args: bench_terminal's)
write = linux_driver.LinuxDriver.write
def written(self, data):
    write(self, data)
    if marker in data:
        os._exit(0)
linux_driver.LinuxDriver.write = written
""".format(markers={kind: marker.decode() for kind, marker in bench_terminal.MARKERS.items()})
_CHILD = _LEAVE_AT_FIRST_FRAME + bench_terminal._CHILD


def instructions(kind: str, args: list[str]) -> int:
    """Instructions from exec to the first frame, in a pty (`bench_terminal.Child` runs it under valgrind)."""
    log = Path(tempfile.mkdtemp(prefix="peersnap-callgrind-")) / "log"
    valgrind = (shutil.which("valgrind") or "valgrind", "--tool=callgrind", f"--log-file={log}",
                "--callgrind-out-file=/dev/null")
    child = bench_terminal.Child(kind, args, code=_CHILD, wrapper=valgrind)
    try:
        child.drain(600.0)  # until it leaves (its terminal closes)
    finally:
        child.close()
    found = re.search(r"Collected : (\d+)", log.read_text() if log.exists() else "")
    if found is None:
        raise RuntimeError(f"{kind}: callgrind reported no count (see {log})")
    return int(found.group(1))


def main() -> int:
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind): nothing measured")
        return 0
    print(f"[first frame, instructions] in a {bench_terminal.COLS}x{bench_terminal.ROWS} pty, callgrind", flush=True)
    print(f"    {bench_terminal.compile_bytecode()}", flush=True)
    bench_terminal.warm_up()
    bare = instructions("bare", [])
    dash = instructions("dashboard", ["--paused"])
    print(f"    bare app   {bare / 1e6:8.1f} M instructions")
    print(f"    peersnap   {dash / 1e6:8.1f} M instructions  (+{(dash - bare) / 1e6:.1f} M)")
    print(f"    ratio      {dash / bare:8.3f}x  (the wall-time target: <= {bench_terminal.FIRST_FRAME_TARGET:g}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
