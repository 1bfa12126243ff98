"""peersnap: a terminal dashboard that simulates IBM Storage Scale AFM peer snapshots.

The distribution installs one import name. Its parts live in the repository's
top-level folders and are mapped here by `pyproject.toml`:
`peersnap.core` (the engine, `core/`), `peersnap.tui` (the dashboard, `tui/`)
and `peersnap.themes` (colour themes, `themes/`).
"""

__version__ = "0.2.0"
