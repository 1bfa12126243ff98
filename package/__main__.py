"""`python -m peersnap` is the `peersnap` command."""

from peersnap.tui.cli import main

raise SystemExit(main())
