"""The `peersnap` command: pyproject's entry point and `python -m peersnap`.

It holds the garbage collector from its very first line (tui/collector.py: the
dashboard lets it go once its first frame is on screen) and runs the CLI.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import collector


def main(argv: Sequence[str] | None = None) -> int:
    collector.hold()
    try:
        from peersnap.tui.cli import main as cli_main

        return cli_main(argv)
    finally:
        collector.release()
