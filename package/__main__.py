"""`python -m peersnap` is the `peersnap` command."""

from peersnap.tui.startup import main

raise SystemExit(main())
